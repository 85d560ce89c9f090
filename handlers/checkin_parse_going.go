package handlers

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"qinqi/internal/domain"
)

// Cadres often tell what they did around a household's name without any activity keyword:
// "今天去看了王春发", "昨天去了王春发家", "给王春发送了一袋米", "帮王春发办了医保", "和王春发视频了".
// Such a message is a report when the verb stands right before (and, for some verbs, the right word
// right after) a household's name the parser found. Going verbs (去, 到, 上) count only with 家
// right after the name, because "收到王春发的消息" or "王春发去了县医院" are not visits; looking
// verbs (去看, 去看了) count alone, and a bare 看了 only when the name ends its clause ("看了李桂兰 她
// 腿疼", "今天看了王春发。"): "看了王春发发来的照片" and "看了王春发的申请" are no visits. Being at the
// home counts too: "刚从王春发家出来", "在赵长顺家坐了一会儿" (but not "现在王春发家…", which is news
// of the household).
type nameVerb struct {
	before []string // one of these ends the words before the name
	not    []string // unless one of these does ("现在" is not "在")
	after  []string // and one of these starts the words after it; nil: anything
	take   bool     // the word after is taken with the verb ("家", "家里")
	home   bool     // 家 may stand between the name and the word after ("帮赵长顺家申请了低保")
	alone  bool     // the name ends its clause: a space, punctuation or the end after it
	kind   domain.CheckInKind
	mode   domain.ContactMode // "" reads the mode from the text (contactMode)
}

var nameVerbs = []nameVerb{
	{before: []string{"去看望了", "去看了看", "去看了", "去看看", "去瞧了", "去看", "去瞧"}, kind: domain.KindVisit, mode: domain.ModeInPerson},
	{before: []string{"看了看", "看了", "看过"}, alone: true, kind: domain.KindVisit, mode: domain.ModeInPerson},
	{before: []string{"去了一趟", "去了趟", "去了", "到了", "来到", "去", "到", "上"}, after: []string{"家里", "家"}, take: true,
		kind: domain.KindVisit, mode: domain.ModeInPerson},
	{before: []string{"刚刚从", "刚从", "从"}, after: []string{"家里出来", "家出来", "家里回来", "家回来"}, take: true, kind: domain.KindVisit, mode: domain.ModeInPerson},
	{before: []string{"在"}, not: []string{"现在", "实在", "存在", "所在", "住在"}, after: []string{"家里", "家"}, take: true,
		kind: domain.KindVisit, mode: domain.ModeInPerson},
	{before: []string{"给"}, after: []string{"送", "带", "拿"}, kind: domain.KindVisit, mode: domain.ModeInPerson},
	{before: []string{"帮", "替"}, after: []string{"办", "代办", "代缴", "缴", "交", "修", "买", "申请", "联系", "联络", "打电话", "打了电话", "打听", "找", "问", "跑",
		"把", "续", "补", "卖", "收", "领", "填", "搬", "挂号"}, home: true, kind: domain.KindDeed, mode: domain.ModeInPerson},
	// 给 does a thing for the household as 帮 does ("给赵长顺办了低保续期", "给他把电费交了"), but 给
	// before 交 may be 交代 (told them), and 给 before 买 is goods handed over (the line above).
	{before: []string{"给"}, after: []string{"办", "代办", "代缴", "缴", "把", "续", "补办", "补缴", "申请", "修", "挂号"},
		home: true, kind: domain.KindDeed, mode: domain.ModeInPerson},
	{before: []string{"陪着", "陪同", "陪"}, after: []string{"去", "到", "看病", "就医", "办", "买", "跑"},
		kind: domain.KindDeed, mode: domain.ModeInPerson},
	{before: []string{"和", "跟", "与", "同"}, after: []string{"视频", "微信"}, kind: domain.KindContact, mode: domain.ModeWeChat},
	{before: []string{"和", "跟", "与", "同"}, after: []string{"通话", "通了电话", "通电话"}, kind: domain.KindContact, mode: domain.ModePhone},
}

// The home named first: "王春发家今天去了", "王春发家里上午去了一趟". 家 right after the name, then
// within a few words of the same clause (a date, a time of day) a going verb said as done. 去过 is
// a keyword of its own; 去了 alone is not, since "王春发去了县医院" is the household going.
var (
	homeWords  = []string{"家里", "家"}
	goneVerbs  = []string{"去了一趟", "去了趟", "走了一趟", "去了", "坐了坐", "坐了一会", "坐了会", "看了看"}
	clauseEnds = "，,。.；;！!？?、\n"
)

// goneGapRunes is how many runes may stand between 家 and the going verb ("今天上午").
const goneGapRunes = 6

