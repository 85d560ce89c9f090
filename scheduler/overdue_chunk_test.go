package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/scheduler"
	"qinqi/store"
)

// chunkedScan is the fixture county with no check-ins since the pairings began on 01-01 under a
// monthly rule: on 03-10 every pairing is 37 days overdue, so each of the three reaches its cadre, the
// coordinator and the head (nine alerts, four recipients). The scan plans one pairing and writes one
// recipient's digest per chunk, so every recipient but K2 has alerts planned in different chunks.
func chunkedScan(t *testing.T, st *store.Store) (*county, *clock.Fake, func() *scheduler.OverdueScan) {
	t.Helper()
	c := newCounty(t, st)
	cfg := defaults()
	cfg.Frequency = config.Frequency{Default: []config.Rule{{Period: "month", Count: 1}}}
	clk := clock.NewFake(clock.Date(2026, 3, 10))
	job := func() *scheduler.OverdueScan {
		j := jobsByName(t, st, clk, cfg)["overdue-scan"].(*scheduler.OverdueScan)
		j.PairingsPerChunk, j.RecipientsPerTx = 1, 1
		return j
	}
	return c, clk, job
}

// scanAt is 08:30 on 2026-03-d.
func scanAt(d int) time.Time { return clock.Date(2026, 3, d).Add(8*time.Hour + 30*time.Minute) }

// heard counts, over every overdue message to each recipient, the lines telling them a household is
// overdue ("1. 王一（…" to its cadre, "… → 王一：<summary>" past the cadre) and that its spell ended.
func heard(t *testing.T, c *county) (overdue, ended map[string]int) {
	t.Helper()
	ms, err := c.st.OutboxWithPrefix(context.Background(), "overdue:")
	must(t, err)
	who := map[domain.PersonID]string{c.k1: "K1", c.k2: "K2", c.coord: "coordinator", c.head: "head"}
	overdue, ended = map[string]int{}, map[string]int{}
	for _, m := range ms {
		for _, hh := range []string{"王一", "王二", "李三"} {
			k := who[*m.PersonID] + " " + hh
			endedHere := strings.Count(m.Text, "→ "+hh+"：已联系")
			overdue[k] += strings.Count(m.Text, ". "+hh+"（") + strings.Count(m.Text, "→ "+hh+"：") - endedHere
			ended[k] += endedHere
		}
	}
	return overdue, ended
}

// TestOverdueDigestAcrossChunks: a recipient whose alerts are planned in different chunks still gets
// exactly one message, listing every household once, and every alert is linked to it.
func TestOverdueDigestAcrossChunks(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			c, clk, job := chunkedScan(t, b.Open(t))
			res := run(t, job(), clk, scanAt(10))
			want := map[string]int{"overdue": 3, "alerts_cadre": 3, "alerts_coordinator": 3, "alerts_head": 3, "messages": 4}
			for k, v := range want {
				if res[k] != v {
					t.Errorf("%s = %d, want %d (all: %v)", k, res[k], v, res)
				}
			}
			checkOneDigestEach(t, c)
		})
	}
}

// checkOneDigestEach: each recipient got one message, which told them once of each of their households
// and carries each of their alerts.
func checkOneDigestEach(t *testing.T, c *county) {
	t.Helper()
	for _, p := range []domain.PersonID{c.k1, c.k2, c.coord, c.head} {
		if m := c.messages(t, "overdue:", p); len(m) != 1 {
			t.Errorf("recipient %d got %d messages, want one: %q", p, len(m), m)
		}
	}
	overdue, _ := heard(t, c)
	checkHeard(t, overdue, heardOnceEach())
	checkLinked(t, c, 9)
}

// heardOnceEach: every recipient heard once of each household of the chunked county it is told of.
func heardOnceEach() map[string]int {
	return map[string]int{"K1 王一": 1, "K1 王二": 1, "K2 李三": 1, "coordinator 王一": 1, "coordinator 王二": 1,
		"coordinator 李三": 1, "head 王一": 1, "head 王二": 1, "head 李三": 1}
}

func checkHeard(t *testing.T, got, want map[string]int) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s heard %d times, want %d (all: %v)", k, got[k], v, got)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok && v != 0 {
			t.Errorf("%s heard %d times, want never", k, v)
		}
	}
}

// checkLinked: n alerts (any number when n < 0), each open one carried by a message to its recipient.
func checkLinked(t *testing.T, c *county, n int) {
	t.Helper()
	ctx := context.Background()
	as, err := c.st.Alerts(ctx, time.Time{}, time.Time{})
	must(t, err)
	if n >= 0 && len(as) != n {
		t.Errorf("%d alerts, want %d", len(as), n)
	}
	ms, err := c.st.OutboxWithPrefix(ctx, "overdue:")
	must(t, err)
	to := map[domain.OutboxID]domain.PersonID{}
	for _, m := range ms {
		to[m.ID] = *m.PersonID
	}
	for _, a := range as {
		if a.ResolvedAt == nil && (a.OutboxID == nil || to[*a.OutboxID] != a.RecipientID) {
			t.Errorf("alert %s is open and not carried by a message to its recipient", a.Key)
		}
	}
}

