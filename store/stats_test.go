package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/report/reporttest"
	"qinqi/internal/testenv"
	"qinqi/store"
)

func TestStatsQueriesRespectUnitsAndPeriod(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			f := reporttest.Seed(t, s)
			nov := store.StatsFilter{From: time.Date(2026, 11, 1, 0, 0, 0, 0, clock.Shanghai), To: time.Date(2026, 12, 1, 0, 0, 0, 0, clock.Shanghai)}
			cases := []struct {
				name              string
				units             []domain.UnitID
				checkIns, reached int64
				paired, requests  int64
			}{
				{"every unit", nil, 8, 4, 4, 2},
				{"agriculture tree", []domain.UnitID{f.Agri.ID, f.Station.ID}, 6, 3, 3, 1},
				{"station only", []domain.UnitID{f.Station.ID}, 2, 1, 1, 0},
				{"education", []domain.UnitID{f.Edu.ID}, 2, 1, 1, 1},
				{"empty scope sees nothing", []domain.UnitID{}, 0, 0, 0, 0},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					q := nov
					q.Units = c.units
					tallies, err := s.CheckInTallies(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					var n int64
					for _, k := range tallies {
						n += k.N
					}
					reached, _, err := s.HouseholdsReached(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					paired, _, err := s.HouseholdsPaired(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					reqs, err := s.RequestTallies(ctx, q, reporttest.Now)
					if err != nil {
						t.Fatal(err)
					}
					var opened int64
					for _, r := range reqs {
						opened += r.Opened
					}
					if n != c.checkIns || reached != c.reached || paired != c.paired || opened != c.requests {
						t.Errorf("check-ins %d reached %d paired %d requests %d; want %d %d %d %d",
							n, reached, paired, opened, c.checkIns, c.reached, c.paired, c.requests)
					}
				})
			}
		})
	}
}

func TestPairingsReportedAndLabels(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			f := reporttest.Seed(t, s)
			from := time.Date(2026, 11, 10, 0, 0, 0, 0, clock.Shanghai)
			total, reported, err := s.PairingsReported(ctx, []domain.UnitID{f.Agri.ID, f.Station.ID}, reporttest.Now, from, reporttest.Now)
			if err != nil || total != 3 || reported != 2 {
				t.Errorf("agri: total %d reported %d (%v); want 3, 2", total, reported, err)
			}
			total, reported, err = s.PairingsReported(ctx, nil, reporttest.Now, from, reporttest.Now)
			if err != nil || total != 4 || reported != 2 {
				t.Errorf("all: total %d reported %d (%v); want 4, 2", total, reported, err)
			}
			labels, err := s.PairingLabels(ctx, []domain.PairingID{f.P1.ID, f.P4.ID})
			if err != nil || labels[f.P1.ID].HeadName != "王春发" || labels[f.P4.ID].UnitName != "县教育局" || labels[f.P4.ID].CadreName != "郑干部" {
				t.Errorf("labels = %+v, %v", labels, err)
			}
			var seen []domain.PairingID
			err = s.ScanUnitPairings(ctx, []domain.UnitID{f.Station.ID}, store.ScanOptions{At: reporttest.Now, Since: from, Batch: 1},
				func(ps []store.PairingFacts) error {
					for _, p := range ps {
						seen = append(seen, p.Pairing.ID)
					}
					return nil
				})
			if err != nil || len(seen) != 1 || seen[0] != f.P3.ID {
				t.Errorf("station scan = %v, %v", seen, err)
			}
		})
	}
}

func TestRelayPairingsKeepsHistory(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			f := reporttest.Seed(t, s)
			r := store.Relay{From: f.Cadre1.ID, To: f.Spare.ID, Actor: f.CoordAgri.ID, At: reporttest.Now}
			moves, err := s.RelayPairings(ctx, r, func(ms []store.RelayMove) []store.OutboxMessage {
				id := f.Spare.ID
				return []store.OutboxMessage{{Key: "relay-test", PersonID: &id, Text: "接力", CreatedAt: reporttest.Now}}
			})
			if err != nil || len(moves) != 2 {
				t.Fatalf("moves = %v, %v", moves, err)
			}
			old, err := s.PairingByID(ctx, f.P1.ID)
			if err != nil || old.EndOn == nil || old.EndReason != store.RelayReason {
				t.Errorf("old pairing = %+v, %v", old, err)
			}
			now, err := s.ActivePairingsOfCadre(ctx, f.Spare.ID, reporttest.Now)
			if err != nil || len(now) != 2 || now[0].RelayedFromID == nil {
				t.Errorf("new pairings = %+v, %v", now, err)
			}
			if left, _ := s.ActivePairingsOfCadre(ctx, f.Cadre1.ID, reporttest.Now); len(left) != 0 {
				t.Errorf("old cadre still has %d pairings", len(left))
			}
			audit, err := s.AuditOf(ctx, "pairing", int64(f.P1.ID))
			if err != nil || len(audit) != 1 || audit[0].ActorID == nil || *audit[0].ActorID != f.CoordAgri.ID {
				t.Errorf("audit = %+v, %v", audit, err)
			}
			if _, err := s.OutboxByKey(ctx, "relay-test"); err != nil {
				t.Errorf("notification not enqueued: %v", err)
			}
			_, err = s.RelayPairings(ctx, r, nil)
			if !errors.Is(err, store.ErrNothingToRelay) {
				t.Errorf("second relay: %v, want ErrNothingToRelay", err)
			}
		})
	}
}
