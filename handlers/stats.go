package handlers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"qinqi/bot"
	"qinqi/internal/report"
)

// statsUnitLines caps the per-unit lines of 统计 for chat length.
const statsUnitLines = 8

// parsePeriodArg reads the optional period of 统计/导出/统计图 (default: this month) and of 排名
// (default: this quarter); the string is the reply for a period that cannot be used.
func parsePeriodArg(args string, now time.Time, def report.Period) (report.Period, string) {
	if args == "" || PeriodArg(args) == "" { // "导出台账": the command word again, no period
		return def, ""
	}
	p, err := report.ParsePeriod(args, now)
	if err != nil && PeriodArg(args) != args { // "导出 12月的台账"
		p, err = report.ParsePeriod(PeriodArg(args), now)
	}
	switch {
	case err != nil && IsWeek(PeriodArg(args)):
		return report.Period{}, replyPeriodWeek(args, now)
	case errors.Is(err, report.ErrFuturePeriod):
		return report.Period{}, replyPeriodFuture(args)
	case err != nil:
		return report.Period{}, replyPeriodBad(args)
	}
	return p, ""
}

// isPeriod tells whether words name a period 统计/导出/排名 read, started or not (CoordPhrase).
func (r *Router) isPeriod(words string) bool {
	_, err := report.ParsePeriod(words, r.now())
	return err == nil || errors.Is(err, report.ErrFuturePeriod)
}

// stats answers 统计 [月份|季度|年] with the five counts, money and goods, coverage, requests,
// satisfaction and call-back agreement of the caller's units.
func (r *Router) stats(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	now := r.now()
	p, bad := parsePeriodArg(c.Args, now, report.MonthOf(now))
	if bad != "" {
		return nil, refuse(bad)
	}
	sc, err := r.scopeOf(ctx, c)
	if err != nil {
		return nil, err
	}
	rep, err := report.Stats(ctx, r.extra.Coord, sc.Scope, p, now)
	if err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	lines := []string{report.FormatStats(rep)}
	if u := report.FormatUnitLines(rep, statsUnitLines); u != "" {
		lines = append(lines, u)
	}
	return say(append(lines, replyStatsFoot(p.Slug()))...), nil
}
