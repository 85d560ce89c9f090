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

// holdReport is one report as the inbox's batch writes it: inbox row, check-in (with its audit row
// and summary entry), reply and done mark; replyKey "" keys the reply by the inbox row.
func holdReport(ctx context.Context, st *store.Store, k store.Person, p store.Pairing, msg string, at time.Time, replyKey string) (store.CheckIn, error) {
	in := inRow(msg)
	if err := st.SaveInbound(ctx, in); err != nil {
		return store.CheckIn{}, err
	}
	src := "fake:a1:" + msg
	c, _, err := st.CreateCheckIn(ctx, store.CheckIn{PairingID: p.ID, CadreID: k.ID, HouseholdID: p.HouseholdID,
		Kind: domain.KindVisit, Mode: "visit", OccurredAt: at, ReportedAt: at, SourceMsgID: &src}, k.ID)
	if err != nil {
		return c, err
	}
	if replyKey == "" {
		replyKey = "reply:" + src
	}
	reply := store.OutboxMessage{Key: replyKey, Account: "a1", PersonID: &k.ID, Text: "已记录", CreatedAt: at}
	return c, st.CompleteInbound(ctx, in.ID, store.InboxResult{Status: store.InDone, PersonID: k.ID,
		Replies: []store.OutboxMessage{reply}}, at)
}

// The writes a batch holds until its commit are there for whatever reads them inside the batch: an
// audit row is listed, an undo in the same batch finds the summary entry it takes out. Two reports of
// one pairing in one batch leave the summary that one batch each leaves, and the summaries agree
// with check_ins after the commit.
func TestBatchHeldWritesAreReadBackAndCombine(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st, ctx := b.Open(t), context.Background()
			k, ps := pairedCounty(t, st, 3, func(int) domain.Tags { return domain.MakeTags(domain.TagLifted) })
			at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
			err := st.Batch(ctx, func(ctx context.Context) error {
				for i, p := range []store.Pairing{ps[0], ps[0], ps[1]} {
					c, err := holdReport(ctx, st, k, p, "b"+string(rune('1'+i)), at.Add(time.Duration(i)*time.Hour), "")
					if err != nil {
						return err
					}
					if logs, err := st.AuditOf(ctx, "checkin", int64(c.ID)); err != nil || len(logs) != 1 {
						t.Errorf("audit rows of check-in %d read inside its batch = %d, %v; want 1", c.ID, len(logs), err)
					}
					if p.ID == ps[1].ID {
						if err := st.UndoCheckIn(ctx, c.ID, k.ID, at.Add(3*time.Hour)); err != nil {
							return err
						}
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 2 { // the same two reports, one batch each
				err := st.Batch(ctx, func(ctx context.Context) error {
					_, err := holdReport(ctx, st, k, ps[2], "s"+string(rune('1'+i)), at.Add(time.Duration(i)*time.Hour), "")
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			together, err1 := st.SummaryOfForTest(ctx, int64(ps[0].ID))
			apart, err2 := st.SummaryOfForTest(ctx, int64(ps[2].ID))
			if err := errors.Join(err1, err2); err != nil || together != apart || together == "" {
				t.Errorf("summary of two reports in one batch %q, in two %q (%v); want the same", together, apart, err)
			}
			if undone, err := st.SummaryOfForTest(ctx, int64(ps[1].ID)); err != nil || undone != "" {
				t.Errorf("summary of a report undone in its batch = %q, %v; want no entry", undone, err)
			}
			checkClean(t, st, 3)
			if n, _ := st.CountInbox(ctx, store.InDone); n != 5 {
				t.Errorf("%d inbox rows done, want 5", n)
			}
			if rows, err := st.OutboxWithPrefix(ctx, "reply:"); err != nil || len(rows) != 5 {
				t.Errorf("replies = %d, %v; want 5", len(rows), err)
			}
		})
	}
}

// A batch whose held writes fail at its commit (here a reply under a key that is taken) is lost as a
// whole: no check-in, audit row, summary entry, reply or done mark of it is kept, and its report,
// written again on its own, is stored and finds the taken key's row as EnqueueOutbox does.
func TestBatchFailingAtItsCommitKeepsNoHeldWrite(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st, ctx := b.Open(t), context.Background()
			k, ps := pairedCounty(t, st, 1, func(int) domain.Tags { return domain.MakeTags(domain.TagLifted) })
			at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
			if _, err := st.EnqueueOutbox(ctx, store.OutboxMessage{Key: "taken", Account: "a1", ToKey: "@u1", Text: "x", CreatedAt: at}); err != nil {
				t.Fatal(err)
			}
			var c store.CheckIn
			err := st.Batch(ctx, func(ctx context.Context) error {
				var err error
				c, err = holdReport(ctx, st, k, ps[0], "f1", at, "taken")
				return err
			})
			if !errors.Is(err, store.ErrBatchLost) {
				t.Fatalf("batch = %v, want ErrBatchLost from its commit", err)
			}
			if n, _ := st.CountInbox(ctx, store.InNew); n != 0 {
				t.Errorf("%d inbox rows of the lost batch kept", n)
			}
			if _, err := st.LastCheckInOfCadre(ctx, k.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("check-in of the lost batch: %v, want none", err)
			}
			if logs, err := st.AuditOf(ctx, "checkin", int64(c.ID)); err != nil || len(logs) != 0 {
				t.Errorf("audit rows of the lost batch = %d, %v; want none", len(logs), err)
			}
			if s, err := st.SummaryOfForTest(ctx, int64(ps[0].ID)); err != nil || s != "" {
				t.Errorf("summary after the lost batch = %q, %v; want no entry", s, err)
			}
			if rows, err := st.OutboxWithPrefix(ctx, ""); err != nil || len(rows) != 1 {
				t.Errorf("outbox after the lost batch = %d rows, %v; want only the taken key's", len(rows), err)
			}
			if _, err := holdReport(ctx, st, k, ps[0], "f1", at, "taken"); err != nil {
				t.Fatalf("the report on its own: %v", err)
			}
			if n, _ := st.CountInbox(ctx, store.InDone); n != 1 {
				t.Errorf("%d inbox rows done after the report on its own, want 1", n)
			}
			checkClean(t, st, 1)
		})
	}
}

// On MariaDB a batch's held writes go in one packet unless the operator's DSN turns off multiple
// statements or client-side interpolation (then they go one by one, as on SQLite).
func TestHeldWritesGoInOnePacketUnlessTheDSNSaysNo(t *testing.T) {
	for dsn, want := range map[string]bool{
		"u@tcp(h:3306)/db":                          true,
		"u@tcp(h:3306)/db?multiStatements=false":    false,
		"u@tcp(h:3306)/db?interpolateParams=false":  false,
		"u@tcp(h:3306)/db?multiStatements=true&x=1": true,
	} {
		if got := store.MultiStatementsForTest(dsn); got != want {
			t.Errorf("one packet with %q = %v, want %v", dsn, got, want)
		}
	}
}
