package sheet_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"qinqi/internal/sheet"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// demoSources reads the six demo sheets, replacing the text of some kinds.
func demoSources(t *testing.T, replace map[sheet.Kind]string) []sheet.Source {
	t.Helper()
	var srcs []sheet.Source
	for _, k := range sheet.Kinds {
		b, err := os.ReadFile(demoFile(k, ".csv"))
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		if r, ok := replace[k]; ok {
			text = r
		}
		srcs = append(srcs, sheet.Source{Kind: k, Name: string(k) + ".csv", Table: table(t, text)})
	}
	return srcs
}

func TestImportSetIsOneTransaction(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			empty := func(t *testing.T) {
				t.Helper()
				if c, err := s.CountOrg(ctx); err != nil || c != (store.OrgCounts{}) {
					t.Errorf("counts = %+v, %v; want nothing written", c, err)
				}
			}
			t.Run("one bad row in the pairings writes none of the six", func(t *testing.T) {
				pairings, _ := os.ReadFile(demoFile(sheet.Pairings, ".csv"))
				bad := string(pairings) + "J099,P001,H004,干部结亲,2026-02-30,,\n"
				_, err := sheet.ImportSet(ctx, s, demoSources(t, map[sheet.Kind]string{sheet.Pairings: bad}), sheet.Options{Now: now})
				var fe sheet.FileErrors
				if !errors.As(err, &fe) || len(fe) != 2 || fe[0].Name != "pairings.csv" || fe[1].Name != "visits.csv" || len(fe[1].Errs) != 0 ||
					!strings.Contains(err.Error(), `row 25: 开始日期 "2026-02-30" is not a real date`) {
					t.Fatalf("err = %v", err)
				}
				empty(t)
			})
			t.Run("a sheet with problems: the sheets that refer to it are checked on their own", func(t *testing.T) {
				units := "单位编号,单位名称,上级单位\nU01,青山县农业农村局,\nU0101,乡村振兴科,U01\nU02,青山县教育局,不存在\n"
				people := "人员编号,姓名,手机号,角色,所属单位\nP001,陈建国,1380000,干部,U01\n"
				_, err := sheet.ImportSet(ctx, s, demoSources(t, map[sheet.Kind]string{sheet.Units: units, sheet.People: people}), sheet.Options{Now: now})
				want := "nothing was imported: 2 problem(s)\n" +
					"units.csv: 1 problem(s)\n" +
					`  row 4: 上级单位 "不存在" is neither a code nor a name in the units sheet or the database` + "\n" +
					"people.csv: 1 problem(s)\n" +
					`  row 2: 手机号 "1380000" is not 11 digits` + "\n" +
					"people.csv: its codes that refer to units.csv were not checked, because that sheet was not imported; run the import again once the problems above are fixed\n" +
					"pairings.csv: its codes that refer to people.csv were not checked, because that sheet was not imported; run the import again once the problems above are fixed\n" +
					"visits.csv: its codes that refer to people.csv and pairings.csv were not checked, because those sheets were not imported; run the import again once the problems above are fixed"
				if err == nil || err.Error() != want {
					t.Errorf("err =\n%v\nwant\n%s", err, want)
				}
				empty(t)
			})
			t.Run("all good: every sheet written", func(t *testing.T) {
				res, err := sheet.ImportSet(ctx, s, demoSources(t, nil), sheet.Options{Now: now})
				if err != nil || len(res) != 6 {
					t.Fatalf("%v, %v", res, err)
				}
				for _, r := range res {
					for _, n := range r.Notes {
						if strings.Contains(n, "一把手") {
							t.Errorf("%s: %q, though the people sheet of the same set brought the heads", r.Kind, n)
						}
					}
				}
				if c, err := s.CountOrg(ctx); err != nil || c.Pairings != 23 || c.People != 15 {
					t.Errorf("counts = %+v, %v", c, err)
				}
				if n, err := s.CountCheckIns(ctx); err != nil || n != 313 {
					t.Errorf("%d visits stored, %v; want the 313 of the 走访台账", n, err)
				}
			})
		})
	}
}
