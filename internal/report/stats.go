package report

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"qinqi/internal/domain"
	"qinqi/store"
)

// Source is what the statistics need from the store; *store.Store implements it.
type Source interface {
	UnitsIn(ctx context.Context, ids []domain.UnitID) ([]store.Unit, error)
	CheckInTallies(ctx context.Context, f store.StatsFilter) ([]store.KindTally, error)
	HouseholdsReached(ctx context.Context, f store.StatsFilter) (int64, map[domain.UnitID]int64, error)
	HouseholdsPaired(ctx context.Context, f store.StatsFilter) (int64, map[domain.UnitID]int64, error)
	CadresReported(ctx context.Context, f store.StatsFilter) (paired, reported int64, err error)
	RequestTallies(ctx context.Context, f store.StatsFilter, now time.Time) ([]store.RequestTally, error)
	RatingTallies(ctx context.Context, f store.StatsFilter) ([]store.ScoreTally, error)
	SpotTallies(ctx context.Context, f store.StatsFilter) ([]store.SpotTally, error)
	ConfirmTallies(ctx context.Context, f store.StatsFilter) ([]store.ConfirmTally, error)
	DiscrepancyTallies(ctx context.Context, f store.StatsFilter) ([]store.DiscTally, error)
	GoodsLists(ctx context.Context, f store.StatsFilter) ([]string, error)
}

// Scope is the set of units a report covers: a coordinator's units and sub-units, or every unit
// (All) for an admin and for the county-wide scheduled reports.
type Scope struct {
	All   bool
	Units []domain.UnitID
	Name  string // shown in titles, e.g. 县农业农村局（含下属单位）
}

func (s Scope) filter(p Period) store.StatsFilter {
	f := store.StatsFilter{From: p.From, To: p.To}
	if !s.All {
		f.Units = append([]domain.UnitID{}, s.Units...) // non-nil even when empty: empty scope sees nothing
	}
	return f
}

// Figures are the numbers of one unit or of the whole scope for one period.
type Figures struct {
	Counts          map[domain.CheckInKind]int64
	ValueFen        int64
	GoodsDeliveries int64 // check-ins that handed over goods
	SalesFen        int64 // sales help (帮销), never part of ValueFen
	SalesDeliveries int64 // check-ins with sales help
	Reached, Paired int64 // households with a check-in / with a pairing in force
	// Cadres with a pairing in force in the period, and those of them who reported in it (totals only).
	Cadres, CadresReported int64
	Opened                 int64 // requests and complaints opened
	Resolved               int64
	OnTime                 int64 // resolved by the due time
	Judged                 int64 // resolved or past due: the base of the on-time rate
	RatingN                int64
	RatingSum              int64
	SpotAnswered           int64
	SpotAgree              int64
	// Visits the households were asked about (chat or phone), answered about, and confirmed.
	VisitsAsked, VisitsAnswered, VisitsConfirmed int64
	// Discrepancies found in the period, closed by a coordinator, and of those found true (属实).
	DiscFound, DiscClosed, DiscUpheld int64
}

// Activities is the total of the five counts.
func (f Figures) Activities() int64 {
	var n int64
	for _, c := range f.Counts {
		n += c
	}
	return n
}

// Coverage is households reached / households paired, or -1 when nothing is paired.
func (f Figures) Coverage() float64 { return ratio(f.Reached, f.Paired) }

// OnTimeRate is requests resolved on time / requests judged, or -1 when none is judged yet.
func (f Figures) OnTimeRate() float64 { return ratio(f.OnTime, f.Judged) }

// Satisfaction is the average rating (1–5), or -1 without ratings.
func (f Figures) Satisfaction() float64 { return ratio(f.RatingSum, f.RatingN) }

// Confirmed is the share of visits the households confirmed among those they answered about, or -1
// without answers: an unanswered question counts for nobody and against nobody.
func (f Figures) Confirmed() float64 { return ratio(f.VisitsConfirmed, f.VisitsAnswered) }

// ClosedShare is discrepancies closed / found, or -1 when none was found.
func (f Figures) ClosedShare() float64 { return ratio(f.DiscClosed, f.DiscFound) }

// SpotAgreement is call-backs agreeing with the log / answered call-backs, or -1 without answers.
func (f Figures) SpotAgreement() float64 { return ratio(f.SpotAgree, f.SpotAnswered) }

func ratio(a, b int64) float64 {
	if b <= 0 {
		return -1
	}
	return float64(a) / float64(b)
}

func (f *Figures) add(o Figures) {
	if f.Counts == nil {
		f.Counts = map[domain.CheckInKind]int64{}
	}
	for k, v := range o.Counts {
		f.Counts[k] += v
	}
	f.ValueFen += o.ValueFen
	f.GoodsDeliveries += o.GoodsDeliveries
	f.SalesFen += o.SalesFen
	f.SalesDeliveries += o.SalesDeliveries
	f.Opened += o.Opened
	f.Resolved += o.Resolved
	f.OnTime += o.OnTime
	f.Judged += o.Judged
	f.RatingN += o.RatingN
	f.RatingSum += o.RatingSum
	f.SpotAnswered += o.SpotAnswered
	f.SpotAgree += o.SpotAgree
	f.VisitsAsked += o.VisitsAsked
	f.VisitsAnswered += o.VisitsAnswered
	f.VisitsConfirmed += o.VisitsConfirmed
	f.DiscFound += o.DiscFound
	f.DiscClosed += o.DiscClosed
	f.DiscUpheld += o.DiscUpheld
}

// UnitFigures are one unit's figures.
type UnitFigures struct {
	Unit store.Unit
	Figures
}

// Goods is one kind of goods handed over, added up over the period.
type Goods struct {
	Name     string
	Unit     string // 包, 斤, 床 …
	Quantity float64
}

