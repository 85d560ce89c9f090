package store_test

import (
	"context"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// TestRelayPairings: A hands X and Y to B, who already has Y; then, in the same second, B hands
// both to C. Pairings end and start at the relay's moment (to the second), nothing is paired twice,
// no pairing of no length is left, the open request follows the household, and the last contact
// is read through the chain.
func TestRelayPairings(t *testing.T) {
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
			cadre := domain.MakeRoles(domain.RoleCadre)
			must(st.UpsertPeople(ctx, []store.Person{{Code: "A", Name: "甲", Roles: cadre}, {Code: "B", Name: "乙", Roles: cadre}, {Code: "C", Name: "丙", Roles: cadre}}, nil))
			must(st.UpsertHouseholds(ctx, []store.Household{{Code: "X", HeadName: "户X"}, {Code: "Y", HeadName: "户Y"}}, nil))
			ps, err := st.PeopleByCodes(ctx, []string{"A", "B", "C"})
			must(err)
			hs, err := st.HouseholdsByCodes(ctx, []string{"X", "Y"})
			must(err)
			a, bb, c, x, y := ps["A"].ID, ps["B"].ID, ps["C"].ID, hs["X"].ID, hs["Y"].ID
			must(st.UpsertPairings(ctx, []store.Pairing{{Code: "AX", CadreID: a, HouseholdID: x, StartOn: clock.Date(2026, 1, 1)},
				{Code: "AY", CadreID: a, HouseholdID: y, StartOn: clock.Date(2026, 1, 1)}, {Code: "BY", CadreID: bb, HouseholdID: y, StartOn: clock.Date(2026, 3, 1)}}))
			pairs, err := st.PairingsByCodes(ctx, []string{"AX", "AY", "BY"})
			must(err)
			visit := time.Date(2026, 11, 3, 10, 0, 0, 0, clock.Shanghai)
			must(st.InsertFixture(ctx,
				&store.CheckIn{PairingID: pairs["AX"].ID, CadreID: a, HouseholdID: x, Kind: domain.KindVisit, OccurredAt: visit, ReportedAt: visit},
				&store.Request{HouseholdID: x, PersonID: a, PairingID: ptr(pairs["AX"].ID), AssigneeID: &a, Kind: "request", Category: "就医", Status: domain.StatusNew}))

			at := time.Date(2026, 11, 20, 14, 30, 5, 123456789, clock.Shanghai)
			moves, err := st.RelayPairings(ctx, store.Relay{From: a, To: bb, Actor: a, At: at}, nil)
			must(err)
			sec := at.Truncate(time.Second)
			if len(moves) != 2 || moves[0].New == nil || moves[1].Already == nil || moves[1].Already.ID != pairs["BY"].ID || moves[0].Requests != 1 {
				t.Fatalf("moves %+v", moves)
			}
			old, err := st.PairingByCode(ctx, "AX")
			must(err)
			if old.EndOn == nil || !old.EndOn.Equal(sec) || !moves[0].New.StartOn.Equal(sec) {
				t.Errorf("AX ends %v, the new pairing starts %v; want both at %v", old.EndOn, moves[0].New.StartOn, sec)
			}
			reqs, err := st.RequestsOfHousehold(ctx, x)
			must(err)
			if len(reqs) != 1 || *reqs[0].AssigneeID != bb || *reqs[0].PairingID != moves[0].New.ID {
				t.Errorf("request %+v not moved to B's pairing %d", reqs, moves[0].New.ID)
			}

			again, err := st.RelayPairings(ctx, store.Relay{From: bb, To: c, Actor: a, At: at}, nil)
			must(err)
			if len(again) != 2 {
				t.Fatalf("second relay moved %d, want 2", len(again))
			}
			cs, err := st.ActivePairingsOfCadre(ctx, c, sec)
			must(err)
			if len(cs) != 2 {
				t.Fatalf("C has %d pairings, want 2", len(cs))
			}
			for _, code := range []string{"AX", "AY", "BY", moves[0].New.Code} {
				p, err := st.PairingByCode(ctx, code)
				must(err)
				if p.EndOn != nil && !p.EndOn.After(p.StartOn) {
					t.Errorf("pairing %s lasts no time: %v → %v", code, p.StartOn, *p.EndOn)
				}
			}
			last, err := st.LastCheckInAt(ctx, []domain.PairingID{cs[0].ID, cs[1].ID})
			must(err)
			for _, p := range cs {
				if p.HouseholdID == x && !last[p.ID].Equal(visit) {
					t.Errorf("C's last contact with X = %v, want A's visit %v", last[p.ID], visit)
				}
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
