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

// On MariaDB a batch's inbox rows go in one INSERT, with the ids they were given; a message id
// stored before fails the INSERT as a whole, so none of its rows is written and each can be saved on
// its own. Elsewhere nothing is written and the caller saves them one by one.
func TestSaveInboundAllWritesAllOrNone(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st, ctx := b.Open(t), context.Background()
			if err := st.SaveInbound(ctx, inRow("s0")); err != nil {
				t.Fatal(err)
			}
			if err := st.SaveInboundAll(ctx, []*store.InboxMessage{inRow("o1"), inRow("o2")}); !errors.Is(err, store.ErrNotBatched) {
				t.Fatalf("outside a batch: %v, want ErrNotBatched", err)
			}
			err := st.Batch(ctx, func(ctx context.Context) error {
				rows := []*store.InboxMessage{inRow("s1"), inRow("s2"), inRow("s3")}
				err := st.SaveInboundAll(ctx, rows)
				if b.Name == "sqlite" {
					if !errors.Is(err, store.ErrNotBatched) {
						t.Errorf("on SQLite: %v, want ErrNotBatched", err)
					}
					return nil
				}
				if err != nil {
					return err
				}
				for _, r := range rows {
					got, err := st.InboxByID(ctx, r.ID)
					if err != nil || got.MsgID != r.MsgID {
						t.Errorf("row %d = %q, %v; want %q", r.ID, got.MsgID, err, r.MsgID)
					}
				}
				if err := st.SaveInboundAll(ctx, []*store.InboxMessage{inRow("s4"), inRow("s0")}); !store.IsDuplicate(err) {
					t.Errorf("with a stored id: %v, want a duplicate", err)
				}
				return st.SaveInbound(ctx, inRow("s4")) // not written by the failed INSERT
			})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]int64{"sqlite": 1, "mysql": 5}[b.Name]
			if n, _ := st.CountInbox(ctx, store.InNew); n != want {
				t.Errorf("%d rows stored, want %d", n, want)
			}
		})
	}
}

// A MariaDB batch ends its transaction itself (batch_packet.go): after a batch whose COMMIT packet
// failed, one whose fn failed and one that committed, the connection it gave back is in no
// transaction, and only the committed batch's row is kept.
func TestBatchGivesItsConnectionBackOutsideATransaction(t *testing.T) {
	st, ctx := testenv.MySQL(t), context.Background()
	k, ps := pairedCounty(t, st, 1, func(int) domain.Tags { return domain.MakeTags(domain.TagLifted) })
	st.OneConnectionForTest()
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	if _, err := st.EnqueueOutbox(ctx, store.OutboxMessage{Key: "taken", Account: "a1", ToKey: "@u1", Text: "x", CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	idle := func(when string) {
		t.Helper()
		if v, err := st.QueryStringForTest(ctx, "SELECT @@in_transaction"); err != nil || v != "0" {
			t.Fatalf("after %s: in_transaction = %q, %v; want 0", when, v, err)
		}
	}
	err := st.Batch(ctx, func(ctx context.Context) error {
		_, err := holdReport(ctx, st, k, ps[0], "c1", at, "taken")
		return err
	})
	if !errors.Is(err, store.ErrBatchLost) {
		t.Fatalf("batch = %v, want ErrBatchLost from its commit", err)
	}
	idle("a failed commit")
	err = st.Batch(ctx, func(ctx context.Context) error {
		if err := st.SaveInbound(ctx, inRow("c2")); err != nil {
			return err
		}
		return errors.New("handler failed")
	})
	if err == nil {
		t.Fatal("batch whose fn failed committed")
	}
	idle("a failed fn")
	if err := st.Batch(ctx, func(ctx context.Context) error { return st.SaveInbound(ctx, inRow("c3")) }); err != nil {
		t.Fatal(err)
	}
	idle("a commit")
	if n, _ := st.CountInbox(ctx, store.InNew); n != 1 {
		t.Errorf("%d inbox rows kept, want only the committed batch's", n)
	}
}
