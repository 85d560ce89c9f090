package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

func inRow(id string) *store.InboxMessage {
	return &store.InboxMessage{Transport: "fake", Account: "a1", MsgID: id, SenderKey: "@u1", Kind: "text", Text: "t", ReceivedAt: time.Now()}
}

// A failed step takes back only its own rows and KV writes; the batch commits the rest once.
func TestBatchStepRollsBackAloneAndKVFollowsTheCommit(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st, kv, ctx := b.Open(t), testenv.KV(t), context.Background()
			odd := errors.New("odd")
			err := st.Batch(ctx, func(ctx context.Context) error {
				if err := st.Step(ctx, func(ctx context.Context) error {
					if err := kv.Set(ctx, "k1", "v1", time.Minute); err != nil {
						return err
					}
					return st.SaveInbound(ctx, inRow("s1"))
				}); err != nil {
					return err
				}
				if err := st.Step(ctx, func(ctx context.Context) error {
					_ = kv.Set(ctx, "k2", "v2", time.Minute)
					if err := st.SaveInbound(ctx, inRow("s2")); err != nil {
						return err
					}
					return odd
				}); !errors.Is(err, odd) {
					t.Errorf("failed step = %v", err)
				}
				if v, err := kv.Get(ctx, "k1"); err != nil || v != "v1" {
					t.Errorf("the batch reads its own KV write: %q, %v", v, err)
				}
				if _, err := kv.Get(context.Background(), "k1"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("a KV write is visible before the commit: %v", err)
				}
				return st.SaveInbound(ctx, inRow("s1")) // the duplicate is seen inside the batch
			})
			if !errors.Is(err, store.ErrDuplicate) {
				t.Fatalf("batch = %v, want the duplicate", err)
			}
			if n, _ := st.CountInbox(ctx, store.InNew); n != 0 {
				t.Fatalf("%d rows of a batch that failed", n)
			}
			err = st.Batch(ctx, func(ctx context.Context) error {
				_ = st.Step(ctx, func(ctx context.Context) error {
					_ = kv.Set(ctx, "k1", "v1", time.Minute)
					return st.SaveInbound(ctx, inRow("s1"))
				})
				_ = st.Step(ctx, func(ctx context.Context) error { _ = kv.Set(ctx, "k2", "v2", time.Minute); return odd })
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := st.CountInbox(ctx, store.InNew); n != 1 {
				t.Errorf("%d rows committed, want 1", n)
			}
			if v, err := kv.Get(ctx, "k1"); err != nil || v != "v1" {
				t.Errorf("KV write of the committed step: %q, %v", v, err)
			}
			if _, err := kv.Get(ctx, "k2"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("KV write of the rolled-back step applied: %v", err)
			}
		})
	}
}

// A statement that fails as an outage loses the batch: nothing of it is committed, even when the
// caller swallows the error.
func TestBatchLostCommitsNothing(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st, ctx := b.Open(t), context.Background()
			err := st.Batch(ctx, func(ctx context.Context) error {
				if err := st.Step(ctx, func(ctx context.Context) error { return st.SaveInbound(ctx, inRow("l1")) }); err != nil {
					return err
				}
				serr := st.Step(ctx, func(ctx context.Context) error {
					dead, cancel := context.WithCancel(ctx)
					cancel()
					_ = st.SaveInbound(dead, inRow("l2")) // swallowed
					return nil
				})
				if !errors.Is(serr, store.ErrBatchLost) {
					t.Errorf("step after an outage = %v, want ErrBatchLost", serr)
				}
				return nil
			})
			if !errors.Is(err, store.ErrBatchLost) {
				t.Fatalf("batch = %v, want ErrBatchLost", err)
			}
			if n, _ := st.CountInbox(ctx, store.InNew); n != 0 {
				t.Fatalf("%d rows of a lost batch committed", n)
			}
		})
	}
}

