package handlers

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/policy"
	"qinqi/internal/report"
	"qinqi/store"
)

// overdueShown caps the list in one chat message; the count says how many there are in all.
const overdueShown = 15

// overdueItem is one overdue pairing as the coordinator sees it.
type overdueItem struct {
	pairing domain.PairingID
	cadre   domain.PersonID
	days    int
	summary string
	leave   bool
}

// overdueFileWords ask for the whole list as a file to print ("逾期 全部", "逾期名单 打印一下").
var overdueFileWords = []string{"全部", "表格", "导出", "打印", "下载", "文件", "excel"}

// parseOverdueArgs reads 逾期 [单位] [全部]: an optional unit code or name, and whether the whole
// list is wanted as a file (a word holding one of overdueFileWords).
func parseOverdueArgs(args string) (unit string, file bool) {
	var kept []string
	for _, f := range strings.Fields(args) {
		if containsAnyOf(asciiLower(f), overdueFileWords) {
			file = true
			continue
		}
		kept = append(kept, f)
	}
	return strings.Join(kept, " "), file
}

// overdue lists the overdue pairings of the caller's units (or of one unit inside them), longest
// overdue first: cadre, household, days overdue and what is missing. Cadres on leave are marked.
func (r *Router) overdue(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	unit, file := parseOverdueArgs(c.Args)
	sc, err := r.scopeOf(ctx, c)
	if err == nil {
		sc, err = r.narrow(ctx, sc, unit)
	}
	if err != nil {
		return nil, err
	}
	now := r.now()
	items, total, err := r.overdueItems(ctx, sc, now)
	if err != nil {
		return nil, fmt.Errorf("overdue scan: %w", err)
	}
	if len(items) == 0 {
		return say(replyOverdueNone(sc.Name, total)), nil
	}
	ids := make([]domain.PairingID, len(items))
	for i, it := range items {
		ids[i] = it.pairing
	}
	labels, err := r.extra.Coord.PairingLabels(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("overdue labels: %w", err)
	}
	if file {
		return r.overdueFile(c, sc.Name, items, labels, now)
	}
	lines := []string{replyOverdueHead(sc.Name, len(items), total)}
	for i, it := range items {
		if i == overdueShown {
			lines = append(lines, replyOverdueMore(len(items)-overdueShown))
			break
		}
		l := labels[it.pairing]
		lines = append(lines, replyOverdueLine(i+1, l.CadreName, l.HeadName, l.HouseholdCode, it.summary, it.leave))
	}
	lines = append(lines, replyOverdueFoot)
	return say(lines...), nil
}

// overdueFile sends every overdue pairing of the scope as an .xlsx to print (逾期 全部).
func (r *Router) overdueFile(c *Caller, scope string, items []overdueItem, labels map[domain.PairingID]store.PairingLabel, now time.Time) ([]bot.Reply, error) {
	rows := make([]report.OverdueRow, len(items))
	for i, it := range items {
		l := labels[it.pairing]
		rows[i] = report.OverdueRow{Unit: l.UnitName, Cadre: l.CadreName, HouseholdCode: l.HouseholdCode, HeadName: l.HeadName,
			Days: it.days, Missing: it.summary, Leave: it.leave}
	}
	path, err := r.reportFile(c, "overdue", report.MonthOf(now), func(w io.Writer) error {
		return report.WriteOverdueList(rows, scope, now, w)
	})
	if err != nil {
		return nil, fmt.Errorf("overdue file: %w", err)
	}
	return []bot.Reply{
		{Text: replyOverdueFile(scope, len(rows)), Urgent: true},
		{FileName: report.OverdueFileName(now), FilePath: path, Urgent: true},
	}, nil
}

// overdueItems evaluates every active pairing of the scope with the frequency rules.
func (r *Router) overdueItems(ctx context.Context, sc coordScope, now time.Time) ([]overdueItem, int, error) {
	leave, err := r.extra.Coord.OnLeaveAt(ctx, clock.Day(now))
	if err != nil {
		return nil, 0, err
	}
	var items []overdueItem
	total := 0
	opts := store.ScanOptions{At: now, Since: r.policy.Lookback(now), LatestBefore: true}
	err = r.extra.Coord.ScanUnitPairings(ctx, sc.filterUnits(), opts, func(ps []store.PairingFacts) error {
		for _, f := range ps {
			total++
			cs := make([]policy.CheckIn, len(f.CheckIns))
			for i, ci := range f.CheckIns {
				cs[i] = policy.CheckIn{Kind: ci.Kind, At: ci.At}
			}
			st := r.policy.Evaluate(policy.Pairing{Tags: f.Tags, Program: f.Program, Start: f.Since}, cs, now)
			if st.Overdue {
				items = append(items, overdueItem{pairing: f.Pairing.ID, cadre: f.Pairing.CadreID, days: st.DaysOverdue(now),
					summary: st.Summary(now), leave: leave[f.Pairing.CadreID]})
			}
		}
		return nil
	})
	sort.SliceStable(items, func(i, j int) bool { return items[i].days > items[j].days })
	return items, total, err
}

// filterUnits is the unit list for store filters: nil (every unit) for an admin.
func (s coordScope) filterUnits() []domain.UnitID {
	if s.All {
		return nil
	}
	return append([]domain.UnitID{}, s.Units...)
}
