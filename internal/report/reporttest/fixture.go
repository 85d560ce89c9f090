// Package reporttest builds a small county for report, store and coordinator-command tests:
// two unit trees, coordinators, cadres, households, pairings and a November 2026 of check-ins,
// requests, ratings and call-backs whose totals are known.
package reporttest

import (
	"context"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

// Now is the fixture's "today": late November 2026, Shanghai.
var Now = time.Date(2026, 11, 25, 10, 0, 0, 0, clock.Shanghai)

// Fixture holds the ids tests need.
type Fixture struct {
	Agri, Station, Edu            store.Unit // 县农业农村局 ⊃ 农技站; 县教育局 separate
	CoordAgri, CoordEdu, Admin    store.Person
	Cadre1, Cadre2, Cadre3, Spare store.Person // Cadre1 (Agri), Cadre2 (Station), Cadre3 and Spare (Edu)
	HH1, HH2, HH3, HH4            store.Household
	HeadPerson1                   store.Person  // HH1's head, who uses the bot
	P1, P2, P3, P4                store.Pairing // Cadre1–HH1, Cadre1–HH2, Cadre2–HH3, Cadre3–HH4
	Village                       store.Region
}

// Expected November 2026 totals of the whole county (undone and October rows excluded).
const (
	NovContacts = 2
	NovVisits   = 3
	NovPolicy   = 1
	NovWarmth   = 1
	NovDeeds    = 1
	NovValueFen = 50000 + 30000 + 12000
)

func day(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, clock.Shanghai) }

