package store_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// convFixture is one unit with a coordinator, a cadre and one paired household.
type convFixture struct {
	s                  *store.Store
	coord, cadre, head domain.PersonID
	hh                 domain.HouseholdID
	pairing            domain.PairingID
	unit, sub          domain.UnitID
}

func newConvFixture(t *testing.T, s *store.Store) convFixture {
	t.Helper()
	ctx := context.Background()
	f := convFixture{s: s}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.UpsertUnits(ctx, []store.Unit{{Code: "U1", Name: "农业农村局"}}, nil))
	u, err := s.UnitByCode(ctx, "U1")
	must(err)
	f.unit = u.ID
	must(s.UpsertUnits(ctx, []store.Unit{{Code: "U11", Name: "振兴科", ParentID: &f.unit}}, nil))
	sub, err := s.UnitByCode(ctx, "U11")
	must(err)
	f.sub = sub.ID
	must(s.UpsertHouseholds(ctx, []store.Household{{Code: "H1", HeadName: "王春发", Initials: "wcf"}}, nil))
	h, err := s.HouseholdByCode(ctx, "H1")
	must(err)
	f.hh = h.ID
	must(s.UpsertPeople(ctx, []store.Person{
		{Code: "C1", Name: "李协调", Roles: domain.MakeRoles(domain.RoleCoordinator), UnitID: &f.unit},
		{Code: "P1", Name: "张伟", Roles: domain.MakeRoles(domain.RoleCadre), UnitID: &sub.ID},
		{Code: "F1", Name: "王春发", Roles: domain.MakeRoles(domain.RoleHousehold), HouseholdID: &f.hh},
	}, nil))
	for code, dst := range map[string]*domain.PersonID{"C1": &f.coord, "P1": &f.cadre, "F1": &f.head} {
		p, err := s.PersonByCode(ctx, code)
		must(err)
		*dst = p.ID
	}
	must(s.UpsertPairings(ctx, []store.Pairing{{Code: "J1", CadreID: f.cadre, HouseholdID: f.hh, StartOn: clock.Date(2026, 1, 1)}}))
	p, err := s.PairingByCode(ctx, "J1")
	must(err)
	f.pairing = p.ID
	return f
}

var convNow = time.Date(2026, 11, 23, 10, 0, 0, 0, clock.Shanghai)