// Report is the statistics of one scope and period.
type Report struct {
	Period Period
	Scope  Scope
	Total  Figures
	ByUnit []UnitFigures // every unit of the scope, ordered by unit code
	Goods  []Goods       // most frequent first
}

// Stats computes the report of scope for period; now bounds "past due" in an unfinished period.
func Stats(ctx context.Context, src Source, scope Scope, p Period, now time.Time) (Report, error) {
	f := scope.filter(p)
	units, err := src.UnitsIn(ctx, f.Units)
	if err != nil {
		return Report{}, fmt.Errorf("report: %w", err)
	}
	by := make(map[domain.UnitID]*Figures, len(units))
	for _, u := range units {
		by[u.ID] = &Figures{Counts: map[domain.CheckInKind]int64{}}
	}
	if err := collect(ctx, src, f, now, by); err != nil {
		return Report{}, err
	}
	r := Report{Period: p, Scope: scope, Total: Figures{Counts: map[domain.CheckInKind]int64{}}}
	for _, u := range units {
		r.ByUnit = append(r.ByUnit, UnitFigures{Unit: u, Figures: *by[u.ID]})
		r.Total.add(*by[u.ID])
	}
	if r.Total.Reached, _, err = src.HouseholdsReached(ctx, f); err != nil {
		return Report{}, fmt.Errorf("report: %w", err)
	}
	if r.Total.Paired, _, err = src.HouseholdsPaired(ctx, f); err != nil {
		return Report{}, fmt.Errorf("report: %w", err)
	}
	if r.Total.Cadres, r.Total.CadresReported, err = src.CadresReported(ctx, f); err != nil {
		return Report{}, fmt.Errorf("report: %w", err)
	}
	lists, err := src.GoodsLists(ctx, f)
	if err != nil {
		return Report{}, fmt.Errorf("report: %w", err)
	}
	r.Goods = SumGoods(lists)
	return r, nil
}

// collect fills the per-unit figures; rows of units outside the map (people without a unit, or a
// unit deleted since) are dropped, so the per-unit lines and the total agree.
func collect(ctx context.Context, src Source, f store.StatsFilter, now time.Time, by map[domain.UnitID]*Figures) error {
	kinds, err := src.CheckInTallies(ctx, f)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, k := range kinds {
		if u := by[k.UnitID]; u != nil {
			u.Counts[k.Kind] += k.N
			u.ValueFen += k.ValueFen
			u.GoodsDeliveries += k.WithGoods
			u.SalesFen += k.SalesFen
			u.SalesDeliveries += k.WithSales
		}
	}
	if err := collectHouseholds(ctx, src, f, by); err != nil {
		return err
	}
	reqs, err := src.RequestTallies(ctx, f, now)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, t := range reqs {
		if u := by[t.UnitID]; u != nil {
			u.Opened, u.Resolved, u.OnTime, u.Judged = t.Opened, t.Resolved, t.OnTime, t.Judged
		}
	}
	ratings, err := src.RatingTallies(ctx, f)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, t := range ratings {
		if u := by[t.UnitID]; u != nil {
			u.RatingN, u.RatingSum = t.N, t.Sum
		}
	}
	spots, err := src.SpotTallies(ctx, f)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, t := range spots {
		if u := by[t.UnitID]; u != nil {
			u.SpotAnswered, u.SpotAgree = t.Answered, t.Agree
		}
	}
	return collectWord(ctx, src, f, by)
}

// collectWord adds what the households said: visit confirmations and discrepancies.
func collectWord(ctx context.Context, src Source, f store.StatsFilter, by map[domain.UnitID]*Figures) error {
	conf, err := src.ConfirmTallies(ctx, f)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, t := range conf {
		if u := by[t.UnitID]; u != nil {
			u.VisitsAsked, u.VisitsAnswered, u.VisitsConfirmed = t.Asked, t.Answered, t.Confirmed
		}
	}
	discs, err := src.DiscrepancyTallies(ctx, f)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, t := range discs {
		if u := by[t.UnitID]; u != nil {
			u.DiscFound, u.DiscClosed, u.DiscUpheld = t.Found, t.Closed, t.Upheld
		}
	}
	return nil
}

func collectHouseholds(ctx context.Context, src Source, f store.StatsFilter, by map[domain.UnitID]*Figures) error {
	_, reached, err := src.HouseholdsReached(ctx, f)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	_, paired, err := src.HouseholdsPaired(ctx, f)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for id, u := range by {
		u.Reached, u.Paired = reached[id], paired[id]
	}
	return nil
}

// SumGoods adds up goods lists written as "化肥×3包;米×20斤" (the check-in parser's format) by
// name and measure word, most frequent first. Entries without a quantity count as one.
func SumGoods(lists []string) []Goods {
	type key struct{ name, unit string }
	sum := map[key]float64{}
	seen := map[key]int{}
	var order []key
	for _, l := range lists {
		for _, item := range strings.Split(l, ";") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			name, qty, unit := splitGoods(item)
			k := key{name, unit}
			if _, ok := sum[k]; !ok {
				order = append(order, k)
			}
			sum[k] += qty
			seen[k]++
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return seen[order[i]] > seen[order[j]] })
	out := make([]Goods, 0, len(order))
	for _, k := range order {
		out = append(out, Goods{Name: k.name, Unit: k.unit, Quantity: sum[k]})
	}
	return out
}

func splitGoods(item string) (name string, qty float64, unit string) {
	name, rest, ok := strings.Cut(item, "×")
	if !ok {
		return item, 1, ""
	}
	i := 0
	for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
		i++
	}
	q, err := strconv.ParseFloat(rest[:i], 64)
	if err != nil {
		return item, 1, ""
	}
	return name, q, rest[i:]
}
