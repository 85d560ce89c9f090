package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

func TestInitialsMatch(t *testing.T) {
	cases := []struct {
		name, stored, typed string
		want                bool
	}{
		{"single variant", "wcf", "wcf", true},
		{"upper case typed", "wcf", "WCF", true},
		{"second variant", "zzs,zcs", "zcs", true},
		{"no variant", "zzs,zcs", "zs", false},
		{"empty stored", "", "wcf", false},
		{"empty typed", "wcf", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := store.InitialsMatch(c.stored, c.typed); got != c.want {
				t.Errorf("InitialsMatch(%q, %q) = %v, want %v", c.stored, c.typed, got, c.want)
			}
		})
	}
}

func TestNameInitials(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"common name", "王春发", "wcf"},
		{"surname 曾 reads zeng", "曾志强", "zzq"},
		{"surname 单 reads shan", "单丽华", "slh"},
		{"surname 解 reads xie", "解放", "xf"},
		{"surname 仇 reads qiu", "仇英", "qy"},
		{"surname 区 reads ou", "区家明", "ojm"},
		{"surname 查 reads zha", "查良镛", "zly"},
		{"曾 inside a given name has both readings", "王曾", "wc,wz"},
		{"长 in a given name: zhang and chang", "赵长顺", "zzs,zcs"},
		{"digits and latin kept", "王小2", "wx2"},
		{"emoji dropped", "王春发😀", "wcf"},
		{"emoji inside keeps alignment", "赵😀长顺", "zzs,zcs"},
		{"empty", "", ""},
		{"spaces trimmed", "  李四 ", "ls"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := store.NameInitials(c.in); got != c.want {
				t.Errorf("NameInitials(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

// orgFixture is a small organisation: U1 ⊃ U2 ⊃ U3, U4 apart; cadres C1 (U1), C2 (U2), C3 (U3),
// coordinator K1 (U1); households H1, H2.
type orgFixture struct {
	units  map[string]store.Unit
	people map[string]store.Person
	hhs    map[string]store.Household
}

func newOrgFixture(t *testing.T, s *store.Store) orgFixture {
	t.Helper()
	ctx := context.Background()
	var f orgFixture
	var err error
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.UpsertUnits(ctx, []store.Unit{{Code: "U1", Name: "一局"}, {Code: "U4", Name: "四局"}}, nil))
	u1, err := s.UnitByCode(ctx, "U1")
	must(err)
	must(s.UpsertUnits(ctx, []store.Unit{{Code: "U2", Name: "一局一科", ParentID: &u1.ID}}, nil))
	u2, err := s.UnitByCode(ctx, "U2")
	must(err)
	must(s.UpsertUnits(ctx, []store.Unit{{Code: "U3", Name: "一局一科支部", ParentID: &u2.ID, HeadCode: "C3"}}, nil))
	f.units, err = s.UnitsByCodes(ctx, []string{"U1", "U2", "U3", "U4"})
	must(err)
	id := func(c string) *domain.UnitID { u := f.units[c].ID; return &u }
	cadre := domain.MakeRoles(domain.RoleCadre)
	must(s.UpsertPeople(ctx, []store.Person{
		{Code: "C1", Name: "陈一", Roles: cadre, UnitID: id("U1")},
		{Code: "C2", Name: "陈二", Roles: cadre, UnitID: id("U2")},
		{Code: "C3", Name: "陈三", Roles: domain.MakeRoles(domain.RoleCadre, domain.RoleCoordinator), UnitID: id("U3")},
		{Code: "K1", Name: "孔一", Roles: domain.MakeRoles(domain.RoleCoordinator), UnitID: id("U1")},
	}, nil))
	f.people, err = s.PeopleByCodes(ctx, []string{"C1", "C2", "C3", "K1"})
	must(err)
	must(s.UpsertHouseholds(ctx, []store.Household{{Code: "H1", HeadName: "王一"}, {Code: "H2", HeadName: "王二"}}, nil))
	f.hhs, err = s.HouseholdsByCodes(ctx, []string{"H1", "H2"})
	must(err)
	return f
}

func TestUnitSubtreeAndCadres(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			f := newOrgFixture(t, s)
			cases := []struct {
				name   string
				root   string
				units  []string
				cadres []string
			}{
				{"top unit holds all descendants", "U1", []string{"U1", "U2", "U3"}, []string{"C1", "C2", "C3"}},
				{"middle unit", "U2", []string{"U2", "U3"}, []string{"C2", "C3"}},
				{"leaf unit", "U3", []string{"U3"}, []string{"C3"}},
				{"unit without children or cadres", "U4", []string{"U4"}, nil},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					ids, err := s.UnitSubtree(ctx, f.units[c.root].ID)
					if err != nil {
						t.Fatal(err)
					}
					var want []domain.UnitID
					for _, u := range c.units {
						want = append(want, f.units[u].ID)
					}
					if !slices.Equal(ids, want) {
						t.Errorf("subtree = %v, want %v", ids, want)
					}
					cadres, err := s.CadresOfUnits(ctx, ids)
					if err != nil {
						t.Fatal(err)
					}
					var got []string
					for _, p := range cadres {
						got = append(got, p.Code)
					}
					if !slices.Equal(got, c.cadres) {
						t.Errorf("cadres = %v, want %v (K1 is a coordinator only)", got, c.cadres)
					}
				})
			}
			u3, err := s.UnitByCode(ctx, "U3")
			if err != nil || u3.HeadID == nil || *u3.HeadID != f.people["C3"].ID {
				t.Errorf("U3 head = %v, %v; want C3's id (HeadCode resolved when C3 was written)", u3.HeadID, err)
			}
		})
	}
}

