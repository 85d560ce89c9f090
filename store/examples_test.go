package store_test

import (
	"context"
	"testing"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// TestRoleExamples: the cadre quoted is the first by code whose pairing is in force (C1's ended),
// the household is one of theirs, the head is found through the household when it has no HeadID,
// a person with two roles counts for each, and a role nobody has stays empty.
func TestRoleExamples(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			f := newOrgFixture(t, s)
			h2 := f.hhs["H2"].ID
			if err := s.UpsertPeople(ctx, []store.Person{{Code: "F2", Name: "王二", Roles: domain.MakeRoles(domain.RoleHousehold), HouseholdID: &h2}}, nil); err != nil {
				t.Fatal(err)
			}
			ended := clock.Date(2026, 3, 1)
			if err := s.UpsertPairings(ctx, []store.Pairing{
				{Code: "J1", CadreID: f.people["C1"].ID, HouseholdID: f.hhs["H1"].ID, StartOn: clock.Date(2026, 1, 1), EndOn: &ended},
				{Code: "J2", CadreID: f.people["C2"].ID, HouseholdID: h2, StartOn: clock.Date(2026, 1, 1)},
			}); err != nil {
				t.Fatal(err)
			}
			ex, err := s.RoleExamples(ctx, clock.Date(2026, 11, 23))
			if err != nil {
				t.Fatal(err)
			}
			got := []string{ex.Cadre.Code, ex.Household, ex.Head.Code, ex.Coord.Code, ex.Admin.Code}
			want := []string{"C2", "王二", "F2", "C3", ""}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("examples (cadre, household, head, coordinator, admin) = %q, want %q", got, want)
				}
			}
		})
	}
}
