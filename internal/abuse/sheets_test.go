package abuse_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"qinqi/internal/app"
	"qinqi/internal/clock"
	"qinqi/internal/seed"
	"qinqi/internal/sheet"
	"qinqi/store"
)

// demo seeds the demo county for the tests that need no chat.
func demo(t *testing.T, st *store.Store) context.Context {
	t.Helper()
	ctx := context.Background()
	must(t, seed.Demo(ctx, st, clock.Real{}.Now()))
	return ctx
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	must(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

func importCSV(t *testing.T, st *store.Store, kind sheet.Kind, body string) error {
	t.Helper()
	_, err := sheet.ImportFile(context.Background(), st, kind, writeFile(t, string(kind)+".csv", body), sheet.Options{Now: clock.Real{}.Now()})
	return err
}

const peopleHeader = "人员编号,姓名,手机号,身份证号,角色,所属单位,职务,所属户\n"
const householdsHeader = "户编号,户主姓名,所属村,家庭住址,家庭人口,户类型/标签,重点户,经度,纬度\n"

// Attack 4: report text starting with -, @, = or + and imported names starting with = were written
// raw into `export checkins --format csv`, a formula when the file is opened in Excel or WPS. No cell
// of the CSV or the xlsx export may be a formula.
func TestAttackFormulaInjectionInExports(t *testing.T) {
	each(t, func(t *testing.T, st *store.Store) {
		r := start(t, st, friend("@chen", "陈建国", "P001"))
		must(t, importCSV(t, st, sheet.People, peopleHeader+"P001,=HYPERLINK(\"http://x\"),13800000001,,干部,U01,局长,\n"))
		for _, text := range []string{"走访 王春发 =1+2 看望", "电话 李桂兰 -2+3 问近况", "走访 赵长顺 @SUM(1,1) 送米20斤", "讲政策 王春发 +1 讲医保"} {
			r.say("@chen", text, "已记录")
		}
		now := clock.Real{}.Now()
		from, to := now.AddDate(0, 0, -1), now.AddDate(0, 0, 1)
		var c bytes.Buffer
		_, err := sheet.ExportCheckIns(r.ctx, st, &c, sheet.FormatCSV, from, to)
		must(t, err)
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(c.String(), "\ufeff"))).ReadAll()
		must(t, err)
		n := 0
		for _, row := range rows[1:] {
			for _, cell := range row {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("CSV cell %q can run as a formula", cell)
				}
				if strings.Contains(cell, "HYPERLINK") || strings.Contains(cell, "SUM(") {
					n++
				}
			}
		}
		if n < 4 { // the imported name on four rows and the @SUM text: the content is kept
			t.Errorf("the texts were dropped instead of neutralised: %d cells", n)
		}
		var x bytes.Buffer
		_, err = sheet.ExportCheckIns(r.ctx, st, &x, sheet.FormatXLSX, from, to)
		must(t, err)
		f, err := excelize.OpenReader(&x)
		must(t, err)
		defer f.Close()
		sh := f.GetSheetList()[0]
		xrows, err := f.GetRows(sh)
		must(t, err)
		for i, row := range xrows {
			for j := range row {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if fm, _ := f.GetCellFormula(sh, cell); fm != "" {
					t.Errorf("xlsx cell %s is a formula: %q", cell, fm)
				}
			}
		}
	})
}

// Attack 5 (imports and configuration): import errors printed full ID numbers, and a DSN or Redis
// URL with credentials was echoed in an error. Errors name the row, the column and the rule.
func TestAttackSecretsInErrors(t *testing.T) {
	t.Run("import errors never echo an ID number", func(t *testing.T) {
		each(t, func(t *testing.T, st *store.Store) {
			demo(t, st)
			id := "33012219580817301" // 17 characters: one short
			err := importCSV(t, st, sheet.People, peopleHeader+"P201,王五,13800000201,"+id+",户主,,,H001\n")
			if err == nil || strings.Contains(err.Error(), id) || !strings.Contains(err.Error(), "2") {
				t.Fatalf("error %v: want the row and no ID number", err)
			}
		})
	})
	t.Run("a DSN or Redis URL with a password is never echoed", func(t *testing.T) {
		run := func(args ...string) string {
			var out, errs bytes.Buffer
			code := app.Main(context.Background(), args, app.IO{In: strings.NewReader(""), Out: &out, Err: &errs})
			all := out.String() + errs.String()
			if code == 0 || strings.Contains(all, "Secr3tPw") || strings.Contains(all, "Redis5ecret") {
				t.Errorf("qinqi %s: exit %d, output %q", strings.Join(args, " "), code, all)
			}
			return all
		}
		db := filepath.Join(t.TempDir(), "q.db")
		var out bytes.Buffer
		if app.Main(context.Background(), []string{"migrate", "-db", db}, app.IO{In: strings.NewReader(""), Out: &out, Err: &out}) != 0 {
			t.Fatal(out.String())
		}
		t.Setenv("QINQI_REDIS_ADDR", "redis://:Redis5ecret@127.0.0.1:1/0")
		run("status", "-db", db)
		t.Setenv("QINQI_REDIS_ADDR", "127.0.0.1:1")
		t.Setenv("QINQI_MYSQL_DSN", "qinqi:Secr3tPw@tcp(127.0.0.1:1/qinqi")
		run("migrate")
	})
}

