package handlers

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"qinqi/internal/clock"
	"qinqi/store"
)

// Parse errors; the check-in handler maps each to a reply in replies.go.
var (
	ErrNoKind        = errors.New("checkin: no activity keyword")
	ErrNoDate        = errors.New("checkin: no date phrase")
	ErrBadDate       = errors.New("checkin: no such calendar day")
	ErrFutureDate    = errors.New("checkin: date is in the future")
	ErrNoMoney       = errors.New("checkin: no amount")
	ErrMoneyTooLarge = errors.New("checkin: amount too large")
)

// maxFen caps one report's value at 100万元: larger numbers are typos (a phone number after 元).
const maxFen = 100_000_000

// CheckInDraft is what one report message says, before the household is looked up.
type CheckInDraft struct {
	Kind      store.CheckInKind
	Mode      store.ContactMode
	Household string    // as typed: list number, name, pinyin initials or household code; "" when absent
	Day       time.Time // midnight Asia/Shanghai of the day it happened
	DayGiven  bool      // false: the report is for today
	Goods     []Goods
	ValueFen  int64
	Text      string // the diary text: what is left after the parts above
}

// Goods is one kind of goods handed over, with its quantity as typed (arabic digits).
type Goods struct {
	Name string
	Qty  string
	Unit string
}

// ItemsString is the stored form of goods: "化肥×3包;米×20斤".
func ItemsString(gs []Goods) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = g.Name + "×" + g.Qty + g.Unit
	}
	return strings.Join(parts, ";")
}

type kindKeyword struct {
	word string
	kind store.CheckInKind
	mode store.ContactMode
}

// checkInKeywords is shared with the router table; longer words are tried first at each position.
var checkInKeywords = []kindKeyword{
	{"/contact", store.KindContact, ""}, {"/call", store.KindContact, store.ModePhone},
	{"/visit", store.KindVisit, store.ModeInPerson}, {"/policy", store.KindPolicy, store.ModeInPerson},
	{"/warmth", store.KindWarmth, store.ModeInPerson}, {"/deed", store.KindDeed, store.ModeInPerson},
	{"打电话", store.KindContact, store.ModePhone}, {"通电话", store.KindContact, store.ModePhone},
	{"电话", store.KindContact, store.ModePhone}, {"微信", store.KindContact, store.ModeWeChat},
	{"联系", store.KindContact, ""}, {"联络", store.KindContact, ""},
	{"走访", store.KindVisit, store.ModeInPerson}, {"入户", store.KindVisit, store.ModeInPerson},
	{"家访", store.KindVisit, store.ModeInPerson}, {"走动", store.KindVisit, store.ModeInPerson},
	{"政策宣讲", store.KindPolicy, store.ModeInPerson}, {"讲政策", store.KindPolicy, store.ModeInPerson},
	{"宣讲", store.KindPolicy, store.ModeInPerson},
	{"送温暖", store.KindWarmth, store.ModeInPerson}, {"慰问", store.KindWarmth, store.ModeInPerson},
	{"办实事", store.KindDeed, store.ModeInPerson}, {"代办", store.KindDeed, store.ModeInPerson},
}

// keywordScanRunes bounds how far into a voice-to-text message ("今天上午走访了王春发…") a keyword is looked for.
const keywordScanRunes = 8

// ParseCheckIn reads one report. It never looks anything up: the household stays as typed.
func ParseCheckIn(text string, now time.Time) (CheckInDraft, error) {
	s := Normalize(text)
	kw, rest, ok := cutKindKeyword(s, keywordScanRunes)
	if !ok {
		return CheckInDraft{}, ErrNoKind
	}
	d := CheckInDraft{Kind: kw.kind, Mode: kw.mode, Day: clock.Day(now)}
	fen, rest, err := extractMoney(rest)
	if err != nil {
		return CheckInDraft{}, err
	}
	d.ValueFen = fen
	day, rest, err := extractDate(rest, now)
	switch {
	case err == nil:
		d.Day, d.DayGiven = day, true
	case !errors.Is(err, ErrNoDate):
		return CheckInDraft{}, err
	}
	d.Goods, rest = extractGoods(rest)
	d.Household, d.Text = splitHousehold(rest)
	if d.Kind == store.KindContact && d.Mode == "" {
		d.Mode = contactMode(d.Text)
	}
	return d, nil
}