func TestActivePairings(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			f := newOrgFixture(t, s)
			jan, jul := clock.Date(2026, 1, 1), clock.Date(2026, 7, 1)
			c1, c2, c3 := f.people["C1"].ID, f.people["C2"].ID, f.people["C3"].ID
			h1, h2 := f.hhs["H1"].ID, f.hhs["H2"].ID
			err := s.UpsertPairings(ctx, []store.Pairing{
				{Code: "J1", CadreID: c1, HouseholdID: h1, StartOn: jan, EndOn: &jul, EndReason: "调动"},
				{Code: "J2", CadreID: c2, HouseholdID: h1, StartOn: jul},
				{Code: "J3", CadreID: c1, HouseholdID: h2, StartOn: jan},
				{Code: "J4", CadreID: c3, HouseholdID: h1, StartOn: jan},
			})
			if err != nil {
				t.Fatal(err)
			}
			codes := func(ps []store.Pairing, err error) []string {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, p := range ps {
					out = append(out, p.Code)
				}
				return out
			}
			if err := s.LinkRelays(ctx, map[string]string{"J2": "J1"}); err != nil {
				t.Fatal(err)
			}
			if j2, err := s.PairingByCode(ctx, "J2"); err != nil || j2.RelayedFromID == nil {
				t.Errorf("J2 relay link = %+v, %v", j2.RelayedFromID, err)
			}
			if err := s.LinkRelays(ctx, map[string]string{"J2": "J9"}); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("relay from an unknown pairing: %v, want ErrNotFound", err)
			}
			cases := []struct {
				name string
				got  []string
				want []string
			}{
				{"cadre before relay", codes(s.ActivePairingsOfCadre(ctx, c1, clock.Date(2026, 3, 1))), []string{"J1", "J3"}},
				{"cadre on the end day", codes(s.ActivePairingsOfCadre(ctx, c1, jul)), []string{"J3"}},
				{"cadre before any start", codes(s.ActivePairingsOfCadre(ctx, c1, clock.Date(2025, 12, 31))), nil},
				{"household before relay", codes(s.ActivePairingsOfHousehold(ctx, h1, clock.Date(2026, 3, 1))), []string{"J1", "J4"}},
				{"household after relay", codes(s.ActivePairingsOfHousehold(ctx, h1, jul.Add(8*time.Hour))), []string{"J4", "J2"}},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					if !slices.Equal(c.got, c.want) {
						t.Errorf("got %v, want %v", c.got, c.want)
					}
				})
			}
		})
	}
}

