package handlers

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/hanzi"
)

// Parse errors; the check-in handler maps each to a reply in replies.go.
var (
	ErrNoKind        = errors.New("checkin: no activity keyword")
	ErrNoDate        = errors.New("checkin: no date phrase")
	ErrBadDate       = errors.New("checkin: no such calendar day")
	ErrFutureDate    = errors.New("checkin: date is in the future")
	ErrDateTooOld    = errors.New("checkin: date before the programme could have started")
	ErrNoMoney       = errors.New("checkin: no amount")
	ErrMoneyTooLarge = errors.New("checkin: amount too large")
	ErrNegativeMoney = errors.New("checkin: negative amount")
	ErrBadMoney      = errors.New("checkin: amount cannot be read for certain")
	ErrPlanOnly      = errors.New("checkin: the activity is a plan for later")
)

// maxFen caps one report's value at 100万元: larger numbers are typos (a phone number after 元).
const maxFen = 100_000_000

// CheckInDraft is what one report message says.
type CheckInDraft struct {
	Kind domain.CheckInKind
	Mode domain.ContactMode
	// Household is the words that named the household, as typed ("2", "王春发", "wcf"); "" when none.
	Household string
	// Picks are the households the message names, as indices into the list given to ParseReport,
	// in list order: one is a report, two or more (two "周勇") are one question.
	Picks []int `json:",omitempty"`
	// Several is set when Picks come from two or more different names, each naming one household
	// ("走访了王春发和李桂兰", "院坝会 王春发 李桂兰"): the question then offers all of them.
	Several bool `json:",omitempty"`
	// Listed is set when those households stand together as a list ("走访 1、2", "王春发和李桂兰都去了"):
	// the report is for each of them, without a question.
	Listed bool `json:",omitempty"`
	// Texts are the diary texts for each choice when the question is among names apart (each of
	// Picks, then all of them): the names of the others stay in the text of the one chosen.
	Texts     []string  `json:",omitempty"`
	BadNumber int       `json:",omitempty"` // a list number beyond the list
	Day       time.Time // midnight Asia/Shanghai of the day it happened
	DayGiven  bool      // false: the report is for today
	Goods     []Goods   // aid: goods handed over (送, 给, 发放 …)
	ValueFen  int64     // aid: money given or the value of the goods (现金, 折合 …)
	// SalesGoods and SalesFen are sales help (帮卖, 销售, 卖了): produce sold for the household and
	// what it fetched. They are not aid and are counted apart.
	SalesGoods []Goods `json:",omitempty"`
	SalesFen   int64   `json:",omitempty"`
	Text       string  // the diary text: what is left after the parts above
}

// HouseholdRef is what the parser knows of one of the cadre's households.
type HouseholdRef struct {
	Name     string // head of household, as stored (either script)
	Code     string
	Initials string // pinyin initials, comma-separated variants ("wcf" or "zcq,zzq")
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
	kind domain.CheckInKind
	mode domain.ContactMode
}

