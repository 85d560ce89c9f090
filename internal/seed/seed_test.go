package seed_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/seed"
	"qinqi/internal/testenv"
	"qinqi/store"
)

var now = time.Date(2026, 11, 23, 10, 0, 0, 0, clock.Shanghai)

func codes(format string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(format, i+1)
	}
	return out
}

// snapshot renders the seeded county as text (codes instead of ids) for comparisons.
func snapshot(t *testing.T, s *store.Store, o seed.Options) string {
	t.Helper()
	ctx := context.Background()
	var lines []string
	regions, err := s.AllRegions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range regions {
		lines = append(lines, fmt.Sprintf("region %s %s %s", r.Code, r.Name, r.Level))
	}
	units, err := s.AllUnits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range units {
		lines = append(lines, fmt.Sprintf("unit %s %s head=%s", u.Code, u.Name, u.HeadCode))
	}
	people, err := s.PeopleByCodes(ctx, codes("G%06d", o.Cadres))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range people {
		lines = append(lines, fmt.Sprintf("person %s %s %s %s", p.Code, p.Name, p.Phone, p.Roles))
	}
	hhs, err := s.HouseholdsByCodes(ctx, codes("H%08d", o.Households))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hhs {
		lines = append(lines, fmt.Sprintf("household %s %s %s %s %d %v head=%v", h.Code, h.HeadName, h.Address, h.Tags, h.Members, h.Difficult, h.HeadID != nil))
	}
	c, err := s.CountOrg(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pairings, err := s.PairingsByCodes(ctx, codes("J%09d", int(c.Pairings)))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pairings {
		lines = append(lines, fmt.Sprintf("pairing %s %s %v %s", p.Code, p.StartOn.Format(time.DateOnly), p.EndOn != nil, p.EndReason))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

func TestGenerateIsDeterministic(t *testing.T) {
	ctx := context.Background()
	o := seed.Options{Households: 700, Cadres: 90, Seed: 7}
	var snaps []string
	for _, opts := range []seed.Options{o, o, {Households: 700, Cadres: 90, Seed: 8}} {
		s := testenv.SQLite(t)
		if _, err := seed.Generate(ctx, s, opts); err != nil {
			t.Fatal(err)
		}
		snaps = append(snaps, snapshot(t, s, opts))
	}
	if snaps[0] != snaps[1] {
		t.Error("the same seed gave different counties")
	}
	if snaps[0] == snaps[2] {
		t.Error("different seeds gave the same county")
	}
}

func TestGenerateShape(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			o := seed.Options{Households: 1200, Cadres: 150, Seed: 42}
			got, err := seed.Generate(ctx, s, o)
			if err != nil {
				t.Fatal(err)
			}
			if got.Households != 1200 || got.Programs != 3 || got.Regions != 1+2+20 || got.Units < 5 {
				t.Errorf("counts = %+v", got)
			}
			checkPairingShape(t, s, o)
			checkRelays(t, s, got)
			again, err := seed.Generate(ctx, s, o)
			if err != nil || again != got {
				t.Errorf("seeding again with the same options: %+v, %v; want unchanged %+v", again, err, got)
			}
		})
	}
}

// checkPairingShape: every household has one or two active cadres, some have two, cadres have
// several households, some heads can chat, every unit has a head.
func checkPairingShape(t *testing.T, s *store.Store, o seed.Options) {
	t.Helper()
	ctx := context.Background()
	hhs, err := s.HouseholdsByCodes(ctx, codes("H%08d", o.Households))
	if err != nil {
		t.Fatal(err)
	}
	var ids []domain.HouseholdID
	heads, tags := 0, map[domain.Tag]int{}
	for _, h := range hhs {
		ids = append(ids, h.ID)
		if h.HeadID != nil {
			heads++
		}
		for _, tg := range h.Tags.List() {
			tags[tg]++
		}
	}
	active, err := s.ActivePairingsOfHouseholds(ctx, ids, now)
	if err != nil {
		t.Fatal(err)
	}
	two, perCadre := 0, map[domain.PersonID]int{}
	for _, id := range ids {
		n := len(active[id])
		if n < 1 || n > 2 {
			t.Fatalf("household %d has %d active cadres", id, n)
		}
		if n == 2 {
			two++
		}
		for _, p := range active[id] {
			perCadre[p.CadreID]++
		}
	}
	many := 0
	for _, n := range perCadre {
		if n > 1 {
			many++
		}
	}
	if two == 0 || many == 0 || heads == 0 || len(tags) != len(domain.KnownTags) {
		t.Errorf("two-cadre households %d, cadres with several households %d, heads with person rows %d, tags %v", two, many, heads, tags)
	}
	if tags[domain.TagLifted] < tags[domain.TagTekun] {
		t.Errorf("tag shares look wrong: %v", tags)
	}
	units, err := s.AllUnits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range units {
		if u.HeadID == nil {
			t.Errorf("unit %s has no head", u.Code)
		}
	}
}

