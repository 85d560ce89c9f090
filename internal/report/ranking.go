package report

import (
	"math"
	"sort"

	"qinqi/internal/config"
)

// Weights are the ranking weights (config.Ranking); they need not add up to 1.
type Weights = config.Ranking

// Component is one measured outcome of a unit, each in [0, 1]:
//
//	coverage      households reached / households paired
//	confirmed     visits the households confirmed / visits they answered about (silence counts for nobody)
//	closed        discrepancies verified and closed / discrepancies found
//	on_time       requests resolved by their due time / requests resolved or past due
//	satisfaction  (average rating − 1) / 4, so 1★ is 0 and 5★ is 1
//
// No component counts activities: how many calls or visits were logged is information in 统计,
// never a score (the 2026 rules for government apps forbid 积分排名 on activity).
type Component struct {
	Name   string
	Value  float64 // -1: not measurable in this period (no requests, no ratings …)
	Weight float64
}

// Ranked is one unit's place in the ranking.
type Ranked struct {
	Rank       int
	Unit       UnitFigures
	Score      float64 // 0–100
	Components []Component
}

// Ranking is the ranking of the units of a report.
type Ranking struct {
	Period   Period
	Weights  Weights
	Units    []Ranked
	Unpaired int // units left out because they had no pairing in the period
}

// Rank orders the units of r by
//
//	score = 100 × Σ wᵢ·xᵢ / Σ wᵢ   over the components xᵢ measurable for that unit,
//
// so a unit without any request is neither rewarded nor punished for the on-time rate: that
// weight is left out of its sum. Units without pairings are not ranked. Only units are ranked,
// never individual cadres. Ties keep unit-code order and share a rank. Whether a ranking is shown
// at all is config ranking.enabled (off by default); Rank itself does not look.
func Rank(r Report, w Weights) Ranking {
	out := Ranking{Period: r.Period, Weights: w}
	for _, u := range r.ByUnit {
		if u.Paired == 0 {
			out.Unpaired++
			continue
		}
		sat := u.Satisfaction()
		if sat >= 0 {
			sat = (sat - 1) / 4
		}
		comps := []Component{
			{"coverage", u.Coverage(), w.Coverage},
			{"confirmed", u.Confirmed(), w.Confirmed},
			{"closed", u.ClosedShare(), w.Closed},
			{"on_time", u.OnTimeRate(), w.OnTime},
			{"satisfaction", sat, w.Satisfaction},
		}
		out.Units = append(out.Units, Ranked{Unit: u, Score: score(comps), Components: comps})
	}
	sort.SliceStable(out.Units, func(i, j int) bool { return out.Units[i].Score > out.Units[j].Score })
	for i := range out.Units {
		out.Units[i].Rank = i + 1
		if i > 0 && out.Units[i].Score == out.Units[i-1].Score {
			out.Units[i].Rank = out.Units[i-1].Rank
		}
	}
	return out
}

func score(cs []Component) float64 {
	var sum, weights float64
	for _, c := range cs {
		if c.Value < 0 || c.Weight <= 0 {
			continue
		}
		sum += c.Weight * min(c.Value, 1)
		weights += c.Weight
	}
	if weights == 0 {
		return 0
	}
	return math.Round(1000*sum/weights) / 10 // one decimal, so near-equal units tie visibly
}