// checkInKeywords name the five activities; the earliest in the message wins, then the longest.
var checkInKeywords = []kindKeyword{
	{"/contact", domain.KindContact, ""}, {"/call", domain.KindContact, domain.ModePhone},
	{"/visit", domain.KindVisit, domain.ModeInPerson}, {"/policy", domain.KindPolicy, domain.ModeInPerson},
	{"/warmth", domain.KindWarmth, domain.ModeInPerson}, {"/deed", domain.KindDeed, domain.ModeInPerson},
	{"打电话", domain.KindContact, domain.ModePhone}, {"通电话", domain.KindContact, domain.ModePhone},
	{"电话", domain.KindContact, domain.ModePhone}, {"微信", domain.KindContact, domain.ModeWeChat},
	{"联系", domain.KindContact, ""}, {"联络", domain.KindContact, ""},
	// the way-then-verb phrases, so "联系" does not stay behind as the diary's first word
	{"电话联系", domain.KindContact, domain.ModePhone}, {"电话联络", domain.KindContact, domain.ModePhone},
	{"电话沟通", domain.KindContact, domain.ModePhone}, {"微信联系", domain.KindContact, domain.ModeWeChat},
	{"微信沟通", domain.KindContact, domain.ModeWeChat}, {"视频联系", domain.KindContact, domain.ModeWeChat},
	{"视频通话", domain.KindContact, domain.ModeWeChat},
	{"走访", domain.KindVisit, domain.ModeInPerson}, {"入户", domain.KindVisit, domain.ModeInPerson},
	{"家访", domain.KindVisit, domain.ModeInPerson}, {"走动", domain.KindVisit, domain.ModeInPerson},
	{"入户走访", domain.KindVisit, domain.ModeInPerson}, {"上门走访", domain.KindVisit, domain.ModeInPerson},
	{"走方", domain.KindVisit, domain.ModeInPerson}, {"拜访", domain.KindVisit, domain.ModeInPerson}, // 走方: zoufang typed with the first candidate
	{"看望", domain.KindVisit, domain.ModeInPerson}, {"探望", domain.KindVisit, domain.ModeInPerson},
	{"去过", domain.KindVisit, domain.ModeInPerson}, {"去过了", domain.KindVisit, domain.ModeInPerson},
	{"政策宣讲", domain.KindPolicy, domain.ModeInPerson}, {"讲政策", domain.KindPolicy, domain.ModeInPerson},
	{"宣讲", domain.KindPolicy, domain.ModeInPerson}, {"院坝会", domain.KindPolicy, domain.ModeInPerson}, // a courtyard meeting on policy
	{"开院坝会", domain.KindPolicy, domain.ModeInPerson}, {"开了院坝会", domain.KindPolicy, domain.ModeInPerson},
	{"送温暖", domain.KindWarmth, domain.ModeInPerson}, {"慰问", domain.KindWarmth, domain.ModeInPerson},
	{"办实事", domain.KindDeed, domain.ModeInPerson}, {"代办", domain.KindDeed, domain.ModeInPerson},
}

// keywordScanRunes bounds how far into a message the router looks for an activity keyword before
// it treats a cadre's unrouted message as a report ("2026年11月8日走访了张长青…").
const keywordScanRunes = 40

// ParseCheckIn reads one report without knowing the cadre's households: the household stays as
// typed (the first word after the keyword, a list number or a code).
func ParseCheckIn(fold *hanzi.Folder, text string, now time.Time) (CheckInDraft, error) {
	return ParseReport(fold, text, now, nil)
}

