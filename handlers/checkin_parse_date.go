package handlers

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"qinqi/internal/clock"
	"qinqi/internal/hanzi"
)

var (
	fullDateRe  = regexp.MustCompile(`(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?`)
	monthDayRe  = regexp.MustCompile(`(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?`)
	cnMonthDay  = regexp.MustCompile(`([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})[日号]?`)
	relDayRe    = regexp.MustCompile(`大前天|前天|前日|前儿个|前儿|昨天|昨日|昨儿个|昨儿|昨晚|今天|今日|今儿个|今儿|今早|今晚|今上午|今下午`)
	weekRe      = regexp.MustCompile(`(上上|上)?(?:周|星期|礼拜)([一二三四五六日天1-7])`)
	daysAgoRe   = regexp.MustCompile(`(\d{1,2}|[一二两三四五六七八九十]{1,3})\s*天(?:以)?前`)
	shortDateRe = regexp.MustCompile(`(\d{1,2})([-/.])(\d{1,2})`)
	dayOnlyRe   = regexp.MustCompile(`(本月|这个月|这月)?(\d{1,2})\s*[号日]`)
)

// 昨儿个, 前儿个: the northern spoken forms.
var relDays = map[string]int{"大前天": 3, "前天": 2, "前日": 2, "前儿": 2, "前儿个": 2, "昨天": 1, "昨日": 1, "昨儿": 1, "昨儿个": 1, "昨晚": 1}

// minYear is the earliest year a report may carry: pairing programmes began long after, so an
// older date is a typo and gets its own reply.
const minYear = 2000

// ParseDate finds the first date phrase in s and returns its day (midnight Asia/Shanghai).
// Dates without a year are the latest such day not after today.
func ParseDate(fold *hanzi.Folder, s string, now time.Time) (time.Time, error) {
	return newReportParse(fold, Normalize(fold, s), nil).takeDate(now)
}

type dateMatch struct {
	start, end int
	day        time.Time
	err        error
}

// takeDate reads the first date phrase outside plans and takes it.
func (p *reportParse) takeDate(now time.Time) (time.Time, error) {
	today := clock.Day(now)
	s := p.view(true)
	var best *dateMatch
	for _, find := range []func(string, time.Time) *dateMatch{findFullDate, findMonthDay, findCNMonthDay, findRelDay, findWeekday, findDaysAgo, findShortDate, findDayOnly} {
		if m := find(s, today); m != nil && (best == nil || m.start < best.start) {
			best = m
		}
	}
	if best == nil {
		return today, ErrNoDate
	}
	if best.err != nil {
		return today, best.err
	}
	if best.day.After(today) {
		return today, ErrFutureDate
	}
	p.take(best.start, best.end)
	return best.day, nil
}

// The find* functions first check for a literal that every match must contain: a message without it
// skips the regexp, which is most of the parser's time.

func findFullDate(s string, today time.Time) *dateMatch {
	if !hasDigitRun(s, 4) {
		return nil
	}
	m := fullDateRe.FindStringSubmatchIndex(s)
	if m == nil {
		return nil
	}
	y, mo, d := atoi(s[m[2]:m[3]]), atoi(s[m[4]:m[5]]), atoi(s[m[6]:m[7]])
	if _, ok := calendarDay(y, mo, d); !ok {
		return &dateMatch{start: m[0], end: m[1], err: ErrBadDate}
	}
	day, ok := validDay(y, mo, d)
	if !ok {
		if y < minYear {
			return &dateMatch{start: m[0], end: m[1], err: ErrDateTooOld}
		}
		return &dateMatch{start: m[0], end: m[1], err: ErrFutureDate}
	}
	return &dateMatch{start: m[0], end: m[1], day: day}
}

func findMonthDay(s string, today time.Time) *dateMatch {
	if !strings.Contains(s, "月") {
		return nil
	}
	m := monthDayRe.FindStringSubmatchIndex(s)
	if m == nil {
		return nil
	}
	return yearless(m[0], m[1], atoi(s[m[2]:m[3]]), atoi(s[m[4]:m[5]]), today, true)
}

func findCNMonthDay(s string, today time.Time) *dateMatch {
	if !strings.Contains(s, "月") {
		return nil
	}
	m := cnMonthDay.FindStringSubmatchIndex(s)
	if m == nil {
		return nil
	}
	mo, ok1 := cnNumber(s[m[2]:m[3]])
	d, ok2 := cnNumber(s[m[4]:m[5]])
	if !ok1 || !ok2 {
		return &dateMatch{start: m[0], end: m[1], err: ErrBadDate}
	}
	return yearless(m[0], m[1], int(mo), int(d), today, true)
}

func findRelDay(s string, today time.Time) *dateMatch {
	if !strings.ContainsAny(s, "前昨今") {
		return nil
	}
	m := relDayRe.FindStringIndex(s)
	if m == nil {
		return nil
	}
	return &dateMatch{start: m[0], end: m[1], day: today.AddDate(0, 0, -relDays[s[m[0]:m[1]]])}
}

