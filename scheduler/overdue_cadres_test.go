package scheduler_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// dyingScan hands the scan's pairings on one at a time and fails after `after` of them, as if the
// database went away in the middle of the scan.
type dyingScan struct {
	*store.Store
	after int
}

func (d *dyingScan) ScanActivePairings(ctx context.Context, o store.ScanOptions, fn func([]store.PairingFacts) error) error {
	return d.Store.ScanActivePairings(ctx, o, func(fs []store.PairingFacts) error {
		for i := range fs {
			if d.after == 0 {
				return errDied
			}
			d.after--
			if err := fn(fs[i : i+1]); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestOverdueScanThatDies: a scan that fails after any of the county's pairings (K1's digest is
// written once the scan has passed 王二, K2's once it has passed 李三) loses and repeats nothing: the
// next day's scan sends what it did not.
func TestOverdueScanThatDies(t *testing.T) {
	for _, b := range testenv.Backends() {
		for after := 0; after <= 2; after++ {
			t.Run(fmt.Sprintf("%s/dies after %d pairings", b.Name, after), func(t *testing.T) {
				c, clk, job := chunkedScan(t, b.Open(t))
				dying := job()
				dying.Store = &dyingScan{Store: c.st, after: after}
				clk.Set(scanAt(10))
				if _, err := dying.Run(context.Background(), scanAt(10)); err == nil {
					t.Fatal("the run whose scan failed succeeded")
				}
				nextDayAfterDeath(t, c, clk, job)
				checkLinked(t, c, -1)
			})
		}
	}
}

// failingReads fails the writer's reads for the digests it writes: the order of the cadres' last
// pairings, whether a recipient is owed anything else, or the names of the cadres that the lines past
// the cadre level name.
type failingReads struct {
	*store.Store
	fail string
}

func (f *failingReads) LastActivePairings(ctx context.Context, at time.Time) ([]store.CadreLast, error) {
	if f.fail == "order" {
		return nil, errDied
	}
	return f.Store.LastActivePairings(ctx, at)
}

func (f *failingReads) RecipientsWithPending(ctx context.Context, ids []domain.PersonID) (map[domain.PersonID]bool, error) {
	if f.fail == "pending" {
		return nil, errDied
	}
	return f.Store.RecipientsWithPending(ctx, ids)
}

func (f *failingReads) PersonNames(ctx context.Context, ids []domain.PersonID) (map[domain.PersonID]string, error) {
	if f.fail == "names" {
		return nil, errDied
	}
	return f.Store.PersonNames(ctx, ids)
}

// TestOverdueWriterThatFails: when the writer beside the scan fails on a read of its own, the run
// stops with the error and the next day's scan sends everything once.
func TestOverdueWriterThatFails(t *testing.T) {
	for _, b := range testenv.Backends() {
		for _, fail := range []string{"order", "pending", "names"} {
			t.Run(b.Name+"/"+fail, func(t *testing.T) {
				c, clk, job := chunkedScan(t, b.Open(t))
				dying := job()
				dying.Store = &failingReads{Store: c.st, fail: fail}
				clk.Set(scanAt(10))
				if _, err := dying.Run(context.Background(), scanAt(10)); err == nil {
					t.Fatal("the run whose writer failed succeeded")
				}
				nextDayAfterDeath(t, c, clk, job)
				checkLinked(t, c, -1)
			})
		}
	}
}

// TestOverdueCadreDigestTakenByAnotherRun: when another run has queued a different digest for a cadre
// today, the scan queues none, leaves the cadre's alerts it did not list unsent, and the next day's
// scan sends them, once.
func TestOverdueCadreDigestTakenByAnotherRun(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			c, clk, job := chunkedScan(t, b.Open(t))
			ctx := context.Background()
			other := fmt.Sprintf("overdue:20260310:%d", c.k1)
			_, err := c.st.EnqueueOutbox(ctx, store.OutboxMessage{Key: other, PersonID: &c.k1, Priority: store.PriorityAlert,
				CreatedAt: scanAt(10), Text: "another run's digest"})
			must(t, err)
			run(t, job(), clk, scanAt(10))
			if m := c.messages(t, "overdue:20260310:", c.k1); len(m) != 1 {
				t.Fatalf("K1 got %d messages on 03-10, want the other run's only: %q", len(m), m)
			}
			run(t, job(), clk, scanAt(11))
			m := c.messages(t, "overdue:20260311:", c.k1)
			if len(m) != 1 || !contains(m, "1. 王一（") || !contains(m, "2. 王二（") {
				t.Errorf("K1's messages on 03-11: %q, want one listing 王一 and 王二", m)
			}
			overdue, _ := heard(t, c)
			checkHeard(t, overdue, heardOnceEach())
			checkLinked(t, c, 9)
		})
	}
}

// TestOverdueStepStoredAlready: a step whose key is stored although no open alert shows it (K1's
// alert of 王一, closed while the spell goes on) fails the insert of its chunk, which the scan, having
// looked no key up, writes again with the look-up: the step is not raised or told twice.
func TestOverdueStepStoredAlready(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			c, clk, job := chunkedScan(t, b.Open(t))
			ctx := context.Background()
			run(t, job(), clk, scanAt(10))
			as, err := c.st.Alerts(ctx, time.Time{}, time.Time{})
			must(t, err)
			for _, a := range as {
				if a.Level == domain.AlertCadre && a.PairingID == c.pA {
					must(t, c.st.ResolveAlerts(ctx, []domain.AlertID{a.ID}, scanAt(10)))
				}
			}
			res := run(t, job(), clk, scanAt(11))
			if m := c.messages(t, "overdue:20260311:", c.k1); len(m) != 0 {
				t.Errorf("K1 heard on 03-11: %q, want nothing (told of 王一 on 03-10)", m)
			}
			if res["messages"] != 0 || res["alerts_cadre"] != 0 {
				t.Errorf("the second day: %v, want nothing written", res)
			}
			after, err := c.st.Alerts(ctx, time.Time{}, time.Time{})
			if err != nil || len(after) != len(as) {
				t.Errorf("%d alerts after the second day (%v), want the %d of the first", len(after), err, len(as))
			}
		})
	}
}