// cutKindKeyword finds the earliest (then longest) activity keyword within the first maxStart runes
// and returns the text around it joined by a space.
func cutKindKeyword(s string, maxStart int) (kindKeyword, string, bool) {
	lower := asciiLower(s) // same byte offsets as s, unlike strings.ToLower
	pos := 0
	for i := 0; i <= maxStart && pos < len(lower); i++ {
		best := -1
		for j, k := range checkInKeywords {
			if strings.HasPrefix(lower[pos:], k.word) && !slashRunsOn(lower[pos+len(k.word):], k.word) &&
				(best < 0 || len(k.word) > len(checkInKeywords[best].word)) {
				best = j
			}
		}
		if best >= 0 {
			k := checkInKeywords[best]
			return k, strings.TrimSpace(s[:pos] + " " + s[pos+len(k.word):]), true
		}
		_, size := utf8.DecodeRuneInString(lower[pos:])
		pos += size
	}
	return kindKeyword{}, "", false
}

// slashRunsOn reports a slash keyword followed by more letters ("/visitor" is not "/visit").
func slashRunsOn(after, word string) bool {
	return strings.HasPrefix(word, "/") && after != "" && ((after[0] >= 'a' && after[0] <= 'z') || (after[0] >= 'A' && after[0] <= 'Z'))
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func contactMode(text string) store.ContactMode {
	switch {
	case strings.Contains(text, "微信") || strings.Contains(text, "视频"):
		return store.ModeWeChat
	case strings.Contains(text, "见面") || strings.Contains(text, "当面") || strings.Contains(text, "上门"):
		return store.ModeInPerson
	}
	return store.ModePhone
}

// ---- money -------------------------------------------------------------------------------------

var moneyRe = regexp.MustCompile(`(现金|折合|价值|慰问金|慰问款|合计|共计|金额|补助|补贴|红包)?\s*[:：]?\s*(?:人民币)?\s*(¥|rmb|RMB)?\s*(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万]+)\s*(万)?\s*(元钱|元|块钱|块|圆)?`)

// moneyBeforeRunes are the words that may stand right before a bare "500块" without making it goods.
const moneyBeforeRunes = "了送给共约花付交补计发助金给"

// ParseMoney returns the total of every amount in s, in fen.
func ParseMoney(s string) (int64, error) {
	n := Normalize(s)
	fen, rest, err := extractMoney(n)
	if err != nil {
		return 0, err
	}
	if rest == n {
		return 0, ErrNoMoney
	}
	return fen, nil
}

func extractMoney(s string) (int64, string, error) {
	var total int64
	var b strings.Builder
	last := 0
	for _, m := range moneyRe.FindAllStringSubmatchIndex(s, -1) {
		fen, ok, err := moneyMatch(s, m)
		if err != nil {
			return 0, s, err
		}
		if !ok {
			continue
		}
		total += fen
		if total > maxFen {
			return 0, s, ErrMoneyTooLarge
		}
		b.WriteString(s[last:m[0]])
		b.WriteByte(' ')
		last = m[1]
	}
	b.WriteString(s[last:])
	return total, b.String(), nil
}

// moneyMatch decides whether one regexp match is an amount: it needs a prefix word, a ¥ sign or a
// currency unit; "元旦" and goods counted in 块 ("肥皂3块") are not money.
func moneyMatch(s string, m []int) (int64, bool, error) {
	group := func(i int) string {
		if m[2*i] < 0 {
			return ""
		}
		return s[m[2*i]:m[2*i+1]]
	}
	prefix, sign, num, wan, unit := group(1), group(2), group(3), group(4), group(5)
	if prefix == "" && sign == "" && unit == "" {
		return 0, false, nil
	}
	if unit == "元" && strings.HasPrefix(s[m[1]:], "旦") {
		return 0, false, nil
	}
	if unit == "块" && prefix == "" && sign == "" {
		before, _ := utf8.DecodeLastRuneInString(strings.TrimRight(s[:m[0]], " "))
		if unicode.Is(unicode.Han, before) && !strings.ContainsRune(moneyBeforeRunes, before) {
			return 0, false, nil
		}
	}
	fen, err := amountFen(num)
	if errors.Is(err, ErrMoneyTooLarge) {
		return 0, false, err
	}
	if err != nil || fen == 0 {
		return 0, false, nil
	}
	if wan != "" {
		if fen > maxFen/10000 {
			return 0, false, ErrMoneyTooLarge
		}
		fen *= 10000
	}
	if fen > maxFen {
		return 0, false, ErrMoneyTooLarge
	}
	return fen, true, nil
}

// amountFen turns "500", "12.5" or "五百" into fen without floating point.
func amountFen(num string) (int64, error) {
	if num == "" {
		return 0, ErrNoMoney
	}
	if c := num[0]; c < '0' || c > '9' {
		n, ok := cnNumber(num)
		if !ok {
			return 0, ErrNoMoney
		}
		if n > maxFen/100 {
			return 0, ErrMoneyTooLarge
		}
		return n * 100, nil
	}
	whole, frac, _ := strings.Cut(num, ".")
	if len(whole) > 9 {
		return 0, ErrMoneyTooLarge
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("checkin: amount %q: %w", num, ErrNoMoney)
	}
	frac = (frac + "00")[:2]
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("checkin: amount %q: %w", num, ErrNoMoney)
	}
	return w*100 + f, nil
}