func TestCheckInStore(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newConvFixture(t, b.Open(t))
			src := "fake:bot1:m1"
			c := store.CheckIn{PairingID: f.pairing, CadreID: f.cadre, HouseholdID: f.hh, Kind: domain.KindVisit,
				OccurredAt: convNow, ReportedAt: convNow, Items: "米×20斤", ValueFen: 50000, SourceMsgID: &src}
			first, created, err := f.s.CreateCheckIn(ctx, c, f.cadre)
			if err != nil || !created {
				t.Fatalf("create: %v created=%v", err, created)
			}
			again, created, err := f.s.CreateCheckIn(ctx, c, f.cadre)
			if err != nil || created || again.ID != first.ID {
				t.Fatalf("same source id: %v created=%v id %d vs %d", err, created, again.ID, first.ID)
			}
			hhs, err := f.s.HouseholdsOfCadre(ctx, f.cadre, convNow)
			if err != nil || len(hhs) != 1 || hhs[0].Household.HeadName != "王春发" {
				t.Fatalf("households of cadre = %+v, %v", hhs, err)
			}
			last, err := f.s.LastCheckInAt(ctx, []domain.PairingID{f.pairing})
			if err != nil || !last[f.pairing].Equal(convNow) {
				t.Fatalf("last check-in = %v, %v", last, err)
			}
			other := c
			other.SourceMsgID, other.ReportedAt = nil, convNow.Add(time.Second)
			second, _, err := f.s.CreateCheckIn(ctx, other, f.cadre)
			if err != nil {
				t.Fatal(err)
			}
			if at, err := f.s.CheckInsReportedAt(ctx, f.cadre, first.ReportedAt); err != nil || len(at) != 1 || at[0].ID != first.ID {
				t.Fatalf("check-ins reported at the first's time = %+v, %v; want the first alone", at, err)
			}
			day := clock.Day(convNow)
			recent := func(from time.Time, since time.Duration, hh ...domain.HouseholdID) store.RecentReports {
				return store.RecentReports{Households: hh, Kinds: []domain.CheckInKind{domain.KindVisit}, From: from, To: from.AddDate(0, 0, 1), Since: convNow.Add(-since)}
			}
			if on, err := f.s.CheckInsOfCadreOn(ctx, f.cadre, recent(day, time.Hour, f.hh)); err != nil || len(on) != 2 || on[0].ID != first.ID || on[1].ID != second.ID {
				t.Fatalf("check-ins of the day = %+v, %v; want both", on, err)
			}
			if on, err := f.s.CheckInsOfCadreOn(ctx, f.cadre, recent(day.AddDate(0, 0, 1), time.Hour, f.hh)); err != nil || len(on) != 0 {
				t.Fatalf("check-ins of the next day = %+v, %v; want none", on, err)
			}
			if on, err := f.s.CheckInsOfCadreOn(ctx, f.cadre, recent(day, -2*time.Second, f.hh)); err != nil || len(on) != 0 {
				t.Fatalf("check-ins reported since after both = %+v, %v; want none", on, err)
			}
			if on, err := f.s.CheckInsOfCadreOn(ctx, f.cadre, recent(day, time.Hour, f.hh+1000)); err != nil || len(on) != 0 {
				t.Fatalf("check-ins of another household = %+v, %v; want none", on, err)
			}
			calls := recent(day, time.Hour, f.hh)
			calls.Kinds = []domain.CheckInKind{domain.KindContact}
			if on, err := f.s.CheckInsOfCadreOn(ctx, f.cadre, calls); err != nil || len(on) != 0 {
				t.Fatalf("check-ins of another kind = %+v, %v; want none", on, err)
			}
			lat, lng, d := 30.1, 120.1, 2500
			if err := f.s.AttachEvidence(ctx, first.ID, store.Evidence{Lat: &lat, Lng: &lng, DistanceM: &d, Far: true}, f.cadre, convNow); err != nil {
				t.Fatal(err)
			}
			amended := store.CheckInContent{Text: "送了两袋米", Items: "米×20斤;米×2袋", ValueFen: 50000}
			if err := f.s.AmendCheckIn(ctx, first.ID, amended, f.cadre, convNow); err != nil {
				t.Fatal(err)
			}
			if got, err := f.s.CheckInByID(ctx, first.ID); err != nil || got.Items != amended.Items || got.Text != amended.Text ||
				got.ValueFen != 50000 {
				t.Fatalf("amended check-in = %+v, %v", got, err)
			}
			if err := f.s.UndoCheckIn(ctx, first.ID, f.cadre, convNow.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			if err := f.s.AmendCheckIn(ctx, first.ID, amended, f.cadre, convNow); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("amend an undone check-in: %v, want ErrNotFound", err)
			}
			if err := f.s.UndoCheckIn(ctx, first.ID, f.cadre, convNow.Add(time.Minute)); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("second undo: %v, want ErrNotFound", err)
			}
			got, err := f.s.CheckInByID(ctx, first.ID)
			if err != nil || got.UndoneAt == nil || !got.Far || *got.DistanceM != 2500 {
				t.Fatalf("check-in after attach and undo = %+v, %v", got, err)
			}
			if l, err := f.s.LastCheckInOfCadre(ctx, f.cadre); err != nil || l.ID != second.ID {
				t.Fatalf("last check-in = %+v, %v; want the later one, undone ones are never the last", l, err)
			}
			if at, err := f.s.CheckInsReportedAt(ctx, f.cadre, first.ReportedAt); err != nil || len(at) != 0 {
				t.Fatalf("check-ins reported at the undone one's time = %+v, %v; want none", at, err)
			}
			if on, err := f.s.CheckInsOfCadreOn(ctx, f.cadre, recent(day, time.Hour, f.hh)); err != nil || len(on) != 1 || on[0].ID != second.ID {
				t.Fatalf("check-ins of the day after an undo = %+v, %v; want the standing one", on, err)
			}
			audit, err := f.s.AuditOf(ctx, "checkin", int64(first.ID))
			if err != nil || len(audit) != 4 {
				t.Fatalf("audit = %+v, %v; want create, attach, amend, undo", audit, err)
			}
		})
	}
}

