package handlers

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/report"
	"qinqi/store"
)

// Words a household may answer a confirmation with, besides the digits.
var confirmWords = map[string]domain.SpotAnswer{
	"是": domain.AnswerYes, "是的": domain.AnswerYes, "对": domain.AnswerYes, "对的": domain.AnswerYes, "来过": domain.AnswerYes,
	"有": domain.AnswerYes, "有的": domain.AnswerYes, "来了": domain.AnswerYes, "嗯": domain.AnswerYes, "好的": domain.AnswerYes,
	"没有来": domain.AnswerNo, "没来": domain.AnswerNo, "没有": domain.AnswerNo, "没来过": domain.AnswerNo, "没有来过": domain.AnswerNo,
	"否": domain.AnswerNo, "不是": domain.AnswerNo, "没": domain.AnswerNo,
	"有出入": domain.AnswerPartly, "不对": domain.AnswerPartly, "不全对": domain.AnswerPartly, "不完全对": domain.AnswerPartly, "不太对": domain.AnswerPartly,
}

// spokenDigits are the digits as a voice message's recognised text often has them ("一。"): alone
// only, as "三个月" or "一直没来" are words.
var spokenDigits = map[string]domain.SpotAnswer{"一": domain.AnswerYes, "二": domain.AnswerNo, "三": domain.AnswerPartly}

// ParseConfirmAnswer reads a household's reply to "回复 1 是　2 没有来　3 有出入": a digit 1–3
// (full-width too, or 一 二 三 alone), optionally followed by their own words ("3 只送了化肥，没有钱"),
// or one of the answer words alone, in the text as the router normalized it (traditional script already folded).
// Anything else is not an answer.
func ParseConfirmAnswer(text string) (domain.SpotAnswer, string, bool) {
	t := trimSeps(strings.TrimSpace(shape(text)))
	if a, ok := confirmWords[t]; ok {
		return a, "", true
	}
	if a, ok := spokenDigits[t]; ok {
		return a, "", true
	}
	if a, ok := confirmWords[cameCore(t, cameWhen)]; ok && a != domain.AnswerPartly {
		return a, "", true
	}
	if a, ok := answerWords(t); ok {
		return a, "", true
	}
	r, size := utf8.DecodeRuneInString(t)
	ans := map[rune]domain.SpotAnswer{'1': domain.AnswerYes, '2': domain.AnswerNo, '3': domain.AnswerPartly}[r]
	if ans == domain.AnswerNone {
		return ans, "", false
	}
	rest := t[size:]
	if next, _ := utf8.DecodeRuneInString(rest); next >= '0' && next <= '9' || next == '.' || next == '月' || next == '号' || next == '日' {
		return domain.AnswerNone, "", false // "12", "3.5", "3月", "2号": a number, not an answer
	}
	return ans, trimSeps(strings.TrimSpace(rest)), true
}

// answerFillers stand around answer words without changing them ("对的 来过 谢谢", "是的呀").
var answerFillers = []string{"谢谢你们", "谢谢您", "谢谢你", "谢谢", "辛苦了", "感谢", " ", "，", ",", "。", ".", "！", "!", "、",
	"的", "了", "啊", "呀", "哈", "嘛", "哦", "呢", "嗯"}

// answerWords reads an answer said in several answer words, or one said over ("对的 来过",
// "是的是的", "嗯嗯 来了", "没有 没来过"): the text cut into answer words, fillers and the who and
// when of cameCore, all its answer words agreeing. A word that is no answer word makes it no
// answer ("对 他来修房子了"); so do words that disagree ("是的 没来").
func answerWords(t string) (domain.SpotAnswer, bool) {
	var got domain.SpotAnswer
	for t != "" {
		if w := longestPrefix(t, answerFillers, cameWhen); w != "" {
			t = t[len(w):]
			continue
		}
		if who := cameWho.FindString(t); who != "" { // "没有，他没来"
			t = t[len(who):]
			continue
		}
		w := longestAnswerPrefix(t)
		if w == "" {
			return domain.AnswerNone, false
		}
		if a := confirmWords[w]; got != domain.AnswerNone && a != got {
			return domain.AnswerNone, false
		} else {
			got = a
		}
		t = t[len(w):]
	}
	return got, got != domain.AnswerNone
}

// longestPrefix is the longest of the words of the lists that t starts with, or "".
func longestPrefix(t string, lists ...[]string) string {
	best := ""
	for _, l := range lists {
		for _, w := range l {
			if len(w) > len(best) && strings.HasPrefix(t, w) {
				best = w
			}
		}
	}
	return best
}

