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

func TestLeave(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			if err := st.UpsertPeople(ctx, []store.Person{{Code: "K", Name: "干部", Roles: domain.MakeRoles(domain.RoleCadre)}}, nil); err != nil {
				t.Fatal(err)
			}
			k, err := st.PersonByCode(ctx, "K")
			if err != nil {
				t.Fatal(err)
			}
			// The bounds are days: a time of day on either end is dropped.
			if _, err := st.AddLeave(ctx, store.Leave{PersonID: k.ID, FromOn: clock.Date(2026, 12, 1).Add(15 * time.Hour), ToOn: clock.Date(2026, 12, 3).Add(9 * time.Hour)}); err != nil {
				t.Fatal(err)
			}
			cases := []struct {
				name string
				at   time.Time
				want bool
			}{
				{"day before", clock.Date(2026, 11, 30).Add(23 * time.Hour), false},
				{"first day, early morning", clock.Date(2026, 12, 1).Add(time.Hour), true},
				{"last day, evening", clock.Date(2026, 12, 3).Add(22 * time.Hour), true},
				{"day after", clock.Date(2026, 12, 4), false},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					on, err := st.OnLeave(ctx, k.ID, c.at)
					if err != nil || on != c.want {
						t.Errorf("OnLeave = %v, %v; want %v", on, err, c.want)
					}
					all, err := st.OnLeaveAt(ctx, c.at)
					if err != nil || all[k.ID] != c.want {
						t.Errorf("OnLeaveAt = %v, %v; want %v", all, err, c.want)
					}
				})
			}
			t.Run("end before start is refused", func(t *testing.T) {
				if _, err := st.AddLeave(ctx, store.Leave{PersonID: k.ID, FromOn: clock.Date(2026, 12, 5), ToOn: clock.Date(2026, 12, 4)}); err == nil {
					t.Error("accepted")
				}
				ls, err := st.LeavesOf(ctx, k.ID)
				if err != nil || len(ls) != 1 {
					t.Errorf("leaves %v, %v; want the one valid leave", ls, err)
				}
			})
		})
	}
}
