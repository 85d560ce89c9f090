package sim

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"qinqi/scheduler"
	"qinqi/store"
)

// Month is one row of the report. Reminders, alerts and messages count what the jobs and the outbox did
// in the month; check-ins count by the day they happened; call-backs by the month asked about.
type Month struct {
	Month          string
	Reminders      map[string]int // open, half, last
	CheckIns       map[store.CheckInKind]int
	Alerts         map[store.AlertLevel]int
	Messages       int
	SpotSampled    int
	SpotAnswered   int
	Discrepancies  int // flagged to coordinators
	LiesPlanted    int // liar pairing-months with logged check-ins
	LiesFound      int // discrepancies against liars
	Requests       int
	ResolvedOnTime int
	ResolvedLate   int
}

func newMonth(m string) *Month {
	return &Month{Month: m, Reminders: map[string]int{}, CheckIns: map[store.CheckInKind]int{}, Alerts: map[store.AlertLevel]int{}}
}

func (m *Month) add(o *Month) {
	for k, v := range o.Reminders {
		m.Reminders[k] += v
	}
	for k, v := range o.CheckIns {
		m.CheckIns[k] += v
	}
	for k, v := range o.Alerts {
		m.Alerts[k] += v
	}
	m.Messages += o.Messages
	m.SpotSampled += o.SpotSampled
	m.SpotAnswered += o.SpotAnswered
	m.Discrepancies += o.Discrepancies
	m.LiesPlanted += o.LiesPlanted
	m.LiesFound += o.LiesFound
	m.Requests += o.Requests
	m.ResolvedOnTime += o.ResolvedOnTime
	m.ResolvedLate += o.ResolvedLate
}

// Report is the simulation's outcome.
type Report struct {
	From, To           time.Time
	Households, Cadres int
	Pairings           int
	Liars              int
	SpotPercent        float64
	Months             []Month
	Total              Month
	JobRuns, JobErrors int
	Wall               time.Duration // not part of the reproducible output
}

// tally accumulates what the simulation observed, month by month.
type tally struct {
	months     map[string]*Month
	runs, errs int
}

func newTally() *tally { return &tally{months: map[string]*Month{}} }

func (t *tally) month(m string) *Month {
	if t.months[m] == nil {
		t.months[m] = newMonth(m)
	}
	return t.months[m]
}

// job records a scheduler run (the Runner's OnResult hook).
func (t *tally) job(name string, at time.Time, res scheduler.Result, err error) {
	t.runs++
	if err != nil {
		t.errs++
	}
	m := t.month(at.Format("2006-01"))
	switch name {
	case "window-reminders":
		for _, s := range []string{scheduler.StageOpen, scheduler.StageHalf, scheduler.StageLast} {
			m.Reminders[s] += res["reminders_"+s]
		}
	case "overdue-scan":
		for _, l := range []store.AlertLevel{store.AlertCadre, store.AlertCoordinator, store.AlertHead} {
			m.Alerts[l] += res["alerts_"+string(l)]
		}
	case "spot-check-sample":
		t.month(scheduler.SampleMonth(at).Format("2006-01")).SpotSampled += res["sampled"]
	}
}

func (t *tally) checkIn(month string, k store.CheckInKind) { t.month(month).CheckIns[k]++ }
func (t *tally) request(month string)                      { t.month(month).Requests++ }
func (t *tally) flag(month string)                         { t.month(month).Discrepancies++ }
func (t *tally) answered(month string)                     { t.month(month).SpotAnswered++ }
func (t *tally) messages(month string, n int)              { t.month(month).Messages += n }

