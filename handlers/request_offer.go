package handlers

import (
	"context"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"qinqi/bot"
	"qinqi/internal/domain"
	"qinqi/store"
)

// A household head seldom types a command: "我家房子漏雨了 能不能帮忙看看" or "陈书记什么时候来"
// is how a matter arrives. Such a sentence is not dropped with "not understood": the household is
// asked once what to do with it — 1 pass it to the cadre as a request, 2 nothing, 3 a complaint
// about the cadre, which goes to the unit's coordinators and never to the cadre (a sentence like
// "干部从来没来过" must not land with the cadre because a 70-year-old tapped the first digit) —
// and the sentence waits in the dialog state for the answer. Greetings and thanks alone ("谢谢陈书记",
// "好的") are thanked back; they are no matter for the cadre.

// pleasantries are the words that carry no matter of their own.
var pleasantries = []string{"听得到吗", "听得见吗", "听到没有", "能听到吗", "喂喂", "好嘞", "好哒", "okay", "OKAY", "ok", "OK", "Ok", "不用了", "算了", "没事了", "谢谢你们", "你们", "您们", "大家", "党和政府", "政府", "谢谢您", "谢谢你", "谢谢", "感谢", "多谢", "辛苦了", "辛苦", "麻烦了", "你好", "您好",
	"好的", "好滴", "收到", "知道了", "晓得了", "明白了", "在吗", "在不在", "再见", "早上好", "上午好", "下午好", "晚上好", "晚安",
	"嗯", "哦", "噢", "啊", "呀", "哈", "的", "了"}

// titles are how a household addresses its cadre; the one Han character before a title is the
// surname ("陈局长"), set aside with it, so "谢谢陈局长 你们辛苦了" is thanks and not a matter. The
// titles of bareTitles go alone too ("谢谢书记"); the others only with a surname, so "我要找村长"
// stays a matter.
var (
	titles     = []string{"书记", "支书", "主任", "局长", "科长", "所长", "站长", "队长", "县长", "镇长", "乡长", "村长", "干部", "同志", "老师", "领导"}
	bareTitles = []string{"书记", "主任", "局长", "干部", "同志", "老师", "领导"}
)

// notSurnames are the characters that stand before a title without being a surname ("找村长").
const notSurnames = "找叫问给是个的位们跟和请让村镇县乡我你他她这那帮扶要"

// withoutTitles blanks each title with the surname before it, and the bare titles alone.
func withoutTitles(s string) string {
	for _, t := range titles {
		bare := slices.Contains(bareTitles, t)
		var b strings.Builder
		for rest := s; ; {
			i := strings.Index(rest, t)
			if i < 0 {
				b.WriteString(rest)
				break
			}
			r, size := utf8.DecodeLastRuneInString(rest[:i])
			switch {
			case unicode.Is(unicode.Han, r) && !strings.ContainsRune(notSurnames, r):
				b.WriteString(rest[:i-size] + " ")
			case bare:
				b.WriteString(rest[:i] + " ")
			default:
				b.WriteString(rest[:i+len(t)])
			}
			rest = rest[i+len(t):]
		}
		s = b.String()
	}
	return s
}

// praise is what a household says to speak well of its cadre ("陈书记好人啊"): thanked, and pointed
// to 评价, where it counts.
var praise = []string{"好人", "好干部", "点赞", "满意", "很好", "真好", "太好了", "不错", "感恩", "暖心", "贴心"}

// praiseFillers are the words around praise that say nothing more ("陈书记人很好 谢谢他"): set aside
// with it, so the sentence is thanked rather than "not understood".
var praiseFillers = []string{"他们", "她们", "他", "她", "人", "真是", "真", "非常", "特别", "很", "太", "都", "对我们"}

// ackSigns are the emoji a household sends for "thanks" or "ok" (👍, 🙏): greeted back like 好的.
// WeChat's own stickers arrive as words ("[强]", "[抱拳]") and are pleasantries already.
var ackSigns = []string{"👍", "🙏", "👌", "🤝", "💪", "🌹", "❤", "😊", "🙂", "😄", "😀", "ok", "OK", "Ok"}

// praised: praise words without a word that turns them round ("不满意", "不太好", "没有很好").
func praised(text string) bool {
	return containsAnyOf(text, praise) && !containsAnyOf(text, []string{"不满", "不好", "不太", "不怎么", "没", "差", "不行", "不是"})
}

