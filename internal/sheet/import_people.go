package sheet

import (
	"context"
	"errors"
	"strings"

	"qinqi/internal/domain"
	"qinqi/store"
)

type personRec struct {
	row          rowReader
	p            store.Person
	isHead       bool
	unitRef      string
	householdRef string
}

// personImport loads cadres, coordinators, admins and household members who use the bot.
type personImport struct {
	l     layout
	recs  []personRec
	heads map[string]string // household code → person code of its 户主
}

func (*personImport) columns() []column {
	return []column{
		{key: "code", names: []string{"人员编号", "编号", "工号", "人员代码"}, required: true},
		{key: "name", names: []string{"姓名", "名字"}, required: true},
		{key: "phone", names: []string{"手机号", "手机", "手机号码", "联系电话", "电话"}},
		{key: "idnum", names: []string{"身份证号", "身份证", "身份证号码"}, private: true},
		{key: "roles", names: []string{"角色", "身份"}, required: true},
		{key: "unit", names: []string{"所属单位", "单位", "单位编号", "工作单位"}},
		{key: "title", names: []string{"职务", "职位"}},
		{key: "household", names: []string{"所属户", "户编号", "户号"}},
		{key: "wecom", names: []string{"企业微信账号", "政务微信账号", "企业微信ID", "企业微信userid"}},
	}
}

func (im *personImport) parse(l layout, rows []Row, errs *RowErrors) {
	im.l = l
	seen := seenCodes{}
	for _, row := range rows {
		r := rowReader{l: l, row: row, errs: errs}
		before := len(*errs)
		code, _ := codeOf(r, "code", seen)
		rec := personRec{row: r, unitRef: r.get("unit"), householdRef: r.get("household")}
		rec.p = store.Person{Code: code, Name: r.need("name"), Title: r.get("title")}
		r.checkLen("name", 64)
		r.checkLen("title", 64)
		var err error
		if v := r.get("phone"); v != "" {
			if rec.p.Phone, err = parseMobile(v); err != nil {
				r.fail("phone", "%v", err)
			}
		}
		if v := r.get("idnum"); v != "" {
			if rec.p.IDNumber, err = parseIDNumber(v); err != nil {
				r.fail("idnum", "%v", err)
			}
		}
		if v := r.get("wecom"); v != "" {
			if rec.p.WecomUserID, err = parseWecomUserID(v); err != nil {
				r.fail("wecom", "%v", err)
			}
		}
		if rec.p.Roles, rec.isHead, err = parseRoles(r.get("roles")); err != nil {
			r.fail("roles", "%v", err)
		}
		im.checkRoleNeeds(r, rec)
		if len(*errs) == before {
			im.recs = append(im.recs, rec)
		}
	}
}

// checkRoleNeeds: cadres and coordinators belong to a unit; household members to a household.
func (im *personImport) checkRoleNeeds(r rowReader, rec personRec) {
	staff := rec.p.Roles.Has(domain.RoleCadre) || rec.p.Roles.Has(domain.RoleCoordinator)
	if staff && rec.unitRef == "" {
		r.fail("unit", "is empty; 干部 and 协调员 need their unit")
	}
	if rec.p.Roles.Has(domain.RoleHousehold) && rec.householdRef == "" {
		r.fail("household", "is empty; 户主 and 家庭成员 need their 户编号")
	}
}

func (im *personImport) resolve(ctx context.Context, tx *store.Store, errs *RowErrors) error {
	units, err := tx.AllUnits(ctx)
	if err != nil {
		return err
	}
	if err := im.resolveCodes(ctx, tx); err != nil {
		return err
	}
	idx := newNameIndex("units")
	unitID := map[string]domain.UnitID{}
	for _, u := range units {
		idx.add(u.Code, u.Name)
		unitID[u.Code] = u.ID
	}
	var hhCodes []string
	for i := range im.recs {
		if ref := im.recs[i].householdRef; ref != "" {
			hhCodes = append(hhCodes, ref)
		}
	}
	hhs, err := tx.HouseholdsByCodes(ctx, hhCodes)
	if err != nil {
		return err
	}
	im.heads = map[string]string{}
	headRow := map[string]int{}
	for i := range im.recs {
		rec := &im.recs[i]
		if rec.unitRef != "" {
			if code, err := idx.lookup(rec.unitRef); err != nil {
				rec.row.fail("unit", "%v", err)
			} else {
				id := unitID[code]
				rec.p.UnitID = &id
			}
		}
		if rec.householdRef == "" {
			continue
		}
		hh, ok := hhs[rec.householdRef]
		if !ok {
			rec.row.fail("household", "is in neither the households sheet nor the database")
			continue
		}
		id := hh.ID
		rec.p.HouseholdID = &id
		if rec.isHead {
			if prev, dup := headRow[hh.Code]; dup {
				rec.row.fail("household", "already has a 户主 in row %d", prev)
				continue
			}
			headRow[hh.Code] = rec.row.row.Num
			im.heads[hh.Code] = rec.p.Code
		}
	}
	return nil
}