// ParseReport reads one report of a cadre whose households are hhs (in list order). The household
// is found first — list number, code, pinyin initials, or a full name anywhere in the sentence, in
// either script — and its words are taken out before anything else is read, so a name is never
// goods, money or a date. Then the activity keyword (anywhere), the plans for later (明天, 下周一,
// 约好 …), which date nothing and stay in the text, the date, money and goods: these count as aid
// only after giving words and as sales help after selling words (see classify). fold folds
// traditional script, in the message and in the household names.
func ParseReport(fold *hanzi.Folder, text string, now time.Time, hhs []HouseholdRef) (CheckInDraft, error) {
	p := newReportParse(fold, Normalize(fold, text), hhs)
	p.takeNames()
	kw, kwEnd, ok := p.takeKind()
	if !ok {
		if kw, kwEnd, ok = p.takeGoing(); !ok {
			if kw, kwEnd, ok = p.takeGivenNumbers(); !ok {
				return CheckInDraft{}, ErrNoKind
			}
		}
	}
	d := CheckInDraft{Kind: kw.kind, Mode: kw.mode, Day: clock.Day(now)}
	p.takeListNumber(kwEnd)
	if len(p.picks) == 0 && len(p.names) == 0 && p.badNumber == 0 { // "给1和3送了慰问金200元": 慰问 said the kind
		p.givenNumbers()
	}
	p.settleNames()
	p.markPlans()
	if p.hidden[p.kwStart] && !p.done() { // "明天走访王春发", "下次去王春发家": nothing happened yet
		return CheckInDraft{}, ErrPlanOnly
	}
	if err := p.takeMoney(&d); err != nil {
		return CheckInDraft{}, err
	}
	day, err := p.takeDate(now)
	switch {
	case err == nil:
		d.Day, d.DayGiven = day, true
	case !errors.Is(err, ErrNoDate):
		return CheckInDraft{}, err
	}
	p.takeGoods(&d)
	if p.needsAid && d.ValueFen == 0 && len(d.Goods) == 0 { // "王春发家的孩子送了信来": nothing handed over
		return CheckInDraft{}, ErrNoKind
	}
	d.Household, d.Picks, d.BadNumber, d.Several, d.Listed = p.ref, p.picks, p.badNumber, p.several, p.listed
	d.Text = p.text()
	if p.several && !p.listed {
		d.Texts = p.textsForEach()
	}
	if hhs == nil && d.Household == "" {
		d.Household, d.Text = splitHousehold(d.Text)
	}
	if d.Kind == domain.KindContact && d.Mode == "" {
		d.Mode = contactMode(d.Text)
	}
	return d, nil
}

// reportParse is one message being read. s is the normalised message; taken marks the bytes that
// were read as a field and leave the text; hidden marks bytes that stay in the text but are not read
// as dates, money or goods: plans for later and names of households the report is not about. Offsets never move: a taken span is blanked,
// not cut, so every step sees the same byte positions.
type reportParse struct {
	s         string
	taken     []bool
	hidden    []bool
	names     []nameHit
	kwStart   int
	kwEnd     int
	views     [2]string // view(false), view(true) as last built; "" after a change
	hhs       []HouseholdRef
	ref       string
	picks     []int
	several   bool
	listed    bool
	named     []nameHit // the names of a question among names apart (several, not listed)
	badMore   int       // a list number past the list after the first ("走访 1、5" of 3 households)
	badNumber int
	kind      domain.CheckInKind
	needsAid  bool // the kind came from a giving word after the name: money or goods must follow
	fold      *hanzi.Folder
}

func newReportParse(fold *hanzi.Folder, s string, hhs []HouseholdRef) *reportParse {
	return &reportParse{s: s, taken: make([]bool, len(s)), hidden: make([]bool, len(s)), hhs: hhs, fold: fold}
}

func (p *reportParse) take(start, end int) {
	p.views = [2]string{}
	for i := start; i < end; i++ {
		p.taken[i] = true
	}
}

func (p *reportParse) untake(start, end int) {
	p.views = [2]string{}
	for i := start; i < end; i++ {
		p.taken[i] = false
	}
}

func (p *reportParse) hide(start, end int) {
	p.views[1] = ""
	for i := start; i < end; i++ {
		p.hidden[i] = true
	}
}

// view is the message with taken bytes (and, with hidden, hidden bytes) blanked to spaces: same
// length, same offsets, so regular expressions run on it report positions in s.
func (p *reportParse) view(hidden bool) string {
	k := 0
	if hidden {
		k = 1
	}
	if p.views[k] != "" || p.s == "" {
		return p.views[k]
	}
	b := []byte(p.s)
	for i := range b {
		if p.taken[i] || (hidden && p.hidden[i]) {
			b[i] = ' '
		}
	}
	p.views[k] = string(b)
	return p.views[k]
}

// text is what was not taken, tidied into the diary text.
func (p *reportParse) text() string { return diaryText(p.looseKin(p.view(false))) }

