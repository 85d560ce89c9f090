package sim

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/scheduler"
	"qinqi/store"
)

// Month is one row of the report. Reminders, alerts and messages count what the jobs and the outbox did
// in the month; check-ins count by the day they happened; call-backs by the month asked about.
type Month struct {
	Month         string
	Reminders     map[string]int // open, half, last
	CheckIns      map[domain.CheckInKind]int
	Alerts        map[domain.AlertLevel]int
	Messages      int
	SpotSampled   int
	SpotAnswered  int
	Discrepancies int // opened for coordinators, by the month of the disputed reports
	// Visits are the reports households are asked about (confirm.kinds), by the day they happened:
	// reported, asked about in chat, confirmed and disputed by the household (in chat or on the phone).
	Visits, VisitsAsked, VisitsConfirmed, VisitsDisputed int
	CallsRecorded                                        int // phone call-backs the coordinators recorded, by month asked about
	LiesPlanted                                          int // liar household-months with logged check-ins
	LiesFound                                            int // of those, disputed by the household in any way
	CaughtByConfirm                                      int // … in answer to a visit confirmation in chat
	CaughtByCallback                                     int // … in the monthly call-back (chat question or phone call)
	HonestDisputed                                       int // discrepancies against honest cadres (a "3" naming another cadre)
	burden                                               []store.BurdenRow
	Requests                                             int
	ResolvedOnTime                                       int
	ResolvedLate                                         int
}

func newMonth(m string) *Month {
	return &Month{Month: m, Reminders: map[string]int{}, CheckIns: map[domain.CheckInKind]int{}, Alerts: map[domain.AlertLevel]int{}}
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
	m.Visits += o.Visits
	m.VisitsAsked += o.VisitsAsked
	m.VisitsConfirmed += o.VisitsConfirmed
	m.VisitsDisputed += o.VisitsDisputed
	m.CallsRecorded += o.CallsRecorded
	m.LiesPlanted += o.LiesPlanted
	m.LiesFound += o.LiesFound
	m.CaughtByConfirm += o.CaughtByConfirm
	m.CaughtByCallback += o.CaughtByCallback
	m.HonestDisputed += o.HonestDisputed
	m.burden = append(m.burden, o.burden...)
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
	LiarIDs            []domain.PersonID // the planted liars, by id, for the invariant tests
	OnChat             int               // households whose head is on chat
	SpotPercent        float64
	Budget             int // reminders.monthly_budget
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
		for _, l := range []domain.AlertLevel{domain.AlertCadre, domain.AlertCoordinator, domain.AlertHead} {
			m.Alerts[l] += res["alerts_"+string(l)]
		}
	case "spot-check-sample":
		t.month(scheduler.SampleMonth(at).Format("2006-01")).SpotSampled += res["sampled"]
	}
}

func (t *tally) checkIn(month string, k domain.CheckInKind) { t.month(month).CheckIns[k]++ }
func (t *tally) request(month string)                       { t.month(month).Requests++ }
func (t *tally) messages(month string, n int)               { t.month(month).Messages += n }

