package handlers

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
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
	sc, p, err := r.statsScope(ctx, c, now)
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

// statsScope reads 统计's arguments: a period, and before or after it one unit of the caller's
// ("统计 业务二科", "统计 乡村振兴科 11月", "11月的统计 振兴" said in any order), found as 逾期 finds
// it. Words that are neither are answered as a period that cannot be read, unless they name no
// date at all and no unit either, which is then said.
func (r *Router) statsScope(ctx context.Context, c *Caller, now time.Time) (coordScope, report.Period, error) {
	sc, err := r.scopeOf(ctx, c)
	if err != nil {
		return coordScope{}, report.Period{}, err
	}
	p, bad := parsePeriodArg(c.Args, now, report.MonthOf(now))
	if bad == "" {
		return sc, p, nil
	}
	f := strings.Fields(c.Args)
	for _, try := range [][2]string{{f[0], strings.Join(f[1:], " ")}, {f[len(f)-1], strings.Join(f[:len(f)-1], " ")}} {
		unit, period := try[0], try[1]
		p, badP := parsePeriodArg(period, now, report.MonthOf(now))
		if badP != "" {
			continue
		}
		narrowed, err := r.narrow(ctx, sc, unit)
		if _, refused := asUserError(err); refused && (len(f) > 1 || looksLikeDate(unit)) {
			continue // "统计 十一月份": a period mistyped, not a unit
		}
		return narrowed, p, err
	}
	return coordScope{}, report.Period{}, refuse(bad)
}

// looksLikeDate: words with a digit or a date word are a period the coordinator meant, never a unit
// (a unit code is letters then digits: U0101).
func looksLikeDate(s string) bool {
	if unitCode.MatchString(s) {
		return false
	}
	return strings.ContainsAny(s, "0123456789月季年度周") || containsAnyOf(s, []string{"上个", "本", "这个", "今年", "去年"})
}

var unitCode = regexp.MustCompile(`^[A-Za-z]+\d+$`)
