package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

// A cadre on one bar of signal whose report seemed not to go through sends it again, often in other
// words ("王春发家孩子考上大学了 送了500元", then "王春发 送了500元"). The content key (reportKey) knows
// only the same words. A report for a household the cadre reported that day, of the same kind,
// recorded less than resendWindow before, whose goods and money are those of the earlier report or
// part of them, is taken for the same visit sent again when it hands over goods or money, or says
// nothing the earlier one does not (a report of words alone with new words is another visit, as the
// cadre was always told: "加几个字说明再发"): nothing is recorded, and the cadre is told
// when and under which number it was recorded. 1 (or 再记一条) records it all the same, a second
// visit that really happened; 2, or 补充 with words, adds the words it has beyond the earlier report
// to that report. Other goods or money, another kind or another day is another report, as before.
// A report for several households skips those already recorded and records the others.

// resendWindow: a resend comes minutes after the report, or once the cadre is back where there is
// signal, within the hour; a second visit of the same kind to the same household within two hours
// is rare, and then costs one "1". Longer, and a morning and an afternoon visit would be asked about.
const resendWindow = 2 * time.Hour

// recordedBefore finds, for each drafts[i] for household hs[i] under source key sources[i], the
// cadre's earlier report it repeats; the zero CheckIn where there is none. One read for all.
func (r *Router) recordedBefore(ctx context.Context, c *Caller, drafts []CheckInDraft, hs []store.PairedHousehold, sources []string) ([]store.CheckIn, error) {
	out := make([]store.CheckIn, len(drafts))
	if len(drafts) == 0 {
		return out, nil
	}
	from, to := drafts[0].Day, drafts[0].Day
	for _, d := range drafts {
		from, to = minTime(from, d.Day), maxTime(to, d.Day)
	}
	now := r.now()
	q := store.RecentReports{From: from, To: to.AddDate(0, 0, 1), Since: now.Add(-resendWindow)}
	for i, h := range hs {
		q.Households = append(q.Households, h.Household.ID)
		if !slices.Contains(q.Kinds, drafts[i].Kind) {
			q.Kinds = append(q.Kinds, drafts[i].Kind)
		}
	}
	rows, err := r.store.CheckInsOfCadreOn(ctx, c.ID(), q)
	if err != nil {
		return nil, fmt.Errorf("reports of the day: %w", err)
	}
	for i, d := range drafts {
		row := r.checkInRow(c, d, hs[i], sources[i])
		if slices.ContainsFunc(rows, func(e store.CheckIn) bool { return sameKey(e.SourceMsgID, row.SourceMsgID) }) {
			continue // this message delivered again: the source key answers it
		}
		for _, e := range slices.Backward(rows) {
			if repeats(e, row, d.Day, now) {
				out[i] = e
				break
			}
		}
	}
	return out, nil
}

// repeats: row says nothing that earlier, reported within resendWindow, does not (see above). The
// same message delivered again never comes here: recordedBefore leaves it to the source key.
func repeats(earlier, row store.CheckIn, day, now time.Time) bool {
	switch {
	case earlier.HouseholdID != row.HouseholdID || earlier.Kind != row.Kind || !clock.Day(earlier.OccurredAt).Equal(day):
		return false
	case now.Sub(earlier.ReportedAt) > resendWindow || now.Before(earlier.ReportedAt):
		return false
	}
	if !partOf(row.Items, earlier.Items) || !partOf(row.SalesItems, earlier.SalesItems) ||
		row.ValueFen != 0 && row.ValueFen != earlier.ValueFen || row.SalesFen != 0 && row.SalesFen != earlier.SalesFen {
		return false
	}
	handsOver := row.Items != "" || row.SalesItems != "" || row.ValueFen != 0 || row.SalesFen != 0
	return handsOver || wordsBeyond(row.Text, earlier.Text) == ""
}

func sameKey(a, b *string) bool { return a != nil && b != nil && *a == *b }

