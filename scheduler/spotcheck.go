package scheduler

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"sort"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/store"
)

// SpotCheckSample draws the monthly call-back sample: Percent of the households with an active pairing,
// chosen by a hash of (seed, month, household) so the same seed and month
// always give the same sample, whatever the row order. It asks about the month that just ended; households
// whose head is not on chat are recorded unasked (AskedAt empty) for the coordinator to call.
type SpotCheckSample struct {
	Store  Store
	Clock  clock.Clock
	Config config.SpotCheck
	Spec   string
}

func (j *SpotCheckSample) Name() string     { return "spot-check-sample" }
func (j *SpotCheckSample) PerSlot()         {} // each slot samples its own month
func (j *SpotCheckSample) Schedule() string { return j.Spec }

// Candidate is one household that may be sampled: its first active pairing decides whom it is asked about.
type Candidate struct {
	Household store.HouseholdID
	Head      store.PersonID // 0 when the household is not on chat
	Pairing   store.PairingID
	Cadre     store.PersonID
}

// SampleMonth is the month a run at `at` asks about: the previous calendar month.
func SampleMonth(at time.Time) time.Time {
	d := clock.Day(at)
	return clock.Date(d.Year(), d.Month(), 1).AddDate(0, -1, 0)
}

// Sample picks round(len(cands) × percent / 100) candidates with the smallest hash of (seed, month, household).
func Sample(cands []Candidate, percent float64, seed int64, month string) []Candidate {
	n := int(math.Round(float64(len(cands)) * percent / 100))
	type scored struct {
		c Candidate
		h uint64
	}
	mh := fnv.New64a()
	_, _ = mh.Write([]byte(month))
	base := mix(uint64(seed) ^ mh.Sum64())
	ss := make([]scored, len(cands))
	for i, c := range cands {
		ss[i] = scored{c, mix(base ^ mix(uint64(c.Household)))}
	}
	sort.Slice(ss, func(a, b int) bool {
		if ss[a].h == ss[b].h {
			return ss[a].c.Household < ss[b].c.Household
		}
		return ss[a].h < ss[b].h
	})
	out := make([]Candidate, n)
	for i := range out {
		out[i] = ss[i].c
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Household < out[b].Household })
	return out
}

