package scheduler_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"qinqi/internal/testenv"
	"qinqi/scheduler"
	"qinqi/store"
)

// meetingStore holds its transactions from the from-th on until a second one has begun, so a scan
// that writes them one at a time fails instead of hanging.
type meetingStore struct {
	*store.Store
	from int
	mu   sync.Mutex
	n    int
	met  chan struct{}
}

func (m *meetingStore) Tx(ctx context.Context, fn func(tx *store.Store) error) error {
	m.mu.Lock()
	m.n++
	n := m.n
	m.mu.Unlock()
	switch {
	case n == m.from+1:
		close(m.met)
	case n == m.from:
		select {
		case <-m.met:
		case <-time.After(10 * time.Second):
			return fmt.Errorf("transaction %d: no other transaction began beside it", n)
		}
	}
	return m.Store.Tx(ctx, fn)
}

// TestOverdueEndDigestsOnTwoWriters: with two writers, the coordinator's and the head's digests (one
// transaction each: AlertsPerTx 1) are written at once when the scan ends, after the cadres' two, and
// everyone still gets exactly one message carrying each of their alerts.
func TestOverdueEndDigestsOnTwoWriters(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			c, clk, job := chunkedScan(t, b.Open(t))
			j := job()
			j.Writers, j.AlertsPerTx = 2, 1
			j.Store = &meetingStore{Store: c.st, from: 3, met: make(chan struct{})}
			res := run(t, j, clk, scanAt(10))
			if res["messages"] != 4 || res["alerts_coordinator"] != 3 || res["alerts_head"] != 3 {
				t.Errorf("counts %v, want 4 messages and 3 alerts to each level", res)
			}
			checkOneDigestEach(t, c)
		})
	}
}

// TestOverdueRunThatDiesWritingAtOnce: a scan whose end is written on two transactions at once dies
// after any of its four transactions (K1's and K2's digests, then the coordinator's and the head's
// side by side, either first). What committed stays, nothing is repeated, and the next day's scan
// sends what is missing; those past the cadre who never heard of 王一 before its spell ended hear
// nothing of it.
func TestOverdueRunThatDiesWritingAtOnce(t *testing.T) {
	for _, b := range testenv.Backends() {
		for ok := 0; ok <= 4; ok++ {
			t.Run(fmt.Sprintf("%s/dies after %d transactions", b.Name, ok), func(t *testing.T) {
				c, clk, job := chunkedScan(t, b.Open(t))
				dying := job()
				dying.Writers, dying.AlertsPerTx = 2, 1
				dying.Store = &failingStore{Store: c.st, ok: ok}
				clk.Set(scanAt(10))
				if _, err := dying.Run(context.Background(), scanAt(10)); (err != nil) != (ok < 4) {
					t.Fatalf("run after %d transactions: %v", ok, err)
				}
				nextDayAfterDeath(t, c, clk, func() *scheduler.OverdueScan {
					j := job()
					j.Writers, j.AlertsPerTx = 2, 1
					return j
				})
				// 王一's alerts: K1's once its digest committed; the coordinator's and the head's only
				// from the transactions of the first run that committed.
				alerts := map[int]int{0: 6, 1: 7, 2: 7, 3: 8, 4: 9}[ok]
				checkLinked(t, c, alerts)
			})
		}
	}
}
