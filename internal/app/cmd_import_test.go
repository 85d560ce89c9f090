package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"qinqi/internal/app"
	"qinqi/internal/sheet"
)

// run calls a subcommand in-process and returns its exit code and streams.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := app.Main(context.Background(), args, app.IO{In: strings.NewReader(""), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

func TestImportCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "q.db")
	t.Run("a folder of Chinese-named sheets, flags after the arguments", func(t *testing.T) {
		code, out, errs := runCmd(t, "import", "all", "../../testdata/import", "-db", db)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		for _, want := range []string{"区划.xlsx → regions: 7 row(s), 7 new", "帮扶户.xlsx → households: 20 row(s), 20 new",
			"结对.xlsx → pairings: 23 row(s), 23 new", "走访台账.xlsx → visits: 313 row(s), 313 new", "写入 (wrote to) sqlite " + db} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("english names and csv", func(t *testing.T) {
		code, out, errs := runCmd(t, "import", "all", "../../testdata/import/csv", "-db", db)
		if code != 0 || !strings.Contains(out, "households.csv → households: 20 row(s), 0 new, 20 updated") {
			t.Errorf("exit %d: %s %s", code, out, errs)
		}
	})
	t.Run("the same sheet again updates", func(t *testing.T) {
		code, out, errs := runCmd(t, "import", "-db", db, "帮扶户", "../../testdata/import/帮扶户.xlsx")
		if code != 0 || !strings.Contains(out, "households: 20 row(s), 0 new, 20 updated") {
			t.Errorf("exit %d: %s %s", code, out, errs)
		}
	})
	t.Run("a bad sheet lists its rows and fails", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "people.csv")
		writeSheet(t, bad, "人员编号,姓名,手机号,角色,所属单位\nX1,甲,1380000,干部,U01\n")
		code, _, errs := runCmd(t, "import", "-db", db, "people", bad)
		if code != 1 || !strings.Contains(errs, `row 2: 手机号 "1380000" is not 11 digits`) || !strings.Contains(errs, "数据库未改动 (nothing written to) sqlite "+db) {
			t.Errorf("exit %d: %s", code, errs)
		}
	})
	t.Run("unknown kind", func(t *testing.T) {
		code, _, errs := runCmd(t, "import", "-db", db, "cadres", "x.csv")
		if code != 1 || !strings.Contains(errs, "unknown sheet kind") {
			t.Errorf("exit %d: %s", code, errs)
		}
	})
	t.Run("missing file argument", func(t *testing.T) {
		if code, _, _ := runCmd(t, "import", "-db", db, "people"); code != 2 {
			t.Errorf("exit %d, want 2 (usage)", code)
		}
	})
}

// TestImportFolderIsOneTransaction: a county folder with a bad row in its last sheet writes
// nothing at all, and every message names the file, the row and the column.
func TestImportFolderIsOneTransaction(t *testing.T) {
	dir := t.TempDir()
	copyDemo := func(from, to string) {
		b, err := os.ReadFile(filepath.Join("../../testdata/import/csv", from))
		if err != nil {
			t.Fatal(err)
		}
		writeSheet(t, filepath.Join(dir, to), string(b))
	}
	copyDemo("regions.csv", "区划.csv")
	copyDemo("units.csv", "单位.csv")
	copyDemo("households.csv", "贫困户.csv")
	copyDemo("people.csv", "干部.csv")
	pairings, err := os.ReadFile("../../testdata/import/csv/pairings.csv")
	if err != nil {
		t.Fatal(err)
	}
	writeSheet(t, filepath.Join(dir, "结对.csv"), string(pairings)+"J099,P001,h004,干部结亲,2026-13-01,,\n")
	writeSheet(t, filepath.Join(dir, "~$结对.xlsx"), "lock file")
	writeSheet(t, filepath.Join(dir, "填表说明.docx"), "instructions")
	db := filepath.Join(t.TempDir(), "f.db")
	code, out, errs := runCmd(t, "import", "all", dir, "-db", db)
	if code != 1 || out != "" || !strings.Contains(errs, "结对.csv: 1 problem(s)\n  row 25: 开始日期 \"2026-13-01\" is not a real date") {
		t.Fatalf("exit %d: %s%s", code, out, errs)
	}
	if code, out, _ := runCmd(t, "export", "checkins", "-db", db, "--from", "2026-01-01", "--to", "2026-12-31"); code != 0 || strings.Count(out, "\n") != 1 {
		t.Errorf("exit %d; the database holds rows after a refused folder: %s", code, out)
	}
	writeSheet(t, filepath.Join(dir, "结对.csv"), string(pairings))
	if code, out, errs := runCmd(t, "import", "all", dir, "-db", db); code != 0 || !strings.Contains(out, "贫困户.csv → households: 20 row(s), 20 new") ||
		!strings.Contains(errs, "note: not a sheet name, so not imported: 填表说明.docx (the names are 区划/regions") {
		t.Errorf("exit %d: %s%s", code, out, errs)
	}
	t.Run("two files for one sheet", func(t *testing.T) {
		copyDemo("households.csv", "households.csv")
		code, _, errs := runCmd(t, "import", "all", dir, "-db", db)
		if code != 1 || !strings.Contains(errs, "households.csv and 贫困户.csv are both households sheets; keep one of them") &&
			!strings.Contains(errs, "贫困户.csv and households.csv are both households sheets; keep one of them") {
			t.Errorf("exit %d: %s", code, errs)
		}
		os.Remove(filepath.Join(dir, "households.csv"))
	})
	t.Run("an old .xls under a sheet's name", func(t *testing.T) {
		os.Remove(filepath.Join(dir, "贫困户.csv"))
		writeSheet(t, filepath.Join(dir, "帮扶户.xls"), "\xd0\xcf\x11\xe0")
		code, _, errs := runCmd(t, "import", "all", dir, "-db", db)
		if code != 1 || !strings.Contains(errs, "帮扶户.xls: 1 problem(s)\n  old .xls files are not supported") {
			t.Errorf("exit %d: %s", code, errs)
		}
	})
}

func TestSeedCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	code, out, errs := runCmd(t, "seed", "-db", db, "--households", "300", "--cadres", "40", "--seed", "3")
	if code != 0 || !strings.Contains(out, "300 households") {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	code, _, errs = runCmd(t, "seed", "-db", db, "--households", "300", "--cadres", "40")
	if code != 1 || !strings.Contains(errs, "already has 300 households") {
		t.Errorf("second seed without --force: exit %d: %s", code, errs)
	}
	code, out, errs = runCmd(t, "seed", "-db", db, "--households", "300", "--cadres", "40", "--seed", "3", "--force")
	if code != 0 || !strings.Contains(out, "300 households") {
		t.Errorf("--force: exit %d: %s %s", code, out, errs)
	}
	demo := filepath.Join(t.TempDir(), "d.db")
	if code, out, errs := runCmd(t, "seed", "-db", demo, "--demo"); code != 0 || !strings.Contains(out, "20 households, 2 programs, 23 pairings") {
		t.Errorf("--demo: exit %d: %s %s", code, out, errs)
	}
}

func TestExportCheckInsCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "e.db")
	if code, _, errs := runCmd(t, "import", "all", "../../testdata/import", "-db", db); code != 0 {
		t.Fatal(errs)
	}
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"csv to stdout", []string{"--from", "2026-11-01", "--to", "2026-11-30"}, 0, "编号,发生时间,上报时间,类型"},
		{"json to stdout", []string{"--from", "2026-11-01", "--to", "2026-11-30", "--format", "json"}, 0, `"head_name":"尤春生"`},
		{"missing dates", []string{"--format", "csv"}, 1, "--from and --to are required"},
		{"reversed dates", []string{"--from", "2026-11-30", "--to", "2026-11-01"}, 1, "--to is before --from"},
		{"bad date", []string{"--from", "2026-11-31", "--to", "2026-12-01"}, 1, "is not a date"},
		{"bad format", []string{"--from", "2026-11-01", "--to", "2026-11-30", "--format", "pdf"}, 1, "unknown format"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runCmd(t, append([]string{"export", "checkins", "-db", db}, c.args...)...)
			if code != c.code || !strings.Contains(out+errs, c.want) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s%s", code, c.code, c.want, out, errs)
			}
		})
	}
	t.Run("xlsx to a file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "nov.xlsx")
		code, _, errs := runCmd(t, "export", "checkins", "-db", db, "--from", "2026-11-01", "--to", "2026-11-30", "-o", file)
		if code != 0 {
			t.Fatal(errs)
		}
		tb := readXLSX(t, file)
		if tb.Header[0] != "编号" || len(tb.Rows) != 24 { // November of the 走访台账
			t.Errorf("xlsx = %v", tb)
		}
	})
	t.Run("json output parses", func(t *testing.T) {
		_, out, _ := runCmd(t, "export", "checkins", "-db", db, "--from", "2026-11-01", "--to", "2026-11-30", "--format", "json")
		var rows []any
		if err := json.Unmarshal([]byte(out), &rows); err != nil {
			t.Errorf("json %q: %v", out, err)
		}
	})
	t.Run("unknown export", func(t *testing.T) {
		if code, _, errs := runCmd(t, "export", "everything"); code != 1 || !strings.Contains(errs, "unknown export") {
			t.Errorf("exit %d: %s", code, errs)
		}
	})
}

func readXLSX(t *testing.T, path string) sheet.Table {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tb, err := sheet.ReadXLSX(f)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func writeSheet(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCommandsNameTheirDatabase: every command that writes says where, and a MySQL database is
// named without its password, even when it cannot be reached.
func TestCommandsNameTheirDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "n.db")
	label := "写入 (wrote to) sqlite " + db
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"migrate", "-db", db}, label},
		{[]string{"seed", "-db", db, "--demo"}, label},
		{[]string{"import", "people", "../../testdata/import/人员.xlsx", "-db", db}, label},
		{[]string{"bindcode", "-db", db, "P001"}, label},
		{[]string{"export", "checkins", "-db", db, "--from", "2026-11-01", "--to", "2026-11-30"}, "读取 (read from) sqlite " + db},
	} {
		code, out, errs := runCmd(t, c.args...)
		if code != 0 || !strings.Contains(out+errs, c.want) {
			t.Errorf("%v: exit %d, output lacks %q:\n%s%s", c.args, code, c.want, out, errs)
		}
	}
	cfg := filepath.Join(t.TempDir(), "c.yaml")
	writeSheet(t, cfg, "database:\n  driver: mysql\n  dsn: qinqi:s3cretpw@tcp(127.0.0.1:1)/qinqi\n")
	code, _, errs := runCmd(t, "import", "all", "../../testdata/import", "-config", cfg)
	if code != 1 || !strings.Contains(errs, "cannot open the database mysql qinqi@127.0.0.1:1/qinqi") || strings.Contains(errs, "s3cretpw") {
		t.Errorf("exit %d: %s", code, errs)
	}
}
