package faults_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// finished waits until no inbox row is left to handle and nothing waits in the spool.
func (pp *pipe) finished(t *testing.T, st *store.Store, rows int64) {
	t.Helper()
	ctx := context.Background()
	eventually(t, "every message finished", 30*time.Second, func() bool {
		var n int64
		for _, s := range []store.InboxStatus{store.InDone, store.InFailed} {
			c, err := st.CountInbox(ctx, s)
			if err != nil {
				return false
			}
			n += c
		}
		_, err := os.Stat(filepath.Join(pp.spool, "inbox.spool"))
		return n == rows && os.IsNotExist(err)
	})
	idle, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	must(t, pp.p.WaitIdle(idle))
}

// to lists what one chat key was sent.
func to(got []sent, key string) []string {
	var out []string
	for _, s := range got {
		if s.To == key {
			out = append(out, s.Text)
		}
	}
	return out
}

// TestPoisonLocationLabelBlocksNobody: a location whose label is 5,000 characters once overflowed
// the inbox payload column on MariaDB (Error 1406); the store took it for an outage and spooled
// it, and every later message from every user queued behind it, retried every few seconds
// without end. Now the label is cut at the door, the location is attached like any other, and
// the two other cadres' reports are answered at once.
func TestPoisonLocationLabelBlocksNobody(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st := b.Open(t)
			cs := seedCounty(t, st, 3, 1)
			pp := startPipe(t, st, testenv.KV(t), liftedLimits())
			pp.push("p0", cs[0].key, "电话 1 问近况 编号m0000")
			pp.finished(t, st, 1)
			label := strings.Repeat("幸福村村委会东侧", 625) // 5,000 characters, 15,000 bytes
			pp.rec.Push(bot.Message{Account: "a1", ID: "p1", SenderKey: cs[0].key, Kind: bot.KindLocation,
				Lat: 30.2231, Lng: 119.9123, Label: label, Text: label})
			pp.push("p2", cs[1].key, "电话 1 问近况 编号m0002")
			pp.push("p3", cs[2].key, "电话 1 问近况 编号m0003")
			pp.finished(t, st, 4)
			pp.stop()
			got := pp.rec.all()
			for i, c := range cs {
				texts := to(got, c.key)
				want := 1 + map[bool]int{true: 1}[i == 0] // cadre 0: the report and the location
				if len(texts) != want {
					t.Errorf("cadre %d was sent %q, want %d answers", i, texts, want)
				}
				for _, s := range texts {
					if strings.HasPrefix(s, saidSpooled) {
						t.Errorf("cadre %d was told to wait: %q", i, s)
					}
				}
			}
			if texts := to(got, cs[0].key); len(texts) == 2 && !strings.Contains(texts[1], "位置") {
				t.Errorf("the location was answered %q", texts[1])
			}
			if n := countCheckIns(t, st); n != 3 {
				t.Errorf("%d check-ins, want 3", n)
			}
		})
	}
}

// refusingStore makes the check-in of one message fail with a real refusal of the database, as a
// value the database cannot hold would: MariaDB's Error 1406 for a value over its column, and on
// SQLite (which holds any length) the unique key of the message's own inbox row.
type refusingStore struct {
	*store.Store
	msgID string
}

func (s *refusingStore) CreateCheckIn(ctx context.Context, c store.CheckIn, actor domain.PersonID) (store.CheckIn, bool, error) {
	if c.SourceMsgID == nil || *c.SourceMsgID != "fake:a1:"+s.msgID {
		return s.Store.CreateCheckIn(ctx, c, actor)
	}
	transport := "fake"
	if s.Driver() == store.DriverMySQL {
		transport = strings.Repeat("x", 100)
	}
	row := store.InboxMessage{Transport: transport, Account: "a1", MsgID: s.msgID, SenderKey: "k", Kind: "text",
		Status: store.InDone, ReceivedAt: c.ReportedAt}
	err := s.Store.SaveInbound(ctx, &row)
	return store.CheckIn{}, false, fmt.Errorf("store: create check-in: %w", err)
}

// TestDataErrorMidHandlerIsQuarantined: a report whose insert the database refuses every time is
// tried three times, then quarantined with its reason and answered once with a clear reply; its
// sender was told once that it was received. The other cadres' reports, sent with it, are
// answered at once and never wait.
func TestDataErrorMidHandlerIsQuarantined(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st := b.Open(t)
			cs := seedCounty(t, st, 3, 1)
			pp := startPipeOn(t, st, &refusingStore{Store: st, msgID: "q0"}, testenv.KV(t), liftedLimits())
			for i, c := range cs {
				pp.push(fmt.Sprintf("q%d", i), c.key, fmt.Sprintf("电话 1 问近况 编号m%04d", i))
			}
			pp.finished(t, st, 3)
			pp.stop()
			got := pp.rec.all()
			if texts := to(got, cs[0].key); len(texts) != 2 || !strings.HasPrefix(texts[0], saidSpooled) || !strings.Contains(texts[1], "没能保存") {
				t.Errorf("the refused report's sender was sent %q, want the busy notice, then the quarantine reply", texts)
			}
			for _, c := range cs[1:] {
				if texts := to(got, c.key); len(texts) != 1 || !strings.Contains(texts[0], saidSaved) {
					t.Errorf("%s was sent %q, want one saved reply", c.code, texts)
				}
			}
			failed, err := st.FailedInbox(context.Background(), 10)
			must(t, err)
			if len(failed) != 1 || failed[0].MsgID != "q0" || failed[0].Attempts != 3 || failed[0].PersonID == nil || *failed[0].PersonID != cs[0].id {
				t.Fatalf("quarantined rows %+v, want q0 after 3 tries, from %s", failed, cs[0].code)
			}
			if !strings.Contains(failed[0].Error, "create check-in") {
				t.Errorf("the quarantined row's reason %q does not say what failed", failed[0].Error)
			}
			if n := countCheckIns(t, st); n != 2 {
				t.Errorf("%d check-ins, want 2", n)
			}
		})
	}
}