// Attack 6: an unclosed quote swallowed the following rows and reported success; on MariaDB codes
// differing only in case merged into one row while SQLite kept two; a huge cell's error repeated it.
func TestAttackImportsLoseRows(t *testing.T) {
	each(t, func(t *testing.T, st *store.Store) {
		ctx := demo(t, st)
		t.Run("an unclosed quote is an error with its row", func(t *testing.T) {
			err := importCSV(t, st, sheet.Households, householdsHeader+
				"H050,王五,Q0101,\"李家村5组,3,,否,,\nH051,赵六,Q0101,李家村6组,2,,否,,\nH052,钱七,Q0101,李家村7组,2,,否,,\n")
			if err == nil || !strings.Contains(err.Error(), "2") {
				t.Fatalf("error %v: want the row of the quote", err)
			}
			if _, err := st.HouseholdByCode(ctx, "H051"); err == nil {
				t.Fatal("a row after the quote was imported")
			}
		})
		t.Run("codes differing only in case behave the same on every database", func(t *testing.T) {
			err := importCSV(t, st, sheet.Households, householdsHeader+"H113,甲户,Q0101,,1,,否,,\nh113,乙户,Q0101,,1,,否,,\n")
			if err == nil {
				a, errA := st.HouseholdByCode(ctx, "H113")
				b, errB := st.HouseholdByCode(ctx, "h113")
				if errA != nil || errB != nil || a.ID == b.ID || a.HeadName != "甲户" || b.HeadName != "乙户" {
					t.Fatalf("imported without error, but H113=%+v (%v), h113=%+v (%v)", a, errA, b, errB)
				}
			}
		})
		t.Run("an over-long cell is refused with its row and length, not its content", func(t *testing.T) {
			addr := strings.Repeat("很长的地址", 400_000) // 2,000,000 characters
			err := importCSV(t, st, sheet.Households, householdsHeader+"H060,孙八,Q0101,"+addr+",1,,否,,\n")
			if err == nil || len(err.Error()) > 2000 || !strings.Contains(err.Error(), "2") {
				t.Fatalf("error of %d bytes: want a short one with the row", len(fmt.Sprint(err)))
			}
		})
	})
}

// Attack 7 (sheets): a 22 MB sheet that unpacks to gigabytes took 1.5 GB and minutes to refuse.
// A sheet's rows are bounded before they are read: one over the limit is refused, naming it.
func TestAttackZipBombSheet(t *testing.T) {
	var body bytes.Buffer
	zw := zip.NewWriter(&body)
	add := func(name, text string) {
		w, err := zw.Create(name)
		must(t, err)
		_, err = w.Write([]byte(text))
		must(t, err)
	}
	add("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`)
	add("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	add("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	add("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	must(t, err)
	fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	fmt.Fprint(w, `<row r="1"><c r="A1" t="inlineStr"><is><t>户编号</t></is></c><c r="B1" t="inlineStr"><is><t>户主姓名</t></is></c></row>`)
	for i := 2; i <= 1_000_000; i++ {
		fmt.Fprintf(w, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>H1</t></is></c><c r="B%d" t="inlineStr"><is><t>王</t></is></c></row>`, i, i, i)
	}
	fmt.Fprint(w, `</sheetData></worksheet>`)
	must(t, zw.Close())
	_, err = sheet.ReadFile("帮扶户.xlsx", &body)
	if err == nil || !strings.Contains(err.Error(), "200,000") {
		t.Fatalf("error %v: want the refusal naming the row limit", err)
	}
}