// report adds what only the database knows (lies planted and found, requests on time) and orders the months.
func (w *World) report(ctx context.Context) (Report, error) {
	if err := w.liesAndRequests(ctx); err != nil {
		return Report{}, err
	}
	r := Report{From: w.o.From, To: w.o.To, Households: w.o.Households, Cadres: w.o.Cadres, Pairings: len(w.pairings),
		SpotPercent: w.o.Config.SpotCheck.Percent, JobRuns: w.tally.runs, JobErrors: w.tally.errs}
	for _, c := range w.cadres {
		if c.liar {
			r.Liars++
		}
	}
	keys := make([]string, 0, len(w.tally.months))
	for k := range w.tally.months {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	r.Total = *newMonth("合计")
	for _, k := range keys {
		if k < w.o.From.Format("2006-01") {
			continue // the first call-back asks about the month before the simulation: nothing to report
		}
		r.Months = append(r.Months, *w.tally.months[k])
		r.Total.add(w.tally.months[k])
	}
	return r, nil
}

func (w *World) liesAndRequests(ctx context.Context) error {
	cis, err := w.st.AllCheckIns(ctx)
	if err != nil {
		return err
	}
	planted := map[string]bool{}
	for _, c := range cis {
		if c.UndoneAt == nil && w.cadres[c.CadreID] != nil && w.cadres[c.CadreID].liar {
			key := fmt.Sprintf("%d:%s", c.PairingID, c.OccurredAt.Format("2006-01"))
			if !planted[key] {
				planted[key] = true
				w.tally.month(c.OccurredAt.Format("2006-01")).LiesPlanted++
			}
		}
	}
	scs, err := w.st.AllSpotChecks(ctx)
	if err != nil {
		return err
	}
	for _, s := range scs {
		if s.Discrepancy {
			w.tally.flag(s.Month)
		}
		if s.Discrepancy && w.cadres[s.CadreID] != nil && w.cadres[s.CadreID].liar {
			w.tally.month(s.Month).LiesFound++
		}
	}
	reqs, err := w.st.AllRequests(ctx)
	if err != nil {
		return err
	}
	for _, q := range reqs {
		m := w.tally.month(q.CreatedAt.Format("2006-01"))
		switch {
		case q.ResolvedAt == nil:
		case !q.ResolvedAt.After(q.DueAt):
			m.ResolvedOnTime++
		default:
			m.ResolvedLate++
		}
	}
	return nil
}

// Format writes the report as a fixed-width table; the wall time is printed last, on its own line,
// so two runs with the same seed differ only there.
func (r Report) Format(out io.Writer) {
	fmt.Fprintf(out, "qinqi simulate %s → %s: %d households, %d cadres, %d pairings, %d planted liars, spot-check %.0f%%\n\n",
		r.From.Format(time.DateOnly), r.To.Format(time.DateOnly), r.Households, r.Cadres, r.Pairings, r.Liars, r.SpotPercent)
	fmt.Fprintln(out, "month    | reminders open/half/last | check-ins contact/visit/policy/warmth/deed | alerts cadre/coord/head | spot sampled/answered/flagged | lies planted/found | requests new/on-time/late | messages")
	line := func(m Month) {
		fmt.Fprintf(out, "%-8s | %6d %5d %5d        | %6d %5d %5d %5d %5d                 | %5d %5d %5d         | %5d %5d %5d                 | %5d %5d          | %5d %5d %5d             | %6d\n",
			m.Month, m.Reminders[scheduler.StageOpen], m.Reminders[scheduler.StageHalf], m.Reminders[scheduler.StageLast],
			m.CheckIns[store.KindContact], m.CheckIns[store.KindVisit], m.CheckIns[store.KindPolicy], m.CheckIns[store.KindWarmth], m.CheckIns[store.KindDeed],
			m.Alerts[store.AlertCadre], m.Alerts[store.AlertCoordinator], m.Alerts[store.AlertHead],
			m.SpotSampled, m.SpotAnswered, m.Discrepancies, m.LiesPlanted, m.LiesFound,
			m.Requests, m.ResolvedOnTime, m.ResolvedLate, m.Messages)
	}
	for _, m := range r.Months {
		line(m)
	}
	fmt.Fprintln(out, strings.Repeat("-", 60))
	line(r.Total)
	rate := 0.0
	if r.Total.LiesPlanted > 0 {
		rate = 100 * float64(r.Total.LiesFound) / float64(r.Total.LiesPlanted)
	}
	fmt.Fprintf(out, "\nlies caught: %d of %d liar household-months (%.1f%%; sampling %.0f%% × answer rate)\n", r.Total.LiesFound, r.Total.LiesPlanted, rate, r.SpotPercent)
	fmt.Fprintf(out, "job runs: %d, failed: %d\n", r.JobRuns, r.JobErrors)
	fmt.Fprintf(out, "wall time: %s\n", r.Wall.Round(time.Millisecond))
}
