package store_test

import (
	"context"
	"fmt"
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
			must(st.UpsertPeople(ctx, []store.Person{{Code: "K", Name: "干部", Roles: domain.MakeRoles(domain.RoleCadre)}}, nil))
			k, err := st.PersonByCode(ctx, "K")
			must(err)
			var hhs []store.Household
			for i := range 12 {
				tags := domain.MakeTags(domain.TagLifted)
				if i%3 == 0 {
					tags = domain.MakeTags(domain.TagMonitored)
				}
				hhs = append(hhs, store.Household{Code: fmt.Sprintf("H%02d", i), HeadName: "户主", Tags: tags})
			}
			must(st.UpsertHouseholds(ctx, hhs, nil))
			var ps []store.Pairing
			for i := range 12 {
				h, err := st.HouseholdByCode(ctx, fmt.Sprintf("H%02d", i))
				must(err)
				ps = append(ps, store.Pairing{Code: fmt.Sprintf("P%02d", i), CadreID: k.ID, HouseholdID: h.ID, StartOn: clock.Date(2026, 1, 1)})
			}
			must(st.UpsertPairings(ctx, ps))
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
