package sheet_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"qinqi/internal/domain"
	"qinqi/internal/sheet"
	"qinqi/internal/testenv"
	"qinqi/store"
)

func TestImportDemoCounty(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			fromCSV, fromXLSX := b.Open(t), b.Open(t)
			importDemo(t, fromCSV, ".csv")
			importDemo(t, fromXLSX, ".xlsx")
			want := store.OrgCounts{Regions: 7, Units: 3, People: 15, Households: 20, Programs: 2, Pairings: 23}
			for name, s := range map[string]*store.Store{"csv": fromCSV, "xlsx": fromXLSX} {
				if c, err := s.CountOrg(ctx); err != nil || c != want {
					t.Errorf("%s: counts = %+v, %v; want %+v", name, c, err, want)
				}
			}
			if d1, d2 := dump(t, fromCSV), dump(t, fromXLSX); d1 != d2 {
				t.Errorf("xlsx import differs from csv import:\ncsv:\n%s\nxlsx:\n%s", d1, d2)
			}
			checkDemoFacts(t, fromCSV)
			audit, err := fromCSV.AuditOf(ctx, "sheet:households", 0)
			if err != nil || len(audit) != 1 || audit[0].Detail != "20 rows, 20 new, 0 updated" || audit[0].ActorID != nil {
				t.Errorf("audit of the households import = %+v, %v", audit, err)
			}
		})
	}
}

// checkDemoFacts spot-checks values that need resolving: heads, aliases, two-cadre households.
func checkDemoFacts(t *testing.T, s *store.Store) {
	ctx := context.Background()
	h1, err := s.HouseholdByCode(ctx, "H001")
	if err != nil {
		t.Fatal(err)
	}
	p101, err := s.PersonByCode(ctx, "P101")
	if err != nil {
		t.Fatal(err)
	}
	if h1.HeadID == nil || *h1.HeadID != p101.ID || h1.Initials != "wcf" || h1.Lat == nil || *h1.Lat != 30.2231 || !h1.Difficult {
		t.Errorf("H001 = %+v; want head P101, initials wcf, lat 30.2231, difficult", h1)
	}
	u1, err := s.UnitByCode(ctx, "U01")
	if err != nil || u1.HeadID == nil {
		t.Errorf("U01 head not linked: %+v, %v", u1, err)
	}
	h11, err := s.HouseholdByCode(ctx, "H011")
	if err != nil || !h11.Tags.Has(domain.TagTekun) || !h11.Tags.Has(domain.TagEmptyNest) {
		t.Errorf("H011 tags = %q, %v; 五保户 should read as 特困", h11.Tags, err)
	}
	for code, want := range map[string]int{"H003": 2, "H010": 2, "H007": 1, "H001": 1} {
		h, err := s.HouseholdByCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		ps, err := s.ActivePairingsOfHousehold(ctx, h.ID, now)
		if err != nil || len(ps) != want {
			t.Errorf("%s has %d active cadres, %v; want %d", code, len(ps), err, want)
		}
	}
	relay, err := s.PairingsByCodes(ctx, []string{"J008", "J009", "J010"})
	if err != nil {
		t.Fatal(err)
	}
	if r := relay["J009"].RelayedFromID; r == nil || *r != relay["J008"].ID {
		t.Errorf("J009 (P008 takes over H007 on 2026-07-01) relayed from %v; want J008 (ended 2026-06-30)", r)
	}
	if relay["J010"].RelayedFromID != nil {
		t.Error("J010 (another household) must not count as a relay")
	}
	p010, err := s.PersonByCode(ctx, "P010")
	if err != nil || !p010.Roles.Has(domain.RoleCadre) || !p010.Roles.Has(domain.RoleCoordinator) {
		t.Errorf("P010 roles = %q, %v", p010.Roles, err)
	}
}

func TestReimportChangesNothing(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			importDemo(t, s, ".csv")
			before, err := s.CountOrg(ctx)
			if err != nil {
				t.Fatal(err)
			}
			dumpBefore := dump(t, s)
			for _, ext := range []string{".csv", ".xlsx"} {
				for _, res := range importDemo(t, s, ext) {
					if res.Created != 0 || res.Updated != res.Rows {
						t.Errorf("re-import %s%s: %d new, %d updated of %d rows; want 0 new", res.Kind, ext, res.Created, res.Updated, res.Rows)
					}
				}
			}
			after, err := s.CountOrg(ctx)
			if err != nil || after != before {
				t.Errorf("counts after re-import = %+v, %v; before %+v", after, err, before)
			}
			if d := dump(t, s); d != dumpBefore {
				t.Errorf("values changed on re-import:\nbefore:\n%s\nafter:\n%s", dumpBefore, d)
			}
		})
	}
}