// checkRelays: some pairings took over from an ended pairing of the same household.
func checkRelays(t *testing.T, s *store.Store, c store.OrgCounts) {
	t.Helper()
	all, err := s.PairingsByCodes(context.Background(), codes("J%09d", int(c.Pairings)))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[domain.PairingID]store.Pairing{}
	for _, p := range all {
		byID[p.ID] = p
	}
	n := 0
	for _, p := range all {
		if p.RelayedFromID == nil {
			continue
		}
		n++
		prev := byID[*p.RelayedFromID]
		if prev.HouseholdID != p.HouseholdID || prev.EndOn == nil || prev.EndOn.After(p.StartOn) || prev.CadreID == p.CadreID {
			t.Errorf("relay %s from %s: %+v ← %+v", p.Code, prev.Code, p, prev)
		}
	}
	if n == 0 {
		t.Error("no relays in the seeded county")
	}
}

func TestGenerateRejectsBadOptions(t *testing.T) {
	s := testenv.SQLite(t)
	for name, o := range map[string]seed.Options{
		"no households": {Cadres: 3},
		"no cadres":     {Households: 3},
		"too many":      {Households: 6_000_000, Cadres: 3},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := seed.Generate(context.Background(), s, o); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestDemoLoadsTheSmallCountyIdempotently(t *testing.T) {
	ctx := context.Background()
	s := testenv.SQLite(t)
	want := store.OrgCounts{Regions: 7, Units: 3, People: 15, Households: 20, Programs: 2, Pairings: 23}
	for i := range 2 {
		if err := seed.Demo(ctx, s, now); err != nil {
			t.Fatalf("load %d: %v", i+1, err)
		}
		if c, err := s.CountOrg(ctx); err != nil || c != want {
			t.Errorf("load %d: counts %+v, %v; want %+v", i+1, c, err, want)
		}
	}
	p, err := s.PersonByCode(ctx, "P101")
	if err != nil || p.HouseholdID == nil {
		t.Errorf("P101 (王春发, a head who chats) = %+v, %v", p, err)
	}
}

// TestDemoSamplesWithItsOwnFixedSecret: every fresh demo database draws the monthly call-back sample
// with the same secret (so scripts crossing the 1st replay the same), which is not the one migrate
// generated; a database that already held a county keeps its own secret when the demo is loaded into it.
func TestDemoSamplesWithItsOwnFixedSecret(t *testing.T) {
	ctx := context.Background()
	secret := func(s *store.Store) string {
		t.Helper()
		b, err := s.SpotSecret(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%x", b)
	}
	a, b := testenv.SQLite(t), testenv.SQLite(t)
	migrated := secret(a)
	for _, s := range []*store.Store{a, b} {
		if err := seed.Demo(ctx, s, now); err != nil {
			t.Fatal(err)
		}
	}
	if secret(a) != secret(b) || secret(a) == migrated {
		t.Errorf("demo secrets %s and %s, migrated %s: want the same fixed one in both, not migrate's", secret(a), secret(b), migrated)
	}
	county := testenv.SQLite(t)
	if _, err := seed.Generate(ctx, county, seed.Options{Households: 30, Cadres: 6, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	own := secret(county)
	if err := seed.Demo(ctx, county, now); err != nil {
		t.Fatal(err)
	}
	if got := secret(county); got != own {
		t.Errorf("a database with a county got the demo secret %s over its own %s", got, own)
	}
}

// TestDemoSheetsMatchTestdata keeps the embedded demo copy equal to testdata/import/csv (the
// organisation: the demo writes its own diary, see Demo).
func TestDemoSheetsMatchTestdata(t *testing.T) {
	files, err := filepath.Glob("../../testdata/import/csv/*.csv")
	if err != nil || len(files) != 6 {
		t.Fatalf("testdata sheets: %v, %v", files, err)
	}
	for _, f := range files {
		if filepath.Base(f) == "visits.csv" {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			a, err1 := os.ReadFile(f)
			b, err2 := os.ReadFile(filepath.Join("demo", filepath.Base(f)))
			if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
				t.Errorf("internal/seed/demo/%s differs from testdata/import/csv (copy it over): %v %v", filepath.Base(f), err1, err2)
			}
		})
	}
}

// TestDemoHasHistoryWithSomeQuietPairings: the demo opens on a county with a past, where 逾期 has
// something to show, and loading it again writes no second diary.
func TestDemoHasHistoryWithSomeQuietPairings(t *testing.T) {
	ctx := context.Background()
	s := testenv.SQLite(t)
	counts := func() map[string]int {
		ps, err := s.AllPairings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, p := range ps {
			n, err := s.CountPairingCheckIns(ctx, p.ID, now.AddDate(-1, 0, 0), now)
			if err != nil {
				t.Fatal(err)
			}
			out[p.Code] = n
		}
		return out
	}
	for i := range 2 {
		if err := seed.Demo(ctx, s, now); err != nil {
			t.Fatalf("load %d: %v", i+1, err)
		}
	}
	got := counts()
	lastMonth := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, clock.Shanghai)
	var quiet, busy int
	for code, n := range got {
		recent, err := s.CountPairingCheckIns(ctx, mustPairing(t, s, code), lastMonth, now)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case n > 0 && recent == 0:
			quiet++
		case recent > 0:
			busy++
		}
	}
	if quiet == 0 || busy == 0 || busy < quiet {
		t.Errorf("demo history: %d pairings reported last month, %d went quiet; want both, mostly reporting (%v)", busy, quiet, got)
	}
	if got["J001"] != 8 {
		t.Errorf("J001 has %d diary entries after two loads; want 8 (6 contacts, 2 quarterly visits)", got["J001"])
	}
}

func mustPairing(t *testing.T, s *store.Store, code string) domain.PairingID {
	t.Helper()
	p, err := s.PairingByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}
