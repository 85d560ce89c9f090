package sheet

import (
	"context"

	"qinqi/internal/domain"
	"qinqi/store"
)

type householdRec struct {
	row        rowReader
	hh         store.Household
	villageRef string
}

// householdImport loads the paired households (帮扶户).
type householdImport struct {
	l    layout
	recs []householdRec
}

func (*householdImport) columns() []column {
	return []column{
		{key: "code", names: []string{"户编号", "户号", "编号", "户代码"}, required: true},
		{key: "head", names: []string{"户主姓名", "户主", "姓名"}, required: true},
		{key: "village", names: []string{"所属村", "村", "村(社区)", "所在村", "行政村", "区划编号"}, required: true},
		{key: "address", names: []string{"家庭住址", "住址", "地址"}},
		{key: "members", names: []string{"家庭人口", "人口", "家庭人数", "人口数"}},
		{key: "tags", names: []string{"户类型", "标签", "户类型/标签", "类型", "帮扶类型"}},
		{key: "difficult", names: []string{"重点户", "重点困难户", "是否重点户"}},
		{key: "lng", names: []string{"经度", "lng", "longitude"}},
		{key: "lat", names: []string{"纬度", "lat", "latitude"}},
	}
}

func (im *householdImport) parse(l layout, rows []Row, errs *RowErrors) {
	im.l = l
	seen := seenCodes{}
	im.recs = make([]householdRec, 0, len(rows))
	for _, row := range rows {
		r := rowReader{l: l, row: row, errs: errs}
		before := len(*errs)
		code, _ := codeOf(r, "code", seen)
		rec := householdRec{row: r, villageRef: r.need("village")}
		rec.hh = store.Household{Code: code, HeadName: r.need("head"), Address: r.get("address")}
		r.checkLen("head", 64)
		r.checkLen("address", 255)
		im.parseNumbers(r, &rec.hh)
		if len(*errs) == before {
			im.recs = append(im.recs, rec)
		}
	}
}

// parseNumbers reads the optional numeric and flag columns.
func (im *householdImport) parseNumbers(r rowReader, hh *store.Household) {
	if v := r.get("members"); v != "" {
		n, err := parseInt(v, 1, 30)
		if err != nil {
			r.fail("members", "%v", err)
		}
		hh.Members = n
	}
	tags, err := parseTags(r.get("tags"))
	if err != nil {
		r.fail("tags", "%v", err)
	}
	hh.Tags = tags
	if hh.Difficult, err = parseBool(r.get("difficult")); err != nil {
		r.fail("difficult", "%v", err)
	}
	lng, lat := r.get("lng"), r.get("lat")
	if (lng == "") != (lat == "") {
		r.fail(map[bool]string{true: "lng", false: "lat"}[lng == ""], "is empty but the other coordinate is given; fill both or neither")
		return
	}
	if lng == "" {
		return
	}
	x, err1 := parseCoord(lng, 73, 136)
	if err1 != nil {
		r.fail("lng", "%v", err1)
	}
	y, err2 := parseCoord(lat, 3, 54)
	if err2 != nil {
		r.fail("lat", "%v", err2)
	}
	if err1 == nil && err2 == nil {
		hh.Lng, hh.Lat = &x, &y
	}
}

func (im *householdImport) resolve(ctx context.Context, tx *store.Store, _ *RowErrors) error {
	regions, err := tx.AllRegions(ctx)
	if err != nil {
		return err
	}
	stored, err := loadCodes(ctx, tx, store.CodesHouseholds)
	if err != nil {
		return err
	}
	idx := newNameIndex("regions")
	byCode := map[string]store.Region{}
	for _, r := range regions {
		idx.add(r.Code, r.Name)
		byCode[r.Code] = r
	}
	for i := range im.recs {
		rec := &im.recs[i]
		stored.checkKey(rec.row, "code", rec.hh.Code)
		code, err := idx.lookup(rec.villageRef)
		if err != nil {
			rec.row.fail("village", "%v", err)
			continue
		}
		reg := byCode[code]
		if reg.Level != domain.LevelVillage {
			rec.row.fail("village", "is a %s, not a village", levelName(reg.Level))
			continue
		}
		id := reg.ID
		rec.hh.RegionID = &id
	}
	return nil
}

// fields lists what a re-import overwrites: optional columns the sheet lacks keep their values.
func (im *householdImport) fields() []string {
	f := []string{"HeadName", "RegionID"}
	for key, field := range map[string][]string{
		"address": {"Address"}, "members": {"Members"}, "tags": {"Tags"}, "difficult": {"Difficult"}, "lng": {"Lng", "Lat"},
	} {
		if im.l.has(key) {
			f = append(f, field...)
		}
	}
	return f
}

func (im *householdImport) write(ctx context.Context, tx *store.Store, res *Result) error {
	rows := make([]store.Household, len(im.recs))
	codes := make([]string, len(im.recs))
	for i, rec := range im.recs {
		rows[i], codes[i] = rec.hh, rec.hh.Code
	}
	existing, err := tx.HouseholdsByCodes(ctx, codes)
	if err != nil {
		return err
	}
	countNew(existing, codes, res)
	return tx.UpsertHouseholds(ctx, rows, im.fields())
}
