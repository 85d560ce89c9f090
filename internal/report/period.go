// Package report computes the coordinators' numbers — monthly statistics, the quarterly unit
// ranking, the 民情台账 ledger (.xlsx) and the activity chart (.png) — from small read interfaces
// that *store.Store implements. Handlers, the CLI and the scheduler all call the same functions,
// so a number in chat, in the file and in the monthly report is always the same number.
package report

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// PeriodKind is the length of a reporting period.
type PeriodKind int

const (
	Month PeriodKind = iota
	Quarter
	Year
)

// Period is a calendar month, quarter or year in Asia/Shanghai: the half-open range [From, To).
type Period struct {
	Kind PeriodKind
	Year int
	Num  int // month 1–12 or quarter 1–4; 0 for a year
	From time.Time
	To   time.Time
}

// MonthOf is the month containing t (in t's zone).
func MonthOf(t time.Time) Period { return monthPeriod(t.Year(), int(t.Month()), t.Location()) }

// QuarterOf is the quarter containing t.
func QuarterOf(t time.Time) Period {
	return quarterPeriod(t.Year(), (int(t.Month())-1)/3+1, t.Location())
}

// YearOf is the year containing t.
func YearOf(t time.Time) Period { return yearPeriod(t.Year(), t.Location()) }

func monthPeriod(y, m int, loc *time.Location) Period {
	from := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, loc)
	return Period{Kind: Month, Year: from.Year(), Num: int(from.Month()), From: from, To: from.AddDate(0, 1, 0)}
}

func quarterPeriod(y, q int, loc *time.Location) Period {
	from := time.Date(y, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, loc)
	return Period{Kind: Quarter, Year: y, Num: q, From: from, To: from.AddDate(0, 3, 0)}
}

func yearPeriod(y int, loc *time.Location) Period {
	from := time.Date(y, 1, 1, 0, 0, 0, 0, loc)
	return Period{Kind: Year, Year: y, From: from, To: from.AddDate(1, 0, 0)}
}

var quarterNames = [...]string{"", "第一季度", "第二季度", "第三季度", "第四季度"}

// Label is the Chinese name: 2026年11月, 2026年第四季度, 2026年.
func (p Period) Label() string {
	switch p.Kind {
	case Month:
		return fmt.Sprintf("%d年%d月", p.Year, p.Num)
	case Quarter:
		return fmt.Sprintf("%d年%s", p.Year, quarterNames[p.Num])
	}
	return fmt.Sprintf("%d年", p.Year)
}

// Slug is the short form used in file names: 2026-11, 2026Q4, 2026.
func (p Period) Slug() string {
	switch p.Kind {
	case Month:
		return fmt.Sprintf("%d-%02d", p.Year, p.Num)
	case Quarter:
		return fmt.Sprintf("%dQ%d", p.Year, p.Num)
	}
	return strconv.Itoa(p.Year)
}

// Errors of ParsePeriod; handlers turn them into replies.
var (
	ErrBadPeriod    = errors.New("report: unrecognised period")
	ErrFuturePeriod = errors.New("report: the period has not started yet")
)

type periodRule struct {
	re    *regexp.Regexp
	build func(m []string, now time.Time) (Period, bool)
}

const cnNum = `(十一|十二|十|[一二三四五六七八九])`

