package faults_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"qinqi/internal/testenv"
	"qinqi/store"
)

// lostAck is a store whose next SaveInbound commits the row and then reports a dropped
// connection, as when the database dies between COMMIT and its acknowledgement.
type lostAck struct {
	*store.Store
	armed atomic.Bool
}

func (l *lostAck) SaveInbound(ctx context.Context, m *store.InboxMessage) error {
	if err := l.Store.SaveInbound(ctx, m); err != nil {
		return err
	}
	if l.armed.CompareAndSwap(true, false) {
		return errors.New("store: save inbound: invalid connection")
	}
	return nil
}

// TestInboxRowCommittedButNotAcknowledged: the message is spooled although its row exists; the
// replay finds the duplicate and must still see that the stored row gets handled.
func TestInboxRowCommittedButNotAcknowledged(t *testing.T) {
	st := testenv.SQLite(t)
	cs := seedCounty(t, st, 1, 2)
	la := &lostAck{Store: st}
	la.armed.Store(true)
	pp := startPipeOn(t, la, st, testenv.KV(t), liftedLimits())
	pp.push("ack1", cs[0].key, "电话 1 问近况 编号m0001")
	eventually(t, "the reply", 30*time.Second, func() bool { return len(pp.rec.all()) >= 2 })
	got := pp.rec.all()
	if !strings.HasPrefix(got[0].Text, saidSpooled) || !strings.Contains(got[1].Text, saidSaved) {
		t.Fatalf("replies %+v, want the spool notice and then the saved reply", got)
	}
	if n := countCheckIns(t, st); n != 1 {
		t.Fatalf("%d check-ins, want 1", n)
	}
}
