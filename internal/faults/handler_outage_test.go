package faults_test

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// midHandler is a store whose check-in insert fails the first few times for one message, as when
// the connection drops in the middle of a command while the inbox's own writes still go through.
type midHandler struct {
	*store.Store
	source string // the SourceMsgID that fails

	mu    sync.Mutex
	fails int
}

func (m *midHandler) CreateCheckIn(ctx context.Context, c store.CheckIn, actor domain.PersonID) (store.CheckIn, bool, error) {
	m.mu.Lock()
	fail := c.SourceMsgID != nil && *c.SourceMsgID == m.source && m.fails > 0
	if fail {
		m.fails--
	}
	m.mu.Unlock()
	if fail {
		return store.CheckIn{}, false, fmt.Errorf("store: create check-in: %w", driver.ErrBadConn)
	}
	return m.Store.CreateCheckIn(ctx, c, actor)
}

// TestStoreFailsMidHandler drives the real pipeline and router: a report whose insert fails twice
// stays in the inbox (never "done", never "send it again"), its sender is told once that it was
// received, the retry saves it and answers it exactly once, and the other cadre's report is
// answered meanwhile.
func TestStoreFailsMidHandler(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st := b.Open(t)
			cs := seedCounty(t, st, 2, 2)
			mh := &midHandler{Store: st, source: "fake:a1:h1", fails: 2}
			pp := startPipeOn(t, st, mh, testenv.KV(t), liftedLimits())
			pp.push("h1", cs[0].key, "电话 1 问近况 编号m0001")
			pp.push("h2", cs[1].key, "电话 1 问近况 编号m0002")
			eventually(t, "both reports saved and answered", 30*time.Second, func() bool {
				n, err := st.CountInbox(context.Background(), store.InDone)
				return err == nil && n == 2 && saidTimes(pp.rec.all(), "编号m0001") == 1
			})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			must(t, pp.p.WaitIdle(ctx))
			pp.stop()
			got := pp.rec.all()
			for _, s := range got {
				if strings.Contains(s.Text, saidBroken) {
					t.Errorf("told to send again: %q", s.Text)
				}
			}
			if n := saidTimes(got, saidSpooled); n != 1 {
				t.Errorf("%d busy notices, want 1 (to the sender whose report waited)", n)
			}
			for _, tok := range []string{"编号m0001", "编号m0002"} {
				if n := saidTimes(got, tok); n != 1 {
					t.Errorf("%s answered %d times, want once: %+v", tok, n, got)
				}
			}
			if n := countCheckIns(t, st); n != 2 {
				t.Errorf("%d check-ins, want 2", n)
			}
		})
	}
}

// saidTimes counts the sent messages containing frag.
func saidTimes(got []sent, frag string) int {
	n := 0
	for _, s := range got {
		if strings.Contains(s.Text, frag) {
			n++
		}
	}
	return n
}
