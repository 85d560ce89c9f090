package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/store"
)

// A coordinator who hears of an overdue pairing rings the cadre, and wants that cadre's households in
// front of them as the cadre sees them in 我的亲戚: 查干部 陈建国 (or a person code) lists them, numbered,
// with the last contact and what each still needs this period, and says when the cadre is on leave
// today. Only a cadre of the caller's units and sub-units is shown; no phone number is. A coordinator
// asks it in words too — "陈建国最近走访了吗", "陈建国这个月去了没有" (CoordPhrase).

// parseCadreHouseholdsArgs reads 查干部 <姓名或人员编号>: exactly one word.
func parseCadreHouseholdsArgs(args string) (string, bool) {
	f := strings.Fields(args)
	if len(f) != 1 {
		return "", false
	}
	return f[0], true
}

// cadreHouseholds answers 查干部 with the cadre's households.
func (r *Router) cadreHouseholds(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	ref, ok := parseCadreHouseholdsArgs(c.Args)
	if !ok {
		return nil, refuse(replyCadreHouseholdsUsage)
	}
	p, err := r.callersCadre(ctx, c, ref)
	if err != nil {
		return nil, err
	}
	unit := ""
	if p.UnitID != nil {
		u, err := r.extra.Coord.UnitByID(ctx, *p.UnitID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("unit of cadre: %w", err)
		}
		unit = u.Name
	}
	leave, err := r.extra.Coord.OnLeaveAt(ctx, clock.Day(r.now()))
	if err != nil {
		return nil, fmt.Errorf("leaves: %w", err)
	}
	lines, err := r.householdLines(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	return say(replyCadreHouseholds(p.Name, unit, lines, leave[p.ID])), nil
}

// cadreAsks are the ways a coordinator asks whether one cadre has been visiting, said after the
// cadre's name ("陈建国最近走访了吗"); cadreAskWhen are the times said between them, which the card
// covers anyway.
var (
	cadreAsks = []string{"走访了吗", "走访了没有", "走访了没", "去了吗", "去了没有", "去了没", "联系了吗", "联系了没有",
		"走访得怎么样", "走访得怎样", "走访没有", "去过没有", "去过吗",
		"怎么样了", "怎么样", "咋样了", "咋样", "情况怎么样", "的情况", "的户", "的结对户", "的帮扶户", "的亲戚",
		"走访了几次", "去了几次", "联系了几次", "走访了几户", "去了几户"}
	cadreAskWhen = []string{"这个月", "这个星期", "这周", "本月", "最近", "今天", "有没有", "的户", "都"}
)

// cadreAsked is the name in "陈建国最近走访了吗", or false: two to four Han characters that are not a
// period (isPeriod), since "这个月去了没有" asks about everyone.
func cadreAsked(t string, isPeriod func(string) bool) (string, bool) {
	ask := suffixOf(t, cadreAsks)
	if ask == "" {
		return "", false
	}
	name := trimSeps(t[:len(t)-len(ask)])
	for w := suffixOf(name, cadreAskWhen); w != "" && len(w) < len(name); w = suffixOf(name, cadreAskWhen) {
		name = trimSeps(name[:len(name)-len(w)])
	}
	n := utf8.RuneCountInString(name)
	if suffixOf(name, cadreAskWhen) == name || name == "大家" || name == "全县" || name == "全部" {
		return "", false // "今天怎么样" asks about no one
	}
	if n < 2 || n > 4 || isPeriod(name) || IsWeek(name) || strings.ContainsFunc(name, func(r rune) bool { return !unicode.Is(unicode.Han, r) }) {
		return "", false
	}
	return name, true
}
