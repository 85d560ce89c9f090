package scheduler_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/scheduler"
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
			c.checkIn(t, c.pA, domain.KindVisit, clock.Date(2026, 6, 13).Add(10*time.Hour))
			half := run(t, job, clk, clock.Date(2026, 6, 15).Add(nine))
			again := run(t, job, clk, clock.Date(2026, 6, 15).Add(nine))
			_, err := c.st.AddLeave(ctx, store.Leave{PersonID: c.k2, FromOn: clock.Date(2026, 6, 18), ToOn: clock.Date(2026, 6, 30)})
			must(t, err)
			last := run(t, job, clk, clock.Date(2026, 6, 19).Add(nine))

			t.Run("one digest per cadre at open listing every household", func(t *testing.T) {
				k1 := c.messages(t, "remind:2026-06-12", c.k1)
				if len(k1) != 1 || !contains(k1, "王一") || !contains(k1, "王二") || !contains(k1, "端午走访从今天开始（6月12日—6月19日）") {
					t.Errorf("K1 open digests %q", k1)
				}
				if k2 := c.messages(t, "remind:2026-06-12", c.k2); len(k2) != 1 || !contains(k2, "李三") {
					t.Errorf("K2 open digests %q", k2)
				}
				if open["reminders_open"] != 3 || open["messages"] != 2 {
					t.Errorf("open counts %v", open)
				}
			})
			t.Run("a report silences the household at halfway", func(t *testing.T) {
				k1 := c.messages(t, "remind:2026-06-15", c.k1)
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
				if k2 := c.messages(t, "remind:2026-06-19", c.k2); len(k2) != 0 {
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

// TestWindowRemindersCatchUp: a stage that fell due while nothing ran is sent by the next run,
// saying how many days are left; never two stages at once, never "starting today" a day late.
func TestWindowRemindersCatchUp(t *testing.T) {
	nine := 9 * time.Hour
	cases := []struct {
		name   string
		runs   []time.Time // 端午 2026: 06-12 → 06-19, halfway 06-15
		prefix string      // the digest to read
		want   []string
		counts map[string]int // of the last run
	}{
		{"down over the opening day: the open stage the day after", []time.Time{clock.Date(2026, 6, 13).Add(nine)}, "remind:2026-06-13",
			[]string{"端午走访已于6月12日开始（到6月19日，还剩7天），请走访或联系以下2户", "王一", "王二"}, map[string]int{"reminders_open": 3, "messages": 2}},
		{"down until after halfway: only the half stage", []time.Time{clock.Date(2026, 6, 17).Add(nine)}, "remind:2026-06-17",
			[]string{"端午走访已过半（6月12日—6月19日，还剩3天），还有2户未登记"}, map[string]int{"reminders_half": 3, "messages": 2}},
		{"the day after the open stage: nothing", []time.Time{clock.Date(2026, 6, 12).Add(nine), clock.Date(2026, 6, 13).Add(nine)}, "remind:2026-06-13",
			nil, map[string]int{}},
		{"a run at 07:00 catching up yesterday's slot sends it, the 09:00 run nothing more",
			[]time.Time{clock.Date(2026, 6, 13).Add(7 * time.Hour), clock.Date(2026, 6, 13).Add(nine)}, "remind:2026-06-13T09",
			nil, map[string]int{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCounty(t, testenv.SQLite(t))
			clk := clock.NewFake(clock.Date(2026, 6, 1))
			job := jobsByName(t, c.st, clk, defaults())["window-reminders"]
			var res map[string]int
			for _, at := range tc.runs {
				res = run(t, job, clk, at)
			}
			got := c.messages(t, tc.prefix, c.k1)
			if len(tc.want) == 0 && len(got) != 0 {
				t.Errorf("K1 got %q, want nothing", got)
			}
			for _, w := range tc.want {
				if len(got) != 1 || !contains(got, w) {
					t.Errorf("K1 digests %q, want one with %q", got, w)
				}
			}
			if contains(got, "从今天开始") && !tc.runs[len(tc.runs)-1].Before(clock.Date(2026, 6, 13)) {
				t.Errorf("a late opening reminder says it starts today: %q", got)
			}
			for k, v := range tc.counts {
				if res[k] != v {
					t.Errorf("%s = %d, want %d (all %v)", k, res[k], v, res)
				}
			}
			for k, v := range res {
				if _, ok := tc.counts[k]; !ok && v != 0 {
					t.Errorf("unexpected %s = %d", k, v)
				}
			}
		})
	}
}

// TestStoredWindowsFollowTheConfig: a window disabled (or a campaign renamed) after the windows were
// stored never reminds again; windows that already started stay as history.
func TestStoredWindowsFollowTheConfig(t *testing.T) {
	ctx := context.Background()
	c := newCounty(t, testenv.SQLite(t))
	clk := clock.NewFake(clock.Date(2026, 6, 1))
	before := defaults()
	before.Campaigns = []config.Campaign{{Name: "扶贫日", From: "10-10", To: "10-17", Required: true}}
	run(t, jobsByName(t, c.st, clk, before)["window-reminders"], clk, clock.Date(2026, 6, 12).Add(9*time.Hour))

	// The county turns 中秋 off and renames its campaign; qinqi restarts with the new config.
	after := defaults()
	off := false
	after.Windows.MidAutumn.Enabled = &off
	after.Campaigns = []config.Campaign{{Name: "扶贫日走访", From: "10-10", To: "10-17", Required: true}}
	job := jobsByName(t, c.st, clk, after)["window-reminders"]
	run(t, job, clk, clock.Date(2026, 6, 13).Add(9*time.Hour))
	run(t, job, clk, clock.Date(2026, 9, 18).Add(9*time.Hour)) // 中秋 2026 would open 09-18 (秋收 is open too)
	if got := c.messages(t, "remind:2026-09-18", c.k1); contains(got, "中秋") || !contains(got, "秋收") {
		t.Errorf("digest on 09-18 %q: want 秋收 only, the disabled 中秋 window must not remind", got)
	}
	run(t, job, clk, clock.Date(2026, 10, 10).Add(9*time.Hour))
	got := c.messages(t, "remind:2026-10-10", c.k1)
	if len(got) != 1 || !contains(got, "【扶贫日走访走访提醒】") || contains(got, "【扶贫日走访提醒】") {
		t.Errorf("digest on 10-10 %q, want the renamed campaign only", got)
	}
	for _, m := range c.messages(t, "remind:", c.k1) { // whatever the key, after the change
		if strings.Contains(m, "中秋") || strings.Contains(m, "【扶贫日走访提醒】") {
			t.Errorf("a disabled or renamed window reminded: %q", m)
		}
	}
	if _, err := c.st.CampaignByCode(ctx, "2026-zhongqiu"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("stored 中秋 window still there: %v", err)
	}
	if _, err := c.st.CampaignByCode(ctx, "2026-duanwu"); err != nil {
		t.Errorf("端午, already started, was not kept as history: %v", err)
	}
}

// TestSameDayWindowsShareADigest: 中秋 and 秋收 both open on 2027-09-08; each cadre gets one message.
func TestSameDayWindowsShareADigest(t *testing.T) {
	c := newCounty(t, testenv.SQLite(t))
	clk := clock.NewFake(clock.Date(2027, 9, 1))
	res := run(t, jobsByName(t, c.st, clk, defaults())["window-reminders"], clk, clock.Date(2027, 9, 8).Add(9*time.Hour))
	got := c.messages(t, "remind:", c.k1)
	if len(got) != 1 || !contains(got, "【中秋走访提醒】") || !contains(got, "【秋收走访提醒】") {
		t.Errorf("K1 got %d messages %q, want one with both windows", len(got), got)
	}
	if res["messages"] != 2 || res["reminders_open"] != 6 {
		t.Errorf("counts %v, want 2 messages (one per cadre) for 3 pairings × 2 windows", res)
	}
}

// TestCatchUpJudgesAtSendTime: qinqi's scheduler is down over the 端午 opening (06-12). That afternoon
// K1 reports a visit to 王一 (the bot ran without the scheduler). The catch-up that evening sends the
// opening digest about 王二 only: it judges on the data at send time, not as of the missed slot.
func TestCatchUpJudgesAtSendTime(t *testing.T) {
	ctx := context.Background()
	c := newCounty(t, testenv.SQLite(t))
	kv := testenv.KV(t)
	runner := func(clk *clock.Fake, name string) *scheduler.Runner {
		r := scheduler.NewRunner(scheduler.RunnerOptions{KV: kv, Runs: c.st, Clock: clk, Log: quietLog(), Instance: name, Timeout: time.Minute})
		for _, j := range jobsByName(t, c.st, clk, defaults()) {
			must(t, r.Add(j))
		}
		return r
	}
	before := clock.NewFake(clock.Date(2026, 5, 20))
	runner(before, "before").RunDue(ctx, clock.Date(2026, 5, 20), clock.Date(2026, 6, 11).Add(10*time.Hour), before.Set)
	c.checkIn(t, c.pA, domain.KindVisit, clock.Date(2026, 6, 12).Add(15*time.Hour))
	up := clock.Date(2026, 6, 12).Add(20 * time.Hour)
	runner(clock.NewFake(up), "after").CatchUp(ctx, up)
	var digests []string
	for _, m := range c.messages(t, "remind:", c.k1) {
		if strings.Contains(m, "端午") {
			digests = append(digests, m)
		}
	}
	if len(digests) != 1 || !contains(digests, "王二") || contains(digests, "王一") {
		t.Errorf("K1's 端午 digests %q, want one naming 王二 only (王一 was visited before it was sent)", digests)
	}
}

// TestWindowRemindersAcrossInstances runs the same slot on four instances at once: each household's
// stage is planned once (one row, listed in one digest) whichever instance wins each chunk.
func TestWindowRemindersAcrossInstances(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			c := newCounty(t, b.Open(t))
			at := clock.Date(2026, 6, 12).Add(9 * time.Hour)
			clk := clock.NewFake(at)
			results := make(chan scheduler.Result, 4)
			errs := make(chan error, 4)
			for range 4 {
				job := jobsByName(t, c.st, clk, defaults())["window-reminders"]
				go func() {
					res, err := job.Run(ctx, at)
					results <- res
					errs <- err
				}()
			}
			planned, messages := 0, 0
			for range 4 {
				if err := <-errs; err != nil {
					t.Errorf("an instance failed: %v", err)
				}
				res := <-results
				planned, messages = planned+res["reminders_open"], messages+res["messages"]
			}
			if planned != 3 || messages != 2 {
				t.Errorf("instances planned %d stages in %d digests; want 3 in 2", planned, messages)
			}
			rs, err := c.st.Reminders(ctx, store.ReminderFilter{})
			must(t, err)
			if len(rs) != 3 {
				t.Errorf("%d reminder rows; want 3 (one per pairing)", len(rs))
			}
			for _, head := range []string{"王一", "王二", "李三"} {
				n := 0
				for _, k := range []domain.PersonID{c.k1, c.k2} {
					for _, m := range c.messages(t, "remind:", k) {
						n += strings.Count(m, head)
					}
				}
				if n != 1 {
					t.Errorf("%s listed %d times in the digests; want once", head, n)
				}
			}
		})
	}
}
