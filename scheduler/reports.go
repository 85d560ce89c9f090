package scheduler

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/report"
	"qinqi/store"
)

// ReportKind says which periodic report a PeriodicReport job sends.
type ReportKind string

const (
	ReportMonthly   ReportKind = "monthly"   // supervision report of the previous month
	ReportQuarterly ReportKind = "quarterly" // unit ranking of the previous quarter
	ReportYearly    ReportKind = "yearly"    // assessment of the previous year
)

// ReportStore is what the reports read: the statistics and ledger sources of internal/report.
type ReportStore interface {
	report.LedgerSource
	LoadOrgChart(ctx context.Context) (store.OrgChart, error)
	BurdenOf(ctx context.Context, from, to time.Time, units []domain.UnitID) ([]store.BurdenRow, error)
}

// PeriodicReport sends the previous period's report to every coordinator and unit head, each scoped
// to their unit and its sub-units: text in chat, plus the 民情台账 .xlsx when FileDir is set.
type PeriodicReport struct {
	Kind    ReportKind
	Store   ReportStore
	Clock   clock.Clock
	Weights config.Ranking
	FileDir string // where ledgers are written for the outbox; "" sends text only
	Spec    string
}

func (j *PeriodicReport) Name() string     { return "report-" + string(j.Kind) }
func (j *PeriodicReport) PerSlot()         {} // each slot reports its own period
func (j *PeriodicReport) Schedule() string { return j.Spec }

// period is the period that ended just before at.
func (j *PeriodicReport) period(at time.Time) report.Period {
	prev := clock.Day(at).AddDate(0, 0, -1)
	switch j.Kind {
	case ReportQuarterly:
		return report.QuarterOf(clock.Date(prev.Year(), prev.Month(), 1))
	case ReportYearly:
		return report.YearOf(clock.Date(clock.Day(at).Year()-1, 6, 1))
	}
	return report.MonthOf(clock.Date(prev.Year(), prev.Month(), 1))
}

// Run builds and enqueues one report per recipient.
func (j *PeriodicReport) Run(ctx context.Context, at time.Time) (Result, error) {
	res := Result{}
	p := j.period(at)
	chart, err := j.Store.LoadOrgChart(ctx)
	if err != nil {
		return res, err
	}
	var (
		unit   domain.UnitID
		rep    report.Report
		burden string
	)
	for i, rc := range recipients(chart) {
		u := chart.Units[rc.unit]
		scope := report.Scope{Units: subtree(chart, rc.unit), Name: u.Name + "（含下属单位）"}
		if i == 0 || rc.unit != unit { // recipients come sorted by unit: one computation per unit
			if rep, err = report.Stats(ctx, j.Store, scope, p, at); err != nil {
				return res, fmt.Errorf("report for unit %d: %w", rc.unit, err)
			}
			if burden, err = j.burden(ctx, scope, p); err != nil {
				return res, fmt.Errorf("burden for unit %d: %w", rc.unit, err)
			}
			unit = rc.unit
		}
		if err := j.send(ctx, rc.person, u, scope, rep, burden, at, res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// burden is the monthly report's line on what qinqi asked of the cadres of scope ("" for the
// quarterly and yearly reports).
func (j *PeriodicReport) burden(ctx context.Context, scope report.Scope, p report.Period) (string, error) {
	if j.Kind != ReportMonthly {
		return "", nil
	}
	rows, err := j.Store.BurdenOf(ctx, p.From, p.To, scope.Units)
	if err != nil {
		return "", err
	}
	return "\n" + report.BurdenLine(report.SumBurden(rows)), nil
}

func (j *PeriodicReport) text(rep report.Report) string {
	switch j.Kind {
	case ReportQuarterly:
		if !j.Weights.Enabled {
			return "【季度通报】\n" + report.FormatStats(rep)
		}
		return "【季度排名】\n" + report.FormatRanking(report.Rank(rep, j.Weights), rep.Scope.Name, 10)
	case ReportYearly:
		if !j.Weights.Enabled {
			return "【年度考核】\n" + report.FormatStats(rep)
		}
		return "【年度考核】\n" + report.FormatStats(rep) + "\n\n" + report.FormatRanking(report.Rank(rep, j.Weights), rep.Scope.Name, 10)
	}
	return "【月度督查通报】\n" + report.FormatStats(rep)
}

func (j *PeriodicReport) send(ctx context.Context, to domain.PersonID, u store.Unit, scope report.Scope, rep report.Report,
	burden string, at time.Time, res Result) error {
	now := j.Clock.Now()
	key := fmt.Sprintf("report:%s:%s:%d", j.Kind, rep.Period.Slug(), to)
	msgs := []store.OutboxMessage{{Key: key, PersonID: ptr(to), Priority: store.PriorityBulk, CreatedAt: now,
		Text: j.text(rep) + burden + "\n发送「统计」或「导出」查看更多。"}}
	if j.FileDir != "" {
		path := filepath.Join(j.FileDir, fmt.Sprintf("%s-%s-%d.xlsx", rep.Period.Slug(), u.Code, to))
		if err := writeLedger(ctx, j.Store, scope, rep.Period, at, path); err != nil {
			return err
		}
		msgs = append(msgs, store.OutboxMessage{Key: key + ":xlsx", PersonID: ptr(to), Priority: store.PriorityBulk,
			CreatedAt: now, FileName: report.LedgerFileName(rep.Period), FilePath: path, Kind: store.OutFile})
		res["files"]++
	}
	enq, ok := j.Store.(interface {
		Tx(ctx context.Context, fn func(tx *store.Store) error) error
	})
	if !ok {
		return fmt.Errorf("report store cannot enqueue messages")
	}
	err := enq.Tx(ctx, func(tx *store.Store) error {
		for _, m := range msgs {
			if _, err := tx.EnqueueOutbox(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		res["reports"]++
	}
	return err
}

func writeLedger(ctx context.Context, src report.LedgerSource, scope report.Scope, p report.Period, at time.Time, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("report file dir: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("report file: %w", err)
	}
	if err := report.WriteLedger(ctx, src, scope, p, at, f); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

type recipient struct {
	person domain.PersonID
	unit   domain.UnitID
}

// recipients lists every coordinator (for their own unit) and unit head, once per person and unit.
func recipients(c store.OrgChart) []recipient {
	seen := map[recipient]bool{}
	var out []recipient
	for u, ids := range c.Coordinators {
		for _, id := range ids {
			if r := (recipient{id, u}); !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	for id, u := range c.Units {
		if u.HeadID != nil {
			if r := (recipient{*u.HeadID, id}); !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].unit != out[b].unit {
			return out[a].unit < out[b].unit
		}
		return out[a].person < out[b].person
	})
	return out
}

// subtree is the unit and all its descendants.
func subtree(c store.OrgChart, root domain.UnitID) []domain.UnitID {
	children := map[domain.UnitID][]domain.UnitID{}
	for id, u := range c.Units {
		if u.ParentID != nil {
			children[*u.ParentID] = append(children[*u.ParentID], id)
		}
	}
	out := []domain.UnitID{root}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	sort.Slice(out, func(a, b int) bool { return out[a] < out[b] })
	return out
}
