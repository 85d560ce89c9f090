package app_test

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"qinqi/internal/app"
	"qinqi/internal/report"
	"qinqi/internal/report/reporttest"
	"qinqi/store"
)

func seededDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "q.db")
	s, err := store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	reporttest.Seed(t, s)
	return path
}

func TestExportLedgerAndChart(t *testing.T) {
	db := seededDB(t)
	dir := t.TempDir()
	cases := []struct {
		name  string
		args  []string
		code  int
		check func(t *testing.T, file string)
	}{
		{"ledger of every unit", []string{"export", "ledger", "--db", db, "--month", "2026-11", "-o", filepath.Join(dir, "all.xlsx")}, 0,
			func(t *testing.T, file string) { ledgerRows(t, file, 10) }},
		{"ledger of one unit tree", []string{"export", "ledger", "--db", db, "--month", "2026-11", "--unit", "A", "-o", filepath.Join(dir, "a.xlsx")}, 0,
			func(t *testing.T, file string) { ledgerRows(t, file, 8) }},
		{"chart", []string{"export", "chart", "--db", db, "--month", "2026-11", "-o", filepath.Join(dir, "c.png")}, 0,
			func(t *testing.T, file string) {
				b, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := png.Decode(bytes.NewReader(b)); err != nil || len(b) < 2000 {
					t.Errorf("png: %d bytes, %v", len(b), err)
				}
			}},
		{"unknown unit", []string{"export", "ledger", "--db", db, "--unit", "ZZZ", "-o", filepath.Join(dir, "z.xlsx")}, 1, nil},
		{"bad month", []string{"export", "chart", "--db", db, "--month", "2026-13", "-o", filepath.Join(dir, "m.png")}, 1, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := app.Main(context.Background(), c.args, app.IO{In: strings.NewReader(""), Out: &out, Err: &errb})
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, c.code, errb.String())
			}
			if c.check != nil {
				c.check(t, c.args[len(c.args)-1])
			}
		})
	}
}

func ledgerRows(t *testing.T, file string, want int) {
	t.Helper()
	f, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(report.SheetCheckIns)
	if err != nil || len(rows) != want {
		t.Errorf("%s: %d rows (%v), want %d", file, len(rows), err, want)
	}
}

func TestExportCallbacksIsAuditLogged(t *testing.T) {
	db := seededDB(t)
	out := filepath.Join(t.TempDir(), "cb.xlsx")
	code, _, errs := runCmd(t, "export", "callbacks", "--db", db, "--month", "2026-11", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "2 household(s), full phone numbers (audit-logged)") {
		t.Errorf("stderr %q", errs)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(report.SheetCallbacks)
	if err != nil || len(rows) != 5 {
		t.Fatalf("rows %q, %v: title, header, 2 households, the footer", rows, err)
	}
	if !strings.Contains(rows[2][1], "H004") || !strings.Contains(rows[2][6], "抽查") || !strings.Contains(rows[3][7], "11月12日 走访") {
		t.Errorf("rows %q", rows[2:4])
	}
	s, err := store.Open(context.Background(), store.Options{Driver: store.DriverSQLite, DSN: db})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, err := s.AuditOf(context.Background(), store.EntCallback, 0)
	if err != nil || len(a) != 1 || !strings.Contains(a[0].Detail, "cli month=2026-11") {
		t.Errorf("audit %+v %v", a, err)
	}
	if code, _, _ := runCmd(t, "export", "callbacks", "--db", db, "--month", "11月", "-o", out); code == 0 {
		t.Error("a month that is not YYYY-MM was accepted")
	}
}

func TestExportBurden(t *testing.T) {
	db := seededDB(t)
	out := filepath.Join(t.TempDir(), "burden.csv")
	code, _, errs := runCmd(t, "export", "burden", "--db", db, "--month", "2026-11", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, want := range []string{"\xef\xbb\xbf单位,干部,人员编号,收到消息,其中提醒,被追问", "县农业农村局,周干部,G01", "县教育局,郑干部,G03"} {
		if !strings.Contains(text, want) {
			t.Errorf("burden csv lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(errs, "干部负担：3 位干部") {
		t.Errorf("stderr %q", errs)
	}
	if code, _, _ := runCmd(t, "export", "burden", "--db", db, "-o", out); code == 0 {
		t.Error("no --month was accepted")
	}
}
