package handlers

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/store"
)

// leaveArgs is a parsed 请假 <干部> <起> <止> [原因].
type leaveArgs struct {
	cadre    string
	from, to time.Time // Shanghai midnights, inclusive
	reason   string
}

// Leave limits: records may be entered late, but not for long-past or year-long absences.
const (
	leaveMaxDaysBack = 60
	leaveMaxDays     = 366
)

var leaveDateRe = regexp.MustCompile(`^(?:(\d{4})[-/.年])?(\d{1,2})[-/.月](\d{1,2})[日号]?$`)

// parseLeaveDate reads 2026-12-01, 12-01, 12月1日, 12.1, 今天, 明天, 后天, 周五, 下周一; a date without a
// year is the next such day from a week ago (so 12月1日 typed on 11-28 is this year, 1月3日 typed in
// December next).
func parseLeaveDate(s string, now time.Time) (time.Time, bool) {
	today := clock.Day(now)
	if d, ok := leaveWeekday(s, today); ok {
		return d, true
	}
	switch s {
	case "今天", "今日":
		return today, true
	case "明天", "明日":
		return today.AddDate(0, 0, 1), true
	case "后天":
		return today.AddDate(0, 0, 2), true
	case "昨天":
		return today.AddDate(0, 0, -1), true
	}
	m := leaveDateRe.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	y := today.Year()
	if m[1] != "" {
		y, _ = strconv.Atoi(m[1])
	}
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, clock.Shanghai)
	if t.Month() != time.Month(mo) || t.Day() != d || mo < 1 {
		return time.Time{}, false // 2月30日 and friends
	}
	if m[1] == "" && t.Before(today.AddDate(0, 0, -7)) {
		t = t.AddDate(1, 0, 0)
	}
	return t, true
}

var weekdayNames = map[string]int{"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7}

// leaveWeekday reads 周五, 星期五, 本周五, 这周五 (this Monday-to-Sunday week) and 下周一, 下星期一
// (the next one).
func leaveWeekday(s string, today time.Time) (time.Time, bool) {
	weeks := 0
	for _, p := range []string{"下周", "下星期", "下礼拜"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			s, weeks = "周"+rest, 1
		}
	}
	for _, p := range []string{"本周", "这周", "星期", "礼拜"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			s = "周" + rest
		}
	}
	rest, ok := strings.CutPrefix(s, "周")
	n, known := weekdayNames[rest]
	if !ok || !known {
		return time.Time{}, false
	}
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	return monday.AddDate(0, 0, 7*weeks+n-1), true
}

// leaveDayOnly is a range's end written as a day alone: the 20号 of "12月10号到20号".
var leaveDayOnly = regexp.MustCompile(`^(\d{1,2})[日号]?$`)

// sameMonth gives the end of a range written as a day alone the year and month of its start.
func sameMonth(start, end string) string {
	d, m := leaveDayOnly.FindStringSubmatch(end), leaveDateRe.FindStringSubmatch(start)
	switch {
	case d == nil || m == nil:
		return end
	case m[1] != "":
		return m[1] + "-" + m[2] + "-" + d[1]
	}
	return m[2] + "-" + d[1]
}

// leaveJoiners join the two ends of a leave written as one word ("12月8日到12月20日", "12.8-12.20").
var leaveJoiners = []string{"到", "至", "~", "～", "—", "－", "-"}

// leaveFields are the cadre, the two ends and the reason's words, with the ends split where they
// were written as a range, joined or with 到 between them.
func leaveFields(args string, now time.Time) []string {
	f := strings.Fields(args)
	if len(f) >= 4 && slices.Contains(leaveJoiners, f[2]) { // "12月8日 到 12月20日"
		return append(f[:2:2], f[3:]...)
	}
	if len(f) < 2 {
		return f
	}
	if _, ok := parseLeaveDate(f[1], now); ok {
		return f
	}
	for _, j := range leaveJoiners {
		for i := strings.Index(f[1], j); i > 0; i = nextIndex(f[1], j, i) {
			left := f[1][:i]
			right := sameMonth(left, f[1][i+len(j):])
			_, okL := parseLeaveDate(left, now)
			_, okR := parseLeaveDate(right, now)
			if okL && okR {
				return append([]string{f[0], left, right}, f[2:]...)
			}
		}
	}
	return f
}

// nextIndex is the next place sep stands in s after the one at i, or -1.
func nextIndex(s, sep string, i int) int {
	j := strings.Index(s[i+len(sep):], sep)
	if j < 0 {
		return -1
	}
	return i + len(sep) + j
}

// leaveDaysOnly is a leave's length said alone: "三天", "3天", "请两天假", "共5天".
var leaveDaysOnly = regexp.MustCompile(`^(?:共|请)?(\d{1,3}|[一二两三四五六七八九十]{1,3})天(?:假)?$`)

