package handlers

import (
	"context"
	"qinqi/bot"
	"strings"
	"unicode"
	"unicode/utf8"
)

// How a household head asks about its cadre or about the bot itself, in the words a 70-year-old
// types or dictates: "老陈在不在", "陈书记在吗", "陈局长今天在不在村里", "我想找陈书记" ask for the
// cadre (the contact card answers, since the bot cannot say where the cadre is); "这个怎么用啊",
// "怎么弄", "我不会打字" ask how to use it (a short answer: say it, or send voice or a photo).

// aroundWords ask whether someone is there or free.
var aroundWords = []string{"在不在", "在没在", "在吗", "在没有", "在么", "在家吗", "在村里吗", "有空吗", "有没有空", "有空没",
	"忙不忙", "忙吗", "来了吗", "来了没", "想找", "要找", "找一下", "找找"}

// aroundFillers are the words of time and place around such a question ("今天在不在村里") and the
// words that stand for the cadre ("他在不在").
var aroundFillers = []string{"今天", "明天", "现在", "这几天", "最近", "这会儿", "这会", "村里", "家里", "村上", "镇上", "单位", "家",
	"帮扶干部", "干部", "帮扶", "他", "她", "我"}

// AsksCadreAround reports whether a household's sentence asks whether its cadre is about, naming
// the cadre some way ("老陈", "陈书记", "干部", "他", or one of cadres, the full names of the
// household's cadres) and saying nothing else ("低保怎么弄" or "陈书记在不在 我家房子漏了" is a
// matter).
func AsksCadreAround(text string, cadres []string) bool {
	t := shape(text)
	if !containsAnyOf(t, aroundWords) {
		return false
	}
	for _, w := range append(aroundWords, "你们", "你", "您") {
		t = strings.ReplaceAll(t, w, " ")
	}
	named, _ := letters(withoutPleasantries(t))
	if named == 0 { // "在吗": to the bot, a greeting
		return false
	}
	rest := withoutOldSurname(withoutTitles(t))
	for _, w := range append(cadres, aroundFillers...) {
		if w != "" {
			rest = strings.ReplaceAll(rest, w, " ")
		}
	}
	han, _ := letters(withoutPleasantries(rest))
	return han == 0
}

// withoutOldSurname blanks "老陈": 老 and the one Han character after it, at the start of a phrase.
func withoutOldSurname(s string) string {
	var b strings.Builder
	prev := ' '
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == '老' && !unicode.Is(unicode.Han, prev) {
			if next, m := utf8.DecodeRuneInString(s[i+n:]); unicode.Is(unicode.Han, next) {
				b.WriteString(" ")
				prev, i = ' ', i+n+m
				continue
			}
		}
		b.WriteRune(r)
		prev, i = r, i+n
	}
	return b.String()
}

func withoutPleasantries(s string) string {
	for _, w := range pleasantries {
		s = strings.ReplaceAll(s, w, " ")
	}
	return s
}

// howToWords ask how the bot is used; noTyping say the household cannot type.
var (
	howToWords = []string{"怎么用", "咋用", "怎么弄", "咋弄", "怎么搞", "怎么操作", "怎么发消息", "不会用", "不会弄", "不会操作",
		"看不懂", "搞不懂", "弄不懂", "不会玩"}
	noTyping   = []string{"不会打字", "不会写字", "不识字", "打不了字", "字不会打", "不认字", "眼睛看不清", "看不清字"}
	howFillers = []string{"这个", "这东西", "这玩意", "这是", "到底", "要", "该", "我", "啊", "呀", "呢", "吗", "的", "了"}
)

// AsksHowTo reports whether a household's sentence asks how to use the bot (or says it cannot
// type), with no matter besides: "这个怎么用啊", "怎么弄", "我不会打字".
func AsksHowTo(text string) bool {
	t := shape(text)
	if !containsAnyOf(t, howToWords) && !containsAnyOf(t, noTyping) {
		return false
	}
	for _, w := range append(append(append([]string{}, howToWords...), noTyping...), howFillers...) {
		t = strings.ReplaceAll(t, w, " ")
	}
	han, _ := letters(withoutPleasantries(t))
	return han == 0 // "低保怎么弄" asks about 低保: a matter
}

// sadSigns are the emoji of distress ("😭" alone): asked what is wrong, never "not understood".
var sadSigns = []string{"😭", "😢", "😥", "😰", "😞", "😔", "😩", "😫", "💔", "[流泪]", "[大哭]", "[难过]", "[快哭了]"}

// onlySad: the message is distress signs and nothing else.
func onlySad(text string) bool {
	t := text
	for _, w := range sadSigns {
		t = strings.ReplaceAll(t, w, "")
	}
	return t != text && strings.TrimSpace(t) == ""
}

// asksCadreAround is AsksCadreAround with the names of the household's cadres.
func (r *Router) asksCadreAround(ctx context.Context, c *Caller) bool {
	if !containsAnyOf(c.Text, aroundWords) || c.Person.HouseholdID == nil {
		return false
	}
	pairs, err := r.store.ActivePairingsOfHousehold(ctx, *c.Person.HouseholdID, r.now())
	if err != nil {
		r.log.WarnContext(ctx, "pairings of household", "error", err)
	}
	var names []string
	for _, p := range pairs {
		if cadre, err := r.store.PersonByID(ctx, p.CadreID); err == nil {
			names = append(names, cadre.Name)
		}
	}
	return AsksCadreAround(c.Text, names)
}

// declineWords say "no need" to the question about a household's sentence: the answer 2.
var declineWords = []string{"不用了", "不用", "算了", "不要了", "不需要", "不麻烦了", "没事了", "不用转", "不用交"}

// declines: the message is a decline and nothing more ("算了 不用了", "不用了谢谢"), or takes back
// what was just said without naming a matter by number ("说错了", "按错了", "撤回").
func declines(text string) bool {
	if tb, ok := ParseTakeBack(text); ok && tb.ID == 0 {
		return true
	}
	t := shape(text)
	if !containsAnyOf(t, declineWords) {
		return false
	}
	for _, w := range declineWords {
		t = strings.ReplaceAll(t, w, " ")
	}
	han, other := letters(withoutPleasantries(t))
	return han+other == 0
}

// noMatterYet answers what a household says while the bot waits for its request or complaint and
// that is none: a decline ("算了", "不用了") ends the wait, thanks or "好的" ask again. Before, such
// words were filed as the request ("好的") or the complaint ("谢谢").
func (r *Router) noMatterYet(ctx context.Context, c *Caller, d dialog) ([]bot.Reply, bool) {
	if declines(c.Text) {
		r.dropDialog(ctx, c.ID())
		return say(replyWaitDropped), true
	}
	if matter, pleasant := MatterOf(c.Text); matter || !pleasant {
		return nil, false
	}
	if d.Kind == dlgComplaintText {
		return say(replyAskComplaint), true
	}
	return say(replyAskRequestText(d.Category)), true
}
