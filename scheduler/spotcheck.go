package scheduler

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/store"
)

// SpotCheckSample draws the monthly call-back sample: Percent of the households with an active pairing,
// chosen by a keyed hash of (month, household) under the deployment's secret (store.SpotSecret), so
// nobody without the secret can tell who will be called, and whoever holds it gets the same sample
// for the same month whatever the row order. It asks about the month that just ended; households
// whose head is not on chat are recorded unasked (AskedAt empty) and go to the coordinator's
// call-back list.
type SpotCheckSample struct {
	Store  Store
	Clock  clock.Clock
	Config config.SpotCheck
	Spec   string
	// secretID is the fingerprint of the secret of the current run.
	secretID int64
}

func (j *SpotCheckSample) Name() string     { return "spot-check-sample" }
func (j *SpotCheckSample) PerSlot()         {} // each slot samples its own month
func (j *SpotCheckSample) Schedule() string { return j.Spec }

// Candidate is one household that may be sampled: its first active pairing decides whom it is asked about.
type Candidate struct {
	Household domain.HouseholdID
	Head      domain.PersonID // 0 when the household's head is not reachable by chat
	Pairing   domain.PairingID
	Cadre     domain.PersonID
}

// SecretID is a fingerprint of a sampling secret, stored with each sampled row so one can tell which
// secret drew it; it reveals nothing of the secret.
func SecretID(secret []byte) int64 {
	sum := sha256.Sum256(append([]byte("qinqi spot-check secret id:"), secret...))
	return int64(binary.BigEndian.Uint64(sum[:8]) >> 1)
}

// SampleMonth is the month a run at `at` asks about: the previous calendar month.
func SampleMonth(at time.Time) time.Time {
	d := clock.Day(at)
	return clock.Date(d.Year(), d.Month(), 1).AddDate(0, -1, 0)
}

// Sample picks round(len(cands) × percent / 100) candidates with the smallest HMAC-SHA256 of
// "month:household" under secret. Without the secret the order is unpredictable; with it anyone can
// recompute the sample.
func Sample(cands []Candidate, percent float64, secret []byte, month string) []Candidate {
	n := int(math.Round(float64(len(cands)) * percent / 100))
	type scored struct {
		c Candidate
		h uint64
	}
	mac := hmac.New(sha256.New, secret)
	ss := make([]scored, len(cands))
	for i, c := range cands {
		mac.Reset()
		_, _ = mac.Write([]byte(month + ":" + strconv.FormatInt(int64(c.Household), 10)))
		ss[i] = scored{c, binary.BigEndian.Uint64(mac.Sum(nil)[:8])}
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

// Run samples, records the SpotCheck rows and asks each sampled household through the outbox.
func (j *SpotCheckSample) Run(ctx context.Context, at time.Time) (Result, error) {
	res := Result{}
	month := SampleMonth(at)
	label := month.Format("2006-01")
	seen := map[domain.HouseholdID]bool{}
	var cands []Candidate
	err := j.Store.ScanActivePairings(ctx, store.ScanOptions{At: at, Bounds: []time.Time{at}}, func(fs []store.PairingFacts) error {
		for _, f := range fs {
			// A pairing that began after the month asked about cannot be checked on it.
			if seen[f.Pairing.HouseholdID] || !f.Pairing.StartOn.Before(month.AddDate(0, 1, 0)) {
				continue
			}
			seen[f.Pairing.HouseholdID] = true
			cands = append(cands, Candidate{Household: f.Pairing.HouseholdID, Pairing: f.Pairing.ID, Cadre: f.Pairing.CadreID})
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	res["candidates"] = len(cands)
	secret, err := j.Store.SpotSecret(ctx)
	if err != nil {
		return res, fmt.Errorf("spot-check secret (run qinqi migrate): %w", err)
	}
	j.secretID = SecretID(secret)
	picked := Sample(cands, j.Config.Percent, secret, label)
	if err := j.reach(ctx, picked); err != nil {
		return res, err
	}
	cadres := make([]domain.PersonID, len(picked))
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

// reach fills in the heads that can be asked in chat; the rest are called by phone.
func (j *SpotCheckSample) reach(ctx context.Context, picked []Candidate) error {
	ids := make([]domain.HouseholdID, len(picked))
	for i, c := range picked {
		ids[i] = c.Household
	}
	heads, err := j.Store.ChatHeads(ctx, ids)
	if err != nil {
		return err
	}
	for i := range picked {
		picked[i].Head = heads[picked[i].Household]
	}
	return nil
}

func (j *SpotCheckSample) ask(ctx context.Context, tx writer, chunk []Candidate, month time.Time, names map[domain.PersonID]string, res Result) error {
	now := j.Clock.Now()
	label := month.Format("2006-01")
	rows := make([]store.SpotCheck, len(chunk))
	head := map[domain.HouseholdID]domain.PersonID{}
	for i, c := range chunk {
		rows[i] = store.SpotCheck{Month: label, HouseholdID: c.Household, PairingID: c.Pairing, CadreID: c.Cadre,
			Seed: j.secretID, CreatedAt: now, UpdatedAt: now}
		head[c.Household] = c.Head
	}
	fresh, err := tx.AddSpotChecks(ctx, rows)
	if err != nil {
		return err
	}
	ids := make([]domain.SpotCheckID, 0, len(fresh))
	for _, s := range fresh {
		if head[s.HouseholdID] == 0 { // not on chat: left unasked, on the coordinator's call-back list
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
	cadres := make([]domain.PersonID, len(due))
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

func (j *SpotCheckRemind) remind(ctx context.Context, tx *store.Store, chunk []store.SpotCheck, names map[domain.PersonID]string, res Result) error {
	now := j.Clock.Now()
	ids := make([]domain.SpotCheckID, 0, len(chunk))
	for _, s := range chunk {
		hh, err := tx.HouseholdByID(ctx, s.HouseholdID)
		if err != nil {
			return err
		}
		if s.AskedAt == nil || hh.HeadID == nil {
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