// TestCheckInSameReportAgain: a second message with the same content key records nothing and
// returns the first row; once that row is undone the key is free again. Inside a batch too.
func TestCheckInSameReportAgain(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newConvFixture(t, b.Open(t))
			report := func(src string) (store.CheckIn, bool) {
				t.Helper()
				key := "k1"
				c := store.CheckIn{PairingID: f.pairing, CadreID: f.cadre, HouseholdID: f.hh, Kind: domain.KindVisit,
					OccurredAt: convNow, ReportedAt: convNow, Items: "米×20斤", SourceMsgID: &src, ContentKey: &key}
				got, created, err := f.s.CreateCheckIn(ctx, c, f.cadre)
				if err != nil {
					t.Fatalf("create from %s: %v", src, err)
				}
				return got, created
			}
			first, created := report("fake:bot1:m1")
			if !created {
				t.Fatal("the first report was not created")
			}
			if again, created := report("fake:bot1:m2"); created || again.ID != first.ID {
				t.Fatalf("the same report from a new message: created=%v id %d, want the first (%d)", created, again.ID, first.ID)
			}
			if err := f.s.UndoCheckIn(ctx, first.ID, f.cadre, convNow); err != nil {
				t.Fatal(err)
			}
			third, created := report("fake:bot1:m3")
			if !created || third.ID == first.ID {
				t.Fatalf("after undo the same report is new: created=%v id %d", created, third.ID)
			}
			var inBatch store.CheckIn
			err := f.s.Batch(ctx, func(ctx context.Context) error {
				var err error
				key, src := "k1", "fake:bot1:m4"
				inBatch, created, err = f.s.CreateCheckIn(ctx, store.CheckIn{PairingID: f.pairing, CadreID: f.cadre, HouseholdID: f.hh,
					Kind: domain.KindVisit, OccurredAt: convNow, ReportedAt: convNow, SourceMsgID: &src, ContentKey: &key}, f.cadre)
				return err
			})
			if err != nil || created || inBatch.ID != third.ID {
				t.Fatalf("in a batch: %v created=%v id %d, want %d", err, created, inBatch.ID, third.ID)
			}
			audit, err := f.s.AuditOf(ctx, "checkin", int64(third.ID))
			if err != nil || len(audit) != 1 {
				t.Fatalf("audit of the kept report = %+v, %v; want its create only", audit, err)
			}
		})
	}
}

