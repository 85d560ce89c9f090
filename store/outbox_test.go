package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

func TestInbound(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			msg := func(id string) *store.InboxMessage {
				return &store.InboxMessage{Transport: "fake", Account: "a1", MsgID: id, SenderKey: "@u", Kind: "text", Text: "走访 1", ReceivedAt: t0}
			}
			first := msg("m1")
			if err := s.SaveInbound(ctx, first); err != nil || first.ID == 0 {
				t.Fatalf("save = %v, id %d", err, first.ID)
			}
			t.Run("same message id is a duplicate carrying the stored id", func(t *testing.T) {
				dup := msg("m1")
				if err := s.SaveInbound(ctx, dup); !errors.Is(err, store.ErrDuplicate) || dup.ID != first.ID {
					t.Fatalf("dup = %v, id %d want %d", err, dup.ID, first.ID)
				}
			})
			t.Run("complete enqueues replies and finishes the row atomically", func(t *testing.T) {
				_ = s.SaveInbound(ctx, msg("m2"))
				un, err := s.UnfinishedInbox(ctx, 10)
				if err != nil || len(un) != 2 || un[0].MsgID != "m1" {
					t.Fatalf("unfinished = %+v, %v", un, err)
				}
				res := store.InboxResult{Status: store.InDone, Replies: []store.OutboxMessage{
					{Key: "reply:1:0", Account: "a1", ToKey: "@u", Text: "好的", CreatedAt: t0},
					{Key: "", Text: "no key"}, // invalid: the whole transaction rolls back
				}}
				if err := s.CompleteInbound(ctx, first.ID, res, t0); err == nil {
					t.Fatal("want an error for the keyless reply")
				}
				if _, err := s.OutboxByKey(ctx, "reply:1:0"); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("reply survived a rolled-back completion: %v", err)
				}
				res.Replies = res.Replies[:1]
				if err := s.CompleteInbound(ctx, first.ID, res, t0); err != nil {
					t.Fatal(err)
				}
				if un, _ := s.UnfinishedInbox(ctx, 10); len(un) != 1 || un[0].MsgID != "m2" {
					t.Fatalf("unfinished after complete = %+v", un)
				}
				if n, _ := s.CountInbox(ctx, store.InDone); n != 1 {
					t.Fatalf("done = %d", n)
				}
			})
		})
	}
}

