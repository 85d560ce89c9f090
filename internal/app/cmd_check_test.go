package app_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"qinqi/internal/app"
)

// TestCheckSummaries: on a seeded county the summaries agree with check_ins, before and after a
// rebuild; a database still to migrate is refused, not migrated; a missing or unknown target prints
// the usage and fails.
func TestCheckSummaries(t *testing.T) {
	db := filepath.Join(t.TempDir(), "check.db")
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := app.Main(context.Background(), args, app.IO{In: strings.NewReader(""), Out: &out, Err: &errb})
		return code, out.String(), errb.String()
	}
	if code, _, errs := run("seed", "--db", db, "--households", "300", "--cadres", "30", "--history", "12",
		"--start", "2026-01-01", "--until", "2026-12-01"); code != 0 {
		t.Fatalf("seed: %d %s", code, errs)
	}
	code, out, errs := run("check", "summaries", "--db", db)
	if code != 0 || !strings.Contains(out, "every summary agrees with check_ins") || !strings.Contains(out, "checked 3") {
		t.Errorf("check = %d\n%s%s", code, out, errs)
	}
	code, out, errs = run("check", "summaries", "-rebuild", "--db", db)
	if code != 0 || !strings.Contains(out, "rebuilt 3") || !strings.Contains(out, "every summary agrees") {
		t.Errorf("check -rebuild = %d\n%s%s", code, out, errs)
	}
	fresh := filepath.Join(t.TempDir(), "fresh.db") // a check migrates nothing
	if code, _, errs := run("check", "summaries", "--db", fresh); code == 0 || !strings.Contains(errs, "run `qinqi migrate` first") {
		t.Errorf("check on an unmigrated database = %d: %s", code, errs)
	}
	for _, args := range [][]string{{"check"}, {"check", "tallies", "--db", db}} {
		if code, _, errs := run(args...); code == 0 || !strings.Contains(errs, "Usage: qinqi check summaries") {
			t.Errorf("%v = %d, want the usage:\n%s", args, code, errs)
		}
	}
}
