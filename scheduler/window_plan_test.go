package scheduler_test

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/scheduler"
	"qinqi/store"
)

// The planner writes a cadre's digest while the scan goes on, once the scan has passed the cadre's last
// pairing. These tests scan one pairing a batch and write one cadre a transaction, on the fixture
// county plus 赵四, a fourth household of K1 paired last: K1's pairings are A, B and D, K2's is C, so
// K2 is complete (and written) before the scan reaches D.

var (
	errWriter = errors.New("test: the writer's transaction fails")
	errScan   = errors.New("test: the scan fails")
)

// faultyStore is the real store with a failure or a stale read put in.
type faultyStore struct {
	*store.Store
	failTx    int32 // the Tx call that fails (1-based); 0: none
	txs       atomic.Int32
	failBatch int // the scan batch that fails instead of being handed on (1-based); 0: none
	lasts     func([]store.CadreLast) []store.CadreLast
	noneYet   bool // HasReminders says no row of the stage is stored, as before another run wrote them
}

func (f *faultyStore) HasReminders(ctx context.Context, campaign domain.CampaignID, stage string) (bool, error) {
	if f.noneYet {
		return false, nil
	}
	return f.Store.HasReminders(ctx, campaign, stage)
}

func (f *faultyStore) Tx(ctx context.Context, fn func(tx *store.Store) error) error {
	if f.txs.Add(1) == f.failTx {
		return errWriter
	}
	return f.Store.Tx(ctx, fn)
}

func (f *faultyStore) ScanActivePairings(ctx context.Context, o store.ScanOptions, fn func([]store.PairingFacts) error) error {
	n := 0
	return f.Store.ScanActivePairings(ctx, o, func(fs []store.PairingFacts) error {
		if n++; n == f.failBatch {
			return errScan
		}
		return fn(fs)
	})
}

func (f *faultyStore) LastActivePairings(ctx context.Context, at time.Time) ([]store.CadreLast, error) {
	ls, err := f.Store.LastActivePairings(ctx, at)
	if err == nil && f.lasts != nil {
		ls = f.lasts(ls)
	}
	return ls, err
}

// overlapCounty is the fixture county with 赵四 (household D, pairing PD of K1, the highest id).
func overlapCounty(t *testing.T, st *store.Store) (*county, domain.PairingID) {
	t.Helper()
	ctx := context.Background()
	c := newCounty(t, st)
	must(t, st.UpsertHouseholds(ctx, []store.Household{{Code: "D", HeadName: "赵四"}}, nil))
	hh, err := st.HouseholdsByCodes(ctx, []string{"D"})
	must(t, err)
	must(t, st.UpsertPairings(ctx, []store.Pairing{{Code: "PD", CadreID: c.k1, HouseholdID: hh["D"].ID, StartOn: clock.Date(2026, 1, 1)}}))
	ps, err := st.PairingsByCodes(ctx, []string{"PD"})
	must(t, err)
	return c, ps["PD"].ID
}

// overlapJob is the production window reminders job on s, one pairing a batch, one cadre a transaction.
func overlapJob(t *testing.T, c *county, s scheduler.Store, clk clock.Clock) *scheduler.WindowReminders {
	t.Helper()
	j := jobsByName(t, c.st, clk, defaults())["window-reminders"].(*scheduler.WindowReminders)
	j.Store, j.ScanBatch, j.CadresPerTx = s, 1, 1
	return j
}

// duanwuOpen is the opening run of 端午 2026 (06-12 → 06-19).
var duanwuOpen = clock.Date(2026, 6, 12).Add(9 * time.Hour)

// listed counts, per household head, the 端午 digests naming it, and the digests each cadre got.
func listed(t *testing.T, c *county) (heads map[string]int, digests map[string]int) {
	t.Helper()
	heads, digests = map[string]int{}, map[string]int{}
	for who, k := range map[string]domain.PersonID{"K1": c.k1, "K2": c.k2} {
		for _, m := range c.messages(t, "remind:", k) {
			digests[who]++
			for _, h := range []string{"王一", "王二", "李三", "赵四"} {
				heads[h] += strings.Count(m, h)
			}
		}
	}
	return heads, digests
}

func wantEach(t *testing.T, got map[string]int, want int, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if got[k] != want {
			t.Errorf("%s: %d, want %d (all %v)", k, got[k], want, got)
		}
	}
}

func reminderRows(t *testing.T, c *county) int {
	t.Helper()
	rs, err := c.st.Reminders(context.Background(), store.ReminderFilter{})
	must(t, err)
	return len(rs)
}

// TestDigestOfACadreWhosePairingsAreApart: K2 is written mid-scan, K1 only after D; K1 still gets one
// digest with all three households.
func TestDigestOfACadreWhosePairingsAreApart(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			c, _ := overlapCounty(t, b.Open(t))
			clk := clock.NewFake(duanwuOpen)
			res, err := overlapJob(t, c, c.st, clk).Run(context.Background(), duanwuOpen)
			must(t, err)
			heads, digests := listed(t, c)
			wantEach(t, digests, 1, "K1", "K2")
			wantEach(t, heads, 1, "王一", "王二", "李三", "赵四")
			if res["messages"] != 2 || res["reminders_open"] != 4 || reminderRows(t, c) != 4 {
				t.Errorf("counts %v, %d rows; want 2 digests for 4 rows", res, reminderRows(t, c))
			}
		})
	}
}