func TestOutboxQueue(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			ids := addPeople(t, s, "C001")
			_ = s.BindChatIdentity(ctx, store.ChatIdentity{Transport: "fake", Account: "a1", ExternalKey: "@c1", PersonID: ids[0]}, t0)
			enq := func(key string, prio store.OutboxPriority, urgent bool) store.OutboxMessage {
				t.Helper()
				m, err := s.EnqueueOutbox(ctx, store.OutboxMessage{Key: key, PersonID: &ids[0], Priority: prio, Urgent: urgent, Text: key, CreatedAt: t0})
				if err != nil {
					t.Fatal(err)
				}
				return m
			}
			bulk := enq("bulk", store.PriorityBulk, false)
			alert := enq("alert", store.PriorityAlert, false)
			reply := enq("reply", store.PriorityReply, true)

			t.Run("account comes from the person and a repeated key returns the first row", func(t *testing.T) {
				if bulk.Account != "a1" {
					t.Fatalf("account = %q", bulk.Account)
				}
				again := enq("bulk", store.PriorityReply, true)
				if again.ID != bulk.ID || again.Priority != store.PriorityBulk {
					t.Fatalf("duplicate key gave %+v", again)
				}
			})
			t.Run("missing recipient or clock is refused", func(t *testing.T) {
				if _, err := s.EnqueueOutbox(ctx, store.OutboxMessage{Key: "x", CreatedAt: t0}); err == nil {
					t.Fatal("no recipient accepted")
				}
				if _, err := s.EnqueueOutbox(ctx, store.OutboxMessage{Key: "y", ToKey: "@g"}); err == nil {
					t.Fatal("no CreatedAt accepted")
				}
			})
			t.Run("due rows come by priority and the filters hold", func(t *testing.T) {
				rows, _ := s.DueOutbox(ctx, "a1", t0, store.DueFilter{}, 10)
				if len(rows) != 3 || rows[0].ID != reply.ID || rows[1].ID != alert.ID || rows[2].ID != bulk.ID {
					t.Fatalf("order = %+v", rows)
				}
				if rows, _ := s.DueOutbox(ctx, "a1", t0, store.DueFilter{UrgentOnly: true}, 10); len(rows) != 1 || rows[0].ID != reply.ID {
					t.Fatalf("urgent only = %+v", rows)
				}
				if rows, _ := s.DueOutbox(ctx, "a1", t0.Add(-time.Second), store.DueFilter{}, 10); len(rows) != 0 {
					t.Fatalf("rows due before their time: %d", len(rows))
				}
			})
			t.Run("claim is exclusive, marks the row sending and never lets it go by time", func(t *testing.T) {
				ok1, _ := s.ClaimOutbox(ctx, reply.ID, t0, t0.Add(time.Minute))
				ok2, _ := s.ClaimOutbox(ctx, reply.ID, t0, t0.Add(time.Minute))
				if !ok1 || ok2 {
					t.Fatalf("claims = %v, %v", ok1, ok2)
				}
				if got, _ := s.OutboxByKey(ctx, reply.Key); got.Status != store.OutSending {
					t.Fatalf("status after claim = %s", got.Status)
				}
				later := t0.Add(time.Hour)
				if _, err := s.NextOutboxAt(ctx, "a1", store.DueFilter{UrgentOnly: true}); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("the claimed row is still pending: %v", err)
				}
				if rows, _ := s.DueOutbox(ctx, "a1", later, store.DueFilter{}, 10); len(rows) != 2 {
					t.Fatalf("due after the lease = %d rows, want the 2 unclaimed", len(rows))
				}
				if rows, _ := s.InterruptedOutbox(ctx, t0, 10); len(rows) != 0 {
					t.Fatalf("interrupted within the lease: %+v", rows)
				}
				if rows, _ := s.InterruptedOutbox(ctx, later, 10); len(rows) != 1 || rows[0].ID != reply.ID {
					t.Fatalf("interrupted after the lease = %+v", rows)
				}
			})
			t.Run("a claim is released only by its own lease end", func(t *testing.T) {
				lease := t0.Add(time.Minute + 1234567*time.Nanosecond) // sub-millisecond digits are dropped
				ok, err := s.ClaimOutbox(ctx, alert.ID, t0, lease)
				if !ok || err != nil {
					t.Fatalf("claim: %v %v", ok, err)
				}
				if err := s.ReleaseOutbox(ctx, alert.ID, t0, lease.Add(time.Millisecond)); err != nil {
					t.Fatal(err)
				}
				if got, _ := s.OutboxByKey(ctx, alert.Key); got.Status != store.OutSending {
					t.Fatalf("another claim's release changed the row: %s", got.Status)
				}
				if err := s.ReleaseOutbox(ctx, alert.ID, t0, lease); err != nil {
					t.Fatal(err)
				}
				got, _ := s.OutboxByKey(ctx, alert.Key)
				if got.Status != store.OutPending || !got.NextAttemptAt.Equal(t0) {
					t.Fatalf("after release: %s due %s", got.Status, got.NextAttemptAt)
				}
			})
			t.Run("sent, retried and failed rows are recorded", func(t *testing.T) {
				if err := s.MarkOutboxSent(ctx, reply.ID, t0); err != nil {
					t.Fatal(err)
				}
				if err := s.RetryOutbox(ctx, alert.ID, t0.Add(time.Hour), "timeout"); err != nil {
					t.Fatal(err)
				}
				if err := s.FailOutbox(ctx, bulk.ID, "unknown recipient"); err != nil {
					t.Fatal(err)
				}
				failed, _ := s.FailedOutbox(ctx, 10)
				if len(failed) != 1 || failed[0].LastError != "unknown recipient" || failed[0].Attempts != 1 {
					t.Fatalf("failed = %+v", failed)
				}
				counts, _ := s.OutboxCounts(ctx)
				want := map[store.OutboxStatus]int64{store.OutSent: 1, store.OutPending: 1, store.OutFailed: 1}
				for _, c := range counts {
					if c.Account != "a1" || want[c.Status] != c.N {
						t.Fatalf("counts = %+v", counts)
					}
				}
			})
			t.Run("unrouted rows are listed and routed", func(t *testing.T) {
				other := addPeople(t, s, "H001")
				m, _ := s.EnqueueOutbox(ctx, store.OutboxMessage{Key: "to-h", PersonID: &other[0], Text: "hi", CreatedAt: t0})
				rows, _ := s.UnroutedOutbox(ctx, 10)
				if len(rows) != 1 || rows[0].ID != m.ID {
					t.Fatalf("unrouted = %+v", rows)
				}
				_ = s.SetOutboxAccount(ctx, m.ID, "a1")
				if rows, _ := s.UnroutedOutbox(ctx, 10); len(rows) != 0 {
					t.Fatalf("still unrouted: %+v", rows)
				}
			})
		})
	}
}

