package handlers

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"qinqi/bot"
	"qinqi/internal/domain"
)

// A cadre's leave is recorded by a coordinator of their unit (请假 <干部> <起> <止>): a leave changes
// who is reminded and what 逾期 shows, so a cadre does not grant it to themself. A cadre who asks
// qinqi for leave ("请假 明天到后天 家里有事", "我今天不舒服 请假") is therefore passed on: each
// coordinator of the cadre's unit (or of the nearest unit above that has one) gets the cadre's own
// words, masked, and the 请假 command to send, with the dates filled in when the message gave them
// in a form 请假 reads. Nothing is recorded until a coordinator sends it; the cadre is told who was
// asked. A cadre whose unit has no coordinator is told to tell one, as before.

// leaveDate is one date as 请假 reads it: 12月8日, 12.8, 2026-12-08, 今天/明天/后天, 周五, 下周一.
const leaveDate = `(?:\d{4}[-/.年])?\d{1,2}[-/.月]\d{1,2}[日号]?|今天|今日|明天|明日|后天|(?:下|本|这)?(?:周|星期|礼拜)[一二三四五六日天]`

var (
	// leaveDateTok finds the first date anywhere in a sentence.
	leaveDateTok = regexp.MustCompile(leaveDate)
	// leaveRangeEnd is what may follow a first date to make it a range: a joiner, then a date or a
	// day of the same month ("12月8号到10号"), or a space and a date ("12-01 12-05").
	leaveRangeEnd = regexp.MustCompile(`^(?:\s*(?:到|至|~|～|—|－|-)\s*(` + leaveDate + `|\d{1,2}[日号]?)|\s+(` + leaveDate + `))`)
	// leaveDays is a leave's length in days ("请3天假", "请假两天").
	leaveDays = regexp.MustCompile(`(\d{1,3}|[一二两三四五六七八九十]{1,3})天`)
)

// leaveAskedDates reads the dates of a cadre's leave from their sentence: the first date, and the
// end of a range written after it or the length in days; one date alone is a leave of one day. ok
// is false when the sentence names no date, or dates 请假 would refuse (the end before the start,
// too long, too old).
func leaveAskedDates(text string, now time.Time) (from, to time.Time, ok bool) {
	loc := leaveDateTok.FindStringIndex(text)
	if loc == nil {
		return time.Time{}, time.Time{}, false
	}
	start, end := text[loc[0]:loc[1]], text[loc[0]:loc[1]]
	days := 1
	if m := leaveRangeEnd.FindStringSubmatch(text[loc[1]:]); m != nil {
		end = m[1] + m[2]
	} else if m := leaveDays.FindStringSubmatch(text); m != nil { // "请两天假 明天开始" too
		days = countWord(m[1])
	}
	a, bad := parseLeaveArgs("干部 "+start+" "+end, now)
	if bad != "" || days < 1 || days > leaveMaxDays {
		return time.Time{}, time.Time{}, false
	}
	return a.from, a.to.AddDate(0, 0, days-1), true
}

// askLeave passes a cadre's leave request to the coordinators of their unit (see above).
func (r *Router) askLeave(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	if c.Is(domain.RoleCoordinator) || c.Is(domain.RoleAdmin) {
		own, err := r.saysOwnLeave(ctx, c)
		if err != nil || !own {
			return r.leave(ctx, c)
		}
		from, to, ok := leaveAskedDates(c.Text, r.now())
		if !ok {
			return nil, refuse(replyLeaveUsage)
		}
		c.Args = fmt.Sprintf("%s %s %s", c.Person.Code, from.Format(time.DateOnly), to.Format(time.DateOnly))
		return r.leave(ctx, c) // one who records leave records their own
	}
	cmd := "请假 " + c.Person.Name + " 开始日期 结束日期"
	if from, to, ok := leaveAskedDates(c.Text, r.now()); ok {
		cmd = fmt.Sprintf("请假 %s %s %s", c.Person.Name, from.Format("1月2日"), to.Format("1月2日"))
	}
	return r.passLeave(ctx, c, noteLeaveAsked(c.Person.Name, c.Text, cmd), replyLeaveAsked)
}

// askLeaveEnd passes a cadre's "back from leave" (销假, "我回来了 销假") to the coordinators of their
// unit the same way, with 销假 to send.
func (r *Router) askLeaveEnd(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	if c.Is(domain.RoleCoordinator) || c.Is(domain.RoleAdmin) {
		if own, err := r.saysOwnLeave(ctx, c); err == nil && own {
			c.Args = c.Person.Code
		}
		return r.endLeave(ctx, c)
	}
	return r.passLeave(ctx, c, noteLeaveEndAsked(c.Person.Name, c.Text), replyLeaveEndAsked)
}

// passLeave sends note to each coordinator of the cadre's unit and tells the cadre whom it reached.
func (r *Router) passLeave(ctx context.Context, c *Caller, note string, told func([]string) string) ([]bot.Reply, error) {
	if c.Person.UnitID == nil {
		return say(replyCadreLeave), nil
	}
	coords, err := r.store.CoordinatorsOfUnit(ctx, *c.Person.UnitID)
	if err != nil {
		return nil, fmt.Errorf("coordinators of unit: %w", err)
	}
	if len(coords) == 0 {
		return say(replyCadreLeave), nil
	}
	var names []string
	var notes []bot.Reply
	for _, co := range coords {
		names = append(names, co.Name)
		notes = append(notes, bot.Reply{To: int64(co.ID), Text: note})
	}
	return append(say(told(names)), notes...), nil
}

// saysOwnLeave: a coordinator or administrator who is also a cadre speaks of their own leave
// ("请假 明天到后天 家里有事", "我回来了 销假"): the words name no cadre by code or name first.
func (r *Router) saysOwnLeave(ctx context.Context, c *Caller) (bool, error) {
	if !c.Is(domain.RoleCadre) {
		return false, nil
	}
	first, _, _ := strings.Cut(trimSeps(c.Args), " ")
	if first == "" {
		return true, nil
	}
	if p, err := r.extra.Coord.PersonByCode(ctx, first); err == nil && p.Roles.Has(domain.RoleCadre) {
		return false, nil
	}
	sc, err := r.scopeOf(ctx, c)
	if err != nil {
		return false, err
	}
	hits, err := r.cadresNamed(ctx, sc, first)
	return len(hits) == 0 && !strings.HasPrefix(first, c.Person.Name), err
}
