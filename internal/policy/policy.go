// Package policy decides, for one pairing at one moment, which contacts are still required and
// whether the pairing is overdue. It is pure: callers pass the pairing, its check-ins and "now".
package policy

import (
	"maps"
	"math"
	"slices"
	"sort"
	"sync/atomic"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
)

// Period names accepted in config.Rule.Period.
const (
	Week      = "week"
	HalfMonth = "half_month"
	Month     = "month"
	Quarter   = "quarter"
)

// Pairing is what the rules need to know about a pairing.
type Pairing struct {
	Tags    domain.Tags
	Program string // program code; "" when the pairing has none
	Start   time.Time
}

// CheckIn is one non-undone check-in.
type CheckIn struct {
	Kind domain.CheckInKind
	At   time.Time
}

// Need is one rule evaluated for the current period.
type Need struct {
	Rule        config.Rule
	Have        int
	Want        int
	PeriodStart time.Time
	PeriodEnd   time.Time // exclusive: the first instant of the next period
	// Overdue: the previous period fell short and the current one is not yet satisfied (see Evaluate).
	Overdue      bool
	OverdueSince time.Time // the missed deadline: the end of the first short period of the spell
}

// Missing is how many check-ins the current period still needs.
func (n Need) Missing() int {
	if n.Have >= n.Want {
		return 0
	}
	return n.Want - n.Have
}

// Status is the verdict for one pairing at one moment.
type Status struct {
	Needs        []Need
	Due          bool // some rule's current period is not yet satisfied
	Overdue      bool
	OverdueSince time.Time // earliest OverdueSince over the overdue rules
	LastCheckIn  time.Time // zero when there is none
}

// Engine holds the frequency rules. It is safe for concurrent use.
type Engine struct {
	cfg  config.Frequency
	last atomic.Pointer[periodCache]
}

// New builds an engine; cfg is assumed validated (config.Validate checks periods and kinds).
func New(cfg config.Frequency) *Engine { return &Engine{cfg: cfg} }

// Rules picks the rules for a pairing: a program rule set wins over a tag rule set, which wins over the
// default. When several tags have rule sets, the one with the most rules (then the first tag) wins, so a
// 监测户 that is also 低保 gets the stricter monitoring rules.
func (e *Engine) Rules(p Pairing) []config.Rule {
	if rs, ok := e.cfg.ByProgram[p.Program]; ok && p.Program != "" {
		return rs
	}
	var best []config.Rule
	for t := range p.Tags.All() {
		if rs, ok := e.cfg.ByTag[string(t)]; ok && stricter(rs, best) {
			best = rs
		}
	}
	if best != nil {
		return best
	}
	return e.cfg.Default
}

// stricter compares rule sets by the total check-ins they ask for per quarter.
func stricter(a, b []config.Rule) bool {
	if b == nil {
		return true
	}
	return perQuarter(a) > perQuarter(b)
}

func perQuarter(rs []config.Rule) int {
	n := 0
	for _, r := range rs {
		switch r.Period {
		case Week:
			n += 13 * r.Count
		case HalfMonth:
			n += 6 * r.Count
		case Month:
			n += 3 * r.Count
		default:
			n += r.Count
		}
	}
	return n
}

// Lookback is the earliest instant whose check-ins Evaluate needs counted individually: the start of the
// previous period of the longest rule. Older check-ins only matter as "the latest of each kind", so a
// caller may pass all check-ins since Lookback plus the latest check-in of each kind before it.
func (e *Engine) Lookback(now time.Time) time.Time {
	longest := Week
	all := append(append([]config.Rule{}, e.cfg.Default...), flatten(e.cfg.ByTag)...)
	all = append(all, flatten(e.cfg.ByProgram)...)
	for _, r := range all {
		if rank(r.Period) > rank(longest) {
			longest = r.Period
		}
	}
	cur, _ := PeriodOf(longest, now)
	prev, _ := PeriodOf(longest, cur.Add(-time.Nanosecond))
	return prev
}