var cnDigits = map[rune]int64{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
var cnUnits = map[rune]int64{'十': 10, '百': 100, '千': 1000}

// cnNumber reads Chinese numerals up to the 万s, including the spoken "一千五" (1500) and "两百".
func cnNumber(s string) (int64, bool) {
	var total, section, num, lastUnit int64
	zero, afterUnit, any := false, false, false
	for _, r := range s {
		switch {
		case r == '万':
			section += num
			if section == 0 || total > 0 {
				return 0, false
			}
			total, section, num, lastUnit, afterUnit = section*10000, 0, 0, 10000, true
		case cnUnits[r] > 0:
			u := cnUnits[r]
			if num == 0 && u == 10 {
				num = 1
			}
			section += num * u
			num, lastUnit, afterUnit = 0, u, true
		default:
			d, ok := cnDigits[r]
			if !ok {
				return 0, false
			}
			if d == 0 {
				zero = true
			} else if num != 0 {
				return 0, false // "五五" is not a number
			}
			num = d
			any = any || d != 0
		}
	}
	if afterUnit && !zero && num > 0 && lastUnit >= 100 {
		num *= lastUnit / 10 // 一千五 = 1500
	}
	n := total + section + num
	return n, n > 0 && (any || lastUnit > 0)
}

// ---- dates -------------------------------------------------------------------------------------

var (
	fullDateRe  = regexp.MustCompile(`(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?`)
	monthDayRe  = regexp.MustCompile(`(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?`)
	cnMonthDay  = regexp.MustCompile(`([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})[日号]?`)
	relDayRe    = regexp.MustCompile(`大前天|前天|前日|前儿|昨天|昨日|昨儿|昨晚|今天|今日|今儿|今早|今晚|今上午|今下午`)
	weekRe      = regexp.MustCompile(`(上上|上)?(?:周|星期|礼拜)([一二三四五六日天1-7])`)
	daysAgoRe   = regexp.MustCompile(`(\d{1,2}|[一二两三四五六七八九十]{1,3})\s*天(?:以)?前`)
	shortDateRe = regexp.MustCompile(`(\d{1,2})([-/.])(\d{1,2})`)
)

var relDays = map[string]int{"大前天": 3, "前天": 2, "前日": 2, "前儿": 2, "昨天": 1, "昨日": 1, "昨儿": 1, "昨晚": 1}

// ParseDate finds the first date phrase in s and returns its day (midnight Asia/Shanghai).
// Dates without a year are the latest such day not after today.
func ParseDate(s string, now time.Time) (time.Time, error) {
	d, _, err := extractDate(Normalize(s), now)
	return d, err
}

type dateMatch struct {
	start, end int
	day        time.Time
	err        error
}

func extractDate(s string, now time.Time) (time.Time, string, error) {
	today := clock.Day(now)
	var best *dateMatch
	for _, find := range []func(string, time.Time) *dateMatch{findFullDate, findMonthDay, findCNMonthDay, findRelDay, findWeekday, findDaysAgo, findShortDate} {
		if m := find(s, today); m != nil && (best == nil || m.start < best.start) {
			best = m
		}
	}
	if best == nil {
		return today, s, ErrNoDate
	}
	if best.err != nil {
		return today, s, best.err
	}
	if best.day.After(today) {
		return today, s, ErrFutureDate
	}
	return best.day, s[:best.start] + " " + s[best.end:], nil
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
	day, ok := validDay(y, mo, d)
	if !ok {
		return &dateMatch{start: m[0], end: m[1], err: ErrBadDate}
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

// yearless resolves a month and day to the latest such day not after today. strict says the
// phrase can only be a date ("3月5日"), so an impossible day is an error rather than "not a date".
func yearless(start, end, mo, d int, today time.Time, strict bool) *dateMatch {
	day, ok := validDay(today.Year(), mo, d)
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

func validDay(y, mo, d int) (time.Time, bool) {
	if mo < 1 || mo > 12 || d < 1 || d > 31 || y < 2000 || y > 2999 {
		return time.Time{}, false
	}
	t := clock.Date(y, time.Month(mo), d)
	return t, t.Day() == d
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

// ---- goods -------------------------------------------------------------------------------------

var goodsUnits = []string{"公斤", "千克", "kg", "斤", "包", "袋", "床", "桶", "箱", "件", "套", "瓶", "只", "头",
	"提", "盒", "条", "把", "台", "个", "份", "吨", "壶", "捆", "双", "块", "卷", "支", "本", "筐", "罐", "车", "担"}

// goodsWords are what cadres hand over most; a known word wins over guessing where the name starts.
var goodsWords = []string{"复合肥", "化肥", "尿素", "种子", "农药", "地膜", "饲料", "猪仔", "鸡苗", "鸭苗", "大米",
	"米", "面粉", "挂面", "面条", "面", "食用油", "菜籽油", "花生油", "油", "棉被", "被子", "被褥", "棉衣", "棉袄",
	"羽绒服", "衣服", "毛毯", "电热毯", "蜂窝煤", "煤", "木炭", "药品", "药", "牛奶", "鸡蛋", "水果", "苹果",
	"月饼", "粽子", "年货", "春联", "书包", "文具", "书", "礼包", "慰问品", "口罩", "猪肉", "肉", "牛", "羊",
	"猪", "鸡", "鸭", "鱼", "白糖", "茶叶", "肥皂", "洗衣粉", "奶粉", "电饭锅", "取暖器", "轮椅", "拐杖", "水"}

const qtyPat = `(\d+(?:\.\d+)?|[一二两三四五六七八九十]{1,3})`

var (
	goodsNameFirst = regexp.MustCompile(`(\p{Han}+)\s*` + qtyPat + `\s*(` + strings.Join(goodsUnits, "|") + `)`)
	goodsQtyFirst  = regexp.MustCompile(qtyPat + `\s*(` + strings.Join(goodsUnits, "|") + `)\s*(\p{Han}+)`)
)

// goodsStop are words around a goods name that are not part of it ("送了化肥", "米和油").
var goodsStop = []string{"送了", "送去", "送来", "送", "带了", "带去", "带", "给了", "给", "买了", "买", "拿了", "拿",
	"发放了", "发放", "发了", "发", "还有", "另有", "和", "及", "与", "另", "又", "共", "各", "的", "了"}

// ParseGoods lists the goods with quantities in s ("化肥3包", "3袋米", "棉被两床").
func ParseGoods(s string) []Goods {
	gs, _ := extractGoods(Normalize(s))
	return gs
}

func extractGoods(s string) ([]Goods, string) {
	var out []Goods
	if !containsAnyOf(s, goodsUnits) { // both goods patterns need a unit
		return nil, s
	}
	s = replaceMatches(s, goodsNameFirst, func(m []string, start int) (int, bool) {
		name, offset := goodsNameBefore(m[1])
		if name == "" {
			return 0, false
		}
		out = append(out, Goods{Name: name, Qty: qtyDigits(m[2]), Unit: m[3]})
		return offset, true
	})
	whole := s
	s = replaceMatches(s, goodsQtyFirst, func(m []string, start int) (int, bool) {
		name := goodsNameAfter(m[3])
		if name == "" || isDateWord(whole[:start]) {
			return 0, false
		}
		out = append(out, Goods{Name: name, Qty: qtyDigits(m[1]), Unit: m[2]})
		return -len(m[3]) + len(name), true // keep what follows the name
	})
	return out, s
}

// replaceMatches blanks each accepted match. keep returns a byte adjustment: for name-first
// matches how many leading bytes of the match to keep, for qty-first (negative) how many trailing.
func replaceMatches(s string, re *regexp.Regexp, accept func(m []string, start int) (int, bool)) string {
	var b strings.Builder
	last := 0
	for _, idx := range re.FindAllStringSubmatchIndex(s, -1) {
		m := make([]string, len(idx)/2)
		for i := range m {
			if idx[2*i] >= 0 {
				m[i] = s[idx[2*i]:idx[2*i+1]]
			}
		}
		adj, ok := accept(m, idx[0])
		if !ok {
			continue
		}
		start, end := idx[0], idx[1]
		if adj > 0 {
			start += adj
		} else {
			end += adj
		}
		b.WriteString(s[last:start])
		b.WriteByte(' ')
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}

// goodsNameBefore takes the goods name from the end of the run of characters before a quantity;
// it returns the name and the byte offset where the name starts within the run.
func goodsNameBefore(run string) (string, int) {
	longest := ""
	for _, w := range goodsWords {
		if strings.HasSuffix(run, w) && len(w) > len(longest) {
			longest = w
		}
	}
	if longest != "" {
		// one more character glued before a known word belongs to it: "香油", "土鸡"
		if pre := []rune(stripStops(run[:len(run)-len(longest)])); len(pre) == 1 && !strings.ContainsRune(goodsStopRunes, pre[0]) {
			longest = string(pre) + longest
		}
		return longest, len(run) - len(longest)
	}
	name := stripStops(run)
	if i := strings.LastIndexAny(name, goodsStopRunes); i >= 0 {
		_, size := utf8.DecodeRuneInString(name[i:])
		name = name[i+size:]
	}
	if r := []rune(name); len(r) > 3 {
		name = string(r[len(r)-2:])
	}
	if name == "" || isDateWord(name) {
		return "", 0
	}
	return name, len(run) - len(name)
}

// goodsStopRunes end a goods name when read backwards ("米和" is not a name).
const goodsStopRunes = "和与及的给送了并还各共"

func stripStops(name string) string {
	for trimmed := true; trimmed; {
		trimmed = false
		for _, stop := range goodsStop {
			if strings.HasPrefix(name, stop) {
				name, trimmed = name[len(stop):], true
			}
		}
	}
	return name
}

func goodsNameAfter(run string) string {
	longest := ""
	for _, w := range goodsWords {
		if strings.HasPrefix(run, w) && len(w) > len(longest) {
			longest = w
		}
	}
	if longest != "" {
		return longest
	}
	r := []rune(run)
	n := 0
	for n < len(r) && n < 2 && !strings.ContainsRune(goodsStopRunes, r[n]) {
		n++
	}
	return string(r[:n])
}

func isDateWord(s string) bool {
	return strings.HasSuffix(s, "星期") || strings.HasSuffix(s, "周") || strings.HasSuffix(s, "礼拜") || strings.HasSuffix(s, "月")
}

func qtyDigits(q string) string {
	if q != "" && (q[0] < '0' || q[0] > '9') {
		if n, ok := cnNumber(q); ok {
			return strconv.FormatInt(n, 10)
		}
	}
	return q
}

// ---- household and diary text ------------------------------------------------------------------

// splitHousehold takes the first word as the household reference (list number, name, initials or
// code) and returns the rest, tidied, as the diary text.
func splitHousehold(s string) (string, string) {
	for {
		s = strings.TrimLeftFunc(s, isSep)
		end := strings.IndexFunc(s, isSep)
		if end < 0 {
			end = len(s)
		}
		if s == "" || !isFiller(s[:end]) {
			ref := strings.TrimFunc(s[:end], isEmojiOrSymbol)
			return strings.TrimLeft(ref, "了去到给"), diaryText(s[end:])
		}
		s = s[end:]
	}
}

// diaryText tidies what is left once keyword, date, goods and amounts are taken out: the fillers
// they leave behind ("送了", a lone comma) go, the cadre's own words and punctuation stay.
func diaryText(s string) string {
	var kept []string
	for _, w := range strings.Fields(s) {
		if isFiller(w) {
			continue
		}
		core := strings.TrimRightFunc(w, isSep)
		for _, stop := range []string{"送了", "送", "给了", "给", "和", "及"} {
			if len(core) > len(stop) && strings.HasSuffix(core, stop) {
				w = strings.TrimSuffix(core, stop) + w[len(core):] // "中秋送" once "月饼2盒" is taken out
				break
			}
		}
		kept = append(kept, w)
	}
	return strings.TrimFunc(strings.Join(kept, " "), isSep)
}

func isFiller(w string) bool {
	w = strings.TrimFunc(w, func(r rune) bool { return isSep(r) })
	if w == "" {
		return true
	}
	for _, stop := range goodsStop {
		if w == stop {
			return true
		}
	}
	switch w {
	case "人民币", "去", "我", "我去", "上午", "下午", "中午", "晚上", "早上", "傍晚":
		return true
	}
	return false
}

func containsAnyOf(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