func TestImportWithOneBadRowWritesNothing(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			importKinds(t, s, 3) // regions, units, households
			var csv strings.Builder
			csv.WriteString("人员编号,姓名,手机号,角色,所属单位\n")
			for i := 2; i <= 20; i++ { // spreadsheet rows 2..20; row 17 is bad
				phone := fmt.Sprintf("1380000%04d", i)
				if i == 17 {
					phone = "1380000"
				}
				fmt.Fprintf(&csv, "X%02d,干部%d,%s,干部,U01\n", i, i, phone)
			}
			_, err := sheet.Import(ctx, s, sheet.People, table(t, csv.String()), sheet.Options{Now: now})
			var rowErrs sheet.RowErrors
			if !errors.As(err, &rowErrs) || len(rowErrs) != 1 {
				t.Fatalf("err = %v; want exactly one row error", err)
			}
			if got, want := rowErrs[0].Error(), `row 17: 手机号 "1380000" is not 11 digits`; got != want {
				t.Errorf("error = %q, want %q", got, want)
			}
			if c, err := s.CountOrg(ctx); err != nil || c.People != 0 {
				t.Errorf("people = %d, %v; want 0 (nothing written)", c.People, err)
			}
			if audit, err := s.AuditOf(ctx, "sheet:people", 0); err != nil || len(audit) != 0 {
				t.Errorf("a rejected import was audited: %+v, %v", audit, err)
			}
		})
	}
}