var periodRules = []periodRule{
	{regexp.MustCompile(`^(本月|这个月|当月|这月)?$`), func(_ []string, now time.Time) (Period, bool) { return MonthOf(now), true }},
	{regexp.MustCompile(`^(上月|上个月|上一个月)$`), func(_ []string, now time.Time) (Period, bool) {
		return MonthOf(MonthOf(now).From.AddDate(0, -1, 0)), true
	}},
	{regexp.MustCompile(`^(本季度|本季|这个季度|这季度|当季)$`), func(_ []string, now time.Time) (Period, bool) { return QuarterOf(now), true }},
	{regexp.MustCompile(`^(上季度|上季|上个季度|上一季度)$`), func(_ []string, now time.Time) (Period, bool) {
		return QuarterOf(QuarterOf(now).From.AddDate(0, -3, 0)), true
	}},
	{regexp.MustCompile(`^(今年|本年|本年度|全年)$`), func(_ []string, now time.Time) (Period, bool) { return YearOf(now), true }},
	{regexp.MustCompile(`^(去年|上年|上一年|上年度)$`), func(_ []string, now time.Time) (Period, bool) { return yearPeriod(now.Year()-1, now.Location()), true }},
	{regexp.MustCompile(`^(\d{4})[-/.年](\d{1,2})月?份?$`), func(m []string, now time.Time) (Period, bool) { return monthOfYear(m[1], m[2], now) }},
	{regexp.MustCompile(`^(\d{4})(\d{2})$`), func(m []string, now time.Time) (Period, bool) { return monthOfYear(m[1], m[2], now) }},
	{regexp.MustCompile(`^(\d{1,2})(?:月份?)?$`), func(m []string, now time.Time) (Period, bool) { return recentMonth(atoi(m[1]), now) }},
	{regexp.MustCompile(`^` + cnNum + `月份?$`), func(m []string, now time.Time) (Period, bool) { return recentMonth(cnValue(m[1]), now) }},
	{regexp.MustCompile(`^(\d{4})(?:年|-)?(?:第)?(?:Q([1-4])|([1-4一二三四])季度?)$`), func(m []string, now time.Time) (Period, bool) {
		return quarterOfYear(atoi(m[1]), m[2]+m[3], now)
	}},
	{regexp.MustCompile(`^(?:第)?(?:Q([1-4])|([1-4一二三四])季度?)$`), func(m []string, now time.Time) (Period, bool) { return recentQuarter(m[1]+m[2], now) }},
	{regexp.MustCompile(`^(\d{4})(?:年度?)?$`), func(m []string, now time.Time) (Period, bool) {
		y := atoi(m[1])
		return yearPeriod(y, now.Location()), validYear(y)
	}},
}

// ParsePeriod reads the period of 统计/排名/导出: empty means this month; 11月 11 十一月 2026-11
// 2026年11月 202611 本月 上月; 2026Q4 2026年第四季度 Q4 四季度 本季度 上季度; 2026年 2026 今年 去年.
// A month or quarter without a year is the latest one that has started. Full-width digits and
// spaces are accepted. A period that starts after now is ErrFuturePeriod.
func ParsePeriod(text string, now time.Time) (Period, error) {
	s := normalisePeriod(text)
	for _, r := range periodRules {
		m := r.re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		p, ok := r.build(m, now)
		if !ok {
			return Period{}, fmt.Errorf("%w: %q", ErrBadPeriod, text)
		}
		if p.From.After(now) {
			return Period{}, fmt.Errorf("%w: %s", ErrFuturePeriod, p.Label())
		}
		return p, nil
	}
	return Period{}, fmt.Errorf("%w: %q", ErrBadPeriod, text)
}

// normalisePeriod folds full-width forms and traditional characters and drops spaces.
func normalisePeriod(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '０' && r <= '９':
			r = '0' + (r - '０')
		case r == 'Ｑ' || r == 'ｑ' || r == 'q':
			r = 'Q'
		case r == '－' || r == '—' || r == '–':
			r = '-'
		case r == '／':
			r = '/'
		case r == '．' || r == '。':
			r = '.'
		case r == '個':
			r = '个'
		case r == '這':
			r = '这'
		case r == '當':
			r = '当'
		case r == ' ' || r == '\t' || r == '\u3000' || r == '\n' || r == '\r':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return cnValue(s)
	}
	return n
}

func cnValue(s string) int {
	return map[string]int{"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "十一": 11, "十二": 12}[s]
}

func validYear(y int) bool { return y >= 2000 && y <= 2100 }

func monthOfYear(ys, ms string, now time.Time) (Period, bool) {
	y, m := atoi(ys), atoi(ms)
	if !validYear(y) || m < 1 || m > 12 {
		return Period{}, false
	}
	return monthPeriod(y, m, now.Location()), true
}

func recentMonth(m int, now time.Time) (Period, bool) {
	if m < 1 || m > 12 {
		return Period{}, false
	}
	y := now.Year()
	if m > int(now.Month()) {
		y--
	}
	return monthPeriod(y, m, now.Location()), true
}

func quarterOfYear(y int, qs string, now time.Time) (Period, bool) {
	q := atoi(qs)
	if !validYear(y) || q < 1 || q > 4 {
		return Period{}, false
	}
	return quarterPeriod(y, q, now.Location()), true
}

func recentQuarter(qs string, now time.Time) (Period, bool) {
	q := atoi(qs)
	if q < 1 || q > 4 {
		return Period{}, false
	}
	y := now.Year()
	if q > (int(now.Month())-1)/3+1 {
		y--
	}
	return quarterPeriod(y, q, now.Location()), true
}
