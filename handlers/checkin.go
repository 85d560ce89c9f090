package handlers

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

// checkIn records 联系 / 走访 / 讲政策 / 送温暖 / 办实事. The cadre's households are loaded first so
// the parser can find the one the message names anywhere in it. One household named (or only one
// household at all) is a report; two named (two 周勇) are one question among them; none named is one
// question among all, the same whether the words named nobody or someone else's household, so the
// reply never tells whether a name is a 帮扶户 elsewhere in the county.
func (r *Router) checkIn(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	now := r.now()
	hhs, err := r.store.HouseholdsOfCadre(ctx, c.ID(), now)
	if err != nil {
		return nil, fmt.Errorf("households of cadre: %w", err)
	}
	if out, handled, err := r.checkInEach(ctx, c, hhs); handled {
		return out, err
	}
	d, err := ParseReport(r.fold, c.Text, now, householdRefs(hhs))
	if err != nil {
		return nil, refuse(parseErrorReply(err))
	}
	if maxBack := r.cfg.CheckIn.MaxDaysBack; maxBack > 0 && d.Day.Before(clock.Day(now).AddDate(0, 0, -maxBack)) {
		return nil, refuse(replyTooOld(d.Day, maxBack))
	}
	if len(hhs) == 0 {
		return nil, refuse(replyNoHH)
	}
	counted := countedBesideNames(c.Text, hhs)
	switch {
	case d.BadNumber > 0:
		return nil, refuse(replyNoSuchNumber(d.BadNumber, len(hhs)))
	case len(d.Picks) == 1 && counted > 1: // "走访了王春发等3户": the others too
		return r.askCounted(ctx, c, d, hhs, counted)
	case len(d.Picks) == 1:
		return r.saveCheckIn(ctx, c, d, hhs[d.Picks[0]], sourceID(c.In))
	case len(d.Picks) > 1:
		picked := make([]store.PairedHousehold, len(d.Picks))
		for i, p := range d.Picks {
			picked[i] = hhs[p]
		}
		if d.Several && d.Listed {
			return r.saveAll(ctx, c, d, householdIDs(picked), sourceID(c.In))
		}
		if d.Several {
			return r.askSeveral(ctx, c, d, picked)
		}
		return r.askHousehold(ctx, c, d, replyPickHousehold(d.Household, householdLabels(picked)), picked)
	case len(hhs) == 1:
		return r.saveCheckIn(ctx, c, d, hhs[0], sourceID(c.In))
	case saysAll(c.Text):
		return r.askAmongAll(ctx, c, d, hhs, replyPickAllSaid)
	case counted > 1: // "今天走访了2户": which two
		return r.askCounted(ctx, c, d, hhs, counted)
	}
	return r.askHousehold(ctx, c, d, replyPickHousehold("", householdLabels(hhs)), hhs)
}

// householdRefs is what the parser needs of the cadre's list, in list order.
func householdRefs(hhs []store.PairedHousehold) []HouseholdRef {
	out := make([]HouseholdRef, len(hhs))
	for i, h := range hhs {
		out[i] = HouseholdRef{Name: h.Household.HeadName, Code: h.Household.Code, Initials: h.Household.Initials}
	}
	return out
}

func parseErrorReply(err error) string {
	switch {
	case errors.Is(err, ErrFutureDate):
		return replyFutureDate
	case errors.Is(err, ErrBadDate):
		return replyBadDate
	case errors.Is(err, ErrDateTooOld):
		return replyDateTooOld
	case errors.Is(err, ErrMoneyTooLarge):
		return replyBigMoney
	case errors.Is(err, ErrNegativeMoney):
		return replyNegativeMoney
	case errors.Is(err, ErrBadMoney):
		return replyBadMoney
	case errors.Is(err, ErrPlanOnly):
		return replyPlanOnly
	}
	return roleExample[domain.RoleCadre]
}