// looseKin blanks the fillers glued to a word of kinship that stays in the diary ("给老赵打了个电话"
// leaves "给老赵打了个"): around a full name they go, since the name leaves a gap; here they would
// stick to 老赵 and stay.
func (p *reportParse) looseKin(v string) string {
	b := []byte(v)
	for _, h := range p.names {
		if !h.kin || p.taken[h.start] {
			continue
		}
		from := strings.LastIndexByte(v[:h.start], ' ') + 1
		if from < h.start && isFiller(v[from:h.start]) {
			copy(b[from:h.start], strings.Repeat(" ", h.start-from))
		}
		to := len(v)
		if i := strings.IndexByte(v[h.end:], ' '); i >= 0 {
			to = h.end + i
		}
		if h.end < to && isFiller(v[h.end:to]) {
			copy(b[h.end:to], strings.Repeat(" ", to-h.end))
		}
	}
	return string(b)
}

// done reports a keyword said as done ("走访了", "去过"): then a plan word before it in the same
// clause is the household's plan ("他打算明年养猪今天去走访了"), not the cadre's.
func (p *reportParse) done() bool {
	next := runeAt(p.s, p.kwEnd)
	return next == '了' || next == '过' || strings.HasSuffix(p.s[:p.kwEnd], "了")
}

// takeKind finds the earliest activity keyword (the longest at that place) and takes it.
func (p *reportParse) takeKind() (kindKeyword, int, bool) {
	v := asciiLower(p.view(false))
	bestAt, best := -1, -1
	for j, k := range checkInKeywords {
		at := keywordIndex(v, k.word)
		for at >= 0 && k.kind == domain.KindContact && onBehalf(v[:at]) { // "帮王春发联系了收购商": a deed
			if next := keywordIndex(v[at+len(k.word):], k.word); next >= 0 {
				at += len(k.word) + next
			} else {
				at = -1
			}
		}
		if at < 0 {
			continue
		}
		if bestAt < 0 || at < bestAt || (at == bestAt && len(k.word) > len(checkInKeywords[best].word)) {
			bestAt, best = at, j
		}
	}
	if best < 0 {
		return kindKeyword{}, 0, false
	}
	k := checkInKeywords[best]
	p.kind = k.kind
	if prefixOf(v[bestAt:], moneyWords) == "" { // "慰问金200" names the kind and stays for the money
		p.take(bestAt, bestAt+len(k.word))
	}
	p.kwStart, p.kwEnd = bestAt, bestAt+len(k.word)
	return k, p.kwEnd, true
}

// onBehalfWords before a contact keyword make it something done for the household, not a contact
// with it: "帮王春发联系了收购商", "帮她打电话问了医保" (the household's name is blanked by then).
var onBehalfWords = []string{"帮忙", "帮着", "帮他", "帮她", "替他", "替她", "代为", "帮", "替", "代"}

// onBehalf tells whether the words before a contact keyword end with one of onBehalfWords.
func onBehalf(before string) bool {
	before = strings.TrimRight(before, " ")
	if w := suffixOf(before, []string{"打了个", "打了", "打个", "打"}); w != "" { // "帮她打电话": 电话 inside 打电话
		before = strings.TrimRight(strings.TrimSuffix(before, w), " ")
	}
	return suffixOf(before, onBehalfWords) != ""
}

// keywordIndex is the first place word stands in s; a slash command must not run on into letters
// ("/visitor" is not "/visit").
func keywordIndex(s, word string) int {
	from := 0
	for {
		i := strings.Index(s[from:], word)
		if i < 0 {
			return -1
		}
		at := from + i
		if !slashRunsOn(s[at+len(word):], word) {
			return at
		}
		from = at + len(word)
	}
}