func findWeekday(s string, today time.Time) *dateMatch {
	if !strings.Contains(s, "周") && !strings.Contains(s, "星期") && !strings.Contains(s, "礼拜") {
		return nil
	}
	m := weekRe.FindStringSubmatchIndex(s)
	if m == nil {
		return nil
	}
	want := map[string]int{"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7,
		"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7}[s[m[4]:m[5]]]
	cur := int(today.Weekday()+6)%7 + 1 // Monday 1 … Sunday 7
	monday := today.AddDate(0, 0, 1-cur)
	var day time.Time
	switch prefix := sub(s, m, 1); prefix {
	case "上":
		day = monday.AddDate(0, 0, want-1-7)
	case "上上":
		day = monday.AddDate(0, 0, want-1-14)
	default: // the latest such weekday, today included
		day = today.AddDate(0, 0, -((cur - want + 7) % 7))
	}
	return &dateMatch{start: m[0], end: m[1], day: day}
}

func findDaysAgo(s string, today time.Time) *dateMatch {
	if !strings.Contains(s, "天") || !strings.Contains(s, "前") {
		return nil
	}
	m := daysAgoRe.FindStringSubmatchIndex(s)
	if m == nil {
		return nil
	}
	n := int64(atoi(s[m[2]:m[3]]))
	if s[m[2]] < '0' || s[m[2]] > '9' {
		var ok bool
		if n, ok = cnNumber(s[m[2]:m[3]]); !ok {
			return nil
		}
	}
	return &dateMatch{start: m[0], end: m[1], day: today.AddDate(0, 0, -int(n))}
}

// findShortDate reads "3.5", "11-20" and "11/20" only when they stand alone: not part of a longer
// number, a phone number, a decimal amount or a quantity ("米3.5斤").
func findShortDate(s string, today time.Time) *dateMatch {
	if !strings.ContainsAny(s, "-/.") {
		return nil
	}
	for _, m := range shortDateRe.FindAllStringSubmatchIndex(s, -1) {
		before, _ := utf8.DecodeLastRuneInString(s[:m[0]])
		after, _ := utf8.DecodeRuneInString(s[m[1]:])
		if isNumberish(before) || isNumberish(after) || before == '¥' || isUnitStart(s[m[1]:]) {
			continue
		}
		if dm := yearless(m[0], m[1], atoi(s[m[2]:m[3]]), atoi(s[m[6]:m[7]]), today, false); dm != nil {
			return dm
		}
	}
	return nil
}

// findDayOnly reads a day of this month said alone ("3号 走访 赵长顺", "本月5日"), standing apart:
// not after a digit, a month (findMonthDay's), 第 or a word of an address ("3组12号", "村12号"), and
// not before one ("3号楼"). A day still to come this month is refused as in the future.
func findDayOnly(s string, today time.Time) *dateMatch {
	if !strings.Contains(s, "号") && !strings.Contains(s, "日") {
		return nil
	}
	for _, m := range dayOnlyRe.FindAllStringSubmatchIndex(s, -1) {
		before, _ := utf8.DecodeLastRuneInString(s[:m[0]])
		after, _ := utf8.DecodeRuneInString(s[m[1]:])
		if m[2] < 0 && !(m[0] == 0 || before == ' ' || isSep(before)) || strings.ContainsRune("楼栋院房室线床门口", after) {
			continue
		}
		if dm := yearless(m[0], m[1], int(today.Month()), atoi(s[m[4]:m[5]]), today, false); dm != nil {
			return dm
		}
	}
	return nil
}

// hasDigitRun reports whether s has n ASCII digits in a row.
func hasDigitRun(s string, n int) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			if run++; run >= n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

func isNumberish(r rune) bool {
	return (r >= '0' && r <= '9') || r == '.' || r == '-' || r == '/' || r == '*' || r == '%'
}

func isUnitStart(s string) bool {
	for _, u := range goodsUnits {
		if strings.HasPrefix(s, u) {
			return true
		}
	}
	for _, u := range []string{"元", "块", "万", "%", "米", "亩", "岁", "人", "次", "天", "小时", "分", "点", "年"} {
		if strings.HasPrefix(s, u) {
			return true
		}
	}
	return false
}

// nearFutureDays: a month and day at most this far ahead is a day not yet come (a slip of the finger
// or a plan), refused as in the future; further ahead it is last year's ("12月30日" said in January).
const nearFutureDays = 31

// yearless resolves a month and day to the latest such day not after today. strict says the
// phrase can only be a date ("3月5日"), so an impossible day is an error rather than "not a date".
func yearless(start, end, mo, d int, today time.Time, strict bool) *dateMatch {
	day, ok := validDay(today.Year(), mo, d)
	if ok && day.After(today) && !day.After(today.AddDate(0, 0, nearFutureDays)) {
		return &dateMatch{start: start, end: end, err: ErrFutureDate} // "12月8日" on the 7th: not last year's
	}
	if ok && day.After(today) {
		day, ok = validDay(today.Year()-1, mo, d)
	}
	if !ok {
		if mo == 2 && d == 29 { // 2月29日 in a non-leap year: the last leap year's
			for y := today.Year() - 1; y > today.Year()-5; y-- {
				if day, ok = validDay(y, mo, d); ok {
					return &dateMatch{start: start, end: end, day: day}
				}
			}
		}
		if strict {
			return &dateMatch{start: start, end: end, err: ErrBadDate}
		}
		return nil
	}
	return &dateMatch{start: start, end: end, day: day}
}

// calendarDay reports whether y-mo-d exists on the calendar at all (any year from 1000).
func calendarDay(y, mo, d int) (time.Time, bool) {
	if mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1000 || y > 9999 {
		return time.Time{}, false
	}
	t := clock.Date(y, time.Month(mo), d)
	return t, t.Day() == d
}

// validDay is a calendar day in the years a report may carry.
func validDay(y, mo, d int) (time.Time, bool) {
	if y < minYear || y > 2999 {
		return time.Time{}, false
	}
	return calendarDay(y, mo, d)
}

func atoi(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0
	}
	return n
}

func sub(s string, m []int, i int) string {
	if m[2*i] < 0 {
		return ""
	}
	return s[m[2*i]:m[2*i+1]]
}
