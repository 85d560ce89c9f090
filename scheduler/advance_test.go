package scheduler_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/testenv"
	"qinqi/scheduler"
)

// seenJob records, for every run, its slot and what the clock said while it ran.
type seenJob struct {
	name, spec string
	clk        clock.Clock
	mu         *sync.Mutex
	log        *[]string
}

func (j seenJob) Name() string     { return j.name }
func (j seenJob) Schedule() string { return j.spec }
func (j seenJob) Run(_ context.Context, at time.Time) (scheduler.Result, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	*j.log = append(*j.log, j.name+" "+scheduler.Slot(at)+" clock "+scheduler.Slot(j.clk.Now()))
	return nil, nil
}

// TestAdvanceRunsEachDueSlotOnceInTimeOrder is the demo clock: three advances over four days run
// every firing in between once, in time order, with the clock at the firing; an advance that ends
// exactly on a slot runs it, and the next advance does not run it again.
func TestAdvanceRunsEachDueSlotOnceInTimeOrder(t *testing.T) {
	clk := clock.NewFake(time.Date(2027, 1, 20, 9, 0, 0, 0, clock.Shanghai))
	var mu sync.Mutex
	var log []string
	r := newRunner(testenv.KV(t), testenv.SQLite(t), clk, "demo")
	must(t, r.Add(seenJob{"scan", "30 8 * * *", clk, &mu, &log}, seenJob{"deadlines", "15 9,14,18 * * *", clk, &mu, &log}))
	settles := 0
	settle := func(context.Context) { settles++ }
	ctx := context.Background()
	if n := r.Advance(ctx, clk, 23*time.Hour+30*time.Minute, settle); n != 4 {
		t.Errorf("first advance ran %d slots, want 4", n)
	}
	if n := r.Advance(ctx, clk, 2*time.Hour, settle); n != 1 {
		t.Errorf("second advance ran %d slots, want 1 (09:15; 08:30 already ran)", n)
	}
	if n := r.Advance(ctx, clk, 3*24*time.Hour, nil); n != 3*4 {
		t.Errorf("third advance ran %d slots, want 12", n)
	}
	want := []string{
		"deadlines 2027-01-20T09:15", "deadlines 2027-01-20T14:15", "deadlines 2027-01-20T18:15", "scan 2027-01-21T08:30",
		"deadlines 2027-01-21T09:15",
		"deadlines 2027-01-21T14:15", "deadlines 2027-01-21T18:15",
		"scan 2027-01-22T08:30", "deadlines 2027-01-22T09:15", "deadlines 2027-01-22T14:15", "deadlines 2027-01-22T18:15",
		"scan 2027-01-23T08:30", "deadlines 2027-01-23T09:15", "deadlines 2027-01-23T14:15", "deadlines 2027-01-23T18:15",
		"scan 2027-01-24T08:30", "deadlines 2027-01-24T09:15",
	}
	if len(log) != len(want) {
		t.Fatalf("ran %d times, want %d:\n%v", len(log), len(want), log)
	}
	for i, w := range want {
		slot := w[len(w)-16:]
		if log[i] != w+" clock "+slot {
			t.Errorf("run %d: %q, want %q with the clock at the slot", i+1, log[i], w+" clock "+slot)
		}
	}
	if got := scheduler.Slot(clk.Now()); got != "2027-01-24T10:30" {
		t.Errorf("clock after the advances: %s, want 2027-01-24T10:30", got)
	}
	if settles != 4+1+1+1 { // before each firing and once at the end of each advance
		t.Errorf("settle ran %d times, want 7", settles)
	}
}
