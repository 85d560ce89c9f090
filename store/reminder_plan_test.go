package store_test

import (
	"context"
	"fmt"
	"testing"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// TestLastActivePairings: each cadre's highest pairing among those active at the instant (a pairing
// ended before or starting after it does not count), ordered by that id; a store bound to a
// transaction does not overlap.
func TestLastActivePairings(t *testing.T) {
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
			must(st.UpsertPeople(ctx, []store.Person{{Code: "K1", Name: "甲", Roles: domain.MakeRoles(domain.RoleCadre)},
				{Code: "K2", Name: "乙", Roles: domain.MakeRoles(domain.RoleCadre)}}, nil))
			ks, err := st.PeopleByCodes(ctx, []string{"K1", "K2"})
			must(err)
			must(st.UpsertHouseholds(ctx, []store.Household{{Code: "H", HeadName: "户主"}}, nil))
			h, err := st.HouseholdByCode(ctx, "H")
			must(err)
			at := clock.Date(2026, 6, 1)
			early, late, ended := clock.Date(2026, 1, 1), clock.Date(2026, 7, 1), clock.Date(2026, 5, 1)
			k1, k2 := ks["K1"].ID, ks["K2"].ID
			ps := []store.Pairing{ // ids in this order
				{CadreID: k1, StartOn: early}, {CadreID: k2, StartOn: early}, {CadreID: k1, StartOn: early},
				{CadreID: k2, StartOn: early, EndOn: &ended}, {CadreID: k1, StartOn: late}}
			for i := range ps {
				ps[i].Code, ps[i].HouseholdID = fmt.Sprintf("P%d", i+1), h.ID
				must(st.UpsertPairings(ctx, ps[i:i+1]))
			}
			byCode, err := st.PairingsByCodes(ctx, []string{"P2", "P3"})
			must(err)
			got, err := st.LastActivePairings(ctx, at)
			must(err)
			want := []store.CadreLast{{Cadre: k2, Last: byCode["P2"].ID}, {Cadre: k1, Last: byCode["P3"].ID}}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("LastActivePairings = %v, want %v (K2 by P2, then K1 by P3)", got, want)
			}
			if !st.Overlaps(ctx) {
				t.Error("a store on its pool does not overlap")
			}
			must(st.Tx(ctx, func(tx *store.Store) error {
				if tx.Overlaps(ctx) {
					t.Error("a store bound to a transaction overlaps")
				}
				return nil
			}))
		})
	}
}

// TestHasReminders: a stage has reminders once one of its rows is stored, not before, and not because
// another stage or another window has rows.
func TestHasReminders(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			k, ps := alertCounty(t, st)
			day := clock.Date(2026, 6, 12)
			if err := st.UpsertCampaigns(ctx, []store.Campaign{{Code: "w1", Name: "端午", Kind: domain.CampaignFestival, StartOn: day, EndOn: day},
				{Code: "w2", Name: "中秋", Kind: domain.CampaignFestival, StartOn: day, EndOn: day}}); err != nil {
				t.Fatal(err)
			}
			w1, err := st.CampaignByCode(ctx, "w1")
			if err != nil {
				t.Fatal(err)
			}
			w2, err := st.CampaignByCode(ctx, "w2")
			if err != nil {
				t.Fatal(err)
			}
			has := func(c domain.CampaignID, stage string) bool {
				t.Helper()
				ok, err := st.HasReminders(ctx, c, stage)
				if err != nil {
					t.Fatal(err)
				}
				return ok
			}
			if has(w1.ID, "open") {
				t.Error("a stage with no rows has reminders")
			}
			err = st.InsertReminders(ctx, []store.Reminder{{Key: "w1:1:open", PairingID: ps[0], CampaignID: &w1.ID, CadreID: k, Stage: "open", CreatedAt: day}})
			if err != nil {
				t.Fatal(err)
			}
			if !has(w1.ID, "open") || has(w1.ID, "half") || has(w2.ID, "open") {
				t.Errorf("after w1's open row: w1 open %v, w1 half %v, w2 open %v; want only w1 open",
					has(w1.ID, "open"), has(w1.ID, "half"), has(w2.ID, "open"))
			}
		})
	}
}