// longestAnswerPrefix is the longest answer word t starts with ("没有来过" before "没有"), or "".
func longestAnswerPrefix(t string) string {
	best := ""
	for w := range confirmWords {
		if len(w) > len(best) && strings.HasPrefix(t, w) {
			best = w
		}
	}
	return best
}

// A household says it in a sentence as often as in a word: "陈书记今天来过了", "他没来", "张干部
// 昨天来了的". cameCore takes off who (a name of up to three characters with a title, or 他/她),
// when (今天, 昨天, 刚才 …) and the closing particles, so what is left is the answer word itself.
var (
	cameWho  = regexp.MustCompile(`^(?:\p{Han}{0,3}(?:书记|主任|局长|科长|干部|同志|领导|老师|队长)|他们|她们|他|她)`)
	cameWhen = []string{"今天上午", "今天下午", "今天", "昨天", "前天", "刚才", "刚刚", "上午", "下午", "早上", "晚上", "已经", "都"}
	// cameOnce are times further back: "上个月来过" tells that the cadre comes, with no question open,
	// but does not answer whether a visit logged this week happened.
	cameOnce  = []string{"上个月", "这个月", "本月", "上周", "这周", "上星期", "前几天", "前两天", "前些天", "最近", "上次", "月初"}
	cameParts = []string{"的", "了", "啊", "呀", "哈", "嘛", "哦", "呢"}
)

func cameCore(t string, when []string) string {
	t = cameWho.ReplaceAllString(t, "")
	for w := prefixOf(t, when); w != ""; w = prefixOf(t, when) {
		t = t[len(w):]
	}
	for w := suffixOf(t, cameParts); w != "" && len(w) < len(t) && confirmWords[t] == domain.AnswerNone; w = suffixOf(t, cameParts) {
		t = t[:len(t)-len(w)]
	}
	return t
}

// saidCame is a household's sentence that the cadre came or did not come ("陈书记今天来过了", "他没
// 来"), AnswerNone for anything else.
func saidCame(text string) domain.SpotAnswer {
	core := cameCore(trimSeps(shape(text)), slices.Concat(cameOnce, cameWhen))
	if !strings.Contains(core, "来") {
		return domain.AnswerNone
	}
	if a, ok := answerWords(core); ok && a != domain.AnswerPartly { // "对的 来过"
		return a
	}
	return confirmWords[core]
}

// openQuestion is the household's most recent question that a digit can answer.
type openQuestion struct {
	confirm *store.VisitConfirm
	spot    *store.SpotCheck
	rating  bool // a resolved request waits for its 1–5 score: the rating handler answers
	at      time.Time
}

// householdAnswer intercepts a household's answer to the latest question qinqi asked it: a visit
// confirmation, the monthly call-back question, or (left to householdDigit) the rating of a
// resolved request. A digit with no open question is not an answer here: it picks from the menu.
// An answer after confirm.answer_within is refused politely, with the menu. A voice message whose
// recognised text is an answer is that answer; any other voice message while a confirmation or
// call-back question is the latest goes to the coordinators, never to the cadre it is about
// (voiceWhileAsked). A photo is a matter of its own (household_media.go).
func (r *Router) householdAnswer(ctx context.Context, c *Caller) ([]bot.Reply, bool, error) {
	sp := r.extra.Spot
	if sp == nil || !c.Is(domain.RoleHousehold) || c.Is(domain.RoleCadre) || c.Person.HouseholdID == nil {
		return nil, false, nil
	}
	voice := c.In.Kind == bot.KindVoice
	if !voice && isMedia(c.In.Kind) {
		return nil, false, nil
	}
	ans, note, ok := ParseConfirmAnswer(c.Text)
	if !ok && !voice {
		return nil, false, nil
	}
	hh := *c.Person.HouseholdID
	q, err := r.latestQuestion(ctx, hh)
	if err != nil {
		return nil, true, err
	}
	switch {
	case q.confirm != nil && ok:
		out, err := r.offerStillWaits(ctx, c, func() ([]bot.Reply, error) { return r.answerConfirm(ctx, c, *q.confirm, ans, note) })
		return out, true, err
	case q.spot != nil && ok && ans != domain.AnswerPartly:
		out, err := r.offerStillWaits(ctx, c, func() ([]bot.Reply, error) { return r.answerSpot(ctx, c, *q.spot, ans, note) })
		return out, true, err
	case voice && (q.confirm != nil || q.spot != nil): // not heard, or heard as no answer
		out, err := r.voiceWhileAsked(ctx, c, q)
		return out, true, err
	case q.rating || q.spot != nil || !ok:
		return nil, false, nil
	}
	return r.lateAnswer(ctx, hh)
}