func TestKVWindows(t *testing.T) {
	for _, b := range testenv.KVBackends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			kv := b.Open(t)
			t.Run("bucket gives burst then one per interval", func(t *testing.T) {
				var got []time.Duration
				for i := range 5 {
					w, err := kv.TakeToken(ctx, "b", t0.Add(time.Duration(i)*time.Millisecond), 3*time.Second, 3)
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, w)
				}
				if got[0] != 0 || got[1] != 0 || got[2] != 0 || got[3] <= 2900*time.Millisecond || got[3] > 3*time.Second {
					t.Fatalf("waits = %v", got)
				}
				if w, _ := kv.TakeToken(ctx, "b", t0.Add(3*time.Second), 3*time.Second, 3); w != 0 {
					t.Fatalf("after one interval wait = %v", w)
				}
			})
			t.Run("seen within follows the caller's clock", func(t *testing.T) {
				for _, c := range []struct {
					at   time.Duration
					want bool
				}{{0, false}, {2 * time.Second, true}, {3 * time.Second, false}, {4 * time.Second, true}} {
					seen, err := kv.SeenWithin(ctx, "s", t0.Add(c.at), 3*time.Second)
					if err != nil || seen != c.want {
						t.Fatalf("at +%v seen = %v, %v want %v", c.at, seen, err, c.want)
					}
				}
			})
		})
	}
}

func TestEnqueueOutboxBatch(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			ids := addPeople(t, s, "C001", "C002")
			_ = s.BindChatIdentity(ctx, store.ChatIdentity{Transport: "fake", Account: "a1", ExternalKey: "@c1", PersonID: ids[0]}, t0)
			_ = s.BindChatIdentity(ctx, store.ChatIdentity{Transport: "fake", Account: "a2", ExternalKey: "@c2", PersonID: ids[1]}, t0)
			first, err := s.EnqueueOutbox(ctx, store.OutboxMessage{Key: "k1", PersonID: &ids[0], Text: "first", CreatedAt: t0})
			if err != nil {
				t.Fatal(err)
			}
			msgs := []store.OutboxMessage{
				{Key: "k0", PersonID: &ids[1], Text: "zero", CreatedAt: t0},
				{Key: "k1", PersonID: &ids[1], Text: "again", CreatedAt: t0}, // exists: the stored row comes back
				{Key: "k2", PersonID: &ids[0], Text: "two", CreatedAt: t0},
			}
			got, err := s.EnqueueOutboxBatch(ctx, msgs)
			if err != nil || len(got) != 3 {
				t.Fatalf("batch = %d rows, %v", len(got), err)
			}
			if got[1].ID != first.ID || got[1].Text != "first" {
				t.Errorf("existing key gave %+v, want the first row", got[1])
			}
			for i, want := range []struct{ key, account string }{{"k0", "a2"}, {"k1", "a1"}, {"k2", "a1"}} {
				if got[i].Key != want.key || got[i].Account != want.account || got[i].ID == 0 {
					t.Errorf("row %d = key %q account %q id %d, want %s on %s", i, got[i].Key, got[i].Account, got[i].ID, want.key, want.account)
				}
				stored, err := s.OutboxByKey(ctx, want.key)
				if err != nil || stored.ID != got[i].ID {
					t.Errorf("stored %s = id %d, %v; batch said %d", want.key, stored.ID, err, got[i].ID)
				}
			}
			ghost := domain.PersonID(999999)
			if _, err := s.EnqueueOutboxBatch(ctx, []store.OutboxMessage{{Key: "k3", PersonID: &ghost, Text: "x", CreatedAt: t0}}); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("unknown recipient = %v, want ErrNotFound", err)
			}
			if _, err := s.EnqueueOutboxBatch(ctx, []store.OutboxMessage{{Key: "k4", Text: "x", CreatedAt: t0}}); err == nil {
				t.Error("a message without a recipient was queued")
			}
		})
	}
}

