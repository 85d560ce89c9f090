package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"qinqi/bot"
	"qinqi/internal/domain"
	"qinqi/store"
)

// Dialog kinds: what a pending numbered question is about.
const (
	dlgPickHousehold   = "pick_household"   // a cadre's report waits for the household number
	dlgRequestCategory = "request_category" // a household chose 提诉求 and picks a category
	dlgRequestText     = "request_text"     // a household picked a category and is telling the matter
	dlgMenu            = "menu"             // a household saw the numbered menu
	dlgDiscNote        = "disc_note"        // a household said "有出入" and may say what differs
	dlgRequestOffer    = "request_offer"    // a household's sentence may go to the cadre as a request
	dlgRate            = "rate"             // a household asked to rate and is given the score next
	dlgComplaintText   = "complaint_text"   // a household said 投诉 alone and is telling the complaint
	dlgRelay           = "relay"            // a coordinator's relay waits for 1 确认 / 2 取消
	dlgRecordAgain     = "record_again"     // a report sent again in other words waits for 1 再记一条 / 2 补充
	dlgTakeBack        = "take_back"        // a household's matter waits: 1 the cadre, 2 withdraw, 3 the unit
)

// householdDialogs are the questions a household is asked. They wait config.CheckIn.HouseholdDialogTTL
// (an elderly head answers "1" a quarter of an hour later); a cadre's or coordinator's wait
// config.CheckIn.DialogTTL. A visit confirmation or call-back question asked after one of them takes
// the digit instead (askedSince).
var householdDialogs = map[string]bool{dlgRequestCategory: true, dlgRequestText: true, dlgMenu: true, dlgDiscNote: true,
	dlgRequestOffer: true, dlgRate: true, dlgComplaintText: true, dlgTakeBack: true}

// offerKept is how long a household's sentence stays in the KV after it was offered, past the time
// its question waits: a digit after the question lapsed is told what became of the sentence and asked
// again, instead of picking a menu item with the sentence silently gone.
const offerKept = 24 * time.Hour

// dialog is the follow-up state kept in the KV (dialogTTL).
type dialog struct {
	Kind     string                 `json:"kind"`
	At       time.Time              `json:"at"` // when the question was asked (last asked again)
	Draft    *CheckInDraft          `json:"draft,omitempty"`
	Options  []domain.HouseholdID   `json:"options,omitempty"`
	Source   string                 `json:"source,omitempty"` // SourceMsgID of the message that started it
	Category domain.RequestCategory `json:"category,omitempty"`
	Refs     []int64                `json:"refs,omitempty"`  // discrepancy ids of dlgDiscNote; dlgRelay's two cadres
	Text     string                 `json:"text,omitempty"`  // the sentence of dlgRequestOffer, the opinion of dlgRate
	All      bool                   `json:"all,omitempty"`   // dlgPickHousehold: one more choice, all Options
	Media    []heldMedia            `json:"media,omitempty"` // dlgRequestOffer: photos and voice kept with the sentence
	Held     []heldEvidence         `json:"held,omitempty"`  // dlgPickHousehold: photos and locations for the report
	// dlgRecordAgain: the reports not recorded, for Options (one household each), under Sources,
	// repeating the reports Refs; Text is the words they have beyond the earlier one
	Drafts  []CheckInDraft `json:"drafts,omitempty"`
	Sources []string       `json:"sources,omitempty"`
}

func dialogKey(p domain.PersonID) string { return fmt.Sprintf("dialog:%d", p) }

// PreloadKeys are the KV keys of the pending dialogs of persons, the senders of a batch of messages
// about to be handled (bot.Preloader): the inbox reads them ahead of the batch, on its State, which
// answers the batch's reads of them when it is this router's Dialogs.
func (r *Router) PreloadKeys(persons []int64) []string {
	if r.dialogs == nil {
		return nil
	}
	keys := make([]string, len(persons))
	for i, id := range persons {
		keys[i] = dialogKey(domain.PersonID(id))
	}
	return keys
}

// saveDialog keeps the follow-up state; false means the KV is down and the question cannot be kept.
func (r *Router) saveDialog(ctx context.Context, p domain.PersonID, d dialog) bool {
	if r.dialogs == nil {
		return false
	}
	d.At = r.now()
	_, keep := r.dialogTTL(d.Kind)
	b, err := json.Marshal(d)
	if err == nil {
		err = r.dialogs.Set(ctx, dialogKey(p), string(b), keep)
	}
	if err != nil {
		r.log.WarnContext(ctx, "dialog state not kept", "person_id", p, "error", err)
		return false
	}
	return true
}