// report adds what only the database knows (lies planted and found, requests on time) and orders the months.
func (w *World) report(ctx context.Context) (Report, error) {
	for _, f := range []func(context.Context) error{w.households, w.requests, w.burden} {
		if err := f(ctx); err != nil {
			return Report{}, err
		}
	}
	r := Report{From: w.o.From, To: w.o.To, Households: w.o.Households, Cadres: w.o.Cadres, Pairings: len(w.pairings),
		OnChat: len(w.heads), SpotPercent: w.o.Config.SpotCheck.Percent, Budget: w.o.Config.Reminders.MonthlyBudget,
		JobRuns: w.tally.runs, JobErrors: w.tally.errs}
	for _, c := range w.cadres {
		if c.liar {
			r.Liars++
			r.LiarIDs = append(r.LiarIDs, c.id)
		}
	}
	sort.Slice(r.LiarIDs, func(i, j int) bool { return r.LiarIDs[i] < r.LiarIDs[j] })
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

func (w *World) requests(ctx context.Context) error {
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

// burden reads the burden meter (store.BurdenOf) of every simulated month.
func (w *World) burden(ctx context.Context) error {
	first := clock.Date(w.o.From.Year(), w.o.From.Month(), 1)
	for m := first; !m.After(w.o.To); m = m.AddDate(0, 1, 0) {
		rows, err := w.st.BurdenOf(ctx, m, m.AddDate(0, 1, 0), nil)
		if err != nil {
			return err
		}
		w.tally.month(m.Format("2006-01")).burden = rows
	}
	return nil
}

// Format writes the report as three fixed-width tables (the programme, the household's word, the
// burden per cadre) and a summary; the wall time is printed last, on its own line, so two runs with
// the same seed differ only there.
func (r Report) Format(out io.Writer) {
	fmt.Fprintf(out, "qinqi simulate %s → %s: %d households (%d on chat, %s), %d cadres, %d pairings, %d planted liars, spot-check %.0f%%\n\n",
		r.From.Format(time.DateOnly), r.To.Format(time.DateOnly), r.Households, r.OnChat, pct(r.OnChat, r.Households),
		r.Cadres, r.Pairings, r.Liars, r.SpotPercent)
	r.formatProgramme(out)
	r.formatWord(out)
	r.formatBurden(out)
	t := r.Total
	fmt.Fprintf(out, "visits confirmed by households: %d of %d reported (%s; asked in chat %d, disputed %d)\n",
		t.VisitsConfirmed, t.Visits, pct(t.VisitsConfirmed, t.Visits), t.VisitsAsked, t.VisitsDisputed)
	fmt.Fprintf(out, "lies caught: %d of %d liar household-months (%s): by visit confirmation %d, by the monthly call-back %d\n",
		t.LiesFound, t.LiesPlanted, pct(t.LiesFound, t.LiesPlanted), t.CaughtByConfirm, t.CaughtByCallback)
	fmt.Fprintf(out, "honest cadres disputed: %d (each in a \"3\" that named another cadre of the same household)\n", t.HonestDisputed)
	fmt.Fprintf(out, "job runs: %d, failed: %d\n", r.JobRuns, r.JobErrors)
	fmt.Fprintf(out, "wall time: %s\n", r.Wall.Round(time.Millisecond))
}

func pct(n, of int) string {
	if of == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}

func (r Report) rows(out io.Writer, header string, line func(Month)) {
	fmt.Fprintln(out, header)
	for _, m := range r.Months {
		line(m)
	}
	fmt.Fprintln(out, strings.Repeat("-", 60))
	line(r.Total)
	fmt.Fprintln(out)
}

func (r Report) formatProgramme(out io.Writer) {
	r.rows(out, "month    | reminders open/half/last | check-ins contact/visit/policy/warmth/deed | alerts cadre/coord/head | requests new/on-time/late | messages",
		func(m Month) {
			fmt.Fprintf(out, "%-8s | %6d %5d %5d        | %6d %5d %5d %5d %5d                 | %5d %5d %5d         | %5d %5d %5d             | %6d\n",
				m.Month, m.Reminders[scheduler.StageOpen], m.Reminders[scheduler.StageHalf], m.Reminders[scheduler.StageLast],
				m.CheckIns[domain.KindContact], m.CheckIns[domain.KindVisit], m.CheckIns[domain.KindPolicy], m.CheckIns[domain.KindWarmth], m.CheckIns[domain.KindDeed],
				m.Alerts[domain.AlertCadre], m.Alerts[domain.AlertCoordinator], m.Alerts[domain.AlertHead],
				m.Requests, m.ResolvedOnTime, m.ResolvedLate, m.Messages)
		})
}

func (r Report) formatWord(out io.Writer) {
	r.rows(out, "month    | visits reported/asked/confirmed/disputed | spot sampled/answered | calls | discrepancies | lies planted/caught: confirm/call-back/any",
		func(m Month) {
			fmt.Fprintf(out, "%-8s | %6d %5d %5d %5d %6s            | %5d %5d             | %5d | %5d         | %5d         %5d %5d %5d\n",
				m.Month, m.Visits, m.VisitsAsked, m.VisitsConfirmed, m.VisitsDisputed, pct(m.VisitsConfirmed, m.Visits),
				m.SpotSampled, m.SpotAnswered, m.CallsRecorded, m.Discrepancies,
				m.LiesPlanted, m.CaughtByConfirm, m.CaughtByCallback, m.LiesFound)
		})
}

// formatBurden summarises the burden meter over the cadres with pairings in each month (and over all
// cadre-months in the total): messages qinqi started to them, questions it asked, reminders, and the
// median time from a reminder to their next report.
func (r Report) formatBurden(out io.Writer) {
	r.rows(out, fmt.Sprintf("month    | cadres | messages median/p90/max | questions | reminders median/max, above budget (%d) | reminder→report median", r.Budget),
		func(m Month) {
			var msgs, rems []int
			var waits []time.Duration
			questions, over := 0, 0
			for _, b := range m.burden {
				msgs, rems = append(msgs, b.Messages), append(rems, b.Reminders)
				questions += b.Questions
				if b.Reminders > r.Budget {
					over++
				}
				if b.Followed > 0 {
					waits = append(waits, b.MedianToReport)
				}
			}
			sort.Ints(msgs)
			sort.Ints(rems)
			sort.Slice(waits, func(i, j int) bool { return waits[i] < waits[j] })
			wait := "–"
			if len(waits) > 0 {
				wait = fmt.Sprintf("%.1f days", waits[len(waits)/2].Hours()/24)
			}
			fmt.Fprintf(out, "%-8s | %6d | %6d %5d %5d       | %9d | %6d %5d %6d                  | %s\n",
				m.Month, len(m.burden), quantile(msgs, 0.5), quantile(msgs, 0.9), quantile(msgs, 1), questions,
				quantile(rems, 0.5), quantile(rems, 1), over, wait)
		})
}

// quantile is the q-quantile of sorted values (nearest rank), 0 for none.
func quantile(sorted []int, q float64) int {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
