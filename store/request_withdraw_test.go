package store_test

import (
	"context"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/report/reporttest"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// TestWithdrawnRequestIsNobodysWork: a request its household withdrew, long past both deadlines,
// is in nobody's open list or count, no deadline reminder picks it up, and 统计 neither counts it
// as opened nor judges it late (the fixture's November: 2 opened, 1 resolved on time, 1 past due).
func TestWithdrawnRequestIsNobodysWork(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			f := reporttest.Seed(t, s)
			at := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, clock.Shanghai) }
			w := store.Request{HouseholdID: f.HH1.ID, PersonID: f.HeadPerson1.ID, PairingID: &f.P1.ID, Kind: domain.ReqComplaint,
				Category: domain.CatOther, Text: "按错了", Status: domain.StatusWithdrawn, AssigneeID: &f.Cadre1.ID,
				UnitID: &f.Agri.ID, AckDueAt: at(11, 10), DueAt: at(12, 10), CreatedAt: at(10, 10), UpdatedAt: at(10, 11)}
			if err := s.InsertFixture(ctx, &w); err != nil {
				t.Fatal(err)
			}
			nov := store.StatsFilter{From: at(1, 0), To: time.Date(2026, 12, 1, 0, 0, 0, 0, clock.Shanghai)}
			tallies, err := s.RequestTallies(ctx, nov, reporttest.Now)
			if err != nil {
				t.Fatal(err)
			}
			var sum store.RequestTally
			for _, r := range tallies {
				sum.Opened, sum.Resolved, sum.OnTime, sum.Judged = sum.Opened+r.Opened, sum.Resolved+r.Resolved, sum.OnTime+r.OnTime, sum.Judged+r.Judged
			}
			if sum.Opened != 2 || sum.Resolved != 1 || sum.OnTime != 1 || sum.Judged != 2 {
				t.Errorf("tallies %+v; want opened 2, resolved 1, on time 1, judged 2", sum)
			}
			late, err := s.LateRequests(ctx, reporttest.Now)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range late {
				if q.ID == w.ID {
					t.Errorf("the withdrawn request is late work: %+v", q)
				}
			}
			open, err := s.OpenRequestsFor(ctx, f.Cadre1.ID, []domain.UnitID{f.Agri.ID}, 10)
			if err != nil || len(open.Rows) != 0 || len(open.Count) != 0 {
				t.Errorf("cadre's open requests %+v, %v; want none", open, err)
			}
			counts, err := s.OpenRequestCounts(ctx, []domain.HouseholdID{f.HH1.ID})
			if err != nil || counts[f.HH1.ID] != 0 {
				t.Errorf("household's open count %v, %v; want 0", counts, err)
			}
		})
	}
}
