package scheduler_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// TestOverdueSpellsDatedFromSummaries: in a pruned county the overdue scan dates its spells from the
// summary rows' Earlier; the alerts and digests are the ones it writes reading everything from
// check_ins.
func TestOverdueSpellsDatedFromSummaries(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			c := newCounty(t, st)
			// quiet since spring: the spells began long before the horizon the prune keeps
			for m := time.January; m <= time.April; m++ {
				c.checkIn(t, c.pA, domain.CheckInKinds[int(m)%5], clock.Date(2026, m, 12).Add(10*time.Hour))
				c.checkIn(t, c.pC, domain.KindVisit, clock.Date(2026, m, 20).Add(15*time.Hour))
			}
			c.checkIn(t, c.pB, domain.KindContact, clock.Date(2026, 2, 3).Add(9*time.Hour))
			at := clock.Date(2026, 12, 8).Add(8*time.Hour + 30*time.Minute)
			n, err := st.PruneSummaries(ctx, at.Add(-store.SummaryHorizon))
			if err != nil || n != 3 {
				t.Fatalf("pruned %d rows, %v; want 3", n, err)
			}
			known := overdueRun(t, c, at)
			must(t, st.ClearJobOutput(ctx))
			// rows complete only from 2100 on: the scan reads every pairing, and its older check-ins, from check_ins
			if _, err := st.RebuildSummaries(ctx, clock.Date(2100, 1, 1)); err != nil {
				t.Fatal(err)
			}
			read := overdueRun(t, c, at)
			if len(known) == 0 || !slices.Equal(known, read) {
				t.Errorf("dated from the summaries:\n%q\nfrom check_ins:\n%q", known, read)
			}
		})
	}
}

// overdueRun runs the overdue scan at at and lists its alerts (keys carry the spells' days) and digests.
func overdueRun(t *testing.T, c *county, at time.Time) []string {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewFake(at)
	run(t, jobsByName(t, c.st, clk, defaults())["overdue-scan"], clk, at)
	as, err := c.st.Alerts(ctx, time.Time{}, time.Time{})
	must(t, err)
	var out []string
	for _, a := range as {
		out = append(out, fmt.Sprintf("%s %s %d %s", a.Key, a.Level, a.RecipientID, a.Reason))
	}
	ms, err := c.st.OutboxWithPrefix(ctx, "overdue:")
	must(t, err)
	for _, m := range ms {
		out = append(out, m.Key+" "+m.Text)
	}
	slices.Sort(out)
	return out
}