// offerStillWaits runs answer (the household's answer to a confirmation or call-back question asked
// after it said a sentence) and then asks the sentence's question again, asked last now: the
// household's digit went to the confirmation, and its sentence is not passed on or dropped unasked.
func (r *Router) offerStillWaits(ctx context.Context, c *Caller, answer func() ([]bot.Reply, error)) ([]bot.Reply, error) {
	d, waiting := r.waitingOffer(ctx, c)
	out, err := answer()
	if err != nil || !waiting || !r.saveDialog(ctx, c.ID(), d) {
		return out, err
	}
	return append(out, asked(say(replyOfferStillWaits(d.Text)))...), nil
}

// waitingOffer is the household's sentence that waits for 1/2/3, if one does.
func (r *Router) waitingOffer(ctx context.Context, c *Caller) (dialog, bool) {
	d, ok, _ := r.loadDialog(ctx, c.ID())
	return d, ok && d.Kind == dlgRequestOffer && !r.lapsed(d)
}

// askedSince: a visit confirmation, call-back question or rating asked after the household's own
// question d, and still open, takes this message: whichever question was asked last gets the digit
// (a sentence offered at 9:00 waits two hours; the confirmation sent at 9:30 takes the 1, and the
// sentence still waits). A dialog stored before dialogs carried their time keeps the message.
func (r *Router) askedSince(ctx context.Context, c *Caller, d dialog) (bool, error) {
	if r.extra.Spot == nil || !householdDialogs[d.Kind] || d.At.IsZero() || !c.Is(domain.RoleHousehold) ||
		c.Is(domain.RoleCadre) || c.Person.HouseholdID == nil {
		return false, nil
	}
	voice := c.In.Kind == bot.KindVoice
	ans, _, isAnswer := ParseConfirmAnswer(c.Text)
	score, isDigit := digitAnswer(c.Text)
	if !voice && (isMedia(c.In.Kind) || !isAnswer && !isDigit) {
		return false, nil
	}
	q, err := r.latestQuestion(ctx, *c.Person.HouseholdID)
	if err != nil || !q.at.After(d.At) {
		return false, err
	}
	switch { // exactly what householdAnswer and householdDigit then take
	case q.confirm != nil:
		return voice || isAnswer, nil
	case q.spot != nil:
		return voice || isAnswer && ans != domain.AnswerPartly, nil
	case q.rating:
		return !voice && isDigit && score <= 5, nil
	}
	return false, nil
}

// latestQuestion finds the open question asked last.
func (r *Router) latestQuestion(ctx context.Context, hh domain.HouseholdID) (openQuestion, error) {
	var q openQuestion
	now := r.now()
	conf, err := r.extra.Spot.OpenConfirm(ctx, hh, now.Add(-r.cfg.Confirm.AnswerWithin))
	if err == nil {
		q.confirm, q.at = &conf, conf.AskedAt
	} else if !errors.Is(err, store.ErrNotFound) {
		return q, fmt.Errorf("open confirmation: %w", err)
	}
	spot, err := r.extra.Spot.OpenSpotCheck(ctx, hh, now.Add(-spotOpenFor))
	if err == nil && spot.AskedAt != nil && spot.AskedAt.After(q.at) {
		q.confirm, q.spot, q.at = nil, &spot, *spot.AskedAt
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return q, fmt.Errorf("open spot check: %w", err)
	}
	req, err := r.store.LatestUnratedRequest(ctx, hh, now.Add(-rateWindow))
	if err == nil && req.ResolvedAt != nil && req.ResolvedAt.After(q.at) {
		return openQuestion{rating: true, at: *req.ResolvedAt}, nil
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return q, fmt.Errorf("unrated request: %w", err)
	}
	return q, nil
}