// displeasure are the short ways a household says it is unhappy ("不满意", "太差了"): too short to
// be a matter, but never "not understood" — the household is asked what it is about, and its next
// sentence joins these words in the usual question (to the cadre, nothing, or to the unit).
var displeasure = []string{"不满", "太差", "很差", "真差", "差劲", "差评", "不好", "不像话", "没用", "失望"}

// askForNumber are the ways a household asks for its cadre's number: the contact card answers.
var askForNumber = []string{"电话多少", "电话是多少", "号码多少", "号码是多少", "电话号码", "手机号", "联系方式", "怎么联系",
	"干部电话", "干部的电话", "书记电话", "书记的电话", "主任电话", "主任的电话", "他的电话", "她的电话", "联系电话"}

// asksWhoToCall are the ways a household asks whom to turn to ("有事找谁", "有人管吗"): alone, the
// contact card answers; with a matter ("房子漏雨了有人管吗") the matter is offered as usual.
var asksWhoToCall = []string{"找谁", "找哪个", "找哪位", "哪个管", "谁管我家", "哪位管", "联系谁", "问谁", "打给谁", "有人管吗", "有没有人管", "有人管没有",
	"谁管", "有人吗", "有人在吗", "有没有人"}

// emergencies are the words of a danger that cannot wait for a cadre's reply: the household is told
// the emergency numbers first, then asked about its sentence as usual.
var emergencies = []string{"救命", "着火", "失火", "起火", "火灾", "煤气中毒", "晕倒", "昏倒", "昏迷", "不省人事", "快不行了",
	"喘不上气", "抢劫", "杀人", "急救"}

// minMatterRunes is how many Han characters must remain, once pleasantries and names of the
// household's cadre are set aside, for a sentence to be a matter worth passing on.
const minMatterRunes = 4

// MatterOf reports whether text says something for the cadre to act on, and whether it was only
// pleasantries (then it gets thanks rather than "not understood").
func MatterOf(text string) (matter, pleasant bool) {
	rest := text
	if praised(text) {
		for _, w := range append(praise[:len(praise):len(praise)], praiseFillers...) {
			rest = strings.ReplaceAll(rest, w, " ")
		}
	}
	rest = withoutTitles(rest)
	for _, w := range pleasantries {
		rest = strings.ReplaceAll(rest, w, " ")
	}
	han, other := letters(rest)
	origHan, _ := letters(text)
	return han >= minMatterRunes, han+other < 2 && (origHan > 0 || containsAnyOf(text, ackSigns))
}

// asksNumber: the household asks for its cadre's number, in askForNumber's words or as a short
// "陈建国电话", "村干部手机".
func asksNumber(text string) bool {
	t := trimSeps(text)
	short := utf8.RuneCountInString(t) <= 8 && (strings.HasSuffix(t, "电话") || strings.HasSuffix(t, "手机"))
	return short || containsAnyOf(text, askForNumber)
}

// asksWhoOnly: the household asks whom to turn to and says no matter with it.
func asksWhoOnly(text string) bool {
	if !containsAnyOf(text, asksWhoToCall) {
		return false
	}
	rest := text
	for _, w := range asksWhoToCall {
		rest = strings.ReplaceAll(rest, w, " ")
	}
	matter, _ := MatterOf(rest)
	return !matter
}

// letters counts the Han characters of s and its other letters and digits.
func letters(s string) (han, other int) {
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			other++
		}
	}
	return han, other
}

// offerRequest asks a household what to do with text: its sentence, or its sentences so far when
// it went on typing before answering, with the photos and voice messages it sent meanwhile.
func (r *Router) offerRequest(ctx context.Context, c *Caller, text string, media []heldMedia) ([]bot.Reply, error) {
	if err := fits(text, maxRequestChars); err != nil {
		return nil, err
	}
	if !r.saveDialog(ctx, c.ID(), dialog{Kind: dlgRequestOffer, Text: text, Media: media}) {
		if len(media) > 0 { // the question cannot be kept: a photo or voice goes to the cadre as before
			return r.newRequest(ctx, c, store.Request{Kind: domain.ReqRequest, Category: domain.CatOther, Text: text}, media)
		}
		return nil, refuse(replyOfferNoState)
	}
	if containsAnyOf(c.Text, emergencies) {
		return append(say(replyEmergency), say(replyOfferRequest(text))...), nil
	}
	return say(replyOfferRequest(text)), nil
}