// partOf: every item of items ("米×20斤;油×2桶") is one of of's, or names one of its goods without
// a quantity.
func partOf(items, of string) bool {
	if items == "" {
		return true
	}
	have := strings.Split(of, ";")
	for _, it := range strings.Split(items, ";") {
		name, qty, _ := strings.Cut(it, "×")
		found := slices.ContainsFunc(have, func(h string) bool {
			hn, _, _ := strings.Cut(h, "×")
			return h == it || (qty == "" && hn == name)
		})
		if !found {
			return false
		}
	}
	return true
}

// wordsBeyond are the pieces of text (between spaces and commas) that earlier's words do not hold:
// what 2 adds to the earlier report.
func wordsBeyond(text, earlier string) string {
	var out []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == '，' || r == ',' || r == '。' || r == '；' }) {
		if !strings.Contains(earlier, w) {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// askRecordAgain records the drafts that repeat nothing and asks about the others, whose earlier
// reports are earlier[i] (ID 0: none). The question keeps the drafts, their households and source
// keys, so 1 records them as they would have been.
func (r *Router) askRecordAgain(ctx context.Context, c *Caller, drafts []CheckInDraft, hs []store.PairedHousehold, sources []string, earlier []store.CheckIn) ([]bot.Reply, error) {
	now := r.now()
	var dlg dialog
	var bodies, lines []string
	again := true
	for i, d := range drafts {
		h := hs[i]
		if e := earlier[i]; e.ID != 0 {
			dlg.Drafts, dlg.Sources = append(dlg.Drafts, d), append(dlg.Sources, sources[i])
			dlg.Options, dlg.Refs = append(dlg.Options, h.Household.ID), append(dlg.Refs, int64(e.ID))
			lines = append(lines, replyRecordedAt(e, h.Household.HeadName, now))
			continue
		}
		ci, created, err := r.recordCheckIn(ctx, c, d, h, sources[i])
		if err != nil {
			return nil, err
		}
		again = again && !created
		bodies = append(bodies, replyCheckInBody(ci, h.Household.HeadName, clock.Day(ci.OccurredAt), clock.Day(now)))
	}
	saved := ""
	if len(bodies) > 0 {
		saved = replySavedEach(bodies, again, r.cfg.CheckIn.UndoWindow)
	}
	dlg.Kind = dlgRecordAgain
	if len(dlg.Drafts) == 1 {
		dlg.Text = wordsBeyond(dlg.Drafts[0].Text, earlierText(earlier))
	}
	q := replyAlreadyRecorded(saved, lines, dlg.Text)
	if !r.saveDialog(ctx, c.ID(), dlg) {
		return answersReport(asked(say(q, replyKVDown))), nil
	}
	return answersReport(asked(say(q))), nil
}

// earlierText is the words of the one earlier report among earlier.
func earlierText(earlier []store.CheckIn) string {
	for _, e := range earlier {
		if e.ID != 0 {
			return e.Text
		}
	}
	return ""
}

// recordAgainAnswer answers the question of askRecordAgain: 1 or 再记一条 records the drafts, 2 or
// 补充 adds words to the earlier report, 撤销 or 好的 leaves both as they are. handled is false for
// anything else, which drops the question and is read as a new message.
func (r *Router) recordAgainAnswer(ctx context.Context, c *Caller, d dialog) ([]bot.Reply, bool, error) {
	text := trimSeps(c.Text)
	n, isNum := digitAnswer(text)
	var out []bot.Reply
	var err error
	switch {
	case isNum && n == 1 || slices.Contains(recordAgainWords, text):
		out, err = r.recordAgain(ctx, c, d)
	case slices.Contains(leaveItWords, text):
		out = say(replyRecordAgainLeft)
	case isNum && n == 2 && d.Text != "" && len(d.Refs) == 1:
		out, err = r.addToEarlier(ctx, c, d, d.Text)
	case strings.HasPrefix(text, "补充") && len(d.Refs) == 1:
		words := trimSeps(strings.TrimPrefix(text, "补充"))
		if words == "" {
			words = d.Text
		}
		if words == "" {
			return nil, true, refuse(replyAmendUsage)
		}
		out, err = r.addToEarlier(ctx, c, d, words)
	case isNum:
		return nil, true, refuse(replyRecordAgainRange(d.Text != "" && len(d.Refs) == 1))
	default:
		r.dropDialog(ctx, c.ID())
		return nil, false, nil
	}
	if !failed(err) {
		r.dropDialog(ctx, c.ID())
	}
	return out, true, err
}

// recordAgainWords answer 1 in words.
var recordAgainWords = []string{"再记一条", "再记", "记上", "记吧", "又去了一次", "是又一次"}

// leaveItWords end the question with nothing recorded: the cadre agrees it was the same visit, or
// takes back the resend. 撤销 here means the message just sent, never the earlier report it repeats
// (read as the undo command, it took back the report that stood, and nothing was left).
var leaveItWords = []string{"撤销", "撤回", "取消", "不用", "不用了", "不记了", "不用记了", "算了", "不要了", "好", "好的", "知道了", "收到", "嗯", "哦", "ok", "OK"}

// recordAgain records the drafts of the question, each under the source key it would have had.
func (r *Router) recordAgain(ctx context.Context, c *Caller, d dialog) ([]bot.Reply, error) {
	paired, at, err := r.pairedAmong(ctx, c, d.Options)
	if err != nil {
		return nil, err
	}
	var drafts []CheckInDraft
	var hs []store.PairedHousehold
	var sources []string
	for j, i := range at {
		if i < len(d.Drafts) && i < len(d.Sources) {
			drafts, hs, sources = append(drafts, d.Drafts[i]), append(hs, paired[j]), append(sources, d.Sources[i])
		}
	}
	if len(drafts) == 0 { // the pairings ended meanwhile
		return nil, refuse(replyNotYourHousehold("这几户"))
	}
	now := r.now()
	bodies := make([]string, len(drafts))
	var last store.CheckIn
	for i, d := range drafts {
		ci := r.checkInRow(c, d, hs[i], sources[i])
		again := digestSource(*ci.ContentKey + "|again|" + sources[i])[2:] // the same words may stand twice now
		ci.ContentKey = &again
		saved, _, err := r.recordRowOnce(ctx, c, ci)
		if err != nil {
			return nil, err
		}
		bodies[i], last = replyCheckInBody(saved, hs[i].Household.HeadName, clock.Day(saved.OccurredAt), clock.Day(now)), saved
	}
	if len(drafts) == 1 {
		return answersReport(say(replyCheckInSaved(last, hs[0].Household.HeadName, clock.Day(last.OccurredAt), clock.Day(now), false, r.cfg.CheckIn.UndoWindow))), nil
	}
	return answersReport(say(replySavedEach(bodies, false, r.cfg.CheckIn.UndoWindow))), nil
}

// addToEarlier adds words to the earlier report of the question, as 补充 adds to the last one.
func (r *Router) addToEarlier(ctx context.Context, c *Caller, d dialog, words string) ([]bot.Reply, error) {
	ci, err := r.store.CheckInByID(ctx, domain.CheckInID(d.Refs[0]))
	if errors.Is(err, store.ErrNotFound) || err == nil && (ci.UndoneAt != nil || ci.CadreID != c.ID()) { // undone meanwhile
		return nil, refuse(replyEarlierGone)
	}
	if err != nil {
		return nil, fmt.Errorf("earlier report: %w", err)
	}
	content, err := amendedContent(ci, CheckInDraft{Text: words})
	if err != nil {
		return nil, err
	}
	if err := r.store.AmendCheckIn(ctx, ci.ID, content, c.ID(), r.now()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, refuse(replyEarlierGone)
		}
		return nil, fmt.Errorf("amend check-in: %w", err)
	}
	ci.Text = content.Text
	name, err := r.householdName(ctx, ci.HouseholdID)
	if err != nil {
		return nil, err
	}
	now := r.now()
	text := replyCheckInSaved(ci, name, clock.Day(ci.OccurredAt), clock.Day(now), false, r.cfg.CheckIn.UndoWindow)
	return answersReport(say(replyAmendedEarlier(ci, text))), nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