// askHousehold keeps the draft and asks which household was meant.
func (r *Router) askHousehold(ctx context.Context, c *Caller, d CheckInDraft, q string, options []store.PairedHousehold) ([]bot.Reply, error) {
	if !r.saveDialog(ctx, c.ID(), dialog{Kind: dlgPickHousehold, Draft: &d, Options: householdIDs(options), Source: sourceID(c.In)}) {
		return answersReport(asked(say(q, replyKVDown))), nil
	}
	return answersReport(asked(say(q))), nil
}

// pickHousehold completes a report with the household chosen by number. The question is dropped
// only once the answer is settled, so a retry after a store failure still finds it.
func (r *Router) pickHousehold(ctx context.Context, c *Caller, d dialog, n int) ([]bot.Reply, error) {
	choices := len(d.Options)
	if d.All {
		choices++
	}
	if n < 1 || n > choices || d.Draft == nil {
		return nil, refuse(replyPickRange(choices))
	}
	draft := *d.Draft
	if len(draft.Texts) == choices {
		draft.Text = draft.Texts[n-1]
	}
	if n > len(d.Options) {
		draft.Text = withoutAllWords(draft.Text)
		var out []bot.Reply
		var err error
		if len(d.Held) > 0 { // photos wait to go with the new reports: no second question that would drop them
			out, err = r.saveAllOf(ctx, c, draft, d.Options, d.Source)
		} else {
			out, err = r.saveAll(ctx, c, draft, d.Options, d.Source)
		}
		if !failed(err) && !stillAsking(out) {
			r.dropDialog(ctx, c.ID())
		}
		return out, err
	}
	hhs, err := r.store.HouseholdsOfCadre(ctx, c.ID(), r.now())
	if err != nil {
		return nil, fmt.Errorf("households of cadre: %w", err)
	}
	for _, h := range hhs {
		if h.Household.ID == d.Options[n-1] {
			save := r.saveCheckIn
			if len(d.Held) > 0 { // photos wait to go with the new report: no second question that would drop them
				save = r.saveCheckInNow
			}
			out, err := save(ctx, c, draft, h, d.Source)
			if !failed(err) && !stillAsking(out) { // a report sent again asks its own question
				r.dropDialog(ctx, c.ID())
			}
			return out, err
		}
	}
	r.dropDialog(ctx, c.ID())
	return nil, refuse(replyNotYourHousehold(strconv.Itoa(n)))
}

// saveCheckIn writes the report once per source message and says exactly what was recorded; a
// report the cadre sent earlier in other words is asked about instead (checkin_again.go).
func (r *Router) saveCheckIn(ctx context.Context, c *Caller, d CheckInDraft, h store.PairedHousehold, source string) ([]bot.Reply, error) {
	earlier, err := r.recordedBefore(ctx, c, []CheckInDraft{d}, []store.PairedHousehold{h}, []string{source})
	if err != nil {
		return nil, err
	}
	if earlier[0].ID != 0 {
		return r.askRecordAgain(ctx, c, []CheckInDraft{d}, []store.PairedHousehold{h}, []string{source}, earlier)
	}
	return r.saveCheckInNow(ctx, c, d, h, source)
}

// saveCheckInNow writes the report once per source message and says exactly what was recorded.
func (r *Router) saveCheckInNow(ctx context.Context, c *Caller, d CheckInDraft, h store.PairedHousehold, source string) ([]bot.Reply, error) {
	saved, created, err := r.recordCheckIn(ctx, c, d, h, source)
	if err != nil {
		return nil, err
	}
	now := r.now()
	text := replyCheckInSaved(saved, h.Household.HeadName, clock.Day(saved.OccurredAt), clock.Day(now), !created, r.cfg.CheckIn.UndoWindow)
	if !created && (saved.SourceMsgID == nil || *saved.SourceMsgID != source) {
		text = replySentAgain(saved, now, text)
	}
	return answersReport(say(text)), nil
}

