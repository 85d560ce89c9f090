// Package sim runs a synthetic county through a stretch of the calendar, day by day on a fake clock:
// the real handlers (router), store, scheduler jobs and outbox rows, with simulated cadres who report
// their contacts through chat (some late, some never, some lying) and households who send requests and
// answer call-back questions. It is the end-to-end check of the scheduler and the source of the
// month-by-month report printed by `qinqi simulate`.
package sim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"time"

	"qinqi/bot"
	"qinqi/handlers"
	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/hanzi"
	"qinqi/internal/seed"
	"qinqi/scheduler"
	"qinqi/store"
)

// Options describe the county and how its people behave. Zero values take the defaults below.
type Options struct {
	From, To   time.Time // inclusive days, Asia/Shanghai
	Households int
	Cadres     int
	Seed       int64
	// ReportProb is the share of real contacts a cadre reports (default 0.92).
	ReportProb float64
	// LateShare is the share of reports sent one to five days after the contact (default 0.25).
	LateShare float64
	// LiarShare is the share of cadres who never visit but log visits anyway (default 0.03).
	LiarShare float64
	// ContactsPerMonth is an honest cadre's unprompted contacts per household and month (default 0.9–1.7).
	ContactsPerMonth float64
	// RequestsPerYear is each household's requests per year (default 0.5).
	RequestsPerYear float64
	// AnswerProb is the chance a household answers a question in chat (a visit confirmation, or the
	// call-back question and again after its reminder), and the chance a coordinator reaches a household
	// on the call-back list by phone (default 0.8).
	AnswerProb float64
	// ChatShare is the share of households whose head is on chat (default 0.3); the rest are reached
	// only by phone, through the coordinator's call-back list.
	ChatShare float64
	// Config holds the programme rules; the zero value means config.Defaults().
	Config *config.Config
	Log    *slog.Logger
}

func (o *Options) defaults() {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.ReportProb, 0.92)
	def(&o.LateShare, 0.25)
	def(&o.LiarShare, 0.03)
	def(&o.ContactsPerMonth, 1.0)
	def(&o.RequestsPerYear, 0.5)
	def(&o.AnswerProb, 0.8)
	def(&o.ChatShare, 0.3)
	if o.Config == nil {
		c := config.Defaults()
		o.Config = &c
	}
	o.Config.Outbox.FileDir = "" // reports as text only: the simulator writes no files
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
}

// World is one running simulation.
type World struct {
	o      Options
	st     *store.Store
	clk    *clock.Fake
	router *handlers.Router
	runner *scheduler.Runner
	rng    *rand.Rand
	seq    int64

	pairings []store.Pairing
	cadres   map[domain.PersonID]*cadre
	heads    map[domain.HouseholdID]domain.PersonID // households on chat → their head
	hhOf     map[domain.PersonID]domain.HouseholdID // head on chat → household
	chart    store.OrgChart
	called   map[string]bool // months whose call-back list the coordinators have worked through

	pending  map[string][]action                 // day → actions to do that day
	truth    map[domain.PairingID]map[string]int // real contacts per pairing and month
	lastSeen domain.OutboxID
	tally    *tally
}

type cadre struct {
	id      domain.PersonID
	liar    bool
	rate    float64   // contacts per household per day
	nudged  time.Time // last reminder or alert received
	alerted time.Time // last overdue alert received
}

// action is something a simulated person does on a given day.
type action struct {
	kind    string // report, answer, accept, resolve
	from    domain.PersonID
	pairing domain.PairingID
	ck      domain.CheckInKind
	occur   time.Time
	text    string
	req     domain.RequestID
	month   string
	hh      domain.HouseholdID
}

// Run seeds the county into st (an empty, migrated store), then simulates every day from From to To.
func Run(ctx context.Context, st *store.Store, kv *store.KV, o Options) (Report, error) {
	o.defaults()
	if o.To.Before(o.From) {
		return Report{}, errors.New("sim: --to is before --from")
	}
	wall := time.Now()
	w, err := newWorld(ctx, st, kv, o)
	if err != nil {
		return Report{}, err
	}
	for d := clock.Day(o.From); !d.After(clock.Day(o.To)); d = d.AddDate(0, 0, 1) {
		if err := w.day(ctx, d); err != nil {
			return Report{}, fmt.Errorf("sim: %s: %w", d.Format(time.DateOnly), err)
		}
	}
	rep, err := w.report(ctx)
	if err != nil {
		return Report{}, err
	}
	rep.Wall = time.Since(wall)
	return rep, nil
}