// loadDialog returns the pending question; lost is set when the KV could not be read, so a pending
// question may exist that nobody can see.
func (r *Router) loadDialog(ctx context.Context, p domain.PersonID) (d dialog, ok, lost bool) {
	if r.dialogs == nil {
		return d, false, false
	}
	v, err := r.dialogs.Get(ctx, dialogKey(p))
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			r.log.WarnContext(ctx, "dialog state unreadable", "person_id", p, "error", err)
			return d, false, true
		}
		return d, false, false
	}
	if err := json.Unmarshal([]byte(v), &d); err != nil {
		return d, false, false
	}
	return d, true, false
}

// dialogTTL is how long a question of kind waits for its answer, and how long the KV keeps it.
func (r *Router) dialogTTL(kind string) (wait, keep time.Duration) {
	if !householdDialogs[kind] {
		return r.cfg.CheckIn.DialogTTL, r.cfg.CheckIn.DialogTTL
	}
	wait = r.cfg.CheckIn.HouseholdDialogTTL
	if kind == dlgRequestOffer {
		return wait, max(wait, offerKept)
	}
	return wait, wait
}

// lapsed: d no longer takes an answer. The KV's own expiry is not enough: an offered sentence is kept
// past its question (offerKept), and the demo's clock is not the KV's. A dialog stored before it
// carried its time has only the KV's expiry.
func (r *Router) lapsed(d dialog) bool {
	wait, _ := r.dialogTTL(d.Kind)
	return !d.At.IsZero() && r.now().Sub(d.At) >= wait
}

func (r *Router) dropDialog(ctx context.Context, p domain.PersonID) {
	if r.dialogs == nil {
		return
	}
	if err := r.dialogs.Del(ctx, dialogKey(p)); err != nil {
		r.log.WarnContext(ctx, "dialog state not dropped", "person_id", p, "error", err)
	}
}

// dialogAnswer completes a pending question. A digit answers a numbered question; any other text
// drops the question and is handled as a new message, except a request's content, which is free text.
//
// When the KV is down, a bare number from someone who is not a household (a household's digits
// mean menu items and ratings, which need no state) can only be the answer to a question asked
// before the outage: say that it was lost rather than "not understood".
func (r *Router) dialogAnswer(ctx context.Context, c *Caller) ([]bot.Reply, bool, error) {
	d, ok, lost := r.loadDialog(ctx, c.ID())
	if lost && !c.Is(domain.RoleHousehold) && c.In.Kind != bot.KindVoice {
		if _, isNum := digitAnswer(c.Text); isNum {
			return nil, true, refuse(replyDialogLost)
		}
	}
	if !ok {
		return nil, false, nil
	}
	if later, err := r.askedSince(ctx, c, d); later || err != nil { // the confirmation asked after d takes it
		return nil, err != nil, err
	}
	if r.lapsed(d) {
		return r.lapsedDialog(ctx, c, d)
	}
	if isMedia(c.In.Kind) && c.Is(domain.RoleHousehold) && !c.Is(domain.RoleCadre) {
		out, err := r.householdMediaWaiting(ctx, c, d)
		return out, true, err
	}
	if (d.Kind == dlgRequestText || d.Kind == dlgComplaintText) && c.Text != "" && !isCommandLike(r, c.Text) {
		if out, said := r.noMatterYet(ctx, c, d); said { // "好的", "谢谢", "算了": no request, no complaint
			return out, true, nil
		}
		var out []bot.Reply
		var err error
		if d.Kind == dlgComplaintText {
			out, err = r.fileComplaint(ctx, c, c.Text, nil)
		} else {
			out, err = r.createRequest(ctx, c, d.Category, c.Text)
		}
		if !failed(err) { // a retry must still find the question
			r.dropDialog(ctx, c.ID())
		}
		return out, true, err
	}
	if d.Kind == dlgDiscNote && c.In.Kind == bot.KindText && c.Text != "" && !isCommandLike(r, c.Text) {
		if _, isNum := digitAnswer(c.Text); !isNum {
			out, err := r.addDiscNote(ctx, c, d, c.Text, nil)
			if !failed(err) {
				r.dropDialog(ctx, c.ID())
			}
			return out, true, err
		}
	}
	if d.Kind == dlgRequestOffer && c.In.Kind == bot.KindText && c.Text != "" {
		if out, handled, err := r.offerGoesOn(ctx, c, d); handled {
			return out, true, err
		}
	}
	if d.Kind == dlgPickHousehold && (c.In.Kind == bot.KindImage || c.In.Kind == bot.KindLocation) {
		return r.holdEvidence(ctx, c, d)
	}
	if d.Kind == dlgPickHousehold && c.In.Kind == bot.KindText && c.Text != "" {
		if _, isNum := digitAnswer(c.Text); !isNum {
			out, handled, err := r.pickByWords(ctx, c, d)
			if handled {
				out, err = r.attachHeld(ctx, c, d, out, err)
			}
			return out, handled, err
		}
	}
	if d.Kind == dlgRelay {
		return r.relayAnswer(ctx, c, d)
	}
	if d.Kind == dlgRecordAgain && c.In.Kind == bot.KindText && c.Text != "" {
		return r.recordAgainAnswer(ctx, c, d)
	}
	if d.Kind == dlgRate && c.In.Kind == bot.KindText {
		if score, text, ok := ParseRating(c.Text); ok { // "5", "5分", "五分 很满意"
			if text == "" {
				text = d.Text
			}
			r.dropDialog(ctx, c.ID())
			out, err := r.saveRating(ctx, c, score, text)
			return out, true, err
		}
	}
	n, isNum := digitAnswer(c.Text)
	if !isNum || c.In.Kind == bot.KindVoice {
		r.dropDialog(ctx, c.ID())
		return nil, false, nil
	}
	switch d.Kind {
	case dlgPickHousehold:
		out, err := r.pickHousehold(ctx, c, d, n)
		out, err = r.attachHeld(ctx, c, d, out, err)
		return out, true, err
	case dlgMenu:
		r.dropDialog(ctx, c.ID())
		out, err := r.menuChoice(ctx, c, n)
		return out, true, err
	case dlgRequestCategory:
		out, err := r.pickCategory(ctx, c, n)
		return out, true, err
	case dlgRequestOffer:
		out, err := r.answerOffer(ctx, c, d, n)
		return out, true, err
	case dlgTakeBack:
		out, err := r.answerTakeBack(ctx, c, d, n)
		return out, true, err
	}
	r.dropDialog(ctx, c.ID())
	return nil, false, nil
}