// Bounds are the starts of the current and the previous period of every period the rules use, ascending.
// Check-ins grouped between consecutive bounds (store.ScanOptions.Bounds) evaluate exactly like the
// individual check-ins, because every rule's period starts on one of them.
func (e *Engine) Bounds(now time.Time) []time.Time {
	all := append(append([]config.Rule{}, e.cfg.Default...), flatten(e.cfg.ByTag)...)
	all = append(all, flatten(e.cfg.ByProgram)...)
	seen := map[time.Time]bool{}
	var out []time.Time
	for _, r := range all {
		cur, _ := PeriodOf(r.Period, now)
		prev, _ := PeriodOf(r.Period, cur.Add(-time.Nanosecond))
		for _, t := range []time.Time{prev, cur} {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

func flatten(m map[string][]config.Rule) []config.Rule {
	var out []config.Rule
	for _, rs := range m {
		out = append(out, rs...)
	}
	return out
}

func rank(p string) int {
	switch p {
	case Week:
		return 0
	case HalfMonth:
		return 1
	case Month:
		return 2
	}
	return 3
}

// PeriodOf returns [start, end) of the period containing t, in Asia/Shanghai. Weeks start on Monday.
func PeriodOf(period string, t time.Time) (time.Time, time.Time) {
	d := clock.Day(t)
	switch period {
	case Week:
		off := (int(d.Weekday()) + 6) % 7
		s := d.AddDate(0, 0, -off)
		return s, s.AddDate(0, 0, 7)
	case HalfMonth:
		if d.Day() <= 15 {
			s := clock.Date(d.Year(), d.Month(), 1)
			return s, s.AddDate(0, 0, 15)
		}
		s := clock.Date(d.Year(), d.Month(), 16)
		return s, clock.Date(d.Year(), d.Month()+1, 1)
	case Quarter:
		m := time.Month((int(d.Month())-1)/3*3 + 1)
		s := clock.Date(d.Year(), m, 1)
		return s, s.AddDate(0, 3, 0)
	default:
		s := clock.Date(d.Year(), d.Month(), 1)
		return s, s.AddDate(0, 1, 0)
	}
}

// Counts reports whether a check-in of kind counts for rule r (no kinds listed: every kind counts).
func Counts(r config.Rule, kind domain.CheckInKind) bool {
	if len(r.Kinds) == 0 {
		return true
	}
	for _, k := range r.Kinds {
		if domain.CheckInKind(k) == kind {
			return true
		}
	}
	return false
}

// The rules of Evaluate, for each frequency rule "Count check-ins of Kinds every Period":
//
//   - Periods are calendar periods in Beijing time (weeks from Monday, half-months 1–15 and 16–end,
//     months, quarters). A period is satisfied when it holds at least its Want qualifying check-ins.
//   - The pairing's first period is prorated, not skipped: a pairing that starts part-way through a
//     period owes Count × (days left in the period ÷ days in the period), rounded to the nearest whole
//     check-in (half rounds up). A pairing made on 03-31 owes nothing for March or for Q1, one made
//     on 03-16 owes March's contact, and nobody waits a whole extra period for the first contact after
//     pairing, which is the one that matters most (认亲). Skipping would leave a pairing made on
//     01-02 without any required visit until the end of June under a quarterly rule.
//   - Due: the current period is not yet satisfied.
//   - Overdue: the current period is not yet satisfied and the previous, ended period fell short.
//     A check-in that satisfies the current period ends it (so does a back-dated one that satisfies
//     the previous period).
//   - OverdueSince is the missed deadline: the end of the first period that fell short after the
//     last satisfied one (the pairing's first period when none was ever satisfied). It does not move
//     while the pairing stays overdue, however many periods go by, and it only moves when a check-in
//     satisfies a period. A rule asking two contacts a month that gets one every month stays in one
//     overdue spell with one date, not a new spell each month.
//
// Check-ins after now and before the pairing's start do not count.

// Evaluate applies the pairing's rules at now. checkins must hold every non-undone check-in since
// Lookback(now) plus the latest one of each kind before it; their order does not matter. That is
// enough for Due, Overdue and the Needs, and for OverdueSince of rules asking one check-in per
// period. A rule asking several per period (NeedsHistory) dates a long spell exactly only when
// checkins holds the pairing's whole history; with less it may date the spell earlier.
func (e *Engine) Evaluate(p Pairing, checkins []CheckIn, now time.Time) Status {
	var st Status
	for _, c := range checkins {
		if !c.At.After(now) && c.At.After(st.LastCheckIn) {
			st.LastCheckIn = c.At
		}
	}
	rules := e.Rules(p)
	st.Needs = make([]Need, 0, len(rules))
	start := clock.Day(p.Start)
	times := make([]time.Time, 0, len(checkins)) // one buffer for every rule: need() keeps none of it
	for _, r := range rules {
		times = times[:0]
		for _, c := range checkins {
			if !c.At.After(now) && !c.At.Before(start) && Counts(r, c.Kind) {
				times = append(times, c.At)
			}
		}
		slices.SortFunc(times, time.Time.Compare)
		rs := ruleState{r: r, start: start, times: times}
		rs.firstS, rs.firstE = PeriodOf(r.Period, start)
		n := rs.need(e.periodAt(r.Period, now))
		st.Needs = append(st.Needs, n)
		if n.Missing() > 0 {
			st.Due = true
		}
		if n.Overdue && (!st.Overdue || n.OverdueSince.Before(st.OverdueSince)) {
			st.Overdue, st.OverdueSince = true, n.OverdueSince
		}
	}
	return st
}

// NeedsHistory reports whether dating an overdue spell of p needs its whole history: some rule of
// its asks more than one check-in per period, so the latest check-in alone does not show which
// period was last satisfied.
func (e *Engine) NeedsHistory(p Pairing) bool {
	for _, r := range e.Rules(p) {
		if r.Count > 1 {
			return true
		}
	}
	return false
}

// ruleState is one rule applied to one pairing: its qualifying check-ins, ascending.
type ruleState struct {
	r              config.Rule
	start          time.Time // the pairing's first day
	firstS, firstE time.Time // the pairing's first period of the rule
	times          []time.Time
}

// nowPeriod is the current and the previous period of a rule's kind at some instant.
type nowPeriod struct {
	ps, pe, prevS time.Time
}

// periodAt is PeriodOf(period, now) with the previous period's start, remembered for the last now:
// the daily scans judge a million pairings at one instant, and the calendar arithmetic was most of
// the time each judgement took.
func (e *Engine) periodAt(period string, now time.Time) nowPeriod {
	if c := e.last.Load(); c != nil && c.now.Equal(now) {
		if p, ok := c.byPeriod[period]; ok {
			return p
		}
	}
	var p nowPeriod
	p.ps, p.pe = PeriodOf(period, now)
	p.prevS, _ = PeriodOf(period, p.ps.Add(-time.Nanosecond))
	c := &periodCache{now: now, byPeriod: map[string]nowPeriod{period: p}}
	if old := e.last.Load(); old != nil && old.now.Equal(now) {
		maps.Copy(c.byPeriod, old.byPeriod) // keep the other periods of this instant
		c.byPeriod[period] = p
	}
	e.last.Store(c)
	return p
}

// periodCache is periodAt's memory: one instant, its periods by name. Replaced, never changed.
type periodCache struct {
	now      time.Time
	byPeriod map[string]nowPeriod
}

func (s ruleState) need(at nowPeriod) Need {
	ps, pe, firstS := at.ps, at.pe, s.firstS
	n := Need{Rule: s.r, Want: s.want(ps), PeriodStart: ps, PeriodEnd: pe}
	if ps.Before(firstS) { // the pairing has not started yet
		n.Want = 0
		return n
	}
	n.Have = s.count(ps, pe)
	prevS := at.prevS
	if n.Have >= n.Want || prevS.Before(firstS) || s.count(prevS, ps) >= s.want(prevS) {
		return n
	}
	n.Overdue = true
	_, n.OverdueSince = PeriodOf(s.r.Period, s.firstShort(prevS, firstS))
	return n
}

// firstShort walks back from short, a period that fell short, to the last satisfied period and
// returns the start of the period after it. Runs of periods without any check-in are jumped over.
func (s ruleState) firstShort(short, firstS time.Time) time.Time {
	for {
		cand := s.before(short)
		if cand.Before(firstS) {
			return short
		}
		i := sort.Search(len(s.times), func(i int) bool { return !s.times[i].Before(short) })
		if i == 0 { // nothing before short: every earlier period is short but a first one owing nothing
			if s.want(firstS) == 0 {
				_, next := PeriodOf(s.r.Period, firstS)
				return next
			}
			return firstS
		}
		if latest, _ := PeriodOf(s.r.Period, s.times[i-1]); latest.Before(cand) {
			_, cand = PeriodOf(s.r.Period, latest) // the periods in between are empty, hence short
			short = cand
			cand = latest
		}
		if s.count(cand, short) >= s.want(cand) {
			return short
		}
		short = cand
	}
}

// want is what the period starting at ps asks: Count, prorated for the pairing's first period.
func (s ruleState) want(ps time.Time) int {
	firstS, firstE := s.firstS, s.firstE
	if !ps.Equal(firstS) || s.start.Equal(firstS) {
		return s.r.Count
	}
	left, all := days(s.start, firstE), days(firstS, firstE)
	return int(math.Floor(float64(s.r.Count)*float64(left)/float64(all) + 0.5))
}

// count is the number of qualifying check-ins in [from, to).
func (s ruleState) count(from, to time.Time) int {
	lo := sort.Search(len(s.times), func(i int) bool { return !s.times[i].Before(from) })
	hi := sort.Search(len(s.times), func(i int) bool { return !s.times[i].Before(to) })
	return hi - lo
}

// before is the start of the period before the one starting at ps.
func (s ruleState) before(ps time.Time) time.Time {
	prev, _ := PeriodOf(s.r.Period, ps.Add(-time.Nanosecond))
	return prev
}

func days(from, to time.Time) int { return int(clock.Day(to).Sub(clock.Day(from)).Hours()/24 + 0.5) }
