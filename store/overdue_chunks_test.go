package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// TestSpellHistoryReadsInParallelChunks: the overdue pairings' older history, read in parts of 500 on
// two connections at once, is what one transaction reading them in turn finds; a cancelled read
// returns the cancellation, not a partial answer.
func TestSpellHistoryReadsInParallelChunks(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			k, ps := pairedCounty(t, st, 1300, func(int) domain.Tags { return domain.MakeTags() })
			var rows []store.CheckIn
			ids := make([]domain.PairingID, len(ps))
			for i, p := range ps {
				ids[i] = p.ID
				for n := range 1 + i%4 {
					at := clock.Date(2026, 2, 1).AddDate(0, 0, 3*i%90+n).Add(9 * time.Hour)
					rows = append(rows, store.CheckIn{PairingID: p.ID, CadreID: k.ID, HouseholdID: p.HouseholdID,
						Kind: domain.CheckInKinds[(i+n)%5], OccurredAt: at, ReportedAt: at})
				}
			}
			if err := st.Tx(ctx, func(tx *store.Store) error { return tx.BulkInsertCheckIns(ctx, rows) }); err != nil {
				t.Fatal(err)
			}
			before := clock.Date(2026, 6, 1)
			for name, read := range map[string]func(*store.Store, context.Context, []domain.PairingID, time.Time) (map[domain.PairingID][]store.CheckInFact, error){
				"latest": (*store.Store).LatestBeforeOf, "history": (*store.Store).HistoryOf,
			} {
				parallel, err := read(st, ctx, ids, before)
				if err != nil {
					t.Fatal(err)
				}
				var serial map[domain.PairingID][]store.CheckInFact
				if err := st.Tx(ctx, func(tx *store.Store) error { serial, err = read(tx, ctx, ids, before); return err }); err != nil {
					t.Fatal(err)
				}
				if len(parallel) != 1300 || fmt.Sprint(parallel) != fmt.Sprint(serial) {
					t.Errorf("%s: %d pairings in parallel, %d in turn; equal %v", name, len(parallel), len(serial), fmt.Sprint(parallel) == fmt.Sprint(serial))
				}
				cancelled, cancel := context.WithCancel(ctx)
				cancel()
				if _, err := read(st, cancelled, ids, before); !errors.Is(err, context.Canceled) {
					t.Errorf("%s cancelled: %v, want context.Canceled", name, err)
				}
			}
		})
	}
}
