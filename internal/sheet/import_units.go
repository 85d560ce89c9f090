package sheet

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"qinqi/internal/domain"
	"qinqi/store"
)

type unitRec struct {
	row                   rowReader
	code, name, parentRef string
	headCode, phone       string
	parentCode            string // resolved
	depth                 int    // distance to a parent outside this sheet
}

// unitImport loads the unit tree. 一把手 may name a person not imported yet: the code is kept
// and linked when the people sheet arrives.
type unitImport struct {
	l       layout
	recs    []unitRec
	pending []string // head codes without a person row yet
}

func (*unitImport) columns() []column {
	return []column{
		{key: "code", names: []string{"单位编号", "单位代码", "编号"}, required: true},
		{key: "name", names: []string{"单位名称", "名称", "单位"}, required: true},
		{key: "parent", names: []string{"上级单位", "上级单位编号", "上级", "主管单位"}},
		{key: "head", names: []string{"一把手", "一把手(人员编号)", "一把手编号", "负责人编号", "主要负责人"}},
		{key: "phone", names: []string{"办公电话", "联系电话", "电话"}},
	}
}

func (im *unitImport) parse(l layout, rows []Row, errs *RowErrors) {
	im.l = l
	seen := seenCodes{}
	for _, row := range rows {
		r := rowReader{l: l, row: row, errs: errs}
		code, ok := codeOf(r, "code", seen)
		name := r.need("name")
		if !r.checkLen("name", 128) {
			ok = false
		}
		rec := unitRec{row: r, code: code, name: name, parentRef: r.get("parent"), headCode: r.get("head")}
		if rec.headCode != "" {
			if err := checkCode(rec.headCode); err != nil {
				r.fail("head", "%v", err)
				ok = false
			}
		}
		if p := r.get("phone"); p != "" {
			phone, err := parseOfficePhone(p)
			if err != nil {
				r.fail("phone", "%v", err)
				ok = false
			}
			rec.phone = phone
		}
		if ok && name != "" {
			im.recs = append(im.recs, rec)
		}
	}
}

func (im *unitImport) resolve(ctx context.Context, tx *store.Store, errs *RowErrors) error {
	all, err := tx.AllUnits(ctx)
	if err != nil {
		return err
	}
	idx := newNameIndex("units")
	parentOf := map[string]string{}
	codeByID := map[domain.UnitID]string{}
	for _, u := range all {
		codeByID[u.ID] = u.Code
	}
	for _, u := range all {
		idx.add(u.Code, u.Name)
		if u.ParentID != nil {
			parentOf[u.Code] = codeByID[*u.ParentID]
		}
	}
	stored := codeBook{}
	for _, u := range all {
		stored.add(u.Code)
	}
	inFile := map[string]bool{}
	for _, rec := range im.recs {
		if !stored.checkKey(rec.row, "code", rec.code) {
			continue
		}
		idx.add(rec.code, rec.name)
		inFile[rec.code] = true
		delete(parentOf, rec.code)
	}
	for i := range im.recs {
		rec := &im.recs[i]
		if rec.parentRef == "" {
			continue
		}
		code, err := idx.lookup(rec.parentRef)
		if err != nil {
			rec.row.fail("parent", "%v", err)
			continue
		}
		rec.parentCode = code
		parentOf[rec.code] = code
	}
	for i := range im.recs {
		rec := &im.recs[i]
		if cycle := unitCycle(rec.code, parentOf); cycle != "" {
			rec.row.fail("parent", "makes a loop (%s)", cycle)
		}
		for p := rec.parentCode; inFile[p] && rec.depth <= len(im.recs); p = parentOf[p] {
			rec.depth++
		}
	}
	return im.checkHeads(ctx, tx)
}

// unitCycle returns the loop through code, if following parents comes back to it.
func unitCycle(code string, parentOf map[string]string) string {
	path := []string{code}
	for p, n := parentOf[code], 0; p != "" && n <= len(parentOf); p, n = parentOf[p], n+1 {
		path = append(path, p)
		if p == code {
			return strings.Join(path, " → ")
		}
	}
	return ""
}

// checkHeads spells each 一把手 code as the person's code (codes ignore case) and notes the heads
// whose person rows do not exist yet; they link when the people sheet is imported.
func (im *unitImport) checkHeads(ctx context.Context, tx *store.Store) error {
	people, err := loadCodes(ctx, tx, store.CodesPeople)
	if err != nil {
		return err
	}
	for i := range im.recs {
		rec := &im.recs[i]
		if rec.headCode == "" {
			continue
		}
		rec.headCode = people.spelling(rec.headCode)
		if len(people[fold(rec.headCode)]) == 0 {
			im.pending = append(im.pending, rec.headCode)
		}
	}
	return nil
}

// finish notes the heads still without a person row once the whole set is written.
func (im *unitImport) finish(ctx context.Context, tx *store.Store, res *Result) error {
	if len(im.pending) == 0 {
		return nil
	}
	people, err := loadCodes(ctx, tx, store.CodesPeople)
	if err != nil {
		return err
	}
	var missing []string
	for _, c := range im.pending {
		if len(people[fold(c)]) == 0 {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		res.Notes = append(res.Notes, fmt.Sprintf("一把手 %s is in neither the people sheet nor the database yet; the unit is linked once they are imported", strings.Join(missing, ", ")))
	}
	return nil
}

// write stores units parents first (by depth inside the sheet).
func (im *unitImport) write(ctx context.Context, tx *store.Store, res *Result) error {
	codes := make([]string, 0, len(im.recs))
	parents := make([]string, 0, len(im.recs))
	for _, rec := range im.recs {
		codes = append(codes, rec.code)
		parents = append(parents, rec.parentCode)
	}
	existing, err := tx.UnitsByCodes(ctx, codes)
	if err != nil {
		return err
	}
	countNew(existing, codes, res)
	ids, err := tx.UnitsByCodes(ctx, parents)
	if err != nil {
		return err
	}
	recs := append([]unitRec(nil), im.recs...)
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].depth < recs[j].depth })
	for start := 0; start < len(recs); {
		end := start
		for end < len(recs) && recs[end].depth == recs[start].depth {
			end++
		}
		if err := im.writeLevel(ctx, tx, recs[start:end], ids); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// fields lists what a re-import overwrites: optional columns the sheet lacks keep their values.
func (im *unitImport) fields() []string {
	f := []string{"Name"}
	if im.l.has("parent") {
		f = append(f, "ParentID")
	}
	if im.l.has("head") {
		f = append(f, "HeadCode")
	}
	if im.l.has("phone") {
		f = append(f, "OfficePhone")
	}
	return f
}

func (im *unitImport) writeLevel(ctx context.Context, tx *store.Store, recs []unitRec, ids map[string]store.Unit) error {
	batch := make([]store.Unit, 0, len(recs))
	codes := make([]string, 0, len(recs))
	for _, rec := range recs {
		u := store.Unit{Code: rec.code, Name: rec.name, HeadCode: rec.headCode, OfficePhone: rec.phone}
		if rec.parentCode != "" {
			id := ids[rec.parentCode].ID
			u.ParentID = &id
		}
		batch = append(batch, u)
		codes = append(codes, rec.code)
	}
	if err := tx.UpsertUnits(ctx, batch, im.fields()); err != nil {
		return err
	}
	written, err := tx.UnitsByCodes(ctx, codes)
	if err != nil {
		return err
	}
	for c, u := range written {
		ids[c] = u
	}
	return nil
}