// lapsedDialog answers a message that finds only a lapsed question. A digit that would have answered
// an offered sentence is told that the sentence was not passed on and asked again with it (the
// household meant the sentence, not the menu item of that number); anything else goes on as if
// nothing waited.
func (r *Router) lapsedDialog(ctx context.Context, c *Caller, d dialog) ([]bot.Reply, bool, error) {
	r.dropDialog(ctx, c.ID())
	n, isNum := digitAnswer(c.Text)
	if d.Kind != dlgRequestOffer || !isNum || n > 3 || isMedia(c.In.Kind) {
		return nil, false, nil
	}
	out, err := r.offerRequest(ctx, c, d.Text, d.Media)
	if err != nil {
		return nil, true, err
	}
	wait, _ := r.dialogTTL(d.Kind)
	return append(say(replyOfferLapsed(d.At, wait)), out...), true, nil
}

// digitAnswer reads "2", "２" or "2." as an answer to a numbered question.
func digitAnswer(text string) (int, bool) {
	t := trimSeps(text)
	if t == "" || len(t) > 3 {
		return 0, false
	}
	n, err := strconv.Atoi(t)
	return n, err == nil && n > 0
}

// trimSeps cuts spaces and sentence punctuation from the ends of an argument; brackets and quotes
// belong to the words they enclose ("房子漏雨(严重)" keeps its bracket).
func trimSeps(s string) string { return trimEdgeSeps(s) }

// offerGoesOn handles text sent while a household's sentence waits for "1 转给干部 / 2 不用 / 3 投诉".
// More words join the sentence ("能不能帮忙看看"); thanks alone ("谢谢张书记") ask the same question
// again without joining; "不用了" or a take-back without a number ("说错了", "撤回") answers 2;
// asking for the cadre ("张书记在吗") gets the card and the sentence still waits; a command drops
// the question, and its reply first says the sentence was not passed on. A digit is the answer,
// left to the caller.
func (r *Router) offerGoesOn(ctx context.Context, c *Caller, d dialog) ([]bot.Reply, bool, error) {
	if _, isNum := digitAnswer(c.Text); isNum {
		return nil, false, nil
	}
	if declines(c.Text) { // "不用了", "算了", "说错了", "撤回": the answer 2 in words
		out, err := r.answerOffer(ctx, c, d, 2)
		return out, true, err
	}
	if isCommandLike(r, c.Text) {
		r.dropDialog(ctx, c.ID())
		c.Before = append(c.Before, replyOfferLeft(d.Text))
		return nil, false, nil
	}
	if asksNumber(c.Text) || asksWhoOnly(c.Text) || r.asksCadreAround(ctx, c) { // "陈建国电话": the card; the sentence still waits
		out, err := r.myCadre(ctx, c)
		return out, true, err
	}
	if matter, pleasant := MatterOf(c.Text); pleasant && !matter {
		out, err := r.offerRequest(ctx, c, d.Text, d.Media)
		return out, true, err
	}
	out, err := r.offerRequest(ctx, c, d.Text+" "+c.Text, d.Media)
	return out, true, err
}

func isCommandLike(r *Router, text string) bool {
	_, _, ok := r.match(text, "")
	return ok
}
