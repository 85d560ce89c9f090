package scheduler_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// TestReminderBudget: with a budget of one reminder a month, a cadre who already had one gets no
// halfway reminder; mandatory ones (the last day of a required window) still go.
func TestReminderBudget(t *testing.T) {
	ctx := context.Background()
	st := testenv.SQLite(t)
	c := newCounty(t, st)
	cfg := defaults()
	cfg.Reminders.MonthlyBudget = 1
	clk := clock.NewFake(clock.Date(2026, 6, 1))
	job := jobsByName(t, st, clk, cfg)["window-reminders"]
	nine := 9 * time.Hour
	_, err := st.EnqueueOutbox(ctx, store.OutboxMessage{Key: "overdue:20260602:k1", PersonID: &c.k1, Text: "逾期提醒", CreatedAt: clock.Date(2026, 6, 2).Add(nine)})
	must(t, err)
	// 端午 2026: 06-12 → 06-19, halfway 06-15. K2 had nothing before the opening.
	open := run(t, job, clk, clock.Date(2026, 6, 12).Add(nine))
	half := run(t, job, clk, clock.Date(2026, 6, 15).Add(nine))
	last := run(t, job, clk, clock.Date(2026, 6, 19).Add(nine))
	if len(c.messages(t, "remind:2026-06-12", c.k1)) != 1 || open["reminders_over_budget"] != 0 {
		t.Errorf("the opening of a required window is mandatory: %v", open)
	}
	if m := c.messages(t, "remind:2026-06-15", c.k1); len(m) != 0 || half["reminders_over_budget"] != 3 {
		t.Errorf("halfway over budget: %q %v (K1 two households, K2 one, both spent their one)", m, half)
	}
	if len(c.messages(t, "remind:2026-06-19", c.k1)) != 1 || len(c.messages(t, "remind:2026-06-19", c.k2)) != 1 {
		t.Errorf("the last day is mandatory: %v", last)
	}
	rs, err := st.Reminders(ctx, store.ReminderFilter{PairingID: c.pA})
	must(t, err)
	if len(rs) != 3 {
		t.Errorf("reminder rows %+v: a stage left out is recorded, so it is never sent later", rs)
	}
}

func TestBurdenMeter(t *testing.T) {
	ctx := context.Background()
	st := testenv.SQLite(t)
	c := newCounty(t, st)
	at := func(d, h int) time.Time { return clock.Date(2026, 11, d).Add(time.Duration(h) * time.Hour) }
	msgs := []store.OutboxMessage{
		{Key: "remind:a:k1", PersonID: &c.k1, CreatedAt: at(3, 9), Priority: store.PriorityBulk},
		{Key: "overdue:b:k1", PersonID: &c.k1, CreatedAt: at(10, 8), Priority: store.PriorityAlert},
		{Key: "inbox:7:request:1:new:to:k1", PersonID: &c.k1, CreatedAt: at(11, 8), Priority: store.PriorityAlert},
		{Key: "reply:8:0", PersonID: &c.k1, CreatedAt: at(12, 8), Priority: store.PriorityReply},
		{Key: "reply:9:0" + store.QuestionKeySuffix, PersonID: &c.k1, CreatedAt: at(12, 9), Priority: store.PriorityReply},
		{Key: "remind:c:k2", PersonID: &c.k2, CreatedAt: at(3, 9), Priority: store.PriorityBulk},
		{Key: "remind:old:k1", PersonID: &c.k1, CreatedAt: clock.Date(2026, 10, 30), Priority: store.PriorityBulk},
	}
	for _, m := range msgs {
		m.Text = "x"
		_, err := st.EnqueueOutbox(ctx, m)
		must(t, err)
	}
	c.checkIn(t, c.pA, domain.KindVisit, at(3, 15)) // 6 h after the first reminder
	c.checkIn(t, c.pB, domain.KindVisit, at(12, 8)) // 48 h after the second
	rows, err := st.BurdenOf(ctx, clock.Date(2026, 11, 1), clock.Date(2026, 12, 1), nil)
	must(t, err)
	by := map[domain.PersonID]store.BurdenRow{}
	for _, r := range rows {
		by[r.CadreID] = r
	}
	k1, k2 := by[c.k1], by[c.k2]
	if k1.Messages != 3 || k1.Reminders != 2 || k1.Questions != 1 || k1.Followed != 2 || k1.MedianToReport != 27*time.Hour {
		t.Errorf("K1 %+v: want 3 messages (2 reminders, 1 notice), 1 question, median of 6 h and 48 h = 27 h", k1)
	}
	if k2.Messages != 1 || k2.Reminders != 1 || k2.Followed != 0 || k2.MedianToReport != -1 {
		t.Errorf("K2 %+v: a reminder with no report after it has no wait", k2)
	}
	if len(rows) != 2 { // 局长 has no pairing: not a cadre the meter counts
		t.Errorf("%d rows", len(rows))
	}
}

func TestFileCleanupAfterRetention(t *testing.T) {
	ctx := context.Background()
	st := testenv.SQLite(t)
	c := newCounty(t, st)
	dir := t.TempDir()
	now := clock.Date(2026, 12, 10).Add(3*time.Hour + 40*time.Minute)
	write := func(name string, age time.Duration) string {
		p := filepath.Join(dir, name)
		must(t, os.WriteFile(p, []byte("x"), 0o600))
		must(t, os.Chtimes(p, now.Add(-age), now.Add(-age)))
		return p
	}
	sent := write("callbacks-2026-10-U1-2.xlsx", 8*24*time.Hour)
	held := write("ledger-2026-11-p2-m9.xlsx", 9*24*time.Hour)
	fresh := write("chart-2026-11-p2-m10.png", 2*24*time.Hour)
	leftover := write(".report-123", 30*24*time.Hour)
	outside := filepath.Join(t.TempDir(), "voice.amr")
	must(t, os.WriteFile(outside, []byte("x"), 0o600))
	must(t, os.Chtimes(outside, now.AddDate(0, -3, 0), now.AddDate(0, -3, 0)))
	_, err := st.EnqueueOutbox(ctx, store.OutboxMessage{Key: "held:file", PersonID: &c.coord, FilePath: held, FileName: "民情台账.xlsx", CreatedAt: now.AddDate(0, 0, -9)})
	must(t, err)
	cfg := defaults()
	cfg.Outbox.FileDir = dir
	clk := clock.NewFake(now)
	res := run(t, jobsByName(t, st, clk, cfg)["file-cleanup"], clk, now)
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
	if exists(sent) || exists(leftover) || !exists(held) || !exists(fresh) || !exists(outside) || res["deleted"] != 2 {
		t.Errorf("after cleanup: sent %v, leftover %v, held %v, fresh %v, outside %v; %v",
			exists(sent), exists(leftover), exists(held), exists(fresh), exists(outside), res)
	}
}