// failingStore lets the first ok transactions commit and fails every later one, as if the process
// died there.
type failingStore struct {
	*store.Store
	mu sync.Mutex // the digests due at the scan's end may be written on several transactions at once
	ok int
}

var errDied = errors.New("died")

func (f *failingStore) Tx(ctx context.Context, fn func(tx *store.Store) error) error {
	f.mu.Lock()
	if f.ok == 0 {
		f.mu.Unlock()
		return errDied
	}
	f.ok--
	f.mu.Unlock()
	return f.Store.Tx(ctx, fn)
}

// TestOverdueRunThatDies: a scan that dies after any of its transactions (the digests of K1 and K2,
// written once the scan has passed their last pairings, then at its end those of the coordinator and
// the head, each carrying its alerts) neither loses nor repeats anything when the next day's scan
// runs. Meanwhile 王一's cadre got in touch, ending its spell: those past the cadre who heard it was
// overdue hear it ended, those who never heard of it hear nothing about it.
func TestOverdueRunThatDies(t *testing.T) {
	for _, b := range testenv.Backends() {
		for ok := 0; ok <= 3; ok++ {
			t.Run(fmt.Sprintf("%s/dies after %d transactions", b.Name, ok), func(t *testing.T) {
				c, clk, job := chunkedScan(t, b.Open(t))
				dying := job()
				dying.Store = &failingStore{Store: c.st, ok: ok}
				clk.Set(scanAt(10))
				if _, err := dying.Run(context.Background(), scanAt(10)); (err != nil) != (ok < 3) {
					t.Fatalf("run after %d transactions: %v", ok, err)
				}
				nextDayAfterDeath(t, c, clk, job)
				alerts := 9
				switch ok {
				case 0: // died before writing 王一's alerts, and its spell ended before the next scan
					alerts = 6
				case 1, 2: // wrote K1's digest with its 王一, then K2's; those past the cadre never heard of 王一
					alerts = 7
				}
				checkLinked(t, c, alerts)
			})
		}
	}
}

// nextDayAfterDeath: after a run on 03-10 that died, 王一's cadre gets in touch and the 03-11 scan
// runs. Every recipient has heard of 王二 and 李三 once; of 王一, those past the cadre who heard it was
// overdue have heard it ended, and its cadre heard of it at most once.
func nextDayAfterDeath(t *testing.T, c *county, clk *clock.Fake, job func() *scheduler.OverdueScan) {
	t.Helper()
	c.checkIn(t, c.pA, domain.KindContact, scanAt(10).Add(3*time.Hour))
	run(t, job(), clk, scanAt(11))
	overdue, ended := heard(t, c)
	for _, k := range []string{"K1 王二", "K2 李三", "coordinator 王二", "coordinator 李三", "head 王二", "head 李三"} {
		if overdue[k] != 1 {
			t.Errorf("%s heard %d times, want once (all: %v)", k, overdue[k], overdue)
		}
	}
	for _, who := range []string{"coordinator", "head"} {
		if k := who + " 王一"; overdue[k] > 1 || ended[k] != overdue[k] {
			t.Errorf("%s: heard overdue %d times and ended %d times, want the same, at most once", k, overdue[k], ended[k])
		}
	}
	if overdue["K1 王一"] > 1 || ended["K1 王一"] != 0 {
		t.Errorf("K1 heard 王一 overdue %d times, ended %d times", overdue["K1 王一"], ended["K1 王一"])
	}
}

// TestOverdueTwoInstancesAtOnce: two instances scanning the same day at the same time send each
// recipient one digest between them, each household once; whatever one of them could not finish
// (a deadlock on MariaDB), the next day's scan sends, still once.
func TestOverdueTwoInstancesAtOnce(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			c, clk, job := chunkedScan(t, b.Open(t))
			clk.Set(scanAt(10))
			jobs := []*scheduler.OverdueScan{job(), job()}
			var wg sync.WaitGroup
			for _, j := range jobs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := j.Run(context.Background(), scanAt(10)); err != nil {
						t.Logf("one instance failed: %v", err)
					}
				}()
			}
			wg.Wait()
			run(t, job(), clk, scanAt(11))
			overdue, _ := heard(t, c)
			checkHeard(t, overdue, heardOnceEach())
			for _, p := range []domain.PersonID{c.k1, c.k2, c.coord, c.head} {
				if m := c.messages(t, "overdue:20260310:", p); len(m) > 1 {
					t.Errorf("recipient %d got %d messages on 03-10: %q", p, len(m), m)
				}
			}
			checkLinked(t, c, 9)
		})
	}
}