// askWhatDispleases keeps a short displeasure as the start of a sentence and asks what it is about.
func (r *Router) askWhatDispleases(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	if !r.saveDialog(ctx, c.ID(), dialog{Kind: dlgRequestOffer, Text: c.Text}) {
		return nil, refuse(replyOfferNoState)
	}
	return say(replyAskDispleasure(c.Text)), nil
}

// answerOffer completes the question: 1 makes the held sentence a request, 2 drops it, 3 makes it
// a complaint.
func (r *Router) answerOffer(ctx context.Context, c *Caller, d dialog, n int) ([]bot.Reply, error) {
	var out []bot.Reply
	var err error
	switch n {
	case 1:
		cat, text := ParseRequest(d.Text)
		if cat == domain.CatOther { // a sentence seldom starts with its category
			cat = CategoryIn(text)
		}
		out, err = r.newRequest(ctx, c, store.Request{Kind: domain.ReqRequest, Category: cat, Text: text}, d.Media)
	case 2:
		out = say(replyOfferDropped)
	case 3:
		out, err = r.fileComplaint(ctx, c, d.Text, d.Media)
	default:
		return nil, refuse(replyPickRange(3))
	}
	if !failed(err) { // a retry must still find the sentence
		r.dropDialog(ctx, c.ID())
	}
	return out, err
}

// householdFreeText answers a household's sentence that no command or question took.
func (r *Router) householdFreeText(ctx context.Context, c *Caller) ([]bot.Reply, bool, error) {
	if !c.Is(domain.RoleHousehold) || c.Is(domain.RoleCadre) || c.In.Kind != bot.KindText && c.In.Kind != "" {
		return nil, false, nil
	}
	if tb, ok := ParseTakeBack(c.Text); ok { // "按错了", "3号不用办了": what was sent, taken back
		out, err := r.takeBack(ctx, c, tb)
		return out, true, err
	}
	if out, handled, err := r.progressAsked(ctx, c, c.Text, AsksStatus); handled || err != nil {
		return out, true, err
	}
	matter, pleasant := MatterOf(c.Text)
	switch {
	case containsAnyOf(c.Text, emergencies):
		out, err := r.offerRequest(ctx, c, c.Text, nil)
		return out, true, err
	case onlyChases(c.Text): // "催一下" with nothing on file: nothing to chase, and it says so
		return say(replyNoRequestsYet), true, nil
	case containsAnyOf(c.Text, []string{"你是谁", "你是哪个", "你是哪位", "你是什么"}) && !matter:
		out, err := r.myCadre(ctx, c)
		return append(say(replyWhoAmI), out...), true, err
	case asksNumber(c.Text), asksWhoOnly(c.Text):
		out, err := r.myCadre(ctx, c)
		return out, true, err
	case r.asksCadreAround(ctx, c): // "老陈在不在": where the cadre is, the bot cannot say; the card can reach him
		out, err := r.myCadre(ctx, c)
		return append(say(replyCadreWhereabouts), out...), true, err
	case AsksHowTo(c.Text):
		return say(replyHouseholdHowTo), true, nil
	case onlySad(c.Text):
		return say(replyHouseholdSad), true, nil
	case saidCame(c.Text) == domain.AnswerYes: // "陈书记今天来过了", with no question open
		return say(replyCameThanks), true, nil
	case matter, saidCame(c.Text) == domain.AnswerNo: // "他没来" may be a complaint: 3 takes it to the unit
		out, err := r.offerRequest(ctx, c, c.Text, nil)
		return out, true, err
	case containsAnyOf(c.Text, displeasure):
		out, err := r.askWhatDispleases(ctx, c)
		return out, true, err
	case pleasant && praised(c.Text):
		return say(replyPraiseBack), true, nil
	case pleasant && containsAnyOf(c.Text, []string{"谢", "辛苦", "麻烦", "🙏"}):
		return say(replyThanksBack), true, nil
	case pleasant:
		return say(replyGreetBack), true, nil
	}
	return nil, false, nil
}
