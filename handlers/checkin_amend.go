package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

// A cadre with one bar of signal sends a report in pieces: "走访王春发", then "送了两袋米". The second
// piece names no household, so it is no report of its own. Within check_in.undo_window of the
// cadre's last report (while the report may still be taken back) it is added to that report — to each
// household's, when that message named several — if it carries goods, aid money or sales help, or
// if the cadre puts 补充 before it. Its words join the diary after "；", its goods the goods, its
// money the money. A piece that names a household or a day is a report of its own, and a piece
// later than the window is not understood, as before. The same piece sent twice within the window
// (a resend on a bad line) is added once.

const amendSep = "；"

// amend answers 补充 <内容>: what follows is added to the last report.
func (r *Router) amend(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	if c.Args == "" {
		return nil, refuse(replyAmendUsage)
	}
	out, _, err := r.addToLast(ctx, c, c.Args, true)
	return out, err
}

// continuation adds a cadre's message that no command took to their last report, when it is one
// (see above); handled is false when it is not.
func (r *Router) continuation(ctx context.Context, c *Caller) ([]bot.Reply, bool, error) {
	if slices.Contains(recordAgainWords, trimSeps(c.Text)) { // "再记一条" after its question expired: no goods 再记×1条
		return nil, true, refuse(replyRecordAgainExpired)
	}
	return r.addToLast(ctx, c, c.Text, false)
}

// addToLast reads text as more of the cadre's last report and adds it. said is whether the cadre
// said 补充: then every refusal is theirs to read; otherwise anything but goods or money without a
// household or day is not handled here.
func (r *Router) addToLast(ctx context.Context, c *Caller, text string, said bool) ([]bot.Reply, bool, error) {
	now, window := r.now(), r.cfg.CheckIn.UndoWindow
	last, err := r.store.LastCheckInOfCadre(ctx, c.ID())
	if errors.Is(err, store.ErrNotFound) || err == nil && now.Sub(last.ReportedAt) > window {
		return nil, said, refuseIf(said, replyAmendNoRecent(window))
	}
	if err != nil {
		return nil, true, fmt.Errorf("last check-in: %w", err)
	}
	hhs, err := r.store.HouseholdsOfCadre(ctx, c.ID(), now)
	if err != nil {
		return nil, true, fmt.Errorf("households of cadre: %w", err)
	}
	d, err := ParseReport(r.fold, last.Kind.Label()+" "+text, now, householdRefs(hhs))
	carries := err == nil && (len(d.Goods) > 0 || d.ValueFen > 0 || len(d.SalesGoods) > 0 || d.SalesFen > 0)
	switch {
	case err != nil && (said || isMoneyError(err)):
		return nil, true, refuse(parseErrorReply(err))
	case err != nil:
		return nil, false, nil
	case len(d.Picks) > 0 || d.Household != "" || d.DayGiven || d.BadNumber > 0:
		return nil, said, refuseIf(said, replyAmendNamesOne)
	case !said && !carries:
		return nil, false, nil
	}
	if slices.Contains(shareWords, d.Text) { // "各送了一桶油": each report takes the goods anyway
		d.Text = ""
	}
	heads := make(map[domain.HouseholdID]string, len(hhs))
	for _, h := range hhs {
		heads[h.Household.ID] = h.Household.HeadName
	}
	out, err := r.amendReports(ctx, c, last, d, heads)
	return out, true, err
}

// pieceStarts begin a message that goes on from the last report ("还给了慰问金300元", "另外送了油"):
// such a message with goods or money and no household or day is tried as a piece of it before its
// keyword (慰问 in 慰问金) is read as a new report.
var pieceStarts = []string{"还", "另外", "又", "也", "再", "顺便", "同时"}

// shareWords left alone in a piece's words say only that each household got the goods.
var shareWords = []string{"各", "每户", "都", "也", "还"}