// lateAnswer refuses, politely and with the menu, an answer to a confirmation that can no longer be
// answered; with no such question the digit is left to the menu.
func (r *Router) lateAnswer(ctx context.Context, hh domain.HouseholdID) ([]bot.Reply, bool, error) {
	last, err := r.extra.Spot.LatestChatConfirm(ctx, hh)
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, true, fmt.Errorf("latest confirmation: %w", err)
	}
	expired := r.now().Sub(last.AskedAt)
	if last.Answer != domain.AnswerNone || expired < r.cfg.Confirm.AnswerWithin || expired > 2*r.cfg.Confirm.AnswerWithin {
		return nil, false, nil
	}
	return nil, true, refuse(replyConfirmExpired(last.AskedAt, r.cfg.Confirm.AnswerWithin), replyMenu())
}

// answerConfirm records the household's answer. "1" confirms; "2" or "3" opens one discrepancy per
// cadre concerned, which goes to the unit's coordinators and never to the cadre.
func (r *Router) answerConfirm(ctx context.Context, c *Caller, vc store.VisitConfirm, ans domain.SpotAnswer, note string) ([]bot.Reply, error) {
	items, err := r.extra.Spot.ConfirmCheckIns(ctx, vc.ID)
	if err != nil {
		return nil, fmt.Errorf("confirmation check-ins: %w", err)
	}
	vc.Answer, vc.Note = ans, note
	a := store.HouseholdAnswer{Confirm: &vc, Actor: c.ID(), At: r.now()}
	if ans != domain.AnswerYes {
		a.Discs = discrepanciesOf(vc.HouseholdID, domain.DiscFromConfirm, ans, note, items)
	}
	hh, err := r.store.HouseholdByID(ctx, vc.HouseholdID)
	if err != nil {
		return nil, fmt.Errorf("household of confirmation: %w", err)
	}
	notes, err := r.discNotes(ctx, c.In, hh, a.Discs, items, "", cadreNames(items))
	if err != nil {
		return nil, err
	}
	discs, err := r.extra.Spot.SaveHouseholdAnswer(ctx, a, notes)
	if errors.Is(err, store.ErrDuplicate) {
		return say(replyConfirmThanks), nil
	}
	if err != nil {
		return nil, fmt.Errorf("save confirmation: %w", err)
	}
	if ans == domain.AnswerYes {
		return say(replyConfirmThanks), nil
	}
	return r.discReply(ctx, c, discs, ans, note)
}

// discReply thanks the household for a "没有来"/"有出入"; a bare "3" is invited to say what differs
// in its own words, which the next message adds to the discrepancy.
func (r *Router) discReply(ctx context.Context, c *Caller, discs []store.Discrepancy, ans domain.SpotAnswer, note string) ([]bot.Reply, error) {
	if len(discs) == 0 {
		return say(replyConfirmThanks), nil
	}
	if _, waiting := r.waitingOffer(ctx, c); ans != domain.AnswerPartly || note != "" || waiting {
		return say(replyDiscThanks(discs[0].ID)), nil // a waiting sentence keeps its question (offerStillWaits)
	}
	ids := make([]int64, len(discs))
	for i, d := range discs {
		ids[i] = int64(d.ID)
	}
	if !r.saveDialog(ctx, c.ID(), dialog{Kind: dlgDiscNote, Refs: ids}) {
		return say(replyDiscThanks(discs[0].ID)), nil
	}
	return say(replyDiscThanks(discs[0].ID), replyDiscAskNote), nil
}

// addDiscNote adds the household's own words (or a photo or voice message, forwarded as a file) to
// the discrepancies it just opened and passes them on to the coordinators, never to the cadre.
func (r *Router) addDiscNote(ctx context.Context, c *Caller, d dialog, text string, media []heldMedia) ([]bot.Reply, error) {
	ids := make([]domain.DiscID, len(d.Refs))
	for i, id := range d.Refs {
		ids[i] = domain.DiscID(id)
	}
	hh, err := r.store.HouseholdByID(ctx, *c.Person.HouseholdID)
	if err != nil {
		return nil, fmt.Errorf("household of note: %w", err)
	}
	hint := attachHint(media)
	notes := func(ds []store.Discrepancy) []store.OutboxMessage {
		var out []store.OutboxMessage
		for _, x := range ds {
			for _, to := range r.discRecipients(ctx, x) {
				text := noteDiscAdded(x, hh)
				if hint != "" {
					text += "。" + hint
				}
				out = append(out, r.wordNote(c.In, "disc:note", int64(x.ID), to, text))
				out = append(out, r.mediaFiles(hh.HeadName, media, func(action string) store.OutboxMessage {
					return r.wordNote(c.In, "disc:"+action, int64(x.ID), to, "")
				})...)
			}
		}
		return out
	}
	if _, err := r.extra.Spot.AddDiscrepancyNote(ctx, ids, text, r.now(), notes); err != nil {
		return nil, fmt.Errorf("discrepancy note: %w", err)
	}
	return say(replyDiscNoted), nil
}

