package sheet

import (
	"context"

	"qinqi/internal/domain"
	"qinqi/store"
)

type regionRec struct {
	row                   rowReader
	code, name, parentRef string
	level                 domain.RegionLevel
	parentCode            string // resolved
}

// regionImport loads the county → township → village tree.
type regionImport struct {
	recs []regionRec
}

func (*regionImport) columns() []column {
	return []column{
		{key: "code", names: []string{"区划编号", "区划代码", "编号", "代码"}, required: true},
		{key: "name", names: []string{"名称", "区划名称", "地名"}, required: true},
		{key: "level", names: []string{"级别", "层级", "类型"}, required: true},
		{key: "parent", names: []string{"上级区划", "上级", "上级编号", "上级区划编号", "所属乡镇"}},
	}
}

func (im *regionImport) parse(l layout, rows []Row, errs *RowErrors) {
	seen := seenCodes{}
	for _, row := range rows {
		r := rowReader{l: l, row: row, errs: errs}
		code, ok := codeOf(r, "code", seen)
		name := r.need("name")
		if !r.checkLen("name", 64) {
			ok = false
		}
		level, err := parseLevel(r.get("level"))
		if err != nil {
			r.fail("level", "%v", err)
			ok = false
		}
		if ok && name != "" {
			im.recs = append(im.recs, regionRec{row: r, code: code, name: name, level: level, parentRef: r.get("parent")})
		}
	}
}

func (im *regionImport) resolve(ctx context.Context, tx *store.Store, errs *RowErrors) error {
	all, err := tx.AllRegions(ctx)
	if err != nil {
		return err
	}
	idx := newNameIndex("regions")
	stored := codeBook{}
	levels := map[string]domain.RegionLevel{}
	for _, r := range all {
		idx.add(r.Code, r.Name)
		stored.add(r.Code)
		levels[r.Code] = r.Level
	}
	for _, rec := range im.recs {
		if stored.checkKey(rec.row, "code", rec.code) {
			idx.add(rec.code, rec.name)
			levels[rec.code] = rec.level
		}
	}
	for i := range im.recs {
		rec := &im.recs[i]
		if rec.parentRef == "" {
			if rec.level != domain.LevelCounty {
				rec.row.fail("parent", "is empty; a %s needs its 上级区划", levelName(rec.level))
			}
			continue
		}
		code, err := idx.lookup(rec.parentRef)
		if err != nil {
			rec.row.fail("parent", "%v", err)
			continue
		}
		// levels only go down, which also rules out cycles
		if levelRank(levels[code]) >= levelRank(rec.level) {
			rec.row.fail("parent", "is a %s and cannot contain a %s", levelName(levels[code]), levelName(rec.level))
			continue
		}
		rec.parentCode = code
	}
	return nil
}

// write stores counties, then townships, then villages, so every parent has an id when its
// children are written.
func (im *regionImport) write(ctx context.Context, tx *store.Store, res *Result) error {
	codes := make([]string, 0, len(im.recs))
	parents := make([]string, 0, len(im.recs))
	for _, rec := range im.recs {
		codes = append(codes, rec.code)
		if rec.parentCode != "" {
			parents = append(parents, rec.parentCode)
		}
	}
	existing, err := tx.RegionsByCodes(ctx, codes)
	if err != nil {
		return err
	}
	countNew(existing, codes, res)
	ids, err := tx.RegionsByCodes(ctx, parents)
	if err != nil {
		return err
	}
	for _, lvl := range []domain.RegionLevel{domain.LevelCounty, domain.LevelTownship, domain.LevelVillage} {
		var batch []store.Region
		var batchCodes []string
		for _, rec := range im.recs {
			if rec.level != lvl {
				continue
			}
			r := store.Region{Code: rec.code, Name: rec.name, Level: rec.level}
			if rec.parentCode != "" {
				id := ids[rec.parentCode].ID
				r.ParentID = &id
			}
			batch = append(batch, r)
			batchCodes = append(batchCodes, rec.code)
		}
		if err := tx.UpsertRegions(ctx, batch); err != nil {
			return err
		}
		written, err := tx.RegionsByCodes(ctx, batchCodes)
		if err != nil {
			return err
		}
		for c, r := range written {
			ids[c] = r
		}
	}
	return nil
}

func levelName(l domain.RegionLevel) string {
	switch l {
	case domain.LevelCounty:
		return "县"
	case domain.LevelTownship:
		return "乡镇"
	}
	return "村"
}
