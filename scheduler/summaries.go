package scheduler

import (
	"context"
	"fmt"
	"time"

	"qinqi/store"
)

// SummaryPrune keeps the per-pairing summaries (store/summary.go) narrow. Every report appends an
// entry to its pairing's row and nothing else takes entries away, so without it a row would grow by
// about twenty entries a year and the daily scans would read ever more. The rule:
//
//   - Weekly (Sunday 03:20, Beijing time, before the day's scans), entries older than
//     store.SummaryHorizon before the run's time are dropped, and the rows that lost any say they
//     are complete only from then.
//   - The horizon (200 days) is longer than any scan's window (the previous quarter's start is at most
//     184 days back), so a scan never finds a row pruned past what it needs; if it did (a clock set
//     back), it would read that pairing's check-ins instead, never judge from a short row.
//   - A missed run (the process was down) is simply done at the next one: nothing depends on the day.
type SummaryPrune struct {
	Store interface {
		PruneSummaries(ctx context.Context, before time.Time) (int, error)
	}
	Spec string
}

func (j *SummaryPrune) Name() string     { return "summary-prune" }
func (j *SummaryPrune) Schedule() string { return j.Spec }

// summaryPruneJob builds the job (weekly, Sunday 03:20).
func summaryPruneJob(d Deps) (*SummaryPrune, error) {
	st, ok := d.Store.(interface {
		PruneSummaries(ctx context.Context, before time.Time) (int, error)
	})
	if !ok {
		return nil, fmt.Errorf("scheduler: the store cannot prune summaries")
	}
	return &SummaryPrune{Store: st, Spec: "20 3 * * 0"}, nil
}

// Run prunes as of the run's slot time.
func (j *SummaryPrune) Run(ctx context.Context, at time.Time) (Result, error) {
	n, err := j.Store.PruneSummaries(ctx, at.Add(-store.SummaryHorizon))
	return Result{"pruned": n}, err
}
