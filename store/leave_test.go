package store_test

import (
	"context"
	"slices"
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

// TestEndLeaveBy: 销假 on a day ends the leaves covering it the day before (removes one starting that
// day), leaves a later one, writes an audit row each, and changes nothing for someone not on leave.
func TestEndLeaveBy(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			if err := st.UpsertPeople(ctx, []store.Person{{Code: "K", Name: "干部", Roles: domain.MakeRoles(domain.RoleCadre)},
				{Code: "C", Name: "协调员", Roles: domain.MakeRoles(domain.RoleCoordinator)}}, nil); err != nil {
				t.Fatal(err)
			}
			k, err := st.PersonByCode(ctx, "K")
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, l := range [][2]int{{1, 10}, {5, 12}, {20, 25}} {
				row, err := st.AddLeave(ctx, store.Leave{PersonID: k.ID, FromOn: clock.Date(2026, 12, l[0]), ToOn: clock.Date(2026, 12, l[1])})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, row.ID)
			}
			back := clock.Date(2026, 12, 5).Add(10 * time.Hour)
			n, err := st.EndLeaveBy(ctx, k.ID, back, 99, back)
			if err != nil || n != 2 {
				t.Fatalf("EndLeaveBy = %d, %v; want the two leaves covering 12-05", n, err)
			}
			ls, err := st.LeavesOf(ctx, k.ID)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range ls {
				got = append(got, l.FromOn.Format("01-02")+".."+l.ToOn.Format("01-02"))
			}
			if want := []string{"12-20..12-25", "12-01..12-04"}; !slices.Equal(got, want) {
				t.Errorf("leaves %v, want %v", got, want)
			}
			if on, err := st.OnLeave(ctx, k.ID, back); err != nil || on {
				t.Errorf("OnLeave after 销假 = %v, %v", on, err)
			}
			if n, err := st.EndLeaveBy(ctx, k.ID, back, 99, back); err != nil || n != 0 {
				t.Errorf("second EndLeaveBy = %d, %v; want nothing to end", n, err)
			}
			for i, id := range ids {
				audits, err := st.AuditOf(ctx, "leave", id)
				if err != nil {
					t.Fatal(err)
				}
				if ended := len(audits) == 1 && audits[0].Action == store.ActLeaveEnd; ended != (i < 2) {
					t.Errorf("leave %d: audit rows %+v", i, audits)
				}
			}
		})
	}
}