// TestWriterFailureMidRun: K2's transaction commits, K1's fails; the run stops with that error and the
// next run of the slot writes K1's digest, with nothing twice.
func TestWriterFailureMidRun(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			c, _ := overlapCounty(t, b.Open(t))
			clk := clock.NewFake(duanwuOpen)
			_, err := overlapJob(t, c, &faultyStore{Store: c.st, failTx: 2}, clk).Run(context.Background(), duanwuOpen)
			if !errors.Is(err, errWriter) {
				t.Fatalf("run error %v, want the writer's", err)
			}
			if heads, digests := listed(t, c); digests["K1"] != 0 || digests["K2"] != 1 || heads["李三"] != 1 || reminderRows(t, c) != 1 {
				t.Errorf("after the failure: digests %v, heads %v, %d rows; want K2's alone", digests, heads, reminderRows(t, c))
			}
			res := run(t, overlapJob(t, c, c.st, clk), clk, duanwuOpen)
			heads, digests := listed(t, c)
			wantEach(t, digests, 1, "K1", "K2")
			wantEach(t, heads, 1, "王一", "王二", "李三", "赵四")
			if res["messages"] != 1 || res["reminders_open"] != 3 || reminderRows(t, c) != 4 {
				t.Errorf("the retry: %v, %d rows; want K1's digest for 3 rows, 4 in all", res, reminderRows(t, c))
			}
		})
	}
}

// TestScanFailureMidRun: the scan fails after handing K2 on; the run stops with the scan's error
// (K2's transaction may or may not have committed) and the next run completes the slot once.
func TestScanFailureMidRun(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			c, _ := overlapCounty(t, b.Open(t))
			clk := clock.NewFake(duanwuOpen)
			_, err := overlapJob(t, c, &faultyStore{Store: c.st, failBatch: 4}, clk).Run(context.Background(), duanwuOpen)
			if !errors.Is(err, errScan) {
				t.Fatalf("run error %v, want the scan's", err)
			}
			if _, digests := listed(t, c); digests["K1"] != 0 {
				t.Errorf("K1 got a digest before the scan reached D: %v", digests)
			}
			run(t, overlapJob(t, c, c.st, clk), clk, duanwuOpen)
			heads, digests := listed(t, c)
			wantEach(t, digests, 1, "K1", "K2")
			wantEach(t, heads, 1, "王一", "王二", "李三", "赵四")
			if n := reminderRows(t, c); n != 4 {
				t.Errorf("%d reminder rows, want 4", n)
			}
		})
	}
}

// TestPairingMadeDuringTheRun: D is paired after the run read the last pairings (K1's is B then), so
// K1's digest is written before the scan meets D; D waits for the next run, which reminds it.
func TestPairingMadeDuringTheRun(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			c, pD := overlapCounty(t, b.Open(t))
			stale := func(ls []store.CadreLast) []store.CadreLast {
				for i := range ls {
					if ls[i].Last == pD {
						ls[i].Last = c.pB
					}
				}
				slices.SortFunc(ls, func(a, b store.CadreLast) int { return cmp.Compare(a.Last, b.Last) })
				return ls
			}
			clk := clock.NewFake(duanwuOpen)
			res, err := overlapJob(t, c, &faultyStore{Store: c.st, lasts: stale}, clk).Run(context.Background(), duanwuOpen)
			must(t, err)
			if heads, _ := listed(t, c); heads["赵四"] != 0 || heads["王一"] != 1 || res["reminders_open"] != 3 {
				t.Errorf("opening run: heads %v, counts %v; want 赵四 left for the next run", heads, res)
			}
			next := clock.Date(2026, 6, 13).Add(9 * time.Hour)
			run(t, overlapJob(t, c, c.st, clk), clk, next)
			if got := c.messages(t, "remind:2026-06-13", c.k1); len(got) != 1 || !contains(got, "赵四") || contains(got, "王一") {
				t.Errorf("K1 on 06-13: %q, want one digest naming 赵四 alone", got)
			}
		})
	}
}

// TestPlanInsideATransaction: a store bound to a transaction has one connection, so the planner scans
// and then writes in turn; the digests are the same.
func TestPlanInsideATransaction(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			c, _ := overlapCounty(t, b.Open(t))
			clk := clock.NewFake(duanwuOpen)
			var res scheduler.Result
			must(t, c.st.Tx(context.Background(), func(tx *store.Store) error {
				var err error
				res, err = overlapJob(t, c, tx, clk).Run(context.Background(), duanwuOpen)
				return err
			}))
			heads, digests := listed(t, c)
			wantEach(t, digests, 1, "K1", "K2")
			wantEach(t, heads, 1, "王一", "王二", "李三", "赵四")
			if res["messages"] != 2 || res["reminders_open"] != 4 {
				t.Errorf("counts %v, want 2 digests for 4 rows", res)
			}
		})
	}
}

// TestStageWrittenAfterTheRunBegan: a run found no row of the stage when it began, so it does not look
// the keys up, but another run has written them all meanwhile; each chunk's insert finds them, the
// chunk is planned again with the look-up, and nothing is sent twice.
func TestStageWrittenAfterTheRunBegan(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			c, _ := overlapCounty(t, b.Open(t))
			clk := clock.NewFake(duanwuOpen)
			run(t, overlapJob(t, c, c.st, clk), clk, duanwuOpen)
			res, err := overlapJob(t, c, &faultyStore{Store: c.st, noneYet: true}, clk).Run(context.Background(), duanwuOpen)
			must(t, err)
			heads, digests := listed(t, c)
			wantEach(t, digests, 1, "K1", "K2")
			wantEach(t, heads, 1, "王一", "王二", "李三", "赵四")
			if res["messages"] != 0 || res["reminders_open"] != 0 || reminderRows(t, c) != 4 {
				t.Errorf("the late run: %v, %d rows; want nothing new, 4 rows", res, reminderRows(t, c))
			}
		})
	}
}