// resolveCodes applies the case rule: a person's code may not differ only in case from a stored
// one, and 所属户 is spelled as the household's code.
func (im *personImport) resolveCodes(ctx context.Context, tx *store.Store) error {
	people, err := loadCodes(ctx, tx, store.CodesPeople)
	if err != nil {
		return err
	}
	hhs, err := loadCodes(ctx, tx, store.CodesHouseholds)
	if err != nil {
		return err
	}
	for i := range im.recs {
		rec := &im.recs[i]
		people.checkKey(rec.row, "code", rec.p.Code)
		rec.householdRef = hhs.spelling(rec.householdRef)
	}
	return nil
}

// fields lists what a re-import overwrites: optional columns the sheet lacks keep their values.
func (im *personImport) fields() []string {
	f := []string{"Name", "Roles"}
	for key, field := range map[string]string{
		"phone": "Phone", "idnum": "IDNumber", "unit": "UnitID", "title": "Title", "household": "HouseholdID",
		"wecom": "WecomUserID",
	} {
		if im.l.has(key) {
			f = append(f, field)
		}
	}
	return f
}

func (im *personImport) write(ctx context.Context, tx *store.Store, res *Result) error {
	rows := make([]store.Person, len(im.recs))
	codes := make([]string, len(im.recs))
	for i, rec := range im.recs {
		rows[i], codes[i] = rec.p, rec.p.Code
	}
	existing, err := tx.PeopleByCodes(ctx, codes)
	if err != nil {
		return err
	}
	countNew(existing, codes, res)
	if err := im.respellHeads(ctx, tx, codes); err != nil {
		return err
	}
	if err := tx.UpsertPeople(ctx, rows, im.fields()); err != nil {
		return err
	}
	return im.linkHeads(ctx, tx)
}

// respellHeads spells units' 一把手 codes as this sheet spells the people (codes ignore case), so
// the units link to them on SQLite as on MariaDB.
func (im *personImport) respellHeads(ctx context.Context, tx *store.Store, codes []string) error {
	heads, err := tx.HeadCodes(ctx)
	if err != nil {
		return err
	}
	book := codeBook{}
	for _, c := range codes {
		book.add(c)
	}
	respell := map[string]string{}
	for _, h := range heads {
		if to := book.spelling(h); to != h {
			respell[h] = to
		}
	}
	return tx.RespellHeadCodes(ctx, respell)
}

// linkHeads points each household at the person row of its 户主, so the head can chat as that household.
func (im *personImport) linkHeads(ctx context.Context, tx *store.Store) error {
	if len(im.heads) == 0 {
		return nil
	}
	var hhCodes, pCodes []string
	for h, p := range im.heads {
		hhCodes, pCodes = append(hhCodes, h), append(pCodes, p)
	}
	hhs, err := tx.HouseholdsByCodes(ctx, hhCodes)
	if err != nil {
		return err
	}
	people, err := tx.PeopleByCodes(ctx, pCodes)
	if err != nil {
		return err
	}
	links := map[domain.HouseholdID]domain.PersonID{}
	for h, p := range im.heads {
		links[hhs[h].ID] = people[p].ID
	}
	return tx.SetHouseholdHeads(ctx, links)
}

// parseWecomUserID checks a WeCom / 政务微信 userid (账号): 1–64 letters, digits, "_", "-", "." or "@",
// as the admin console allows.
func parseWecomUserID(v string) (string, error) {
	if len(v) > 64 {
		return "", errors.New("is longer than 64 characters")
	}
	for _, r := range v {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-.@", r)
		if !ok {
			return "", errors.New("is not a WeCom account (letters, digits, _ - . @ only)")
		}
	}
	return v, nil
}
