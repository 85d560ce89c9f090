package sheet_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"qinqi/internal/sheet"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// TestCodesIgnoreCaseOnBothDatabases: codes are compared ignoring upper and lower case, the same
// way on SQLite and MariaDB. Before, MariaDB merged H113 and h113 into one row (the second
// overwriting the first) while SQLite kept two.
func TestCodesIgnoreCaseOnBothDatabases(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			importDemo(t, s, ".csv")
			refuse := func(t *testing.T, kind sheet.Kind, csv, want string) {
				t.Helper()
				before := dump(t, s)
				_, err := sheet.Import(ctx, s, kind, table(t, csv), sheet.Options{Now: now})
				var rowErrs sheet.RowErrors
				if !errors.As(err, &rowErrs) || !strings.Contains(err.Error(), want) {
					t.Errorf("err = %v\nwant %q", err, want)
				}
				if dump(t, s) != before {
					t.Error("a refused sheet changed the database")
				}
			}
			t.Run("two codes in one sheet that differ only in case", func(t *testing.T) {
				refuse(t, sheet.Households, "户编号,户主姓名,所属村\nH113,王一,Q0101\nh113,王二,Q0101\n",
					`row 3: 户编号 "h113" is the same code as "H113" in row 2 (codes ignore upper and lower case)`)
			})
			t.Run("a new code that differs only in case from a stored one", func(t *testing.T) {
				refuse(t, sheet.Households, "户编号,户主姓名,所属村\nh001,王一,Q0101\n",
					`row 2: 户编号 "h001" differs from the existing code "H001" only in upper/lower case`)
				refuse(t, sheet.People, "人员编号,姓名,角色,所属单位\np002,刘晓燕,干部,U01\n",
					`row 2: 人员编号 "p002" differs from the existing code "P002" only in upper/lower case`)
			})
			t.Run("references in another case find the stored row", func(t *testing.T) {
				res, err := sheet.Import(ctx, s, sheet.Pairings, table(t, "干部编号,户编号,项目,开始日期\np007,h020,干部结亲,2026-06-01\n"), sheet.Options{Now: now})
				if err != nil || res.Created != 1 {
					t.Fatalf("import: %+v, %v", res, err)
				}
				again, err := sheet.Import(ctx, s, sheet.Pairings, table(t, "干部编号,户编号,项目,开始日期\nP007,H020,干部结亲,2026-06-01\n"), sheet.Options{Now: now})
				if err != nil || again.Created != 0 || again.Updated != 1 {
					t.Errorf("the same pairing in upper case: %+v, %v; want it updated, not added", again, err)
				}
				p, err := s.PairingByCode(ctx, "P007-H020-20260601")
				if err != nil || p.Code != "P007-H020-20260601" {
					t.Errorf("pairing = %+v, %v", p, err)
				}
			})
			t.Run("a unit head written in another case links to the person", func(t *testing.T) {
				if _, err := sheet.Import(ctx, s, sheet.Units, table(t, "单位编号,单位名称,一把手\nU09,青山县民政局,p090\n"), sheet.Options{Now: now}); err != nil {
					t.Fatal(err)
				}
				if _, err := sheet.Import(ctx, s, sheet.People, table(t, "人员编号,姓名,角色,所属单位\nP090,孙立新,协调员,U09\n"), sheet.Options{Now: now}); err != nil {
					t.Fatal(err)
				}
				u, err := s.UnitByCode(ctx, "U09")
				if err != nil || u.HeadID == nil || u.HeadCode != "P090" {
					t.Errorf("unit = %+v, %v; want its head linked", u, err)
				}
			})
			t.Run("lookups by code ignore case", func(t *testing.T) {
				for _, code := range []string{"P001", "p001"} {
					if p, err := s.PersonByCode(ctx, code); err != nil || p.Code != "P001" {
						t.Errorf("PersonByCode(%q) = %+v, %v", code, p.Code, err)
					}
				}
				if _, err := s.PersonByCode(ctx, "p999"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("PersonByCode(p999) = %v, want ErrNotFound", err)
				}
			})
		})
	}
}