// homeThenGone finds the home-first construction in the words after a name: the length of the home
// word and the offset and word of the verb within after.
func homeThenGone(after string) (home int, at int, verb string, ok bool) {
	w := prefixOf(after, homeWords)
	if w == "" {
		return 0, 0, "", false
	}
	rest, runes := after[len(w):], 0
	for i, r := range rest {
		if runes > goneGapRunes || strings.ContainsRune(clauseEnds, r) {
			break
		}
		if strings.HasPrefix(rest[i:], "再") || prefixOf(rest[i:], planMarkers) != "" { // "明天去了再说" is a plan
			break
		}
		if v := prefixOf(rest[i:], goneVerbs); v != "" && !strings.HasPrefix(rest[i+len(v):], "解") { // not 去了解
			return len(w), len(w) + i, v, true
		}
		runes++
	}
	return 0, 0, "", false
}

// The household named first and the giving after it: "王春发家孩子考上大学了 送了500元", "王春发 送了
// 一袋米", "给王春发家孩子送了500元". A report when the message opens with the name (a day word or 给
// before it at most) and money
// or goods follow the giving word (ParseReport checks); the household giving the cadre something
// ("王春发送来鸡蛋", "王春发给了我一袋花生") is not. The giving word stays in the text, where it
// marks the amount as aid.
var (
	givenWords  = []string{"送过去", "送去了", "送去", "送了", "给了", "带了", "拿了"}
	givenNot    = []string{"我", "俺", "咱", "他们", "她们"}
	openingDays = regexp.MustCompile(`^(?:大前天|前天|昨天|今天|昨晚|今早|上午|下午|晚上|刚才|刚刚)*给?$`)
)

// A giving said to households by list number: "给1、2、3户都送了米", "昨天给2户带了两桶油", "给1和3送了
// 慰问金200元". 给, the numbers (户 or 家 after them, 都 or 各 at most), then the giving word: a visit
// (or the keyword's kind, 慰问 in 慰问金) to each of them, as "走访 1、2、3 送了米" would be. Numbers,
// 户 and a giving word say enough: the goods may go without a quantity ("米"), and stay in the words.
// Only with the cadre's list, which the numbers index.
var givenToNumbers = regexp.MustCompile(`给\s*(\d{1,3}(?:\s*[、，,和与及跟 ]\s*\d{1,3})*)\s*号?(?:户|家)?\s*(?:都|各|也)?\s*(?:送过去|送去了|送去|送了|给了|带了|拿了|送|带|拿)`)

// takeGivenNumbers reads a giving to households by list number (above) as the report's kind, when no
// keyword or verb around a name said what happened.
func (p *reportParse) takeGivenNumbers() (kindKeyword, int, bool) {
	verbAt, end, ok := p.givenNumbers()
	if !ok {
		return kindKeyword{}, 0, false
	}
	p.kind, p.kwStart, p.kwEnd = domain.KindVisit, verbAt, end
	return kindKeyword{word: p.s[verbAt:end], kind: domain.KindVisit, mode: domain.ModeInPerson}, end, true
}

// givenNumbers takes the households of a giving by list number (above) up to its giving word, which
// stays in the text, where it marks an amount as aid; it returns where the giving word stands.
func (p *reportParse) givenNumbers() (verbAt, end int, ok bool) {
	if p.hhs == nil {
		return 0, 0, false
	}
	v := p.view(false)
	m := givenToNumbers.FindStringSubmatchIndex(v)
	if m == nil {
		return 0, 0, false
	}
	for _, num := range listDigits.FindAllString(v[m[2]:m[3]], -1) {
		n, _ := strconv.Atoi(num)
		if n < 1 || n > len(p.hhs) {
			p.badMore = n
			continue
		}
		if p.ref == "" {
			p.ref = num
		}
		p.picks = append(p.picks, n-1)
	}
	verbAt = m[1] - len(givenVerbAt(v[m[0]:m[1]]))
	p.take(m[0], verbAt)
	return verbAt, m[1], true
}

// givenToVerbs end a giving to households by number, longest first.
var givenToVerbs = []string{"送过去", "送去了", "送去", "送了", "给了", "带了", "拿了", "送", "带", "拿"}

// givenVerbAt is the giving word that ends match.
func givenVerbAt(match string) string {
	for _, w := range givenToVerbs {
		if strings.HasSuffix(match, w) {
			return w
		}
	}
	return ""
}

var listDigits = regexp.MustCompile(`\d{1,3}`)

// givenReachRunes is how far after the name the giving word may stand ("家孩子考上大学了").
const givenReachRunes = 16

// nameThenGiven finds the giving word after a name that opens the message: its offset within after.
func nameThenGiven(before, after string) (int, string, bool) {
	if !openingDays.MatchString(strings.Map(dropSpace, before)) {
		return 0, "", false
	}
	runes := 0
	for i := range after {
		if runes > givenReachRunes {
			break
		}
		runes++
		v := prefixOf(after[i:], givenWords)
		if v == "" {
			continue
		}
		if i == 0 && strings.HasPrefix(v, "给") || prefixOf(after[i+len(v):], givenNot) != "" { // "王春发给了我…"
			return 0, "", false
		}
		return i, v, true
	}
	return 0, "", false
}

// clauseEndsAt: s, the words after a name, starts with the end of its clause (or is empty).
func clauseEndsAt(s string) bool {
	r := runeAt(s, 0)
	return r == 0 || r == ' ' || strings.ContainsRune(clauseEnds, r)
}

