package bench_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"qinqi/internal/bench"
	"qinqi/internal/config"
)

// TestDeliveryArithmetic: 100,000 digests at the default limits (one per 3 s from 09:00 to the quiet
// hours at 21:00, cap 3,000 a day) take 34 days on one account, or 34 accounts for one day; without the
// cap the rate alone would allow 14,403 a day, so 7 accounts.
func TestDeliveryArithmetic(t *testing.T) {
	row := bench.DeliveryRow(100_000, config.Defaults())
	if row.Value != 34 || row.Unit != "days" {
		t.Errorf("value = %v %s; want 34 days", row.Value, row.Unit)
	}
	for _, want := range []string{"ARITHMETIC", "= 14403 by rate", "→ 3000 a day", "sent in 2h30m", "34 account(s)", "(7 if the daily cap"} {
		if !strings.Contains(row.Extra, want) {
			t.Errorf("extra lacks %q: %s", want, row.Extra)
		}
	}
	cfg := config.Defaults()
	cfg.Outbox.DailyCap = 0
	if row := bench.DeliveryRow(30_000, cfg); row.Value != 3 {
		t.Errorf("uncapped 30,000 digests: %v days; want 3 (14,403 a day by rate)", row.Value)
	}
}

func TestScaleSizes(t *testing.T) {
	for scale, want := range map[int]string{0: "[10k 100k 1m]", 1_000_000: "[10k 100k 1m]", 150_000: "[10k 100k]", 10_000: "[10k]", 300: "[300]"} {
		if got := fmt.Sprint(bench.SizeLabels(scale)); got != want {
			t.Errorf("--scale %d: sizes %s; want %s", scale, got, want)
		}
	}
}

// TestScaleSuitesOnASmallCounty runs the scan and plan suites end to end on SQLite with a 300-pairing
// county: every row is there and the jobs did their work (pairings scanned, alerts, reminders, digests).
func TestScaleSuitesOnASmallCounty(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: seeds a county (-short)")
	}
	env := bench.Env{Scale: 300, TempDir: t.TempDir()}
	rep := bench.NewReport(io.Discard)
	for _, s := range bench.Suites() {
		if s.Name != "scale_scan" && s.Name != "scale_plan" {
			continue
		}
		if err := s.Run(context.Background(), env, rep); err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
	}
	var cases []string
	for _, r := range rep.Rows {
		cases = append(cases, r.Suite+": "+r.Case+": "+r.Extra)
	}
	all := strings.Join(cases, "\n")
	for _, want := range []string{"seed county 300", "overdue scan 300, first run of the day", "overdue scan 300, again, alerts already raised",
		"festival reminders 300", "deliver those digests"} {
		if !strings.Contains(all, want) {
			t.Errorf("no row %q in:\n%s", want, all)
		}
	}
	for _, r := range rep.Rows {
		first := strings.HasSuffix(r.Case, "first run of the day")
		again := strings.HasSuffix(r.Case, "alerts already raised")
		if (first || again) && strings.HasPrefix(r.Extra, "0 active pairings") ||
			first && strings.Contains(r.Extra, "; 0 overdue") ||
			again && !strings.Contains(r.Extra, " 0 alerts and 0 outbox rows written") ||
			strings.HasPrefix(r.Case, "festival") && strings.Contains(r.Extra, "; 0 reminder rows") {
			t.Errorf("row %q: the job did not do what it should: %s", r.Case, r.Extra)
		}
	}
}