func newWorld(ctx context.Context, st *store.Store, kv *store.KV, o Options) (*World, error) {
	start := clock.Day(o.From)
	if _, err := seed.Generate(ctx, st, seed.Options{Households: o.Households, Cadres: o.Cadres, Seed: o.Seed, Start: start}); err != nil {
		return nil, err
	}
	// The simulator keeps its own seed: the sampling secret is derived from it, so a run is reproducible.
	secret := sha256.Sum256([]byte(fmt.Sprintf("qinqi simulate %d", o.Seed)))
	if err := st.SetSetting(ctx, store.SettingSpotSecret, hex.EncodeToString(secret[:]), start); err != nil {
		return nil, err
	}
	w := &World{o: o, st: st, clk: clock.NewFake(start), rng: rand.New(rand.NewPCG(uint64(o.Seed), 0x5157)),
		cadres: map[domain.PersonID]*cadre{}, heads: map[domain.HouseholdID]domain.PersonID{}, hhOf: map[domain.PersonID]domain.HouseholdID{},
		pending: map[string][]action{}, truth: map[domain.PairingID]map[string]int{}, tally: newTally(), called: map[string]bool{}}
	if err := w.giveHouseholdsHeads(ctx); err != nil {
		return nil, err
	}
	var err error
	if w.chart, err = st.LoadOrgChart(ctx); err != nil {
		return nil, err
	}
	if w.pairings, err = st.AllPairings(ctx); err != nil {
		return nil, err
	}
	w.castCadres()
	fold, err := hanzi.New()
	if err != nil {
		return nil, err
	}
	w.router = handlers.New(handlers.Deps{Store: st, Dialogs: kv, Clock: w.clk, Config: *o.Config, Logger: o.Log, Hanzi: fold,
		Extra: handlers.ExtraDeps{Coord: st, Spot: st, Callbacks: st}})
	w.runner = scheduler.NewRunner(scheduler.RunnerOptions{KV: kv, Runs: st, Clock: w.clk, Log: o.Log, Instance: "sim",
		Timeout: time.Hour, OnResult: w.tally.job})
	jobs, err := scheduler.Jobs(scheduler.Deps{Store: st, Clock: w.clk, Config: *o.Config, Log: o.Log})
	if err != nil {
		return nil, err
	}
	return w, w.runner.Add(jobs...)
}

// giveHouseholdsHeads gives every household a head with a phone number, and puts a share of them
// (ChatShare, drawn in pairing order) on chat; the others are reached by phone only.
func (w *World) giveHouseholdsHeads(ctx context.Context) error {
	if err := w.addHeads(ctx); err != nil {
		return err
	}
	all, err := w.st.AllPairings(ctx)
	if err != nil {
		return err
	}
	seen := map[domain.HouseholdID]bool{}
	for _, p := range all {
		if seen[p.HouseholdID] {
			continue
		}
		seen[p.HouseholdID] = true
		hh, err := w.st.HouseholdByID(ctx, p.HouseholdID)
		if err != nil {
			return err
		}
		account := ""
		if hh.HeadID != nil && w.rng.Float64() < w.o.ChatShare {
			account = "bot1"
			w.heads[hh.ID], w.hhOf[*hh.HeadID] = *hh.HeadID, hh.ID
		}
		if hh.HeadID != nil {
			if err := w.st.SetPersonAccount(ctx, *hh.HeadID, account); err != nil {
				return err
			}
		}
	}
	return nil
}

// addHeads makes a head person, with a phone the coordinator can dial, for each household without one.
func (w *World) addHeads(ctx context.Context) error {
	hhs, err := w.st.HouseholdsWithoutHead(ctx)
	if err != nil || len(hhs) == 0 {
		return err
	}
	people := make([]store.Person, len(hhs))
	codes := make([]string, len(hhs))
	for i, h := range hhs {
		id := h.ID
		codes[i] = "SIM" + h.Code
		people[i] = store.Person{Code: codes[i], Name: h.HeadName, Roles: domain.MakeRoles(domain.RoleHousehold), HouseholdID: &id,
			Title: "户主", Phone: fmt.Sprintf("138%08d", int64(h.ID)%100_000_000)}
	}
	if err := w.st.UpsertPeople(ctx, people, nil); err != nil {
		return err
	}
	got, err := w.st.PeopleByCodes(ctx, codes)
	if err != nil {
		return err
	}
	links := map[domain.HouseholdID]domain.PersonID{}
	for i, h := range hhs {
		links[h.ID] = got[codes[i]].ID
	}
	return w.st.SetHouseholdHeads(ctx, links)
}

// castCadres draws each cadre's diligence and plants the liars, in pairing-id order (reproducible).
func (w *World) castCadres() {
	for _, p := range w.pairings {
		if _, ok := w.cadres[p.CadreID]; ok {
			continue
		}
		monthly := w.o.ContactsPerMonth * (0.6 + 0.8*w.rng.Float64())
		w.cadres[p.CadreID] = &cadre{id: p.CadreID, liar: w.rng.Float64() < w.o.LiarShare, rate: monthly / 30}
	}
}

// day is one simulated day: morning jobs, deliveries, people acting in the afternoon, evening jobs.
func (w *World) day(ctx context.Context, d time.Time) error {
	noon, afternoon, evening, end := d.Add(12*time.Hour), d.Add(15*time.Hour), d.Add(19*time.Hour), d.Add(24*time.Hour-time.Second)
	w.runner.RunDue(ctx, d.Add(-time.Second), noon, w.clk.Set)
	if err := w.deliver(ctx, noon); err != nil {
		return err
	}
	w.clk.Set(afternoon)
	w.live(d)
	if err := w.act(ctx, d, afternoon); err != nil {
		return err
	}
	w.runner.RunDue(ctx, noon, evening, w.clk.Set)
	if err := w.deliver(ctx, evening); err != nil {
		return err
	}
	w.runner.RunDue(ctx, evening, end, w.clk.Set)
	return w.deliver(ctx, end)
}

// send passes one chat message from a person through the real router; an error is a store
// failure the inbox would have retried, which the simulation does not expect.
func (w *World) send(ctx context.Context, from domain.PersonID, text string) ([]bot.Reply, error) {
	w.seq++
	m := bot.Message{Transport: "sim", Account: "bot1", ID: fmt.Sprintf("sim-%d", w.seq), Kind: bot.KindText, Text: text, Time: w.clk.Now()}
	return w.router.Handle(ctx, bot.Inbound{Message: m, PersonID: int64(from), InboxID: w.seq})
}

func dayKey(t time.Time) string { return clock.Day(t).Format(time.DateOnly) }

func (w *World) later(d time.Time, days int, a action) {
	k := dayKey(d.AddDate(0, 0, days))
	w.pending[k] = append(w.pending[k], a)
}
