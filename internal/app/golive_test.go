package app

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/sheet"
	"qinqi/scheduler"
	"qinqi/store"
)

// TestGoingLiveDayOne is the day-one scenario of README "Going live": a fresh database, the
// example county imported (testdata/import, 走访台账 included: visits up to November), and the
// first overdue scan the morning after. Of the 22 pairings in force, three are really overdue —
// 蒋桂芳, 杨老四 and 沈德明, whose missed deadlines are 6 to 67 days old — and the guard dates their
// ladder from go-live, not from those deadlines.
// Only pairings really overdue are reported, and only to their cadres: the go-live guard
// (escalation.start, by default the day of the first import) keeps coordinators and unit heads
// out of periods that ended before the county went live.
func TestGoingLiveDayOne(t *testing.T) {
	ctx := context.Background()
	// The import runs on a fixed day, so the sample's history is judged the same whatever today is.
	imported := time.Date(2026, 12, 5, 10, 0, 0, 0, clock.Shanghai)
	st, err := store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: filepath.Join(t.TempDir(), "q.db"),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	srcs, _, err := importSources("all", "../../testdata/import")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sheet.ImportSet(ctx, st, srcs, sheet.Options{Now: imported}); err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults()
	cfg.Outbox.FileDir = ""
	morning := clock.Day(imported).AddDate(0, 0, 1).Add(8*time.Hour + 30*time.Minute)
	clk := clock.NewFake(morning)
	jobs, err := scheduler.Jobs(scheduler.Deps{Store: st, Clock: clk, Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	var scan scheduler.Job
	for _, j := range jobs {
		if j.Name() == "overdue-scan" {
			scan = j
		}
	}
	goLive := clock.Day(imported)
	steps := []struct {
		days        int // after go-live
		level, want string
	}{
		{1, "cadre", "杨老四 沈德明 蒋桂芳"}, // the first morning: the cadres only
		{1, "coordinator", ""},
		{1, "head", ""},
		{3, "coordinator", "杨老四 沈德明 蒋桂芳"}, // CoordinatorAfterDays counted from go-live
		{3, "head", ""},
		{7, "head", "杨老四 沈德明 蒋桂芳"}, // HeadAfterDays counted from go-live
	}
	for _, s := range steps {
		at := goLive.AddDate(0, 0, s.days).Add(8*time.Hour + 30*time.Minute)
		clk.Set(at)
		if _, err := scan.Run(ctx, at); err != nil {
			t.Fatal(err)
		}
		if got := alerted(t, st, at, domain.AlertLevel(s.level)); got != s.want {
			t.Errorf("go-live +%d days, %s alerts: %q, want %q", s.days, s.level, got, s.want)
		}
	}
}

// alerted lists the household heads with an alert of level raised at at, sorted.
func alerted(t *testing.T, st *store.Store, at time.Time, level domain.AlertLevel) string {
	t.Helper()
	ctx := context.Background()
	alerts, err := st.Alerts(ctx, at.Add(-time.Minute), at.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var ids []domain.PairingID
	for _, a := range alerts {
		if a.Level == level {
			ids = append(ids, a.PairingID)
		}
	}
	labels, err := st.PairingLabels(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var names []string
	for _, id := range ids {
		if n := labels[id].HeadName; !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return strings.Join(names, " ")
}
