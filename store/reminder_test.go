package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// TestInsertReminders checks the planner's write: new rows go in with their outbox link in one
// statement, and a key stored meanwhile fails the insert with ErrRemindersRaced, leaving the stored
// row as it was.
func TestInsertReminders(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			k, ps := alertCounty(t, st)
			at := clock.Date(2026, 11, 2).Add(9 * time.Hour)
			out, err := st.EnqueueOutbox(ctx, store.OutboxMessage{Key: "remind:x", PersonID: &k, Text: "提醒", CreatedAt: at})
			if err != nil {
				t.Fatal(err)
			}
			rows := []store.Reminder{
				{Key: "w:1:open", PairingID: ps[0], CadreID: k, Stage: "open", OutboxID: &out.ID, CreatedAt: at},
				{Key: "w:2:open", PairingID: ps[1], CadreID: k, Stage: "open", CreatedAt: at}}
			if seen, err := st.ExistingReminderKeys(ctx, []string{"w:1:open", "w:2:open"}); err != nil || len(seen) != 0 {
				t.Fatalf("ExistingReminderKeys before = %v, %v; want none", seen, err)
			}
			if err := st.InsertReminders(ctx, rows); err != nil {
				t.Fatal(err)
			}
			seen, err := st.ExistingReminderKeys(ctx, []string{"w:1:open", "w:2:open", "w:3:open"})
			if err != nil || len(seen) != 2 || !seen["w:1:open"] || !seen["w:2:open"] {
				t.Errorf("ExistingReminderKeys after = %v, %v; want the two written", seen, err)
			}
			again := []store.Reminder{{Key: "w:3:open", PairingID: ps[0], CadreID: k, Stage: "half", CreatedAt: at},
				{Key: "w:2:open", PairingID: ps[1], CadreID: k, Stage: "half", OutboxID: &out.ID, CreatedAt: at}}
			if err := st.InsertReminders(ctx, again); !errors.Is(err, store.ErrRemindersRaced) {
				t.Errorf("InsertReminders over a stored key = %v; want ErrRemindersRaced", err)
			}
			got, err := st.Reminders(ctx, store.ReminderFilter{})
			if err != nil || len(got) < 2 {
				t.Fatalf("Reminders = %v, %v", got, err)
			}
			byKey := map[string]store.Reminder{}
			for _, r := range got {
				byKey[r.Key] = r
			}
			if r := byKey["w:1:open"]; r.OutboxID == nil || *r.OutboxID != out.ID || r.PairingID != ps[0] || !r.CreatedAt.Equal(at) {
				t.Errorf("w:1:open = %+v; want linked to %d, created %v", r, out.ID, at)
			}
			if r := byKey["w:2:open"]; r.OutboxID != nil || r.Stage != "open" {
				t.Errorf("w:2:open = %+v; want unchanged by the raced insert (no link, stage open)", r)
			}
		})
	}
}
