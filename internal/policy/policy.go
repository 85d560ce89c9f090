// Package policy decides, for one pairing at one moment, which contacts are still required and
// whether the pairing is overdue. It is pure: callers pass the pairing, its check-ins and "now".
package policy

import (
	"sort"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/store"
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
	Tags    store.Tags
	Program string // program code; "" when the pairing has none
	Start   time.Time
}

// CheckIn is one non-undone check-in.
type CheckIn struct {
	Kind store.CheckInKind
	At   time.Time
}

// Need is one rule evaluated for the current period.
type Need struct {
	Rule        config.Rule
	Have        int
	Want        int
	PeriodStart time.Time
	PeriodEnd   time.Time // exclusive: the first instant of the next period
	// Overdue: the previous period fell short and nothing since has made it good.
	Overdue      bool
	OverdueSince time.Time
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

// Engine holds the frequency rules.
type Engine struct {
	cfg config.Frequency
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
	for _, t := range p.Tags.List() {
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
func Counts(r config.Rule, kind store.CheckInKind) bool {
	if len(r.Kinds) == 0 {
		return true
	}
	for _, k := range r.Kinds {
		if store.CheckInKind(k) == kind {
			return true
		}
	}
	return false
}

// Evaluate applies the pairing's rules at now. checkins must hold every non-undone check-in since
// Lookback(now) (see Lookback); their order does not matter.
func (e *Engine) Evaluate(p Pairing, checkins []CheckIn, now time.Time) Status {
	sorted := append([]CheckIn(nil), checkins...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].At.Before(sorted[j].At) })
	var st Status
	for _, c := range sorted {
		if !c.At.After(now) {
			st.LastCheckIn = c.At
		}
	}
	for _, r := range e.Rules(p) {
		n := evalRule(r, p.Start, sorted, now)
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

// evalRule counts the current period and decides overdue from the previous one. OverdueSince is the end
// of the period after the one holding the latest qualifying check-in (or the end of the pairing's first
// period), so it stays the same day after day until a check-in changes it: alert keys depend on that.
func evalRule(r config.Rule, start time.Time, cs []CheckIn, now time.Time) Need {
	ps, pe := PeriodOf(r.Period, now)
	n := Need{Rule: r, Want: r.Count, PeriodStart: ps, PeriodEnd: pe}
	prevS, _ := PeriodOf(r.Period, ps.Add(-time.Nanosecond))
	firstS, firstE := PeriodOf(r.Period, start)
	var prevHave int
	var last time.Time
	for _, c := range cs {
		if c.At.After(now) || !Counts(r, c.Kind) {
			continue
		}
		last = c.At
		switch {
		case !c.At.Before(ps):
			n.Have++
		case !c.At.Before(prevS):
			prevHave++
		}
	}
	if prevS.Before(firstS) || prevHave >= r.Count || n.Have >= r.Count {
		return n
	}
	n.Overdue = true
	n.OverdueSince = ps
	if last.Before(prevS) {
		_, lastEnd := PeriodOf(r.Period, last)
		_, since := PeriodOf(r.Period, lastEnd)
		if last.IsZero() || since.Before(firstE) {
			since = firstE
		}
		n.OverdueSince = since
	}
	return n
}