// cutKindKeyword finds the earliest (then longest) activity keyword within the first maxStart runes
// and returns the text around it joined by a space. The router uses it to tell a report without a
// leading command word from other text.
func cutKindKeyword(s string, maxStart int) (kindKeyword, string, bool) {
	limit := len(s)
	if maxStart >= 0 {
		limit = runesEnd(s, maxStart)
	}
	lower := asciiLower(s)
	bestAt, best := -1, -1
	for j, k := range checkInKeywords {
		at := keywordIndex(lower, k.word)
		if at < 0 || at > limit {
			continue
		}
		if bestAt < 0 || at < bestAt || (at == bestAt && len(k.word) > len(checkInKeywords[best].word)) {
			bestAt, best = at, j
		}
	}
	if best < 0 {
		return kindKeyword{}, "", false
	}
	k := checkInKeywords[best]
	return k, strings.TrimSpace(s[:bestAt] + " " + s[bestAt+len(k.word):]), true
}

// runesEnd is the byte length of s's first n runes (all of s when it is shorter).
func runesEnd(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// slashRunsOn reports a slash keyword followed by more letters ("/visitor" is not "/visit").
func slashRunsOn(after, word string) bool {
	return strings.HasPrefix(word, "/") && after != "" && ((after[0] >= 'a' && after[0] <= 'z') || (after[0] >= 'A' && after[0] <= 'Z'))
}

func asciiLower(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= 'A' && r <= 'Z' }) {
		return s // nothing to lower: no copy (the router lowers every message)
	}
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func contactMode(text string) domain.ContactMode {
	switch {
	case strings.Contains(text, "微信") || strings.Contains(text, "视频"):
		return domain.ModeWeChat
	case strings.Contains(text, "见面") || strings.Contains(text, "当面") || strings.Contains(text, "上门"):
		return domain.ModeInPerson
	}
	return domain.ModePhone
}

// ---- diary text --------------------------------------------------------------------------------

// splitHousehold takes the first word as the household reference (list number, name, initials or
// code) and returns the rest, tidied, as the diary text. It serves ParseCheckIn, which has no list.
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

// diaryText tidies what is left once household, keyword, date, goods and amounts are taken out: the
// fillers they leave behind ("送了", "打了个", a lone comma) go, the cadre's own words and
// punctuation stay ("房子漏雨(严重)" keeps its bracket).
func diaryText(s string) string {
	var kept []string
	fields := strings.Fields(s)
	for i, w := range fields {
		w = dropParticle(dropLeadingFillers(w))
		if countsAfter(w) && i+1 < len(fields) && fields[i+1][0] >= '0' && fields[i+1][0] <= '9' {
			kept = append(kept, w)
			continue
		}
		if isFiller(w) {
			continue
		}
		core := strings.TrimRightFunc(w, isSep)
		for _, stop := range []string{"送了", "送", "给了", "给", "带了", "拿了", "和", "及"} {
			if len(core) > len(stop) && strings.HasSuffix(core, stop) {
				w = strings.TrimSuffix(core, stop) + w[len(core):] // "中秋送" once "月饼2盒" is taken out
				break
			}
		}
		if isFiller(w) { // "下午给" is "下午" once 给 goes
			continue
		}
		kept = append(kept, w)
	}
	return trimEdgeSeps(strings.Join(kept, " "))
}

// countsAfter: a filler word that a count after it makes a phrase of the diary ("家里 2 老都在",
// "家里 3 口人"): without it the diary read "2 老都在".
func countsAfter(w string) bool { return w == "家里" || w == "家" }

// dropLeadingFillers drops filler words glued to punctuation at the start of w: "了，聊了聊家常" is
// what "X家今天去过了，聊了聊家常" leaves once the household, date and keyword are out.
func dropLeadingFillers(w string) string {
	for {
		end := strings.IndexFunc(w, isSep)
		if end <= 0 || !isFiller(w[:end]) {
			return w
		}
		rest := strings.TrimLeftFunc(w[end:], func(r rune) bool { return isSep(r) && !isBracketOrQuote(r) })
		if rest == "" {
			return w
		}
		w = rest
	}
}

// trimEdgeSeps cuts spaces and sentence punctuation from both ends but never a bracket or a quote,
// which belong to the words they enclose.
func trimEdgeSeps(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return isSep(r) && !isBracketOrQuote(r) })
}