func TestRequestStore(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newConvFixture(t, b.Open(t))
			coords, err := f.s.CoordinatorsOfUnit(ctx, f.sub) // the sub-unit has none: its parent's
			if err != nil || len(coords) != 1 || coords[0].ID != f.coord {
				t.Fatalf("coordinators = %+v, %v", coords, err)
			}
			src := "fake:bot1:r1"
			r := store.Request{HouseholdID: f.hh, PersonID: f.head, Kind: domain.ReqRequest, Category: domain.CatMedical, Text: "救助卡",
				Status: domain.StatusNew, AssigneeID: &f.cadre, UnitID: &f.unit, CreatedAt: convNow, AckDueAt: convNow.Add(24 * time.Hour),
				DueAt: convNow.Add(7 * 24 * time.Hour), SourceMsgID: &src}
			note := func(q store.Request) []store.OutboxMessage {
				return []store.OutboxMessage{{Key: "t:new", PersonID: &f.cadre, Text: "new", CreatedAt: convNow}}
			}
			saved, created, err := f.s.CreateRequest(ctx, r, note)
			if err != nil || !created {
				t.Fatalf("create request: %v", err)
			}
			if _, created, _ := f.s.CreateRequest(ctx, r, note); created {
				t.Fatal("the same source id created a second request")
			}
			if _, err := f.s.OutboxByKey(ctx, "t:new"); err != nil {
				t.Fatalf("notification not enqueued: %v", err)
			}
			_, err = f.s.ChangeRequest(ctx, saved.ID, f.cadre, store.ActResolve, convNow, func(q *store.Request) error {
				return store.ErrWrongState
			}, nil)
			if !errors.Is(err, store.ErrWrongState) {
				t.Fatalf("aborted change: %v", err)
			}
			resolvedAt := convNow.Add(time.Hour)
			if _, err := f.s.ChangeRequest(ctx, saved.ID, f.cadre, store.ActResolve, resolvedAt, func(q *store.Request) error {
				q.Status, q.ResolvedAt, q.Result = domain.StatusResolved, &resolvedAt, "办好了"
				return nil
			}, nil); err != nil {
				t.Fatal(err)
			}
			open, err := f.s.OpenRequestsFor(ctx, f.cadre, nil, 50)
			if err != nil || len(open.Rows) != 0 || len(open.Count) != 0 {
				t.Fatalf("open requests after resolve = %+v, %v", open, err)
			}
			unrated, err := f.s.LatestUnratedRequest(ctx, f.hh, convNow)
			if err != nil || unrated.ID != saved.ID {
				t.Fatalf("unrated = %+v, %v", unrated, err)
			}
			rating := store.Rating{HouseholdID: f.hh, CadreID: &f.cadre, RequestID: &saved.ID, Score: 5, CreatedAt: resolvedAt}
			if _, err := f.s.AddRating(ctx, rating, f.head); err != nil {
				t.Fatal(err)
			}
			if _, err := f.s.AddRating(ctx, rating, f.head); !errors.Is(err, store.ErrDuplicate) {
				t.Fatalf("second rating of one request: %v, want ErrDuplicate", err)
			}
			if _, err := f.s.LatestUnratedRequest(ctx, f.hh, convNow); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("rated request still unrated: %v", err)
			}
		})
	}
}

// TestOpenRequestsOrder: those waiting to be taken on come first (待受理, then 已转办), each oldest
// first, and the counts cover what the limit leaves out.
func TestOpenRequestsOrder(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newConvFixture(t, b.Open(t))
			states := []domain.RequestStatus{domain.StatusAccepted, domain.StatusResolved, domain.StatusTransferred,
				domain.StatusNew, domain.StatusAccepted, domain.StatusNew}
			var ids []domain.RequestID
			for _, st := range states {
				r, _, err := f.s.CreateRequest(ctx, store.Request{HouseholdID: f.hh, PersonID: f.head, Kind: domain.ReqRequest,
					Category: domain.CatMedical, Status: st, AssigneeID: &f.cadre, UnitID: &f.unit, CreatedAt: convNow,
					AckDueAt: convNow, DueAt: convNow}, nil)
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, r.ID)
			}
			open, err := f.s.OpenRequestsFor(ctx, f.cadre, nil, 4)
			if err != nil {
				t.Fatal(err)
			}
			want := []domain.RequestID{ids[3], ids[5], ids[2], ids[0]}
			var got []domain.RequestID
			for _, r := range open.Rows {
				got = append(got, r.ID)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("order %v, want %v", got, want)
			}
			wantCount := map[domain.RequestStatus]int{domain.StatusNew: 2, domain.StatusTransferred: 1, domain.StatusAccepted: 2}
			if !maps.Equal(open.Count, wantCount) {
				t.Fatalf("counts %v, want %v", open.Count, wantCount)
			}
		})
	}
}