// TestEnqueueOutboxBatchReadsAccountsOnce: recipients without a chat account (coordinators and heads
// who never bound one) are looked up once per batch, not once more per message.
func TestEnqueueOutboxBatchReadsAccountsOnce(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			ids := addPeople(t, s, "C001", "C002", "C003")
			reads := s.CountQueriesForTest("people")
			var msgs []store.OutboxMessage
			for i, id := range ids {
				msgs = append(msgs, store.OutboxMessage{Key: fmt.Sprintf("u%d", i), PersonID: &id, Text: "x", CreatedAt: t0})
			}
			got, err := s.EnqueueOutboxBatch(ctx, msgs)
			if err != nil || len(got) != 3 {
				t.Fatalf("batch = %d rows, %v", len(got), err)
			}
			for i, m := range got {
				if m.ID == 0 || m.Account != "" || *m.PersonID != ids[i] {
					t.Errorf("row %d = id %d account %q person %d, want stored, no account, person %d", i, m.ID, m.Account, *m.PersonID, ids[i])
				}
			}
			if n := reads(); n != 1 {
				t.Errorf("people read %d times for 3 unbound recipients, want 1", n)
			}
		})
	}
}

// TestEnqueueInsideATransactionFindsAKeyCommittedMeanwhile: a transaction that read before another
// instance committed the same key gets that row back, not an error (MariaDB's plain read inside the
// transaction would see its old snapshot and miss it). SQLite's single writer cannot interleave so.
func TestEnqueueInsideATransactionFindsAKeyCommittedMeanwhile(t *testing.T) {
	for _, b := range testenv.Backends() {
		if b.Name == "sqlite" {
			continue
		}
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			now := clock.Date(2026, 6, 12).Add(9 * time.Hour)
			msg := store.OutboxMessage{Key: "remind:raced", Account: "a", ToKey: "@k", Kind: "text", Text: "春节走访提醒", CreatedAt: now}
			err := st.Tx(ctx, func(tx *store.Store) error {
				if _, err := tx.OutboxWithPrefix(ctx, "remind:"); err != nil { // the snapshot starts here
					return err
				}
				if _, err := st.EnqueueOutbox(ctx, msg); err != nil { // another instance, committed
					return err
				}
				got, err := tx.EnqueueOutbox(ctx, msg)
				if err == nil && got.ID == 0 {
					return fmt.Errorf("got a row without an id: %+v", got)
				}
				return err
			})
			if err != nil {
				t.Fatalf("enqueue of a key committed meanwhile: %v", err)
			}
		})
	}
}