// The hand-written inserts (outbox, audit; check-ins use the same helper) join the batch's step:
// a failed step takes them back, and nothing waits on a second connection (SQLite's one writer).
func TestBatchStepTakesBackHandWrittenInserts(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st, ctx := b.Open(t), context.Background()
			odd := errors.New("odd")
			at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
			write := func(ctx context.Context, n string) error {
				if _, err := st.EnqueueOutbox(ctx, store.OutboxMessage{Key: "batch:" + n, Account: "a1", ToKey: "@u1", Text: n, CreatedAt: at}); err != nil {
					return err
				}
				return st.Audit(ctx, store.AuditEntry{Action: "batch-" + n, Entity: "batch", EntityID: 7, At: at})
			}
			err := st.Batch(ctx, func(ctx context.Context) error {
				if err := st.Step(ctx, func(ctx context.Context) error { return write(ctx, "kept") }); err != nil {
					return err
				}
				err := st.Step(ctx, func(ctx context.Context) error {
					if err := write(ctx, "dropped"); err != nil {
						return err
					}
					return odd
				})
				if !errors.Is(err, odd) {
					t.Errorf("failed step = %v", err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			rows, err := st.OutboxWithPrefix(ctx, "batch:")
			if err != nil || len(rows) != 1 || rows[0].Text != "kept" {
				t.Fatalf("outbox after the batch = %+v, %v; want only the kept step's row", rows, err)
			}
			logs, err := st.AuditOf(ctx, "batch", 7)
			if err != nil || len(logs) != 1 || logs[0].Action != "batch-kept" {
				t.Fatalf("audit after the batch = %+v, %v; want only the kept step's row", logs, err)
			}
		})
	}
}

// A check-in joins the batch's step without a savepoint of its own: a report repeated in a later
// step returns the stored row and that step goes on, and a failed step takes its check-in and audit
// row back with it.
func TestBatchCheckInsJoinTheStep(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st, ctx := b.Open(t), context.Background()
			k, ps := pairedCounty(t, st, 1, func(int) domain.Tags { return domain.MakeTags(domain.TagLifted) })
			at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
			report := func(ctx context.Context, src string) (store.CheckIn, bool, error) {
				return st.CreateCheckIn(ctx, store.CheckIn{PairingID: ps[0].ID, CadreID: k.ID, HouseholdID: ps[0].HouseholdID,
					Kind: domain.KindVisit, OccurredAt: at, ReportedAt: at, SourceMsgID: &src}, k.ID)
			}
			odd := errors.New("odd")
			var first store.CheckIn
			err := st.Batch(ctx, func(ctx context.Context) error {
				if err := st.Step(ctx, func(ctx context.Context) error {
					var err error
					first, _, err = report(ctx, "m1")
					return err
				}); err != nil {
					return err
				}
				if err := st.Step(ctx, func(ctx context.Context) error {
					again, created, err := report(ctx, "m1")
					if err != nil || created || again.ID != first.ID {
						t.Errorf("repeated report = %d, %v, %v; want the stored %d", again.ID, created, err, first.ID)
					}
					return st.SaveInbound(ctx, inRow("after-repeat"))
				}); err != nil {
					return err
				}
				if err := st.Step(ctx, func(ctx context.Context) error {
					if _, _, err := report(ctx, "m2"); err != nil {
						return err
					}
					return odd
				}); !errors.Is(err, odd) {
					t.Errorf("failed step = %v", err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := st.CountInbox(ctx, store.InNew); n != 1 {
				t.Errorf("%d inbox rows, want the repeat's step kept", n)
			}
			if c, err := st.LastCheckInOfCadre(ctx, k.ID); err != nil || c.ID != first.ID {
				t.Errorf("last check-in = %d, %v; want only %d", c.ID, err, first.ID)
			}
			if logs, err := st.AuditOf(ctx, "checkin", int64(first.ID)); err != nil || len(logs) != 1 {
				t.Errorf("audit rows of the kept check-in = %d, %v; want 1", len(logs), err)
			}
			if logs, err := st.AuditOf(ctx, "checkin", int64(first.ID)+1); err != nil || len(logs) != 0 {
				t.Errorf("audit rows of the rolled-back check-in = %d, %v; want none", len(logs), err)
			}
		})
	}
}

// The first step of a batch takes no savepoint: when it fails, the transaction is rolled back and
// begun again, so its rows and KV writes are gone and the steps after it commit as usual.
func TestBatchFirstStepFailsAlone(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st, kv, ctx := b.Open(t), testenv.KV(t), context.Background()
			odd := errors.New("odd")
			err := st.Batch(ctx, func(ctx context.Context) error {
				if err := st.Step(ctx, func(ctx context.Context) error {
					_ = kv.Set(ctx, "k1", "v1", time.Minute)
					if err := st.SaveInbound(ctx, inRow("f1")); err != nil {
						return err
					}
					return odd
				}); !errors.Is(err, odd) {
					t.Errorf("failed first step = %v", err)
				}
				for _, id := range []string{"f2", "f3"} {
					if err := st.Step(ctx, func(ctx context.Context) error {
						_ = kv.Set(ctx, "k-"+id, "v", time.Minute)
						return st.SaveInbound(ctx, inRow(id))
					}); err != nil {
						return err
					}
				}
				return st.Step(ctx, func(ctx context.Context) error { return st.SaveInbound(ctx, inRow("f1")) })
			})
			if err != nil {
				t.Fatalf("batch = %v; the first step's row must be gone, so f1 is no duplicate", err)
			}
			if n, _ := st.CountInbox(ctx, store.InNew); n != 3 {
				t.Errorf("%d rows committed, want f2, f3 and f1 again", n)
			}
			if _, err := kv.Get(ctx, "k1"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("KV write of the failed first step applied: %v", err)
			}
			if v, err := kv.Get(ctx, "k-f3"); err != nil || v != "v" {
				t.Errorf("KV write of a committed step: %q, %v", v, err)
			}
		})
	}
}