// leaveLength writes a leave given as one day or as a length ("请假 朱强 明天", "请假 朱强 三天 去党校",
// "请假 朱强 12月8日 3天") as its two ends: one date is a day, a length counts from the date given,
// or from today when it stands alone.
func leaveLength(f []string, now time.Time) []string {
	if len(f) < 2 {
		return f
	}
	if n := leaveDaysIn(f[1]); n > 0 {
		from := clock.Day(now)
		return append([]string{f[0], from.Format(time.DateOnly), from.AddDate(0, 0, n-1).Format(time.DateOnly)}, f[2:]...)
	}
	from, ok := parseLeaveDate(f[1], now)
	if !ok {
		return f
	}
	if len(f) >= 3 {
		if n := leaveDaysIn(f[2]); n > 0 {
			return append([]string{f[0], f[1], from.AddDate(0, 0, n-1).Format(time.DateOnly)}, f[3:]...)
		}
		if _, isDate := parseLeaveDate(sameMonth(f[1], f[2]), now); isDate {
			return f
		}
	}
	return append([]string{f[0], f[1], f[1]}, f[2:]...)
}

// leaveDaysIn is the length a field says ("三天"), 0 when it says none. A length over a year is
// still one (at most 999 days), so 请假 refuses it as too long rather than taking "明天 400天" as a
// day's leave with 400天 for its reason.
func leaveDaysIn(s string) int {
	m := leaveDaysOnly.FindStringSubmatch(s)
	if m == nil {
		return 0
	}
	return countWord(m[1])
}

// parseLeaveArgs parses the arguments of 请假; the string is the reply for bad input.
func parseLeaveArgs(args string, now time.Time) (leaveArgs, string) {
	f := leaveLength(leaveFields(args, now), now)
	if len(f) < 3 {
		return leaveArgs{}, replyLeaveUsage
	}
	from, ok1 := parseLeaveDate(f[1], now)
	to, ok2 := parseLeaveDate(sameMonth(f[1], f[2]), now)
	if !ok1 || !ok2 {
		return leaveArgs{}, replyLeaveBadDate
	}
	if _, bare := leaveWeekday(f[2], clock.Day(now)); bare && to.Before(from) && !strings.HasPrefix(f[2], "下") {
		to = to.AddDate(0, 0, 7) // "下周一到周五": the Friday after that Monday
	}
	today := clock.Day(now)
	switch {
	case to.Before(from):
		return leaveArgs{}, replyLeaveOrder
	case from.Before(today.AddDate(0, 0, -leaveMaxDaysBack)):
		return leaveArgs{}, replyLeaveTooOld(leaveMaxDaysBack)
	case to.Sub(from) > leaveMaxDays*24*time.Hour:
		return leaveArgs{}, replyLeaveTooLong
	}
	return leaveArgs{cadre: f[0], from: from, to: to, reason: strings.Join(f[3:], " ")}, ""
}

// leave records a cadre's leave (请假 <干部> <起> <止> [原因]) for a cadre of the caller's units;
// the cadre is not reminded and their households are marked in 逾期 while it lasts.
func (r *Router) leave(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	now := r.now()
	a, bad := parseLeaveArgs(c.Args, now)
	if bad != "" {
		return nil, refuse(bad)
	}
	if err := fits(a.reason, maxReasonChars); err != nil {
		return nil, err
	}
	cadre, err := r.callersCadre(ctx, c, a.cadre)
	if err != nil {
		return nil, err
	}
	l, err := r.extra.Coord.AddLeaveBy(ctx, store.Leave{PersonID: cadre.ID, FromOn: a.from, ToOn: a.to, Reason: a.reason, CreatedAt: now}, c.ID(), now)
	if err != nil {
		return nil, fmt.Errorf("leave: %w", err)
	}
	return say(replyLeaveDone(cadre.Name, l.FromOn.Format("1月2日"), l.ToOn.Format("1月2日"))), nil
}

// endLeave ends a cadre's leave from today (销假 <干部>), for a cadre of the caller's units: the
// leave covering today ends yesterday, so today's overdue scan reminds the cadre again; a leave
// planned for later stays.
func (r *Router) endLeave(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	name := trimSeps(c.Args)
	if name == "" {
		return nil, refuse(replyLeaveEndUsage)
	}
	cadre, err := r.callersCadre(ctx, c, name)
	if err != nil {
		return nil, err
	}
	now := r.now()
	n, err := r.extra.Coord.EndLeaveBy(ctx, cadre.ID, now, c.ID(), now)
	if err != nil {
		return nil, fmt.Errorf("end leave: %w", err)
	}
	if n == 0 {
		return say(replyLeaveEndNone(cadre.Name)), nil
	}
	return say(replyLeaveEnded(cadre.Name)), nil
}