func dropSpace(r rune) rune {
	if isSep(r) {
		return -1
	}
	return r
}

// takeGoing finds one of nameVerbs around a household named in the message and takes the verb as
// the report's keyword. It runs only when no activity keyword was found, and only on names.
func (p *reportParse) takeGoing() (kindKeyword, int, bool) {
	for _, h := range p.names {
		before, after := p.s[:h.start], p.s[h.end:]
		lead := suffixOf(before, []string{"老", "小"}) // "去了老刘家" where the head is called 刘家
		if !strings.HasSuffix(p.s[h.start:h.end], "家") {
			lead = ""
		}
		for _, nv := range nameVerbs {
			verb := suffixOf(before[:len(before)-len(lead)], nv.before)
			next := prefixOf(after, nv.after)
			if next == "" && nv.after != nil && !nv.take { // "给王春发 李桂兰都送了米": after the whole list
				next = prefixOf(p.s[p.listAfter(h):], nv.after)
			}
			home := ""
			if next == "" && nv.home {
				home = prefixOf(after, homeWords)
				next = prefixOf(after[len(home):], nv.after)
			}
			// a name that ends in 家 is its own home: the head 刘家 in "今天去了刘家 讲了…", the home in "去了老刘家"
			ownHome := next == "" && nv.take && strings.HasSuffix(p.s[h.start:h.end], "家") && slices.Contains(nv.after, "家")
			if verb == "" || suffixOf(before, nv.not) != "" || (nv.after != nil && next == "" && !ownHome) || (nv.alone && !clauseEndsAt(after)) ||
				strings.HasPrefix(after, "家的路") { // "去王春发家的路上"
				continue
			}
			at := h.start - len(lead) - len(verb)
			p.kind, p.kwStart, p.kwEnd = nv.kind, at, h.start
			p.take(at, h.start)
			p.take(h.end, h.end+len(home)) // "帮赵长顺家申请了…": the diary is "申请了…"
			if nv.take {
				p.take(h.end, h.end+len(next)) // "到张长青家里坐了坐": the diary is "坐了坐"
			}
			return kindKeyword{word: verb, kind: nv.kind, mode: nv.mode}, h.start, true
		}
		if at, verb, ok := nameThenGiven(before, after); ok {
			p.kind, p.kwStart, p.kwEnd, p.needsAid = domain.KindVisit, h.end+at, h.end+at+len(verb), true
			p.take(h.end, h.end+len(prefixOf(after, homeWords))) // "王春发家孩子…": the diary is "孩子…"
			return kindKeyword{word: verb, kind: domain.KindVisit, mode: domain.ModeInPerson}, h.start, true
		}
		if home, at, verb, ok := homeThenGone(after); ok {
			p.kind, p.kwStart, p.kwEnd = domain.KindVisit, h.end+at, h.end+at+len(verb)
			p.take(h.end, h.end+home)
			p.take(p.kwStart, p.kwEnd)
			return kindKeyword{word: verb, kind: domain.KindVisit, mode: domain.ModeInPerson}, h.start, true
		}
	}
	return kindKeyword{}, 0, false
}

// listAfter is where the list of names that h starts ends ("王春发 李桂兰和赵长顺", names with only list
// joiners between them), past a 都/各/全 after it; h.end when no other name follows it.
func (p *reportParse) listAfter(h nameHit) int {
	end := h.end
	for more := true; more; {
		more = false
		at := skipListSeps(p.s, end)
		for _, o := range p.names {
			if o.start == at && at > end {
				end, more = o.end, true
				break
			}
		}
	}
	if end == h.end {
		return end
	}
	return end + len(prefixOf(p.s[end:], []string{"都", "各", "全"}))
}

// suffixOf is the first of words that s ends with, or "".
func suffixOf(s string, words []string) string {
	for _, w := range words {
		if strings.HasSuffix(s, w) {
			return w
		}
	}
	return ""
}

// prefixOf is the first of words that s starts with, or "".
func prefixOf(s string, words []string) string {
	for _, w := range words {
		if strings.HasPrefix(s, w) {
			return w
		}
	}
	return ""
}

// mayGoTo says whether a cadre's message without an activity keyword could still be a report in
// the words above, within the first maxRunes runes: the router then lets the report parser decide.
func mayGoTo(s string, maxRunes int) bool {
	s = s[:runesEnd(s, maxRunes)]
	for _, nv := range nameVerbs {
		if containsAnyOf(s, nv.before) && (nv.after == nil || containsAnyOf(s, nv.after)) {
			return true
		}
	}
	return containsAnyOf(s, homeWords) && containsAnyOf(s, goneVerbs)
}

// mayGive says whether a cadre's message could be a household named first with the giving after it
// ("王春发 送了500元"): tried after a piece of the last report ("送了两袋米" right after it) is not.
func mayGive(s string, maxRunes int) bool {
	return containsAnyOf(s[:runesEnd(s, maxRunes)], givenWords)
}