// Seed writes the fixture into s.
func Seed(t testing.TB, s *store.Store) Fixture {
	t.Helper()
	ctx := context.Background()
	var f Fixture
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, clock.Shanghai)
	f.Village = store.Region{Code: "V1", Name: "李家村", Level: domain.LevelVillage}
	must(t, s.InsertFixture(ctx, &f.Village))
	f.Agri = store.Unit{Code: "A", Name: "县农业农村局"}
	f.Edu = store.Unit{Code: "B", Name: "县教育局"}
	must(t, s.InsertFixture(ctx, &f.Agri, &f.Edu))
	f.Station = store.Unit{Code: "A1", Name: "农技推广站", ParentID: &f.Agri.ID}
	must(t, s.InsertFixture(ctx, &f.Station))

	person := func(code, name, phone string, unit *domain.UnitID, roles ...domain.Role) store.Person {
		return store.Person{Code: code, Name: name, Phone: phone, UnitID: unit, Roles: domain.MakeRoles(roles...)}
	}
	f.CoordAgri = person("C01", "赵协调", "13900000001", &f.Agri.ID, domain.RoleCoordinator)
	f.CoordEdu = person("C02", "钱协调", "13900000002", &f.Edu.ID, domain.RoleCoordinator)
	f.Admin = person("AD1", "孙管理", "13900000003", nil, domain.RoleAdmin)
	f.Cadre1 = person("G01", "周干部", "13800000001", &f.Agri.ID, domain.RoleCadre)
	f.Cadre2 = person("G02", "吴干部", "13800000002", &f.Station.ID, domain.RoleCadre)
	f.Cadre3 = person("G03", "郑干部", "13800000003", &f.Edu.ID, domain.RoleCadre)
	f.Spare = person("G04", "王干部", "13800000004", &f.Edu.ID, domain.RoleCadre)
	must(t, s.InsertFixture(ctx, &f.CoordAgri, &f.CoordEdu, &f.Admin, &f.Cadre1, &f.Cadre2, &f.Cadre3, &f.Spare))

	hh := func(code, head string) store.Household {
		return store.Household{Code: code, HeadName: head, RegionID: &f.Village.ID, Tags: domain.MakeTags(domain.TagLifted)}
	}
	f.HH1, f.HH2, f.HH3, f.HH4 = hh("H001", "王春发"), hh("H002", "李秋菊"), hh("H003", "张大山"), hh("H004", "刘小红")
	must(t, s.InsertFixture(ctx, &f.HH1, &f.HH2, &f.HH3, &f.HH4))
	f.HeadPerson1 = store.Person{Code: "HP1", Name: "王春发", Phone: "13700000001", Roles: domain.MakeRoles(domain.RoleHousehold), HouseholdID: &f.HH1.ID}
	must(t, s.InsertFixture(ctx, &f.HeadPerson1))

	pair := func(code string, c store.Person, h store.Household) store.Pairing {
		return store.Pairing{Code: code, CadreID: c.ID, HouseholdID: h.ID, StartOn: start}
	}
	f.P1, f.P2, f.P3, f.P4 = pair("P1", f.Cadre1, f.HH1), pair("P2", f.Cadre1, f.HH2), pair("P3", f.Cadre2, f.HH3), pair("P4", f.Cadre3, f.HH4)
	must(t, s.InsertFixture(ctx, &f.P1, &f.P2, &f.P3, &f.P4))

	ci := func(p store.Pairing, kind domain.CheckInKind, at time.Time, fen int64, items string) *store.CheckIn {
		return &store.CheckIn{PairingID: p.ID, CadreID: p.CadreID, HouseholdID: p.HouseholdID, Kind: kind,
			Mode: domain.ModeInPerson, OccurredAt: at, ReportedAt: at, Text: "了解生产生活情况", ValueFen: fen, Items: items}
	}
	undone := ci(f.P1, domain.KindVisit, day(20, 9), 99900, "")
	undoneAt := day(20, 9).Add(5 * time.Minute)
	undone.UndoneAt = &undoneAt
	lat, lng := 30.1, 120.1
	located := ci(f.P3, domain.KindVisit, day(12, 15), 0, "")
	located.Lat, located.Lng, located.Far = &lat, &lng, true
	phone := ci(f.P2, domain.KindContact, day(3, 20), 0, "")
	phone.Mode = domain.ModePhone
	visit1, warmth2 := ci(f.P1, domain.KindVisit, day(2, 10), 50000, "化肥×3包;米×20斤"), ci(f.P2, domain.KindWarmth, day(15, 10), 30000, "棉被×2床")
	visit4, deed4 := ci(f.P4, domain.KindVisit, day(5, 10), 12000, "米×10斤"), ci(f.P4, domain.KindDeed, day(6, 10), 0, "")
	must(t, s.InsertFixture(ctx,
		visit1,
		ci(f.P1, domain.KindContact, day(9, 11), 0, ""),
		phone,
		warmth2,
		located,
		ci(f.P3, domain.KindPolicy, day(13, 9), 0, ""),
		visit4,
		deed4,
		undone,
		ci(f.P4, domain.KindVisit, time.Date(2026, 10, 30, 10, 0, 0, 0, clock.Shanghai), 77700, ""),
	))

	rating := 5
	resolved := day(4, 12)
	must(t, s.InsertFixture(ctx,
		&store.Request{HouseholdID: f.HH1.ID, PersonID: f.HeadPerson1.ID, PairingID: &f.P1.ID, Kind: domain.ReqRequest,
			Category: domain.CatMedical, Text: "想办医疗救助卡", Status: domain.StatusResolved, AssigneeID: &f.Cadre1.ID,
			UnitID: &f.Agri.ID, AckDueAt: day(3, 10), DueAt: day(9, 10), ResolvedAt: &resolved, Result: "已办好",
			Rating: &rating, CreatedAt: day(2, 10)},
		&store.Request{HouseholdID: f.HH4.ID, PersonID: f.HeadPerson1.ID, PairingID: &f.P4.ID, Kind: domain.ReqRequest,
			Category: domain.CatJob, Text: "想找公益岗位", Status: domain.StatusNew, AssigneeID: &f.Cadre3.ID,
			UnitID: &f.Edu.ID, AckDueAt: day(11, 10), DueAt: day(17, 10), CreatedAt: day(10, 10)},
		&store.Rating{HouseholdID: f.HH1.ID, CadreID: &f.Cadre1.ID, Score: 5, CreatedAt: day(5, 10)},
		&store.Rating{HouseholdID: f.HH4.ID, CadreID: &f.Cadre3.ID, Score: 3, CreatedAt: day(18, 10)},
		&store.SpotCheck{Month: "2026-11", HouseholdID: f.HH1.ID, PairingID: f.P1.ID, CadreID: f.Cadre1.ID, Answer: domain.AnswerYes},
		&store.SpotCheck{Month: "2026-11", HouseholdID: f.HH3.ID, PairingID: f.P3.ID, CadreID: f.Cadre2.ID, Answer: domain.AnswerNo, Discrepancy: true},
		&store.SpotCheck{Month: "2026-11", HouseholdID: f.HH4.ID, PairingID: f.P4.ID, CadreID: f.Cadre3.ID},
	))
	confirmations(t, s, f, visit1, warmth2, visit4, deed4)
	return f
}