func TestImportReportsEveryBadRow(t *testing.T) {
	type setup struct {
		kind sheet.Kind
		csv  string
	}
	cases := []struct {
		name  string
		setup []setup
		kind  sheet.Kind
		csv   string
		want  []string // every line must appear; their count is the number of errors
	}{
		{name: "missing required column", kind: sheet.Households,
			csv:  "户编号,所属村\nX1,Q0101\n",
			want: []string{"missing column 户主姓名 (also accepted: 户主, 姓名)"}},
		{name: "no header row", kind: sheet.Households,
			csv:  "X1,王一,Q0101,330122197003051234\nX2,王二,Q0101,\n",
			want: []string{"the first row names none of this sheet's columns (户编号, 户主姓名, 所属村 …): is the header row missing, or is this file another sheet?"}},
		{name: "two headers for one column", kind: sheet.Households,
			csv:  "户编号,户号,户主姓名,所属村\nX1,X1,王一,Q0101\n",
			want: []string{`columns "户编号" and "户号" both mean 户编号; keep one`}},
		{name: "duplicate code", kind: sheet.Households,
			csv:  "户编号,户主姓名,所属村\nX1,王一,Q0101\nX1,王二,Q0101\n",
			want: []string{`row 3: 户编号 "X1" already appears in row 2`}},
		{name: "several bad rows all reported", kind: sheet.Households,
			csv: "户编号,户主姓名,所属村,家庭人口,户类型/标签,经度,纬度\n" +
				"X1,王一,不存在村,3,低保,,\n" +
				"X2,王二,Q0101,abc,贫困户,,\n" +
				"X3,王三,Q01,2,,30.2,119.9\n" +
				"X4,王四,Q0101,2,,119.9,\n" +
				"X5,,Q0101,2,,,\n",
			want: []string{
				`row 2: 所属村 "不存在村" is neither a code nor a name in the regions sheet or the database`,
				`row 3: 家庭人口 "abc" is not a whole number`,
				`row 3: 户类型/标签 "贫困户" has unknown type "贫困户" (use 脱贫户、监测户、低保、特困、留守儿童、空巢老人、残疾、大病)`,
				`row 4: 经度 "30.2" is outside China (73–136); are 经度 and 纬度 swapped?`,
				`row 4: 纬度 "119.9" is outside China (3–54); are 经度 and 纬度 swapped?`,
				`row 5: 纬度 is empty but the other coordinate is given; fill both or neither`,
				`row 6: 户主姓名 is empty`,
			}},
		{name: "household in a township", kind: sheet.Households,
			csv:  "户编号,户主姓名,所属村\nX1,王一,石桥镇\n",
			want: []string{`row 2: 所属村 "石桥镇" is a 乡镇, not a village`}},
		{name: "people problems", kind: sheet.People,
			csv: "人员编号,姓名,手机号,身份证号,角色,所属单位,所属户\n" +
				"X1,甲,13800000001,330122197003051230,干部,U01,\n" +
				"X2,乙,12345678901,,干部,U01,\n" +
				"X3,丙,,,村长,U01,\n" +
				"X4,丁,,,干部,,\n" +
				"X5,戊,,,户主,,\n" +
				"X6,己,,,户主,,H999\n" +
				"X7,庚,,,户主,,H002\n" +
				"X8,辛,,,干部,不存在局,\n",
			want: []string{
				`row 2: 身份证号 has a wrong check digit (typo?)`,
				`row 3: 手机号 "12345678901" is not a mobile number (must start with 13–19)`,
				`row 4: 角色 "村长" has unknown role "村长" (use 干部、协调员、管理员、户主 or 家庭成员)`,
				`row 5: 所属单位 is empty; 干部 and 协调员 need their unit`,
				`row 6: 所属户 is empty; 户主 and 家庭成员 need their 户编号`,
				`row 7: 所属户 "H999" is in neither the households sheet nor the database`,
				`row 9: 所属单位 "不存在局" is neither a code nor a name in the units sheet or the database`,
			}},
		{name: "bad 企业微信账号", kind: sheet.People,
			csv:  "人员编号,姓名,角色,所属单位,企业微信账号\nX1,甲,干部,U01,zhang wei\nX2,乙,干部,U01,ZhangWei_01\n",
			want: []string{`row 2: 企业微信账号 "zhang wei" is not a WeCom account (letters, digits, _ - . @ only)`}},
		{name: "numbers Excel turned into scientific notation", kind: sheet.People,
			csv: "人员编号,姓名,手机号,身份证号,角色,所属单位\n" +
				"X1,甲,1.39954E+10,,干部,U01\n" +
				"X2,乙,1.3995412345E+10,3.30122197003051E+17,干部,U01\n" +
				"X3,丙,13995412345,,干部,U01\n" +
				"X4,丁,,330122197003051000,干部,U01\n",
			want: []string{
				`row 2: 手机号 "1.39954E+10" is in scientific notation, so Excel has dropped its last digits: in Excel set the column's format to 文本 (Text), enter the numbers again, then save`,
				`row 3: 身份证号 is in scientific notation, so Excel has dropped its last digits: in Excel set the column's format to 文本 (Text), enter the numbers again, then save`,
				`row 5: 身份证号 has lost its last digits (a number cell keeps only 15 digits): in Excel set the column's format to 文本 (Text), enter the numbers again, then save`,
			}},
		{name: "errors never print an ID number or a long cell", kind: sheet.People,
			csv: "人员编号,姓名,手机号,身份证号,角色,所属单位\n" +
				"X1,甲,330122197003051234,,干部,U01\n" +
				"X2,乙,,33012219700305123,干部,U01\n" +
				"X3," + strings.Repeat("名", 65) + ",,,干部,U01\n" +
				"X4,丁,,,干部 330122197003051234,U01\n",
			want: []string{
				`row 2: 手机号 "330*************34" is not 11 digits`,
				`row 3: 身份证号 is not an 18-character ID number`,
				`row 4: 姓名 is 65 characters long; at most 64 fit`,
				`row 5: 角色 "干部 330*************34" has unknown role "330*************34" (use 干部、协调员、管理员、户主 or 家庭成员)`,
			}},
		{name: "two heads for one household", kind: sheet.People,
			csv:  "人员编号,姓名,角色,所属户\nX1,甲,户主,H002\nX2,乙,户主,H002\n",
			want: []string{`row 3: 所属户 "H002" already has a 户主 in row 2`}},
		{name: "pairing problems", kind: sheet.Pairings,
			csv: "结对编号,干部编号,户编号,开始日期,结束日期,结束原因\n" +
				"X1,P001,H004,2026-13-01,,\n" +
				"X2,P001,H004,2026-05-01,2026-04-01,\n" +
				"X3,P999,H004,2026-05-01,,\n" +
				"X4,P101,H004,2026-05-01,,\n" +
				"X5,P001,H004,2026-05-01,,调动\n" +
				"X6,P001,H999,2026-05-01,,\n",
			want: []string{
				`row 2: 开始日期 "2026-13-01" is not a real date between 1990 and 2100`,
				`row 3: 结束日期 "2026-04-01" is before 开始日期`,
				`row 4: 干部编号 "P999" is in neither the people sheet nor the database`,
				`row 5: 干部编号 "P101" is 王春发, who does not have the 干部 role`,
				`row 6: 结束原因 "调动" is given but 结束日期 is empty`,
				`row 7: 户编号 "H999" is in neither the households sheet nor the database`,
			}},
		{name: "third active cadre", kind: sheet.Pairings,
			csv:  "结对编号,干部编号,户编号,开始日期\nX1,P005,H003,2026-05-01\n",
			want: []string{`row 2: 户编号 "H003" would have 3 active cadres (陈建国、刘晓燕、周文斌); a household has at most 2: give the older pairing a 结束日期`}},
		{name: "third cadre within one sheet", kind: sheet.Pairings,
			csv:  "结对编号,干部编号,户编号,开始日期\nX1,P005,H004,2026-05-01\nX2,P006,H004,2026-05-01\n",
			want: []string{`row 3: 户编号 "H004" would have 3 active cadres (刘晓燕、周文斌、吴海燕); a household has at most 2: give the older pairing a 结束日期`}},
		{name: "same cadre twice", kind: sheet.Pairings,
			csv:  "结对编号,干部编号,户编号,开始日期\nX1,P002,H004,2026-05-01\n",
			want: []string{`row 2: 干部编号 "P002" is already paired with 户 H004`}},
		{name: "region levels", kind: sheet.Regions,
			csv:  "区划编号,名称,级别,上级区划\nX1,新村,村,Q0101\nX2,新镇,乡镇,\nX3,新县,省,\n",
			want: []string{`row 2: 上级区划 "Q0101" is a 村 and cannot contain a 村`, `row 3: 上级区划 is empty; a 乡镇 needs its 上级区划`, `row 4: 级别 "省" is not 县, 乡镇 or 村`}},
		{name: "unit loop", kind: sheet.Units,
			csv:  "单位编号,单位名称,上级单位\nX1,甲局,X2\nX2,乙局,X1\n",
			want: []string{`row 2: 上级单位 "X2" makes a loop (X1 → X2 → X1)`, `row 3: 上级单位 "X1" makes a loop (X2 → X1 → X2)`}},
		{name: "ambiguous unit name", kind: sheet.People,
			setup: []setup{{sheet.Units, "单位编号,单位名称,上级单位\nX1,办公室,U01\nX2,办公室,U02\n"}},
			csv:   "人员编号,姓名,角色,所属单位\nY1,甲,干部,办公室\n",
			want:  []string{`row 2: 所属单位 "办公室" is the name of 2 entries (X1, X2); write the code instead`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			s := testenv.SQLite(t)
			importDemo(t, s, ".csv")
			for _, su := range c.setup {
				if _, err := sheet.Import(ctx, s, su.kind, table(t, su.csv), sheet.Options{Now: now}); err != nil {
					t.Fatalf("setup: %v", err)
				}
			}
			before := dump(t, s)
			_, err := sheet.Import(ctx, s, c.kind, table(t, c.csv), sheet.Options{Now: now})
			var rowErrs sheet.RowErrors
			if !errors.As(err, &rowErrs) {
				t.Fatalf("err = %v; want RowErrors", err)
			}
			got := map[string]bool{}
			for _, e := range rowErrs {
				got[e.Error()] = true
			}
			for _, w := range c.want {
				if !got[w] {
					t.Errorf("missing error %q\ngot:\n%v", w, err)
				}
			}
			if len(rowErrs) != len(c.want) {
				t.Errorf("got %d errors, want %d:\n%v", len(rowErrs), len(c.want), err)
			}
			if after := dump(t, s); after != before {
				t.Error("a rejected sheet changed the database")
			}
		})
	}
}