// TestEnqueueOutboxBatchWritesWhatGormWrote: the hand-written multi-row insert stores the same rows,
// with the same ids, as gorm's CreateInBatches did, over more rows than one statement carries on
// either database: a recipient's account filled in or left empty, no recipient (NULL), a file, a sent
// message, text clipped to the column, unicode. A key stored before returns its row; a key given twice
// in one batch fails the multi-row statement and is queued once, as before.
func TestEnqueueOutboxBatchWritesWhatGormWrote(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			at := rtTime
			sent := at.Add(time.Minute)
			batch := func(ids []domain.PersonID) []store.OutboxMessage {
				var ms []store.OutboxMessage
				for i := range 2100 {
					m := store.OutboxMessage{Key: fmt.Sprintf("overdue:20260217:%d", i), Priority: store.PriorityAlert,
						Text: fmt.Sprintf("王春发户 %d 天未走访 😀", i), CreatedAt: at}
					switch i % 5 {
					case 0:
						m.PersonID = &ids[0] // bound: its account is read
					case 1:
						m.PersonID = &ids[1] // never bound: the account stays empty
					case 2:
						m.Account, m.ToKey = "a2", "群@村委" // no person: NULL
					case 3:
						m.PersonID, m.FilePath, m.FileName = &ids[0], "/var/qinqi/报表.xlsx", "报表.xlsx"
					case 4:
						m.PersonID, m.Account, m.Status, m.Urgent, m.Attempts = &ids[1], "a9", store.OutSent, true, 2
						m.LastError, m.SentAt, m.NextAttemptAt = "超时", &sent, at.Add(time.Hour)
						m.Priority, m.Text = store.PriorityReply, strings.Repeat("走", 4100)
					}
					ms = append(ms, m)
				}
				ms[7].Key = "k-before" // stored before the batch
				return ms
			}
			var stored [2][]store.OutboxMessage
			var returned [2][]store.OutboxMessage
			for n, enqueue := range []func(*store.Store) func(context.Context, []store.OutboxMessage) ([]store.OutboxMessage, error){
				func(s *store.Store) func(context.Context, []store.OutboxMessage) ([]store.OutboxMessage, error) {
					return s.EnqueueOutboxBatchWithGormForTest
				},
				func(s *store.Store) func(context.Context, []store.OutboxMessage) ([]store.OutboxMessage, error) {
					return s.EnqueueOutboxBatch
				},
			} {
				s := b.Open(t)
				ids := addPeople(t, s, "C001", "C002")
				if err := s.BindChatIdentity(ctx, store.ChatIdentity{Transport: "fake", Account: "a1", ExternalKey: "@c1", PersonID: ids[0]}, at); err != nil {
					t.Fatal(err)
				}
				if _, err := s.EnqueueOutbox(ctx, store.OutboxMessage{Key: "k-before", ToKey: "@x", Text: "先到", CreatedAt: at}); err != nil {
					t.Fatal(err)
				}
				got, err := enqueue(s)(ctx, batch(ids))
				if err != nil {
					t.Fatal(err)
				}
				twice := []store.OutboxMessage{{Key: "dup", ToKey: "@x", Text: "一", CreatedAt: at}, {Key: "dup", ToKey: "@x", Text: "二", CreatedAt: at}}
				dup, err := enqueue(s)(ctx, twice)
				if err != nil || len(dup) != 2 || dup[0].ID != dup[1].ID || dup[1].Text != "一" {
					t.Fatalf("a key twice in one batch = %+v, %v; want the first message's row twice", dup, err)
				}
				returned[n] = append(got, dup...)
				if stored[n], err = s.OutboxWithPrefix(ctx, ""); err != nil {
					t.Fatal(err)
				}
				for i, m := range got {
					if m.ID == 0 || m.ID != stored[n][m.ID-1].ID || m.Key != stored[n][m.ID-1].Key {
						t.Fatalf("returned row %d (%s) has id %d, which is not its stored row's", i, m.Key, m.ID)
					}
				}
			}
			if len(stored[0]) != 2100+1 || len(stored[1]) != len(stored[0]) {
				t.Fatalf("stored %d rows through gorm and %d by hand, want %d", len(stored[0]), len(stored[1]), 2101)
			}
			for i := range stored[0] {
				if d := diff(reflect.ValueOf(stored[0][i]), reflect.ValueOf(stored[1][i])); len(d) > 0 {
					t.Fatalf("stored row %d (%s), gorm's against the hand-written one:\n%s", i, stored[0][i].Key, strings.Join(d, "\n"))
				}
			}
			for i := range returned[0] {
				if d := diff(reflect.ValueOf(returned[0][i]), reflect.ValueOf(returned[1][i])); len(d) > 0 {
					t.Fatalf("returned row %d (%s), gorm's against the hand-written one:\n%s", i, returned[0][i].Key, strings.Join(d, "\n"))
				}
			}
		})
	}
}
