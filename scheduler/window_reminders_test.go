package scheduler_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/testenv"
	"qinqi/store"
)

func TestWindowReminders(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			c := newCounty(t, b.Open(t))
			clk := clock.NewFake(clock.Date(2026, 6, 1))
			job := jobsByName(t, c.st, clk, defaults())["window-reminders"]
			nine := 9 * time.Hour
			// 端午 2026: 06-12 → 06-19, halfway 06-15.
			open := run(t, job, clk, clock.Date(2026, 6, 12).Add(nine))
			c.checkIn(t, c.pA, store.KindVisit, clock.Date(2026, 6, 13).Add(10*time.Hour))
			half := run(t, job, clk, clock.Date(2026, 6, 15).Add(nine))
			again := run(t, job, clk, clock.Date(2026, 6, 15).Add(nine))
			_, err := c.st.AddLeave(ctx, store.Leave{PersonID: c.k2, FromOn: clock.Date(2026, 6, 18), ToOn: clock.Date(2026, 6, 30)})
			must(t, err)
			last := run(t, job, clk, clock.Date(2026, 6, 19).Add(nine))

			t.Run("one digest per cadre at open listing every household", func(t *testing.T) {
				k1 := c.messages(t, "remind:2026-duanwu:open", c.k1)
				if len(k1) != 1 || !contains(k1, "王一") || !contains(k1, "王二") || !contains(k1, "端午走访从今天开始（6月12日—6月19日）") {
					t.Errorf("K1 open digests %q", k1)
				}
				if k2 := c.messages(t, "remind:2026-duanwu:open", c.k2); len(k2) != 1 || !contains(k2, "李三") {
					t.Errorf("K2 open digests %q", k2)
				}
				if open["reminders_open"] != 3 || open["messages"] != 2 {
					t.Errorf("open counts %v", open)
				}
			})
			t.Run("a report silences the household at halfway", func(t *testing.T) {
				k1 := c.messages(t, "remind:2026-duanwu:half", c.k1)
				if len(k1) != 1 || contains(k1, "王一") || !contains(k1, "王二") {
					t.Errorf("K1 half digests %q", k1)
				}
				if half["reminders_half"] != 2 {
					t.Errorf("half counts %v", half)
				}
			})
			t.Run("running the same slot again plans nothing", func(t *testing.T) {
				if again["messages"] != 0 {
					t.Errorf("second run counts %v", again)
				}
			})
			t.Run("a cadre on leave is not nagged on the last day", func(t *testing.T) {
				if k2 := c.messages(t, "remind:2026-duanwu:last", c.k2); len(k2) != 0 {
					t.Errorf("K2 on leave got %q", k2)
				}
				if last["reminders_last"] != 1 {
					t.Errorf("last counts %v", last)
				}
			})
			t.Run("reminder rows are keyed and linked to their digest", func(t *testing.T) {
				rs, err := c.st.Reminders(ctx, store.ReminderFilter{PairingID: c.pA})
				must(t, err)
				if len(rs) != 1 || rs[0].Key != "2026-duanwu:"+itoa(int64(c.pA))+":open" || rs[0].OutboxID == nil {
					t.Errorf("reminders of A %+v", rs)
				}
			})
			t.Run("campaign rows are materialised", func(t *testing.T) {
				cp, err := c.st.CampaignByCode(ctx, "2026-zhongqiu")
				must(t, err)
				if cp.StartOn.Format(time.DateOnly) != "2026-09-18" || !cp.Required {
					t.Errorf("中秋 campaign %+v", cp)
				}
			})
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
