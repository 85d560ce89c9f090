package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/policy"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// earlierOf is, at each of summaryNows, what LatestBefore gives from the summary rows a scan asking
// for Earlier read, for every pairing whose row knows it: its latest check-in of each kind before the
// window, next to what LatestBeforeOf reads from check_ins (to the second, as the rows keep them). It
// returns how many pairings were known.
func earlierOf(t *testing.T, st *store.Store) (got, want map[string]string, known int) {
	t.Helper()
	ctx := context.Background()
	eng := policy.New(config.Defaults().Frequency)
	got, want = map[string]string{}, map[string]string{}
	for _, now := range summaryNows {
		o := store.ScanOptions{At: now, Bounds: eng.Bounds(now), Batch: 5, Earlier: true}
		var ids []domain.PairingID
		var read []store.PairingFacts
		err := st.ScanActivePairings(ctx, o, func(fs []store.PairingFacts) error {
			for _, f := range fs {
				if store.KnowsBeforeForTest(f) {
					read = append(read, f)
					ids = append(ids, f.Pairing.ID)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		fromRows, err := st.LatestBefore(ctx, read, o.Bounds[0])
		if err != nil {
			t.Fatal(err)
		}
		latest, err := st.LatestBeforeOf(ctx, ids, o.Bounds[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			key := fmt.Sprintf("%s %d", now.Format(time.DateOnly), id)
			got[key], want[key] = factsText(fromRows[id]), factsText(latest[id])
		}
		known += len(ids)
	}
	return got, want, known
}

func factsText(fs []store.CheckInFact) string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s@%d", f.Kind, f.At.Unix()))
	}
	slices.Sort(out)
	return fmt.Sprint(out)
}

func sameEarlier(t *testing.T, st *store.Store, what string, minKnown int) {
	t.Helper()
	got, want, known := earlierOf(t, st)
	if known < minKnown {
		t.Errorf("%s: %d pairings known, want at least %d", what, known, minKnown)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s: from the summary %s, from check_ins %s", what, k, got[k], w)
		}
	}
}

// TestSummaryKnowsTheLatestBeforeTheWindow: the latest check-in of each kind before a scan's window,
// read from the summary rows, is the one check_ins give, whether the rows are complete, pruned,
// pruned by a version that did not keep Earlier (the next prune fills it from check_ins), pruned
// again, or touched since by an undo or a back-dated report before CompleteFrom; the check agrees.
func TestSummaryKnowsTheLatestBeforeTheWindow(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			k, all := summaryDiary(t, st)
			sameEarlier(t, st, "complete rows", 3*12)
			prune := func(at time.Time) {
				t.Helper()
				if _, err := st.PruneSummaries(ctx, at); err != nil {
					t.Fatal(err)
				}
				checkClean(t, st, 12)
			}
			prune(clock.Date(2026, 3, 1))
			sameEarlier(t, st, "pruned", 3*12)
			must(t, st.ExecForTest(ctx, "UPDATE pairing_summaries SET earlier = NULL, earlier_at = NULL"))
			if all, known := earlierCount(t, st); known > 2 || all != 12 { // the two rows left complete still know
				t.Fatalf("rows without Earlier: %d of %d pairings known, want 2", known, all)
			}
			prune(time.Time{})
			sameEarlier(t, st, "filled from check_ins", 3*12)
			prune(clock.Date(2026, 4, 20).Add(300 * time.Millisecond))
			sameEarlier(t, st, "pruned again", 2*12)

			rows, err := st.CheckInsOfCadre(ctx, k.ID)
			must(t, err)
			undone := 0
			for _, c := range rows {
				if c.PairingID == all[1].ID && c.OccurredAt.Before(clock.Date(2026, 4, 1)) && undone < 2 {
					must(t, st.UndoCheckIn(ctx, c.ID, k.ID, clock.Date(2026, 11, 1)))
					undone++
				}
			}
			at := clock.Date(2026, 2, 27).Add(9 * time.Hour)
			key := "test:backdated"
			_, _, err = st.CreateCheckIn(ctx, store.CheckIn{PairingID: all[4].ID, CadreID: k.ID, HouseholdID: all[4].HouseholdID,
				Kind: domain.KindDeed, OccurredAt: at, ReportedAt: clock.Date(2026, 11, 1), SourceMsgID: &key}, k.ID)
			must(t, err)
			checkClean(t, st, 12)
			sameEarlier(t, st, "after an undo and a back-dated report", 2*11)
			prune(clock.Date(2026, 5, 1))
			sameEarlier(t, st, "pruned after them", 2*12)
		})
	}
}

// earlierCount counts the pairings whose rows know their Earlier in a scan at the last of summaryNows.
func earlierCount(t *testing.T, st *store.Store) (all, known int) {
	t.Helper()
	eng := policy.New(config.Defaults().Frequency)
	now := summaryNows[len(summaryNows)-1]
	o := store.ScanOptions{At: now, Bounds: eng.Bounds(now), Earlier: true}
	err := st.ScanActivePairings(context.Background(), o, func(fs []store.PairingFacts) error {
		for _, f := range fs {
			all++
			if store.KnowsBeforeForTest(f) {
				known++
			}
		}
		return nil
	})
	must(t, err)
	return all, known
}

// TestCheckSummariesFindsAWrongEarlier: a row whose Earlier is not the latest before CompleteFrom is
// reported; one that does not know it is not.
func TestCheckSummariesFindsAWrongEarlier(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			_, all := summaryDiary(t, st)
			if _, err := st.PruneSummaries(ctx, clock.Date(2026, 6, 1)); err != nil {
				t.Fatal(err)
			}
			must(t, st.ExecForTest(ctx, "UPDATE pairing_summaries SET earlier = '' WHERE pairing_id = ?", all[3].ID))
			must(t, st.ExecForTest(ctx, "UPDATE pairing_summaries SET earlier = '', earlier_at = NULL WHERE pairing_id = ?", all[6].ID))
			got, err := st.CheckSummaries(ctx)
			must(t, err)
			if got.Mismatched != 1 || got.Examples[0] != all[3].ID {
				t.Fatalf("check summaries = %+v, want pairing %d", got, all[3].ID)
			}
		})
	}
}
