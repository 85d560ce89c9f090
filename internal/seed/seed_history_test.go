package seed_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/policy"
	"qinqi/internal/seed"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// diaryOf renders every check-in by pairing code (not id), sorted, so loads can be compared.
func diaryOf(t *testing.T, s *store.Store) string {
	t.Helper()
	ctx := context.Background()
	ps, err := s.AllPairings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	code := map[domain.PairingID]string{}
	for _, p := range ps {
		code[p.ID] = p.Code
	}
	cs, err := s.AllCheckIns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lines := make([]string, len(cs))
	for i, c := range cs {
		lines[i] = fmt.Sprintf("%s %s %s %s %s %s %d", code[c.PairingID], c.OccurredAt.Format(time.DateTime), c.Kind, c.Mode, c.Text, c.Items, c.ValueFen)
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

func TestHistoryIsDeterministicWhateverTheWriters(t *testing.T) {
	ctx := context.Background()
	base := seed.Options{Households: 300, Cadres: 40, Seed: 5, History: 8}
	var diaries []string
	for _, o := range []seed.Options{base, func() seed.Options { o := base; o.Workers = 3; return o }(), func() seed.Options { o := base; o.Seed = 6; return o }()} {
		s := testenv.SQLite(t)
		if _, err := seed.Generate(ctx, s, o); err != nil {
			t.Fatal(err)
		}
		diaries = append(diaries, diaryOf(t, s))
	}
	if diaries[0] == "" || diaries[0] != diaries[1] {
		t.Error("the same seed with 2 and 3 writers gave different diaries")
	}
	if diaries[0] == diaries[2] {
		t.Error("different seeds gave the same diary")
	}
}

// TestHistoryShape: about History entries per pairing, all inside the pairing's time, every kind, the
// check-in indexes back, and a scan on the day after Until finds a few pairings overdue, not most.
func TestHistoryShape(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			o := seed.Options{Households: 900, Cadres: 120, Seed: 3, History: 12, Start: clock.Date(2026, 1, 1), Until: clock.Date(2027, 7, 1)}
			var progress strings.Builder
			o.Progress = &progress
			if _, err := seed.Generate(ctx, s, o); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(progress.String(), "history done:") || !strings.Contains(progress.String(), "rows/s") {
				t.Errorf("progress = %q; want a final line with the rate", progress.String())
			}
			checkDiaryBounds(t, s, o)
			if made, err := s.EnsureCheckInIndexes(ctx); err != nil || len(made) != 0 {
				t.Errorf("indexes missing after the load: %v, %v", made, err)
			}
			checkOverdueShare(t, s, o.Until.AddDate(0, 0, 4).Add(8*time.Hour+30*time.Minute))
		})
	}
}

func checkDiaryBounds(t *testing.T, s *store.Store, o seed.Options) {
	t.Helper()
	ctx := context.Background()
	ps, err := s.AllPairings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[domain.PairingID]store.Pairing{}
	for _, p := range ps {
		byID[p.ID] = p
	}
	cs, err := s.AllCheckIns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[domain.CheckInKind]int{}
	for _, c := range cs {
		p := byID[c.PairingID]
		end := o.Until
		if p.EndOn != nil && p.EndOn.Before(end) {
			end = *p.EndOn
		}
		if c.OccurredAt.Before(p.StartOn) || !c.OccurredAt.Before(end) || c.CadreID != p.CadreID || c.HouseholdID != p.HouseholdID {
			t.Fatalf("check-in %+v outside or off its pairing %+v (until %s)", c, p, end)
		}
		kinds[c.Kind]++
	}
	per := float64(len(cs)) / float64(len(ps))
	if per < 0.8*float64(o.History) || per > 1.1*float64(o.History) || len(kinds) != len(domain.CheckInKinds) {
		t.Errorf("%d check-ins for %d pairings (%.1f each, want about %d), kinds %v", len(cs), len(ps), per, o.History, kinds)
	}
	if kinds[domain.KindContact] < kinds[domain.KindVisit] || kinds[domain.KindVisit] < kinds[domain.KindDeed] {
		t.Errorf("kind mix looks wrong: %v", kinds)
	}
}

// checkOverdueShare evaluates every active pairing with the default rules at `at`.
func checkOverdueShare(t *testing.T, s *store.Store, at time.Time) {
	t.Helper()
	eng := policy.New(config.Defaults().Frequency)
	var total, overdue int
	err := s.ScanActivePairings(context.Background(), store.ScanOptions{At: at, Since: eng.Lookback(at), LatestBefore: true}, func(fs []store.PairingFacts) error {
		for _, f := range fs {
			cis := make([]policy.CheckIn, len(f.CheckIns))
			for i, c := range f.CheckIns {
				cis[i] = policy.CheckIn{Kind: c.Kind, At: c.At}
			}
			total++
			if eng.Evaluate(policy.Pairing{Tags: f.Tags, Program: f.Program, Start: f.Pairing.StartOn}, cis, at).Overdue {
				overdue++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if share := float64(overdue) / float64(total); share < 0.03 || share > 0.2 {
		t.Errorf("%d of %d active pairings overdue on %s; want a few percent (the quiet ones)", overdue, total, at.Format(time.DateOnly))
	}
}

// TestHistoryResumes: a load that stopped part-way (some pairings have their diary) completes to the
// same diary as an uninterrupted one, and seeding again writes nothing more.
func TestHistoryResumes(t *testing.T) {
	ctx := context.Background()
	o := seed.Options{Households: 200, Cadres: 30, Seed: 9, History: 6}
	whole := testenv.SQLite(t)
	if _, err := seed.Generate(ctx, whole, o); err != nil {
		t.Fatal(err)
	}
	s := testenv.SQLite(t)
	org := o
	org.History = 0
	if _, err := seed.Generate(ctx, s, org); err != nil {
		t.Fatal(err)
	}
	page, err := s.PairingsAfter(ctx, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	full := o
	full.Until = clock.Date(2028, 1, 1) // what Generate fills in for the default Start
	var part []store.CheckIn
	for _, p := range page {
		part = append(part, seed.Diary(p, full)...)
	}
	if err := s.BulkInsertCheckIns(ctx, part); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := seed.Generate(ctx, s, o); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := diaryOf(t, s), diaryOf(t, whole); got != want {
		t.Errorf("resumed diary differs from the uninterrupted one (%d vs %d lines)", strings.Count(got, "\n"), strings.Count(want, "\n"))
	}
}