// discrepanciesOf groups the disputed reports by cadre: one discrepancy each, found in the cadre's unit.
func discrepanciesOf(hh domain.HouseholdID, source string, ans domain.SpotAnswer, note string, items []store.ConfirmCheckIn) []store.Discrepancy {
	var out []store.Discrepancy
	seen := map[domain.PersonID]bool{}
	for _, it := range items {
		if seen[it.CadreID] {
			continue
		}
		seen[it.CadreID] = true
		out = append(out, store.Discrepancy{HouseholdID: hh, CadreID: it.CadreID, UnitID: it.CadreUnit, Source: source,
			Month: it.OccurredAt.In(clock.Shanghai).Format("2006-01"), Answer: ans, Note: note})
	}
	return out
}

// discNotes builds, for each discrepancy once it is stored, the notice to the coordinators of the
// unit it was found in (walking up to a parent unit that has some), never the cadre it is about, not
// even one who coordinates that unit: the unit above takes it then.
// discs are the discrepancies about to be stored (their units decide the recipients), items the
// reports they dispute, and extra a line for a discrepancy about a whole month (the call-back
// question), with names the cadres' names.
func (r *Router) discNotes(ctx context.Context, in bot.Inbound, hh store.Household, discs []store.Discrepancy,
	items []store.ConfirmCheckIn, extra string, names map[domain.PersonID]string) (func([]store.Discrepancy) []store.OutboxMessage, error) {
	recipients := map[domain.PersonID][]domain.PersonID{}
	for _, d := range discs {
		if _, ok := recipients[d.CadreID]; ok || d.UnitID == nil {
			continue
		}
		coords, err := r.unitHandlers(ctx, d.UnitID, map[domain.PersonID]bool{d.CadreID: true})
		if err != nil {
			return nil, fmt.Errorf("coordinators of cadre unit: %w", err)
		}
		for _, co := range coords {
			recipients[d.CadreID] = append(recipients[d.CadreID], co.ID)
		}
	}
	return func(ds []store.Discrepancy) []store.OutboxMessage {
		var out []store.OutboxMessage
		for _, d := range ds {
			var lines []string
			for _, it := range items {
				if it.CadreID == d.CadreID {
					lines = append(lines, report.VisitLine(it))
				}
			}
			if extra != "" {
				lines = append(lines, extra)
			}
			for _, to := range recipients[d.CadreID] {
				out = append(out, r.wordNote(in, "disc:new", int64(d.ID), to, noteDiscNew(d, hh, names[d.CadreID], lines)))
			}
		}
		return out
	}, nil
}

// cadreNames maps the cadres of items to their names.
func cadreNames(items []store.ConfirmCheckIn) map[domain.PersonID]string {
	out := map[domain.PersonID]string{}
	for _, it := range items {
		out[it.CadreID] = it.CadreName
	}
	return out
}

// discRecipients are the coordinators who verify d, never its cadre (a lookup failure leaves the
// note unsent; the discrepancy itself is stored and listed by 核实).
func (r *Router) discRecipients(ctx context.Context, d store.Discrepancy) []domain.PersonID {
	if d.UnitID == nil {
		return nil
	}
	coords, err := r.unitHandlers(ctx, d.UnitID, map[domain.PersonID]bool{d.CadreID: true})
	if err != nil {
		r.log.WarnContext(ctx, "coordinators of discrepancy unit", "disc_id", d.ID, "error", err)
		return nil
	}
	out := make([]domain.PersonID, len(coords))
	for i, co := range coords {
		out[i] = co.ID
	}
	return out
}

// wordNote is a notification keyed by the inbound message, so handling it again never sends twice.
func (r *Router) wordNote(in bot.Inbound, what string, ref int64, to domain.PersonID, text string) store.OutboxMessage {
	origin := fmt.Sprintf("inbox:%d", in.InboxID)
	if in.InboxID == 0 {
		origin = "msg:" + sourceID(in)
	}
	recipient := to
	return store.OutboxMessage{Key: fmt.Sprintf("%s:%s:%d:to:%d", origin, what, ref, to), PersonID: &recipient,
		Text: text, Priority: store.PriorityAlert, CreatedAt: r.now()}
}