func isBracketOrQuote(r rune) bool {
	return strings.ContainsRune("()（）[]【】《》<>“”‘’\"'「」『』", r)
}

func isFiller(w string) bool {
	w = strings.TrimFunc(w, isSep)
	if w == "" || onlyVoiceFillers(w) {
		return true
	}
	if p := prefixOf(w, pronouns); p != "" && len(w) > len(p) && isFiller(w[len(p):]) { // "咱下午", "俺去了"
		return true
	}
	if last, size := utf8.DecodeLastRuneInString(w); len(w) > size && strings.ContainsRune(particles, last) && isFiller(w[:len(w)-size]) { // "了哈"
		return true
	}
	for _, stop := range goodsStop {
		if w == stop {
			return true
		}
	}
	switch w {
	case "人民币", "去", "我", "我去", "俺", "咱", "嘞", "哈", "哦", "啦", "呀", "上午", "下午", "中午", "晚上", "早上", "傍晚", "上午到", "下午到", "中午到", "晚上到", "早上到",
		"打了个", "打了一个", "打了", "打个", "家", "家里", "户", "去了", "了个", "一趟", "去他家", "去她家",
		"到", "到了", "了一下", "一下", "还", "另外", "又", "顺便", "同时", "此外", "通了", "通了个", "跟", "和", "与", "来", "那户", "这户", "那家", "这家",
		"都", "各", "全", "都送了", "都给了", // "给王春发 李桂兰都送了米": the list's 都 once the goods are out
		"给他", "给她", "给他们", "给他家", "给她家", "那里", "那边", "这里", "那儿": // "给他带了两桶油", "王春发那里去过了"
		return true
	}
	return false
}

// pronouns are the cadre speaking of themselves, in the dialects too (俺, 咱): before a filler
// ("俺今天去了", "咱下午") they say nothing the report does not.
var pronouns = []string{"我们", "俺们", "咱们", "我", "俺", "咱"}

// particles end a spoken sentence ("看了看哈", "坐了坐嘞", "挺好的呀") and say nothing in a diary.
const particles = "哈嘞啦哦呀呗"

// particleWords are the characters that make a word with a particle after them (哎呀, 打哈哈, 嘻哈):
// the particle then stays.
const particleWords = particles + "哎打嘻嘿呵咿"

// dropParticle cuts one sentence particle from the end of w (before its punctuation), when words
// stand before it and it ends no word of its own ("哈哈" is a laugh, "哎呀" a sigh: left as typed).
func dropParticle(w string) string {
	core := strings.TrimRightFunc(w, isSep)
	last, size := utf8.DecodeLastRuneInString(core)
	if !strings.ContainsRune(particles, last) || utf8.RuneCountInString(core) < 3 {
		return w
	}
	if prev, _ := utf8.DecodeLastRuneInString(core[:len(core)-size]); strings.ContainsRune(particleWords, prev) {
		return w
	}
	return core[:len(core)-size] + w[len(core):]
}

// voiceFillers are the sounds voice-to-text writes down between words ("嗯那个今天去了王春发家").
var voiceFillers = []string{"嗯", "呃", "额", "那个", "这个", "啊"}

// onlyVoiceFillers: w is nothing but voice fillers ("嗯那个"); "那个药" is not.
func onlyVoiceFillers(w string) bool {
	for w != "" {
		p := prefixOf(w, voiceFillers)
		if p == "" {
			return false
		}
		w = w[len(p):]
	}
	return true
}

func containsAnyOf(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// runeBefore is the last rune of s[:i], or 0.
func runeBefore(s string, i int) rune {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	if r == utf8.RuneError {
		return 0
	}
	return r
}

// runeAt is the rune at s[i:], or 0.
func runeAt(s string, i int) rune {
	if i >= len(s) {
		return 0
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r
}
