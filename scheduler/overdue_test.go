package scheduler_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

func TestOverdueEscalation(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			c := newCounty(t, b.Open(t))
			cfg := defaults()
			cfg.Frequency = config.Frequency{Default: []config.Rule{{Period: "month", Count: 1}}}
			clk := clock.NewFake(clock.Date(2026, 11, 1))
			job := jobsByName(t, c.st, clk, cfg)["overdue-scan"]
			at := func(m time.Month, d int) time.Time { return clock.Date(2026, m, d).Add(8*time.Hour + 30*time.Minute) }
			for m := time.January; m <= time.October; m++ {
				c.checkIn(t, c.pB, domain.KindContact, clock.Date(2026, m, 5).Add(10*time.Hour))
				if m <= time.September {
					c.checkIn(t, c.pA, domain.KindContact, clock.Date(2026, m, 10).Add(10*time.Hour))
					c.checkIn(t, c.pC, domain.KindContact, clock.Date(2026, m, 5).Add(10*time.Hour))
				}
			}
			_, err := c.st.AddLeave(ctx, store.Leave{PersonID: c.k2, FromOn: clock.Date(2026, 11, 1), ToOn: clock.Date(2026, 11, 30)})
			must(t, err)
			res := map[int]map[string]int{}
			for _, d := range []int{1, 2, 4, 8, 9} {
				res[d] = run(t, job, clk, at(11, d))
			}
			c.checkIn(t, c.pA, domain.KindContact, clock.Date(2026, 11, 10).Add(10*time.Hour))
			res[11] = run(t, job, clk, at(11, 11))

			cases := []struct {
				name string
				day  int
				want map[string]int
			}{
				{"day 0: the cadre is reminded, the on-leave cadre's household goes to the coordinator", 1,
					map[string]int{"alerts_cadre": 1, "alerts_coordinator": 1, "overdue": 2, "messages": 2}},
				{"day 1: nothing new", 2, map[string]int{"overdue": 2}},
				{"day 3: the coordinator", 4, map[string]int{"alerts_coordinator": 1, "overdue": 2, "messages": 1}},
				{"day 7: the unit head, once for both", 8, map[string]int{"alerts_head": 2, "overdue": 2, "messages": 1}},
				{"day 8: nothing new", 9, map[string]int{"overdue": 2}},
				{"a contact ends the spell: the coordinator and the head are told once", 11,
					map[string]int{"overdue": 1, "messages": 2, "ended_notices": 2}},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					got := res[tc.day]
					for k, v := range tc.want {
						if got[k] != v {
							t.Errorf("%s = %d, want %d (all: %v)", k, got[k], v, got)
						}
					}
					for _, k := range []string{"alerts_cadre", "alerts_coordinator", "alerts_head", "messages"} {
						if _, ok := tc.want[k]; !ok && got[k] != 0 {
							t.Errorf("unexpected %s = %d (all: %v)", k, got[k], got)
						}
					}
				})
			}
			t.Run("digests name the household and who is late", func(t *testing.T) {
				if m := c.messages(t, "overdue:20261101:", c.k1); len(m) != 1 || !contains(m, "王一（10月31日到期未完成，本月还需联系1次）") {
					t.Errorf("K1 digest %q", m)
				}
				if m := c.messages(t, "overdue:20261101:", c.coord); len(m) != 1 || !contains(m, "刘干部（请假中）→ 李三") {
					t.Errorf("coordinator digest on day 0 %q", m)
				}
				if m := c.messages(t, "overdue:", c.k2); len(m) != 0 {
					t.Errorf("cadre on leave was nagged: %q", m)
				}
				if m := c.messages(t, "overdue:20261108:", c.head); len(m) != 1 || !contains(m, "逾期超过7天") || !contains(m, "王一") || !contains(m, "李三") {
					t.Errorf("head digest %q", m)
				}
				if m := c.messages(t, "overdue:20261111:", c.head); len(m) != 1 || !contains(m, "【逾期已解除】") || !contains(m, "张干部 → 王一：已联系") {
					t.Errorf("head told of the end %q", m)
				}
				if m := c.messages(t, "overdue:20261111:", c.k1); len(m) != 0 {
					t.Errorf("the cadre who reported was told of the end: %q", m)
				}
			})
			t.Run("alert keys carry pairing, spell start and level", func(t *testing.T) {
				as, err := c.st.Alerts(ctx, time.Time{}, time.Time{})
				must(t, err)
				want := map[string]bool{
					fmt.Sprintf("overdue:%d:20261101:cadre", c.pA):                   true,
					fmt.Sprintf("overdue:%d:20261101:coordinator:%d", c.pA, c.coord): true,
					fmt.Sprintf("overdue:%d:20261101:head", c.pA):                    true,
					fmt.Sprintf("overdue:%d:20261101:coordinator:%d", c.pC, c.coord): true,
					fmt.Sprintf("overdue:%d:20261101:head", c.pC):                    true,
				}
				if len(as) != len(want) {
					t.Errorf("%d alerts, want %d", len(as), len(want))
				}
				for _, a := range as {
					if !want[a.Key] || a.OutboxID == nil {
						t.Errorf("unexpected or unlinked alert %q", a.Key)
					}
				}
			})
		})
	}
}