func TestUpsertByCodeUpdatesNotDuplicates(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			lat := 30.1
			hh := store.Household{Code: "H1", HeadName: "王一", Address: "一组", Lat: &lat, Lng: &lat, Members: 3}
			if err := s.UpsertHouseholds(ctx, []store.Household{hh}, nil); err != nil {
				t.Fatal(err)
			}
			// a sheet without the address and location columns updates only what it has
			if err := s.UpsertHouseholds(ctx, []store.Household{{Code: "H1", HeadName: "曾二", Members: 4}}, []string{"HeadName", "Members"}); err != nil {
				t.Fatal(err)
			}
			c, err := s.CountOrg(ctx)
			if err != nil || c.Households != 1 {
				t.Fatalf("households = %d, %v; want 1", c.Households, err)
			}
			got, err := s.HouseholdByCode(ctx, "H1")
			if err != nil {
				t.Fatal(err)
			}
			if got.HeadName != "曾二" || got.Initials != "ze" || got.Members != 4 || got.Address != "一组" || got.Lat == nil {
				t.Errorf("after partial upsert: %+v", got)
			}
			if err := s.UpsertHouseholds(ctx, []store.Household{{Code: "H1"}}, []string{"Promise"}); err == nil {
				t.Error("an unknown update field was accepted")
			}
		})
	}
}

func TestEachCheckInExportsRangeInOrder(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			f := newOrgFixture(t, s)
			c1, h1 := f.people["C1"].ID, f.hhs["H1"].ID
			if err := s.UpsertPairings(ctx, []store.Pairing{{Code: "J1", CadreID: c1, HouseholdID: h1, StartOn: clock.Date(2026, 1, 1)}}); err != nil {
				t.Fatal(err)
			}
			p, err := s.PairingByCode(ctx, "J1")
			if err != nil {
				t.Fatal(err)
			}
			base := time.Date(2026, 11, 1, 9, 0, 0, 0, clock.Shanghai)
			var rows []any
			for i := range 1203 { // more than one page, inserted out of order
				at := base.Add(time.Duration((i*7919)%1203) * time.Minute)
				rows = append(rows, &store.CheckIn{PairingID: p.ID, CadreID: c1, HouseholdID: h1, Kind: domain.KindVisit, OccurredAt: at, ReportedAt: at})
			}
			undone := base.Add(time.Hour)
			rows = append(rows,
				&store.CheckIn{PairingID: p.ID, CadreID: c1, HouseholdID: h1, Kind: domain.KindContact, OccurredAt: base.Add(-time.Minute), ReportedAt: base}, // before range
				&store.CheckIn{PairingID: p.ID, CadreID: c1, HouseholdID: h1, Kind: domain.KindContact, OccurredAt: base, ReportedAt: base, UndoneAt: &undone})
			if err := s.InsertFixture(ctx, rows...); err != nil {
				t.Fatal(err)
			}
			var got []time.Time
			err = s.EachCheckIn(ctx, base, base.AddDate(0, 1, 0), func(r store.CheckInRecord) error {
				if r.CadreName != "陈一" || r.HouseholdCode != "H1" || r.UnitName != "一局" {
					t.Fatalf("record names: %+v", r)
				}
				got = append(got, r.OccurredAt)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1203 {
				t.Fatalf("exported %d check-ins, want 1203 (undone and out-of-range ones excluded)", len(got))
			}
			if !slices.IsSortedFunc(got, func(a, b time.Time) int { return a.Compare(b) }) {
				t.Error("check-ins are not in order of occurrence")
			}
		})
	}
}
