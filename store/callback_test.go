package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// LastCallback finds the latest phone call-back about a month, from the sample's answer or from a
// phone confirmation of the month's reports, and nothing from chat answers or other months.
func TestLastCallback(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			cadre, ps := alertCounty(t, st)
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(st.UpsertPeople(ctx, []store.Person{{Code: "C", Name: "李协调", Roles: domain.MakeRoles(domain.RoleCoordinator)}}, nil))
			coord, err := st.PersonByCode(ctx, "C")
			must(err)
			hh, err := st.HouseholdsByCodes(ctx, []string{"A"})
			must(err)
			a := hh["A"].ID
			if _, err := st.LastCallback(ctx, "2026-10", a); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("nothing recorded: %v", err)
			}
			oct := time.Date(2026, 10, 14, 10, 0, 0, 0, clock.Shanghai)
			called := time.Date(2026, 11, 3, 9, 30, 0, 0, clock.Shanghai)
			visit := &store.CheckIn{PairingID: ps[0], CadreID: cadre, HouseholdID: a, Kind: domain.KindVisit, OccurredAt: oct, ReportedAt: oct}
			must(st.InsertFixture(ctx, visit,
				&store.SpotCheck{Month: "2026-10", HouseholdID: a, PairingID: ps[0], CadreID: cadre,
					Answer: domain.AnswerYes, AnsweredAt: &called, AnsweredBy: &coord.ID}))
			later := called.Add(26 * time.Hour)
			vc := &store.VisitConfirm{HouseholdID: a, Via: domain.ViaPhone, AskedAt: later, Answer: domain.AnswerPartly,
				AnsweredAt: &later, AnsweredBy: &coord.ID}
			must(st.InsertFixture(ctx, vc))
			must(st.InsertFixture(ctx, &store.ConfirmItem{ConfirmID: vc.ID, CheckInID: visit.ID}))

			got, err := st.LastCallback(ctx, "2026-10", a)
			must(err)
			if !got.At.Equal(later) || got.At.Location().String() != clock.Shanghai.String() || got.Answer != domain.AnswerPartly ||
				got.By != coord.ID || got.ByName != "李协调" {
				t.Errorf("latest call-back %+v, want the confirmation of %v by 李协调", got, later)
			}
			if _, err := st.LastCallback(ctx, "2026-09", a); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("another month: %v", err)
			}
		})
	}
}