func TestImportAcceptsAliasesOrderAndFormats(t *testing.T) {
	ctx := context.Background()
	s := testenv.SQLite(t)
	importKinds(t, s, 4) // up to people
	hh := "\ufeff纬度,经度,重点困难户,标签,人口,村,户主（必填）,*户号\r\n" +
		"30.5,120.1,√,五保；大病,2人,桃花村,　李 四,X1\r\n" +
		",,,,,,,\r\n" + // a blank line keeps its row number
		"\"\",,否,\"低保,残疾\",3,Q0202,王五,X2\r\n"
	res, err := sheet.Import(ctx, s, sheet.Households, table(t, hh), sheet.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 2 {
		t.Errorf("created %d, want 2", res.Created)
	}
	x1, err := s.HouseholdByCode(ctx, "X1")
	if err != nil {
		t.Fatal(err)
	}
	if x1.HeadName != "李 四" || x1.Members != 2 || !x1.Difficult || x1.Tags != "特困,大病" || x1.Lat == nil || *x1.Lat != 30.5 || *x1.Lng != 120.1 {
		t.Errorf("X1 = %+v", x1)
	}
	pairings := "户编号,干部编号,开始日期,项目\n" +
		"X1,P007,2026/1/5,干部结亲\n" +
		"X2,P007,2026年1月5日,GBJQ-new\n" +
		"X2,P006,46027,\n" + // an Excel serial day as text
		"H004,P006,20260105,\n"
	res, err = sheet.Import(ctx, s, sheet.Pairings, table(t, pairings), sheet.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 4 || len(res.Notes) != 1 {
		t.Errorf("result %+v; want 4 new and a note about one new program", res)
	}
	p, err := s.PairingByCode(ctx, "P006-X2-20260105")
	if err != nil {
		t.Fatalf("a pairing without 结对编号 gets a derived code: %v", err)
	}
	if got := p.StartOn.Format("2006-01-02 15:04 -0700"); got != "2026-01-05 00:00 +0800" {
		t.Errorf("start = %s, want midnight 2026-01-05 in Asia/Shanghai", got)
	}
	again, err := sheet.Import(ctx, s, sheet.Pairings, table(t, pairings), sheet.Options{Now: now})
	if err != nil || again.Created != 0 {
		t.Errorf("re-import of a sheet without codes: %+v, %v; want 0 new", again, err)
	}
}

func TestImportKeepsColumnsTheSheetLacks(t *testing.T) {
	ctx := context.Background()
	s := testenv.SQLite(t)
	importDemo(t, s, ".csv")
	_, err := sheet.Import(ctx, s, sheet.Households, table(t, "户编号,户主姓名,所属村\nH001,王春发,Q0101\n"), sheet.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.HouseholdByCode(ctx, "H001")
	if err != nil {
		t.Fatal(err)
	}
	if h.Lat == nil || h.Address != "李家村3组12号" || h.Tags != "脱贫户,低保" || h.HeadID == nil {
		t.Errorf("H001 lost values a narrower sheet does not carry: %+v", h)
	}
}

func TestRowNumbersMatchExcel(t *testing.T) {
	csv := "户编号,户主姓名,所属村,家庭住址\n" +
		"X1,王一,Q0101,\"李家村\n3组\n12号\"\n" + // one spreadsheet row spread over three text lines
		"\n" + // a blank row
		"X2,王二,Q0101,\n" +
		"X3,,Q0101,\n"
	s := testenv.SQLite(t)
	importKinds(t, s, 1)
	_, err := sheet.Import(context.Background(), s, sheet.Households, table(t, csv), sheet.Options{Now: now})
	if err == nil || !strings.Contains(err.Error(), "row 5: 户主姓名 is empty") {
		t.Errorf("err = %v; want the error on spreadsheet row 5", err)
	}
}

func TestReadCSVEncodings(t *testing.T) {
	utf8, err := os.ReadFile(demoFile(sheet.Households, ".csv"))
	if err != nil {
		t.Fatal(err)
	}
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes(utf8)
	if err != nil {
		t.Fatal(err)
	}
	want := table(t, string(utf8))
	for name, b := range map[string][]byte{"utf-8 with BOM": append([]byte("\xef\xbb\xbf"), utf8...), "gbk": gbk} {
		t.Run(name, func(t *testing.T) {
			got, err := sheet.ReadCSV(strings.NewReader(string(b)))
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("got %v\nwant %v", got.Header, want.Header)
			}
		})
	}
}

func TestReadFileRejectsOtherFormats(t *testing.T) {
	cases := map[string]string{
		"old excel": "a.xls",
		"pdf":       "a.pdf",
	}
	for name, file := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := sheet.ReadFile(file, strings.NewReader("x")); err == nil {
				t.Errorf("%s was accepted", file)
			}
		})
	}
}

func TestReadXLSXSkipsInstructionsAndHiddenSheets(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "填表说明"))
	must(f.SetCellValue("填表说明", "A1", "请按模板填写"))
	_, err := f.NewSheet("旧数据")
	must(err)
	must(f.SetCellValue("旧数据", "A1", "作废"))
	must(f.SetSheetVisible("旧数据", false))
	_, err = f.NewSheet("帮扶户")
	must(err)
	must(f.SetSheetRow("帮扶户", "A1", &[]any{"户编号", "户主姓名"}))
	must(f.SetSheetRow("帮扶户", "A2", &[]any{"H1", "王春发"}))
	var b bytes.Buffer
	_, err = f.WriteTo(&b)
	must(err)
	tb, err := sheet.ReadXLSX(&b)
	must(err)
	if len(tb.Header) != 2 || tb.Header[0] != "户编号" || len(tb.Rows) != 1 || tb.Rows[0].Num != 2 {
		t.Errorf("read %v; want the 帮扶户 sheet", tb)
	}
}
