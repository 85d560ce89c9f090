package policy

import (
	"fmt"
	"strings"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
)

// PeriodLabel is the Chinese name of the current period ("本月", "本季度" …).
func PeriodLabel(period string, t time.Time) string {
	switch period {
	case Week:
		return "本周"
	case HalfMonth:
		if clock.Day(t).Day() <= 15 {
			return "本月上半月"
		}
		return "本月下半月"
	case Quarter:
		return "本季度"
	}
	return "本月"
}

// KindsLabel names what counts for a rule: "联系" for any kind, else the kinds joined with "或".
func KindsLabel(kinds []string) string {
	if len(kinds) == 0 {
		return "联系"
	}
	labels := make([]string, len(kinds))
	for i, k := range kinds {
		labels[i] = domain.CheckInKind(k).Label()
	}
	return strings.Join(labels, "或")
}

// DaysOverdue counts whole days from OverdueSince to now (0 when not overdue).
func (s Status) DaysOverdue(now time.Time) int {
	if !s.Overdue {
		return 0
	}
	return int(clock.Day(now).Sub(clock.Day(s.OverdueSince)).Hours()/24 + 0.5)
}

// Summary is a short line for lists and reminders, e.g. "9月30日到期未完成，已逾期53天，本月还需联系1次"
// or "本期已完成". The deadline is the last day of the period that fell short; its year is named only
// when it is more than half a year back in an earlier year.
func (s Status) Summary(now time.Time) string {
	var parts []string
	if s.Overdue {
		parts = append(parts, overdueText(clock.Day(s.OverdueSince).AddDate(0, 0, -1), s.DaysOverdue(now), now))
	}
	for _, n := range s.Needs {
		if m := n.Missing(); m > 0 {
			parts = append(parts, fmt.Sprintf("%s还需%s%d次", PeriodLabel(n.Rule.Period, now), KindsLabel(n.Rule.Kinds), m))
		}
	}
	if len(parts) == 0 {
		return "本期已完成"
	}
	return strings.Join(parts, "，")
}

// overdueText is "9月30日到期未完成，已逾期53天"; on the day after the deadline only "9月30日到期未完成".
func overdueText(deadline time.Time, days int, now time.Time) string {
	d := fmt.Sprintf("%d月%d日", deadline.Month(), deadline.Day())
	if deadline.Year() != now.Year() && now.Sub(deadline) > 183*24*time.Hour {
		d = fmt.Sprintf("%d年%s", deadline.Year(), d)
	}
	if days <= 0 {
		return d + "到期未完成"
	}
	return fmt.Sprintf("%s到期未完成，已逾期%d天", d, days)
}
