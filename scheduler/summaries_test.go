package scheduler_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/policy"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// TestSummaryPruneKeepsWhatTheScansRead: the weekly prune drops only entries older than the horizon,
// from the rows that have them, once; the summaries still agree with check_ins and the overdue
// scan's window reads the same check-ins as before.
func TestSummaryPruneKeepsWhatTheScansRead(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			c := newCounty(t, st)
			for m := time.January; m <= time.November; m++ {
				c.checkIn(t, c.pA, domain.CheckInKinds[int(m)%5], clock.Date(2026, m, 10).Add(10*time.Hour))
			}
			c.checkIn(t, c.pB, domain.KindVisit, clock.Date(2026, 11, 3).Add(15*time.Hour))
			runAt := clock.Date(2026, 12, 6).Add(3*time.Hour + 20*time.Minute)
			scanAt := runAt.Add(30 * time.Hour)
			before := windowOf(t, st, scanAt)
			clk := clock.NewFake(runAt)
			prune := jobsByName(t, st, clk, defaults())["summary-prune"]
			if got := run(t, prune, clk, runAt); got["pruned"] != 1 {
				t.Errorf("first prune: %v, want 1 row (only 王一's reaches back past the horizon)", got)
			}
			if got := run(t, prune, clk, runAt.AddDate(0, 0, 7)); got["pruned"] != 0 {
				t.Errorf("a week later: %v, want nothing left to prune", got)
			}
			check, err := st.CheckSummaries(ctx)
			must(t, err)
			if check.Mismatched != 0 || check.Pairings != 2 {
				t.Errorf("check after prune: %+v", check)
			}
			if after := windowOf(t, st, scanAt); after != before {
				t.Errorf("the scan's window changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// windowOf prints the check-ins the overdue scan at `at` reads, pairing by pairing.
func windowOf(t *testing.T, st *store.Store, at time.Time) string {
	t.Helper()
	eng := policy.New(config.Defaults().Frequency)
	out := ""
	err := st.ScanActivePairings(context.Background(), store.ScanOptions{At: at, Bounds: eng.Bounds(at)}, func(fs []store.PairingFacts) error {
		for _, f := range fs {
			out += fmt.Sprintf("%s:", f.Pairing.Code)
			for _, ci := range f.CheckIns {
				out += fmt.Sprintf(" %s@%s", ci.Kind, ci.At.Format("01-02"))
			}
			out += "; "
		}
		return nil
	})
	must(t, err)
	return out
}
