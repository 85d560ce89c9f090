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

// A batch commits all of its writes or none: when fn fails, no row and no KV write of it is kept,
// and the same message ids can be stored again. KV writes are held until the commit and read back
// inside the batch; a repeated message id fails its INSERT alone and the batch goes on.
func TestBatchCommitsAllOrNothingAndKVFollowsTheCommit(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st, kv, ctx := b.Open(t), testenv.KV(t), context.Background()
			odd := errors.New("odd")
			store2 := func(ctx context.Context) error {
				for _, id := range []string{"s1", "s2"} {
					if err := kv.Set(ctx, "k-"+id, "v", time.Minute); err != nil {
						return err
					}
					if err := st.SaveInbound(ctx, inRow(id)); err != nil {
						return err
					}
				}
				return nil
			}
			err := st.Batch(ctx, func(ctx context.Context) error {
				if err := store2(ctx); err != nil {
					return err
				}
				if v, err := kv.Get(ctx, "k-s1"); err != nil || v != "v" {
					t.Errorf("the batch reads its own KV write: %q, %v", v, err)
				}
				if _, err := kv.Get(context.Background(), "k-s1"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("a KV write is visible before the commit: %v", err)
				}
				return odd
			})
			if !errors.Is(err, odd) {
				t.Fatalf("failed batch = %v, want its error", err)
			}
			if n, _ := st.CountInbox(ctx, store.InNew); n != 0 {
				t.Fatalf("%d rows of a failed batch committed", n)
			}
			if _, err := kv.Get(ctx, "k-s1"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("KV write of the failed batch applied: %v", err)
			}
			err = st.Batch(ctx, func(ctx context.Context) error {
				if err := store2(ctx); err != nil {
					return err
				}
				if err := st.SaveInbound(ctx, inRow("s1")); !errors.Is(err, store.ErrDuplicate) {
					t.Errorf("repeated id inside the batch = %v, want ErrDuplicate", err)
				}
				return st.SaveInbound(ctx, inRow("s3"))
			})
			if err != nil {
				t.Fatalf("batch = %v; the failed batch's ids must be free again", err)
			}
			if n, _ := st.CountInbox(ctx, store.InNew); n != 3 {
				t.Errorf("%d rows committed, want s1, s2 and s3", n)
			}
			if v, err := kv.Get(ctx, "k-s2"); err != nil || v != "v" {
				t.Errorf("KV write of the committed batch: %q, %v", v, err)
			}
		})
	}
}

// A statement that fails as an outage loses the batch: the statements after it fail at once, and
// nothing of it is committed, even when the caller swallows the error.
func TestBatchLostCommitsNothing(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st, ctx := b.Open(t), context.Background()
			err := st.Batch(ctx, func(ctx context.Context) error {
				if err := st.SaveInbound(ctx, inRow("l1")); err != nil {
					return err
				}
				dead, cancel := context.WithCancel(ctx)
				cancel()
				_ = st.SaveInbound(dead, inRow("l2")) // swallowed
				if err := st.SaveInbound(ctx, inRow("l3")); !errors.Is(err, store.ErrBatchLost) {
					t.Errorf("statement after an outage = %v, want ErrBatchLost", err)
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

// The hand-written inserts (outbox, audit; check-ins use the same helper) join the batch: a failed
// batch takes them back, and nothing waits on a second connection (SQLite's one writer).
func TestBatchTakesBackHandWrittenInserts(t *testing.T) {
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
				if err := write(ctx, "dropped"); err != nil {
					return err
				}
				return odd
			})
			if !errors.Is(err, odd) {
				t.Errorf("failed batch = %v", err)
			}
			if err := st.Batch(ctx, func(ctx context.Context) error { return write(ctx, "kept") }); err != nil {
				t.Fatal(err)
			}
			rows, err := st.OutboxWithPrefix(ctx, "batch:")
			if err != nil || len(rows) != 1 || rows[0].Text != "kept" {
				t.Fatalf("outbox after the batches = %+v, %v; want only the committed batch's row", rows, err)
			}
			logs, err := st.AuditOf(ctx, "batch", 7)
			if err != nil || len(logs) != 1 || logs[0].Action != "batch-kept" {
				t.Fatalf("audit after the batches = %+v, %v; want only the committed batch's row", logs, err)
			}
		})
	}
}

// A check-in joins the batch without a savepoint of its own: a report repeated later in the batch
// returns the stored row and the batch goes on, and a failed batch takes its check-in and audit row
// back with it.
func TestBatchCheckInsJoinTheBatch(t *testing.T) {
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
				var err error
				if first, _, err = report(ctx, "m1"); err != nil {
					return err
				}
				again, created, err := report(ctx, "m1")
				if err != nil || created || again.ID != first.ID {
					t.Errorf("repeated report = %d, %v, %v; want the stored %d", again.ID, created, err, first.ID)
				}
				return st.SaveInbound(ctx, inRow("after-repeat"))
			})
			if err != nil {
				t.Fatal(err)
			}
			err = st.Batch(ctx, func(ctx context.Context) error {
				if _, _, err := report(ctx, "m2"); err != nil {
					return err
				}
				return odd
			})
			if !errors.Is(err, odd) {
				t.Errorf("failed batch = %v", err)
			}
			if n, _ := st.CountInbox(ctx, store.InNew); n != 1 {
				t.Errorf("%d inbox rows, want the one stored after the repeat", n)
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

// SeenWithin inside a batch holds its mark like a KV write: the batch sees its own mark, nobody else
// does before the commit, a batch that fails leaves the event unseen (its redo passes it again), and
// a committed one leaves it seen.
func TestBatchHoldsSeenWithinMarks(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st, kv, ctx := b.Open(t), testenv.KV(t), context.Background()
			now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
			seen := func(ctx context.Context, at time.Time) bool {
				t.Helper()
				ok, err := kv.SeenWithin(ctx, "ask:@u1", at, time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				return ok
			}
			odd := errors.New("odd")
			err := st.Batch(ctx, func(bctx context.Context) error {
				if seen(bctx, now) {
					t.Error("first event of the batch seen")
				}
				if !seen(bctx, now.Add(time.Second)) {
					t.Error("the batch does not see its own mark")
				}
				return odd
			})
			if !errors.Is(err, odd) {
				t.Fatalf("failed batch = %v", err)
			}
			err = st.Batch(ctx, func(bctx context.Context) error {
				if seen(bctx, now.Add(2*time.Second)) {
					t.Error("the failed batch's mark was kept: its redo would not pass the event")
				}
				if _, err := kv.Get(context.Background(), "ask:@u1"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("a held mark is visible outside the batch before the commit: %v", err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !seen(ctx, now.Add(30*time.Second)) {
				t.Error("the committed batch's mark is not there")
			}
			if seen(ctx, now.Add(2*time.Minute)) {
				t.Error("a mark older than the window still counts")
			}
		})
	}
}