// mix is splitmix64's finaliser: every input bit moves every output bit, so samples of two months are independent.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Run samples, records the SpotCheck rows and asks each sampled household through the outbox.
func (j *SpotCheckSample) Run(ctx context.Context, at time.Time) (Result, error) {
	res := Result{}
	month := SampleMonth(at)
	label := month.Format("2006-01")
	seen := map[store.HouseholdID]bool{}
	var cands []Candidate
	err := j.Store.ScanActivePairings(ctx, store.ScanOptions{At: at, Bounds: []time.Time{at}}, func(fs []store.PairingFacts) error {
		for _, f := range fs {
			// A pairing that began after the month asked about cannot be checked on it.
			if seen[f.Pairing.HouseholdID] || !f.Pairing.StartOn.Before(month.AddDate(0, 1, 0)) {
				continue
			}
			seen[f.Pairing.HouseholdID] = true
			c := Candidate{Household: f.Pairing.HouseholdID, Pairing: f.Pairing.ID, Cadre: f.Pairing.CadreID}
			if f.HeadID != nil {
				c.Head = *f.HeadID
			}
			cands = append(cands, c)
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	res["candidates"] = len(cands)
	picked := Sample(cands, j.Config.Percent, j.Config.Seed, label)
	cadres := make([]store.PersonID, len(picked))
	for i, c := range picked {
		cadres[i] = c.Cadre
	}
	names, err := j.Store.PersonNames(ctx, cadres)
	if err != nil {
		return res, err
	}
	for start := 0; start < len(picked); start += 500 {
		chunk := picked[start:min(start+500, len(picked))]
		if err := j.Store.Tx(ctx, func(tx *store.Store) error { return j.ask(ctx, tx, chunk, month, names, res) }); err != nil {
			return res, err
		}
	}
	return res, nil
}

func (j *SpotCheckSample) ask(ctx context.Context, tx writer, chunk []Candidate, month time.Time, names map[store.PersonID]string, res Result) error {
	now := j.Clock.Now()
	label := month.Format("2006-01")
	rows := make([]store.SpotCheck, len(chunk))
	head := map[store.HouseholdID]store.PersonID{}
	for i, c := range chunk {
		rows[i] = store.SpotCheck{Month: label, HouseholdID: c.Household, PairingID: c.Pairing, CadreID: c.Cadre,
			Seed: j.Config.Seed, CreatedAt: now, UpdatedAt: now}
		head[c.Household] = c.Head
	}
	fresh, err := tx.AddSpotChecks(ctx, rows)
	if err != nil {
		return err
	}
	ids := make([]store.SpotCheckID, 0, len(fresh))
	for _, s := range fresh {
		if head[s.HouseholdID] == 0 { // not on chat: left unasked for the coordinator's phone call-back
			res["phone_callbacks"]++
			continue
		}
		ids = append(ids, s.ID)
		_, err := tx.EnqueueOutbox(ctx, store.OutboxMessage{Key: fmt.Sprintf("spot:%s:%d:ask", label, s.HouseholdID),
			PersonID: ptr(head[s.HouseholdID]), Priority: store.PriorityBulk, CreatedAt: now, Text: textSpotAsk(month, names[s.CadreID])})
		if err != nil {
			return err
		}
	}
	res["sampled"] += len(fresh)
	return tx.MarkSpotChecksAsked(ctx, ids, now)
}

// SpotCheckRemind asks once more those who have not answered after After.
type SpotCheckRemind struct {
	Store Store
	Clock clock.Clock
	After time.Duration
	Spec  string
}

func (j *SpotCheckRemind) Name() string     { return "spot-check-remind" }
func (j *SpotCheckRemind) Schedule() string { return j.Spec }

// Run reminds the households asked before at−After that have not answered.
func (j *SpotCheckRemind) Run(ctx context.Context, at time.Time) (Result, error) {
	res := Result{}
	due, err := j.Store.SpotChecksToRemind(ctx, laterOf(j.Clock.Now(), at).Add(-j.After))
	if err != nil || len(due) == 0 {
		return res, err
	}
	cadres := make([]store.PersonID, len(due))
	for i, s := range due {
		cadres[i] = s.CadreID
	}
	names, err := j.Store.PersonNames(ctx, cadres)
	if err != nil {
		return res, err
	}
	for start := 0; start < len(due); start += 500 {
		chunk := due[start:min(start+500, len(due))]
		err := j.Store.Tx(ctx, func(tx *store.Store) error {
			return j.remind(ctx, tx, chunk, names, res)
		})
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

func (j *SpotCheckRemind) remind(ctx context.Context, tx *store.Store, chunk []store.SpotCheck, names map[store.PersonID]string, res Result) error {
	now := j.Clock.Now()
	ids := make([]store.SpotCheckID, 0, len(chunk))
	for _, s := range chunk {
		hh, err := tx.HouseholdByID(ctx, s.HouseholdID)
		if err != nil {
			return err
		}
		if hh.HeadID == nil {
			continue
		}
		month, err := time.ParseInLocation("2006-01", s.Month, clock.Shanghai)
		if err != nil {
			return fmt.Errorf("spot check %d: month %q: %w", s.ID, s.Month, err)
		}
		if _, err := tx.EnqueueOutbox(ctx, store.OutboxMessage{Key: fmt.Sprintf("spot:%s:%d:remind", s.Month, s.HouseholdID),
			PersonID: hh.HeadID, Priority: store.PriorityBulk, CreatedAt: now, Text: textSpotRemind(month, names[s.CadreID])}); err != nil {
			return err
		}
		ids = append(ids, s.ID)
	}
	res["reminded"] += len(ids)
	return tx.MarkSpotChecksReminded(ctx, ids, now)
}