func TestWorkPlanUpsert(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newConvFixture(t, b.Open(t))
			if _, err := f.s.WorkPlanOf(ctx, f.cadre, "2026-11"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("no plan yet: %v", err)
			}
			if _, err := f.s.UpsertWorkPlan(ctx, f.cadre, "2026-11", "第一版", convNow); err != nil {
				t.Fatal(err)
			}
			p, err := f.s.UpsertWorkPlan(ctx, f.cadre, "2026-11", "第二版", convNow.Add(time.Hour))
			if err != nil || p.Text != "第二版" {
				t.Fatalf("upsert = %+v, %v", p, err)
			}
			if audit, _ := f.s.AuditOf(ctx, "workplan", p.ID); len(audit) != 2 {
				t.Fatalf("audit rows %d, want 2", len(audit))
			}
		})
	}
}

// TestReplaceRating: a rating of no request takes a new score, words and time, audited; a rating
// of a request is never replaced this way.
func TestReplaceRating(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newConvFixture(t, b.Open(t))
			g, err := f.s.AddRating(ctx, store.Rating{HouseholdID: f.hh, CadreID: &f.cadre, Score: 5, Text: "很好", CreatedAt: convNow}, f.head)
			if err != nil {
				t.Fatal(err)
			}
			later := convNow.Add(24 * time.Hour)
			if err := f.s.ReplaceRating(ctx, g.ID, 2, "不来", later, f.head); err != nil {
				t.Fatal(err)
			}
			rs, err := f.s.RatingsOfHousehold(ctx, f.hh)
			if err != nil || len(rs) != 1 || rs[0].Score != 2 || rs[0].Text != "不来" || !rs[0].CreatedAt.Equal(later) {
				t.Fatalf("ratings %+v, %v", rs, err)
			}
			if a, err := f.s.AuditOf(ctx, "rating", g.ID); err != nil || len(a) != 2 {
				t.Fatalf("audit %+v, %v", a, err)
			}
			if err := f.s.ReplaceRating(ctx, g.ID+1, 3, "", later, f.head); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("replacing a rating that is not there: %v", err)
			}
			if err := f.s.ReplaceRating(ctx, g.ID, 6, "", later, f.head); err == nil {
				t.Fatal("score 6 taken")
			}
		})
	}
}

// TestRecentReportsAreBounded: a cadre who reports one household many times a day (the bench does)
// makes a report read the newest few of them, not all.
func TestRecentReportsAreBounded(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newConvFixture(t, b.Open(t))
			var last domain.CheckInID
			for i := range 40 {
				c := store.CheckIn{PairingID: f.pairing, CadreID: f.cadre, HouseholdID: f.hh, Kind: domain.KindVisit,
					OccurredAt: convNow, ReportedAt: convNow.Add(time.Duration(i) * time.Second), Text: fmt.Sprintf("第%d次", i)}
				saved, _, err := f.s.CreateCheckIn(ctx, c, f.cadre)
				if err != nil {
					t.Fatal(err)
				}
				last = saved.ID
			}
			day := clock.Day(convNow)
			on, err := f.s.CheckInsOfCadreOn(ctx, f.cadre, store.RecentReports{Households: []domain.HouseholdID{f.hh}, Kinds: []domain.CheckInKind{domain.KindVisit}, From: day, To: day.AddDate(0, 0, 1), Since: day})
			if err != nil || len(on) == 0 || len(on) >= 40 || on[len(on)-1].ID != last || on[0].ID >= on[len(on)-1].ID {
				t.Fatalf("recent reports = %d rows, %v; want the newest few, oldest first, ending with %d", len(on), err, last)
			}
		})
	}
}
