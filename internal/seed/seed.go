// Package seed writes synthetic counties: a deterministic generator for tests, benchmarks and
// load runs (Generate), and the small demo county shipped with the binary (Demo).
package seed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

// Options size the county. The same options always produce the same data.
type Options struct {
	Households int
	Cadres     int
	Seed       int64
	Start      time.Time // first pairing date; zero means 2026-01-01
	// History is about how many diary entries (check-ins) each pairing gets; 0 writes none. See Diary.
	History int
	Until   time.Time // the diary runs up to this instant; zero means two years after Start
	Workers int       // concurrent writers of the history; zero means 2
	// Progress receives a line every few seconds while the history loads (rows and rows/s); nil is silent.
	Progress io.Writer
}

// Shares of households per tag, from the programme articles (roughly).
var tagShares = []struct {
	tag   domain.Tag
	share float64
}{
	{domain.TagLifted, 0.60}, {domain.TagMonitored, 0.12}, {domain.TagDibao, 0.25}, {domain.TagTekun, 0.05},
	{domain.TagLeftChildren, 0.08}, {domain.TagEmptyNest, 0.15}, {domain.TagDisabled, 0.10}, {domain.TagSerialIllness, 0.08},
}

const (
	householdsPerVillage = 60
	villagesPerTownship  = 12
	cadresPerUnit        = 30
	chunk                = 5000 // households per transaction
	shareSecondCadre     = 0.08
	shareRelay           = 0.03
	shareHeadPerson      = 0.05
	shareLocated         = 0.05
	shareDifficult       = 0.08
)

// gen holds the generator's state while it writes.
type gen struct {
	st       *store.Store
	o        Options
	r        *rand.Rand
	villages []domain.RegionID
	cadres   []domain.PersonID
	programs map[string]domain.ProgramID
	pairSeq  int
}

// Generate writes a synthetic county: regions, units with heads and coordinators, cadres,
// households with tags, one-to-many pairings, some two-cadre households and relays, and with
// History a diary for every pairing. Rows are upserted by code and a pairing with check-ins gets no
// more history, so running it twice with the same options changes nothing (and an interrupted
// history load resumes).
func Generate(ctx context.Context, st *store.Store, o Options) (store.OrgCounts, error) {
	if o.Households < 1 || o.Cadres < 1 {
		return store.OrgCounts{}, errors.New("seed: need at least one household and one cadre")
	}
	if o.Households > 5_000_000 || o.Cadres > 1_000_000 {
		return store.OrgCounts{}, errors.New("seed: at most 5,000,000 households and 1,000,000 cadres")
	}
	if o.Start.IsZero() {
		o.Start = clock.Date(2026, time.January, 1)
	}
	if o.Until.IsZero() {
		o.Until = o.Start.AddDate(2, 0, 0)
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
	g := &gen{st: st, o: o, r: rand.New(rand.NewPCG(uint64(o.Seed), 0x9e3779b97f4a7c15))}
	steps := []func(context.Context) error{g.regions, g.programsAndUnits, g.households, g.history}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return store.OrgCounts{}, err
		}
	}
	return st.CountOrg(ctx)
}

// regions writes one county, its townships and villages.
func (g *gen) regions(ctx context.Context) error {
	nv := max(1, (g.o.Households+householdsPerVillage-1)/householdsPerVillage)
	nt := max(1, (nv+villagesPerTownship-1)/villagesPerTownship)
	county := store.Region{Code: "C00", Name: placeName(g.r, "县"), Level: domain.LevelCounty}
	return g.st.Tx(ctx, func(tx *store.Store) error {
		if err := tx.UpsertRegions(ctx, []store.Region{county}); err != nil {
			return err
		}
		c, err := tx.RegionByCode(ctx, county.Code)
		if err != nil {
			return err
		}
		towns := make([]store.Region, nt)
		for i := range towns {
			towns[i] = store.Region{Code: fmt.Sprintf("T%04d", i+1), Name: placeName(g.r, []string{"镇", "乡"}[i%2]), Level: domain.LevelTownship, ParentID: &c.ID}
		}
		townIDs, err := writeRegions(ctx, tx, towns)
		if err != nil {
			return err
		}
		villages := make([]store.Region, nv)
		for i := range villages {
			villages[i] = store.Region{Code: fmt.Sprintf("V%06d", i+1), Name: placeName(g.r, "村"), Level: domain.LevelVillage, ParentID: &townIDs[i/villagesPerTownship]}
		}
		g.villages, err = writeRegions(ctx, tx, villages)
		return err
	})
}

// writeRegions upserts rows and returns their ids in the same order.
func writeRegions(ctx context.Context, tx *store.Store, rows []store.Region) ([]domain.RegionID, error) {
	if err := tx.UpsertRegions(ctx, rows); err != nil {
		return nil, err
	}
	codes := make([]string, len(rows))
	for i, r := range rows {
		codes[i] = r.Code
	}
	got, err := tx.RegionsByCodes(ctx, codes)
	if err != nil {
		return nil, err
	}
	ids := make([]domain.RegionID, len(rows))
	for i, c := range codes {
		ids[i] = got[c].ID
	}
	return ids, nil
}