// recordCheckIn writes the report for h once per source key; created is false when the key was
// already recorded (a redone message) and saved is then the earlier row.
func (r *Router) recordCheckIn(ctx context.Context, c *Caller, d CheckInDraft, h store.PairedHousehold, source string) (store.CheckIn, bool, error) {
	return r.recordRowOnce(ctx, c, r.checkInRow(c, d, h, source))
}

// recordRowOnce writes ci unless its source or content key was recorded; then it returns that row.
func (r *Router) recordRowOnce(ctx context.Context, c *Caller, ci store.CheckIn) (store.CheckIn, bool, error) {
	if err := fitsReport(ci.Text, ci.Items, ci.SalesItems); err != nil {
		return store.CheckIn{}, false, err
	}
	saved, created, err := r.store.CreateCheckIn(ctx, ci, c.ID())
	if err != nil {
		return saved, false, fmt.Errorf("create check-in: %w", err)
	}
	return saved, created, nil
}

// stillAsking: the replies are a new question, which the answered one must not drop.
func stillAsking(out []bot.Reply) bool {
	return slices.ContainsFunc(out, func(r bot.Reply) bool { return r.Question })
}

// checkInRow is the row d makes for h, with its source and content keys.
func (r *Router) checkInRow(c *Caller, d CheckInDraft, h store.PairedHousehold, source string) store.CheckIn {
	now := r.now()
	occurred := d.Day.Add(12 * time.Hour) // a past day without a time: noon, safely inside the day
	if d.Day.Equal(clock.Day(now)) {
		occurred = now
	}
	ci := store.CheckIn{PairingID: h.Pairing.ID, CadreID: c.ID(), HouseholdID: h.Household.ID, Kind: d.Kind, Mode: d.Mode,
		OccurredAt: occurred, ReportedAt: now, Text: d.Text, Items: ItemsString(d.Goods), ValueFen: d.ValueFen,
		SalesItems: ItemsString(d.SalesGoods), SalesFen: d.SalesFen}
	if source != "" {
		ci.SourceMsgID = &source
	}
	key := reportKey(ci, d.Day)
	ci.ContentKey = &key
	return ci
}

// reportKey names what a report says: the cadre, household, kind and way, the day it happened, the
// words, goods and money. A cadre on a weak signal who sees no answer sends the same report again
// minutes later; with the key it is recorded once and the cadre told so. A second call on one day
// with nothing said differs from the first only by being sent again, and counts once too.
func reportKey(c store.CheckIn, day time.Time) string {
	h := sha1.New()
	fmt.Fprintf(h, "%d|%d|%s|%s|%s|%s|%s|%d|%s|%d", c.CadreID, c.HouseholdID, c.Kind, c.Mode, day.Format(time.DateOnly),
		c.Text, c.Items, c.ValueFen, c.SalesItems, c.SalesFen)
	return hex.EncodeToString(h.Sum(nil))
}

// answersReport marks the replies a report waits for: if one never reaches the cadre, the cadre's
// coordinator is told (LostReplies).
func answersReport(rs []bot.Reply) []bot.Reply {
	for i := range rs {
		rs[i].Report = true
	}
	return rs
}

// sourceID is the idempotency key of an inbound message: transport:account:msgid, or a digest of
// it when that is longer than the columns keeping it (source_msg_id holds 96).
func sourceID(in bot.Inbound) string {
	if in.ID == "" {
		return ""
	}
	s := fmt.Sprintf("%s:%s:%s", in.Transport, in.Account, in.ID)
	if len(s) > 96 {
		s = digestSource(s)
	}
	return s
}

// digestSource stands for a source key too long for the columns: "h:" and its SHA-1 in hex.
func digestSource(s string) string {
	sum := sha1.Sum([]byte(s))
	return "h:" + hex.EncodeToString(sum[:])
}

func householdLabel(h store.Household) string {
	if h.Address != "" {
		return fmt.Sprintf("%s（%s）", h.HeadName, h.Address)
	}
	return fmt.Sprintf("%s（%s）", h.HeadName, h.Code)
}
