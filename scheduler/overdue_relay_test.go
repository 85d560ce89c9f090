package scheduler_test

import (
	"context"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/scheduler"
	"qinqi/store"
)

// TestOverdueAfterRelay: a relayed household is judged on its whole chain (the old cadre's last
// visit still counts), and past the cadre the ladder counts from the relay day, so a household that
// was overdue when relayed reminds its new cadre at once but reaches the coordinator only
// CoordinatorAfterDays after the relay and the head HeadAfterDays after it.
func TestOverdueAfterRelay(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Run("the old cadre's visit satisfies the relay month", func(t *testing.T) {
				c, clk, job := relayCounty(t, b.Open(t))
				for m := time.January; m <= time.November; m++ {
					c.checkIn(t, c.pA, domain.KindContact, clock.Date(2026, m, 3).Add(10*time.Hour))
					c.checkIn(t, c.pB, domain.KindContact, clock.Date(2026, m, 3).Add(10*time.Hour))
					c.checkIn(t, c.pC, domain.KindContact, clock.Date(2026, m, 3).Add(10*time.Hour))
				}
				c.relay(t, clock.Date(2026, 11, 10).Add(10*time.Hour))
				if got := run(t, job, clk, clock.Date(2026, 12, 1).Add(8*time.Hour+30*time.Minute)); got["overdue"] != 0 {
					t.Errorf("overdue on 12-01 after a relay on 11-10 with a visit on 11-03: %v", got)
				}
			})
			t.Run("a household overdue when relayed", func(t *testing.T) {
				c, clk, job := relayCounty(t, b.Open(t))
				for m := time.January; m <= time.November; m++ {
					if m <= time.September {
						c.checkIn(t, c.pA, domain.KindContact, clock.Date(2026, m, 3).Add(10*time.Hour))
					}
					c.checkIn(t, c.pB, domain.KindContact, clock.Date(2026, m, 3).Add(10*time.Hour))
					c.checkIn(t, c.pC, domain.KindContact, clock.Date(2026, m, 3).Add(10*time.Hour))
				}
				c.relay(t, clock.Date(2026, 11, 20).Add(10*time.Hour))
				steps := []struct {
					day  int
					want map[string]int
				}{
					{21, map[string]int{"alerts_cadre": 1}},
					{22, map[string]int{}},
					{23, map[string]int{"alerts_coordinator": 1}},
					{27, map[string]int{"alerts_head": 1}},
				}
				for _, s := range steps {
					got := run(t, job, clk, clock.Date(2026, 11, s.day).Add(8*time.Hour+30*time.Minute))
					for _, k := range []string{"alerts_cadre", "alerts_coordinator", "alerts_head"} {
						if got[k] != s.want[k] {
							t.Errorf("11-%d: %s = %d, want %d (all: %v)", s.day, k, got[k], s.want[k], got)
						}
					}
				}
				if m := c.messages(t, "overdue:20261121:", c.k2); len(m) != 1 || !contains(m, "王一") {
					t.Errorf("new cadre's reminder on 11-21: %q", m)
				}
			})
		})
	}
}

func relayCounty(t *testing.T, st *store.Store) (*county, *clock.Fake, scheduler.Job) {
	t.Helper()
	c := newCounty(t, st)
	cfg := defaults()
	cfg.Frequency = config.Frequency{Default: []config.Rule{{Period: "month", Count: 1}}}
	clk := clock.NewFake(clock.Date(2026, 11, 1))
	return c, clk, jobsByName(t, c.st, clk, cfg)["overdue-scan"]
}

// relay hands K1's households (王一, 王二) to K2 at at.
func (c *county) relay(t *testing.T, at time.Time) {
	t.Helper()
	_, err := c.st.RelayPairings(context.Background(), store.Relay{From: c.k1, To: c.k2, Actor: c.coord, At: at}, nil)
	must(t, err)
}