// amendReports adds d to last and the other reports of its message, once per piece of text; heads
// names the cadre's households (a report's household is read only when its pairing ended since).
func (r *Router) amendReports(ctx context.Context, c *Caller, last store.CheckIn, d CheckInDraft, heads map[domain.HouseholdID]string) ([]bot.Reply, error) {
	now := r.now()
	reports, err := r.store.CheckInsReportedAt(ctx, c.ID(), last.ReportedAt)
	if err != nil {
		return nil, fmt.Errorf("reports of the last message: %w", err)
	}
	piece := strings.Join([]string{strconv.FormatInt(int64(last.ID), 10), d.Text, ItemsString(d.Goods),
		strconv.FormatInt(d.ValueFen, 10), ItemsString(d.SalesGoods), strconv.FormatInt(d.SalesFen, 10)}, "|")
	key := "amended:" + strconv.FormatInt(int64(c.ID()), 10)
	if r.dialogs != nil {
		if seen, err := r.dialogs.Get(ctx, key); err == nil && seen == piece {
			return say(replyAmendAgain), nil
		}
	}
	var names []string
	var amended store.CheckIn
	for _, ci := range reports {
		if ci.ID != last.ID && !sameMessage(last, ci) {
			continue
		}
		content, err := amendedContent(ci, d)
		if err != nil {
			return nil, err
		}
		if err := r.store.AmendCheckIn(ctx, ci.ID, content, c.ID(), now); err != nil {
			return nil, fmt.Errorf("amend check-in: %w", err)
		}
		head, err := r.headOf(ctx, heads, ci.HouseholdID)
		if err != nil {
			return nil, err
		}
		ci.Text, ci.Items, ci.ValueFen, ci.SalesItems, ci.SalesFen = content.Text, content.Items, content.ValueFen, content.SalesItems, content.SalesFen
		names, amended = append(names, head), ci
	}
	if len(names) == 0 { // undone between the two reads
		return nil, refuse(replyAmendNoRecent(r.cfg.CheckIn.UndoWindow))
	}
	if r.dialogs != nil {
		if err := r.dialogs.Set(ctx, key, piece, r.cfg.CheckIn.UndoWindow); err != nil {
			r.log.WarnContext(ctx, "amendment not remembered; a resend would be added again", "person_id", c.ID(), "error", err)
		}
	}
	text := replyCheckInSaved(amended, strings.Join(names, "、"), clock.Day(amended.OccurredAt), clock.Day(now), false, r.cfg.CheckIn.UndoWindow)
	return answersReport(say(replyAmended(text))), nil
}

// headOf is the household's head from heads, or read when its pairing ended since heads was read.
func (r *Router) headOf(ctx context.Context, heads map[domain.HouseholdID]string, id domain.HouseholdID) (string, error) {
	if head, ok := heads[id]; ok {
		return head, nil
	}
	hh, err := r.store.HouseholdByID(ctx, id)
	if err != nil {
		return "", fmt.Errorf("household of check-in: %w", err)
	}
	return hh.HeadName, nil
}

// amendedContent is ci's content with d added: words after "；", goods after the goods, money to
// the money; too long for the columns is refused as a report would be.
func amendedContent(ci store.CheckIn, d CheckInDraft) (store.CheckInContent, error) {
	c := store.CheckInContent{Text: joinPiece(ci.Text, d.Text, amendSep), Items: joinPiece(ci.Items, ItemsString(d.Goods), ";"),
		ValueFen: ci.ValueFen + d.ValueFen, SalesItems: joinPiece(ci.SalesItems, ItemsString(d.SalesGoods), ";"), SalesFen: ci.SalesFen + d.SalesFen}
	return c, fitsReport(c.Text, c.Items, c.SalesItems)
}

// joinPiece joins two pieces with sep, leaving out an empty one.
func joinPiece(a, b, sep string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + sep + b
}

// refuseIf is refuse(text) when said, else nil: a piece the cadre did not mark 补充 is left to the
// router's "not understood".
func refuseIf(said bool, text string) error {
	if !said {
		return nil
	}
	return refuse(text)
}

// isMoneyError: the piece tried to give an amount and got it wrong, so it is the cadre's to fix.
func isMoneyError(err error) bool {
	return errors.Is(err, ErrBadMoney) || errors.Is(err, ErrNegativeMoney) || errors.Is(err, ErrMoneyTooLarge)
}
