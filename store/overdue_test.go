package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/policy"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// TestGroupedScanEvaluatesLikeTheCheckIns checks that the grouped form of ScanActivePairings (one
// aggregate query per batch) gives the rules exactly what the individual check-ins give them.
func TestGroupedScanEvaluatesLikeTheCheckIns(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			k, _ := pairedCounty(t, st, 12, func(i int) domain.Tags {
				if i%3 == 0 {
					return domain.MakeTags(domain.TagMonitored)
				}
				return domain.MakeTags(domain.TagLifted)
			})
			all, err := st.AllPairings(ctx)
			must(err)
			// Pairing i gets a check-in every (i+1)*9 days, kinds rotating; one in three is undone.
			var rows []any
			for i, p := range all {
				for d, n := 3, 0; d < 320; d, n = d+(i+1)*9, n+1 {
					at := clock.Date(2026, 1, 1).AddDate(0, 0, d).Add(10 * time.Hour)
					c := &store.CheckIn{PairingID: p.ID, CadreID: k.ID, HouseholdID: p.HouseholdID, Kind: domain.CheckInKinds[n%5], OccurredAt: at, ReportedAt: at}
					if n%3 == 2 {
						c.UndoneAt = &at
					}
					rows = append(rows, c)
				}
			}
			must(st.InsertFixture(ctx, rows...))
			eng := policy.New(config.Defaults().Frequency)
			for _, now := range []time.Time{clock.Date(2026, 8, 3).Add(9 * time.Hour), clock.Date(2026, 10, 1).Add(8 * time.Hour), clock.Date(2026, 11, 20)} {
				eval := func(o store.ScanOptions) map[domain.PairingID]string {
					out := map[domain.PairingID]string{}
					must(st.ScanActivePairings(ctx, o, func(fs []store.PairingFacts) error {
						for _, f := range fs {
							cs := make([]policy.CheckIn, len(f.CheckIns))
							for i, c := range f.CheckIns {
								cs[i] = policy.CheckIn{Kind: c.Kind, At: c.At}
							}
							s := eng.Evaluate(policy.Pairing{Tags: f.Tags, Start: f.Pairing.StartOn}, cs, now)
							out[f.Pairing.ID] = fmt.Sprintf("due=%v overdue=%v since=%s %s", s.Due, s.Overdue, s.OverdueSince.Format(time.DateOnly), s.Summary(now))
						}
						return nil
					}))
					return out
				}
				raw := eval(store.ScanOptions{At: now, Since: eng.Lookback(now), LatestBefore: true, Batch: 5})
				grouped := eval(store.ScanOptions{At: now, Bounds: eng.Bounds(now), LatestBefore: true, Batch: 5})
				t.Run(now.Format(time.DateOnly), func(t *testing.T) {
					if len(raw) != 12 {
						t.Fatalf("scanned %d pairings, want 12", len(raw))
					}
					overdue := 0
					for id, want := range raw {
						if grouped[id] != want {
							t.Errorf("pairing %d: grouped %q, individual %q", id, grouped[id], want)
						}
						if strings.Contains(want, "overdue=true") {
							overdue++
						}
					}
					if overdue == 0 {
						t.Error("no overdue pairing: the fixture does not exercise the ladder")
					}
				})
			}
		})
	}
}

// TestScanReadsAheadInOrder: with the next batches read while the caller works, every active pairing
// still comes once, in id order, in batches of the asked size (ids are dense here); a caller's error stops the scan with
// that error and no further batch; a store bound to a transaction scans the same way without it.
func TestScanReadsAheadInOrder(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			pairedCounty(t, st, 12, func(int) domain.Tags { return domain.MakeTags(domain.TagLifted) })
			o := store.ScanOptions{At: clock.Date(2026, 6, 1), Bounds: []time.Time{clock.Date(2026, 5, 1)}, Batch: 5}
			scan := func(s *store.Store, stopAt int) (sizes []int, ids []domain.PairingID, err error) {
				err = s.ScanActivePairings(ctx, o, func(fs []store.PairingFacts) error {
					sizes = append(sizes, len(fs))
					for _, f := range fs {
						ids = append(ids, f.Pairing.ID)
					}
					if len(sizes) == stopAt {
						return errStop
					}
					return nil
				})
				return sizes, ids, err
			}
			check := func(name string, sizes []int, ids []domain.PairingID, err error) {
				t.Helper()
				if err != nil || fmt.Sprint(sizes) != "[5 5 2]" || len(ids) != 12 {
					t.Fatalf("%s: batches %v, %d pairings, %v; want [5 5 2], 12", name, sizes, len(ids), err)
				}
				for i := 1; i < len(ids); i++ {
					if ids[i] <= ids[i-1] {
						t.Fatalf("%s: pairing %d after %d: not in id order", name, ids[i], ids[i-1])
					}
				}
			}
			sizes, ids, err := scan(st, 0)
			check("read-ahead", sizes, ids, err)
			must(st.Tx(ctx, func(tx *store.Store) error {
				sizes, ids, err := scan(tx, 0)
				check("in a transaction", sizes, ids, err)
				return nil
			}))
			sizes, _, err = scan(st, 2)
			if err != errStop || fmt.Sprint(sizes) != "[5 5]" {
				t.Errorf("stopped at the second batch: batches %v, %v; want [5 5], errStop", sizes, err)
			}
			cancelled, cancel := context.WithCancel(ctx)
			cancel()
			if err := st.ScanActivePairings(cancelled, o, func([]store.PairingFacts) error { return nil }); err == nil {
				t.Error("a cancelled scan returned no error")
			}
		})
	}
}

// TestScanSkipsRangesWithoutActivePairings: batches are ranges of pairing ids, read by two readers at
// once; a range whose pairings have not started yet gives no batch (the caller never sees an empty
// one), ranges come back in id order around the gap, and a transaction scans the same ranges.
func TestScanSkipsRangesWithoutActivePairings(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			_, all := pairedCounty(t, st, 27, func(int) domain.Tags { return domain.MakeTags(domain.TagLifted) })
			later := slices.Clone(all[12:24]) // ids 13–24 start after the scan's day
			for i := range later {
				later[i].StartOn = clock.Date(2026, 7, 1)
			}
			if err := st.UpsertPairings(ctx, later); err != nil {
				t.Fatal(err)
			}
			o := store.ScanOptions{At: clock.Date(2026, 6, 1), Bounds: []time.Time{clock.Date(2026, 5, 1)}, Batch: 5, Lean: true}
			scan := func(s *store.Store) (got []string) {
				err := s.ScanActivePairings(ctx, o, func(fs []store.PairingFacts) error {
					var ids []string
					for _, f := range fs {
						ids = append(ids, fmt.Sprint(f.Pairing.ID-all[0].ID+1))
						if f.HeadName == "" || f.Pairing.Code != "" || f.HeadID != nil {
							t.Errorf("a lean scan read pairing %d's code %q and head %v, or not the head's name %q", f.Pairing.ID,
								f.Pairing.Code, f.HeadID, f.HeadName)
						}
					}
					got = append(got, strings.Join(ids, " "))
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				return got
			}
			want := "1 2 3 4 5 | 6 7 8 9 10 | 11 12 | 25 | 26 27"
			if got := strings.Join(scan(st), " | "); got != want {
				t.Errorf("batches %s, want %s", got, want)
			}
			if err := st.Tx(ctx, func(tx *store.Store) error {
				if got := strings.Join(scan(tx), " | "); got != want {
					t.Errorf("in a transaction: batches %s, want %s", got, want)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

var errStop = fmt.Errorf("caller stops")