// confirmations: HH1 confirmed its visit in chat; HH2 was asked about the warmth delivery and has not
// answered; HH4 told a coordinator's call-back "有出入" about its visit and deed (open discrepancy at
// 县教育局); the call-back "no" of HH3 was verified true (closed discrepancy at 农技推广站). So
// November: 4 asked, 3 answered, 1 confirmed; 2 discrepancies found, 1 closed, 1 upheld.
func confirmations(t testing.TB, s *store.Store, f Fixture, visit1, warmth2, visit4, deed4 *store.CheckIn) {
	ctx := context.Background()
	yes, partly := day(3, 9), day(20, 15)
	c1 := store.VisitConfirm{HouseholdID: f.HH1.ID, AskedTo: &f.HeadPerson1.ID, Via: domain.ViaChat, AskedAt: day(2, 11), Answer: domain.AnswerYes, AnsweredAt: &yes}
	c2 := store.VisitConfirm{HouseholdID: f.HH2.ID, Via: domain.ViaChat, AskedAt: day(16, 10)}
	c4 := store.VisitConfirm{HouseholdID: f.HH4.ID, Via: domain.ViaPhone, AskedAt: partly, Answer: domain.AnswerPartly, AnsweredAt: &partly,
		AnsweredBy: &f.CoordEdu.ID, Note: "米只有5斤"}
	must(t, s.InsertFixture(ctx, &c1, &c2, &c4))
	must(t, s.InsertFixture(ctx, &store.ConfirmItem{ConfirmID: c1.ID, CheckInID: visit1.ID}, &store.ConfirmItem{ConfirmID: c2.ID, CheckInID: warmth2.ID},
		&store.ConfirmItem{ConfirmID: c4.ID, CheckInID: visit4.ID}, &store.ConfirmItem{ConfirmID: c4.ID, CheckInID: deed4.ID}))
	closed := day(22, 16)
	must(t, s.InsertFixture(ctx,
		&store.Discrepancy{HouseholdID: f.HH4.ID, CadreID: f.Cadre3.ID, UnitID: &f.Edu.ID, Source: domain.DiscFromCallback, ConfirmID: &c4.ID,
			Month: "2026-11", Answer: domain.AnswerPartly, Note: "米只有5斤", OpenedAt: partly},
		&store.Discrepancy{HouseholdID: f.HH3.ID, CadreID: f.Cadre2.ID, UnitID: &f.Station.ID, Source: domain.DiscFromSpot, Month: "2026-11",
			Answer: domain.AnswerNo, OpenedAt: day(21, 9), ClosedAt: &closed, ClosedBy: &f.CoordAgri.ID, Verdict: domain.VerdictUpheld, Finding: "电话核实，确实没去"},
	))
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
}
