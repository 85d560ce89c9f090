package handlers

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

// A report that names two or more of the cadre's households is a report for each of them when they
// stand together as a list ("走访 1、2", "今天走访了王春发和李桂兰", "院坝会 王春发 李桂兰"): each
// household gets its own report with the same kind, day, goods, money and words, in one reply, and
// 撤销 takes back all of them, as they came from one message. Named apart ("走访王春发，听说李桂兰
// 住院了"), they are one question: which one, the last choice being all of them. Recording all there
// would make a visit nobody made; asking only for one would leave the cadre to type the report
// again for each household on one bar of signal.

// askSeveral keeps the draft and asks among the named households, the last choice being all of them.
func (r *Router) askSeveral(ctx context.Context, c *Caller, d CheckInDraft, options []store.PairedHousehold) ([]bot.Reply, error) {
	return r.askAmongAll(ctx, c, d, options, replyPickSeveral)
}

// saysAll: a report that names no household says it was all of them ("送温暖 全部 米20斤", "三户都
// 走访了"). It is still asked, with all of them as the last choice: the words may mean all the
// households of a village, not the cadre's.
func saysAll(text string) bool {
	return containsAnyOf(text, allWords) || allHouseholdsSaid.MatchString(text)
}

var allWords = []string{"全部", "所有", "每一户", "每户", "各户", "户户", "家家"}

// withoutAllWords is a report's words once all of them are chosen: "全部" or "三户都" said which
// households, and is no content.
func withoutAllWords(text string) string {
	var kept []string
	text = householdCount.ReplaceAllString(allHouseholdsSaid.ReplaceAllString(text, " "), " ")
	for _, f := range strings.Fields(text) {
		if !slices.Contains(allWords, trimEdgeSeps(f)) { // "讲了全部政策" keeps its words
			kept = append(kept, f)
		}
	}
	return diaryText(strings.Join(kept, " "))
}

var allHouseholdsSaid = regexp.MustCompile(`[两二三四五六七八九十\d]+(?:户|家)(?:都|全)`)

// householdsCounted is the number of households a report says it was for ("今天走访了3户", "去了两家"),
// 0 when it says none. The report is still asked: as all of them when it is the cadre's number,
// else which ones, an answer naming several being one report each.
func householdsCounted(text string) int {
	m := householdCount.FindStringSubmatch(text)
	if m == nil {
		return 0
	}
	return countWord(m[1])
}

// countedBesideNames is householdsCounted of a report with the cadre's households' names taken out:
// 去董三家了, 冯六家 and 杨中二家 name one home, not a number of them (they were asked "这条说的是3户").
func countedBesideNames(text string, hhs []store.PairedHousehold) int {
	if householdsCounted(text) == 0 {
		return 0
	}
	for _, h := range hhs {
		if h.Household.HeadName != "" {
			text = strings.ReplaceAll(text, h.Household.HeadName, " ")
		}
	}
	return householdsCounted(text)
}

// householdCount: 家 only at the end of a phrase, so "联系了3家企业" counts no households.
var householdCount = regexp.MustCompile(`等?([两二三四五六七八九十\d]{1,3})(?:户|家(?:$|[\s，,。、都了]))`)

// askCounted asks which of hhs a report counting n households was for: all of them the last choice
// when n is their number, else several numbers for an answer.
func (r *Router) askCounted(ctx context.Context, c *Caller, d CheckInDraft, hhs []store.PairedHousehold, n int) ([]bot.Reply, error) {
	if n == len(hhs) {
		return r.askAmongAll(ctx, c, d, hhs, replyPickAllSaid)
	}
	return r.askHousehold(ctx, c, d, replyPickCounted(n, householdLabels(hhs)), hhs)
}

// householdLabels are the households' labels in a question, in order.
func householdLabels(hhs []store.PairedHousehold) []string {
	labels := make([]string, len(hhs))
	for i, h := range hhs {
		labels[i] = householdLabel(h.Household)
	}
	return labels
}

// askAmongAll keeps the draft and asks among options with question, whose last choice is all.
func (r *Router) askAmongAll(ctx context.Context, c *Caller, d CheckInDraft, options []store.PairedHousehold, question func([]string) string) ([]bot.Reply, error) {
	q := question(householdLabels(options))
	if !r.saveDialog(ctx, c.ID(), dialog{Kind: dlgPickHousehold, Draft: &d, Options: householdIDs(options), All: true, Source: sourceID(c.In)}) {
		return answersReport(asked(say(q, replyKVDown))), nil
	}
	return answersReport(asked(say(q))), nil
}

// pairedAmong is the cadre's paired households among ids, in ids' order, each with its index in ids
// (a pairing may have ended since the ids were read).
func (r *Router) pairedAmong(ctx context.Context, c *Caller, ids []domain.HouseholdID) ([]store.PairedHousehold, []int, error) {
	hhs, err := r.store.HouseholdsOfCadre(ctx, c.ID(), r.now())
	if err != nil {
		return nil, nil, fmt.Errorf("households of cadre: %w", err)
	}
	var hs []store.PairedHousehold
	var at []int
	for i, id := range ids {
		if k := slices.IndexFunc(hhs, func(h store.PairedHousehold) bool { return h.Household.ID == id }); k >= 0 {
			hs, at = append(hs, hhs[k]), append(at, i)
		}
	}
	return hs, at, nil
}

// saveAll records the draft once for each of the households ids, each under its own source key
// derived from the message's, so a redone message records none of them twice; households whose
// report it repeats in other words are asked about (checkin_again.go), the others recorded.
func (r *Router) saveAll(ctx context.Context, c *Caller, d CheckInDraft, ids []domain.HouseholdID, source string) ([]bot.Reply, error) {
	hs, at, err := r.pairedAmong(ctx, c, ids)
	if err != nil {
		return nil, err
	}
	drafts, sources := make([]CheckInDraft, len(hs)), make([]string, len(hs))
	for j := range hs {
		drafts[j], sources[j] = d, groupSource(source, ids[at[j]])
	}
	earlier, err := r.recordedBefore(ctx, c, drafts, hs, sources)
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(earlier, func(e store.CheckIn) bool { return e.ID != 0 }) {
		return r.askRecordAgain(ctx, c, drafts, hs, sources, earlier)
	}
	return r.saveAllNow(ctx, c, d, ids, source, hs)
}

// saveAllOf records the draft for each of ids, as saveAll without looking for earlier reports.
func (r *Router) saveAllOf(ctx context.Context, c *Caller, d CheckInDraft, ids []domain.HouseholdID, source string) ([]bot.Reply, error) {
	hhs, err := r.store.HouseholdsOfCadre(ctx, c.ID(), r.now())
	if err != nil {
		return nil, fmt.Errorf("households of cadre: %w", err)
	}
	return r.saveAllNow(ctx, c, d, ids, source, hhs)
}

// saveAllNow records the draft for each of ids among the cadre's households hhs.
func (r *Router) saveAllNow(ctx context.Context, c *Caller, d CheckInDraft, ids []domain.HouseholdID, source string, hhs []store.PairedHousehold) ([]bot.Reply, error) {
	byID := make(map[domain.HouseholdID]store.PairedHousehold, len(hhs))
	for _, h := range hhs {
		byID[h.Household.ID] = h
	}
	var shown *store.CheckIn // a row this message wrote, else the first already there
	var names []string
	again := true
	for _, id := range ids {
		h, ok := byID[id]
		if !ok { // the pairing ended meanwhile: the others are still this cadre's to record
			continue
		}
		ci, created, err := r.recordCheckIn(ctx, c, d, h, groupSource(source, id))
		if err != nil {
			return nil, err
		}
		if shown == nil || created && again { // a row already there may since have had 补充 added
			shown = &ci
		}
		names, again = append(names, h.Household.HeadName), again && !created
	}
	if shown == nil {
		return nil, refuse(replyNotYourHousehold("这几户"))
	}
	now := r.now()
	text := replyCheckInSaved(*shown, strings.Join(names, "、"), clock.Day(shown.OccurredAt), clock.Day(now), again, r.cfg.CheckIn.UndoWindow)
	return answersReport(say(replySavedForEach(len(names), text))), nil
}

// groupSource is the source key of one household's report in a report for several: the message's
// key and the household, kept within the column's 96 characters.
func groupSource(source string, id domain.HouseholdID) string {
	if source == "" {
		return ""
	}
	if len(source) > 72 {
		source = digestSource(source)
	}
	return source + "|" + strconv.FormatInt(int64(id), 10)
}

// sameMessage tells whether two reports were recorded from one message for several households.
func sameMessage(a, b store.CheckIn) bool {
	if a.SourceMsgID == nil || b.SourceMsgID == nil || !a.ReportedAt.Equal(b.ReportedAt) {
		return false
	}
	ai, bi := strings.LastIndexByte(*a.SourceMsgID, '|'), strings.LastIndexByte(*b.SourceMsgID, '|')
	return ai > 0 && bi > 0 && (*a.SourceMsgID)[:ai] == (*b.SourceMsgID)[:bi]
}

// undoSiblings takes back the other reports recorded from the message of last, already undone,
// and returns the names of their households.
func (r *Router) undoSiblings(ctx context.Context, c *Caller, last store.CheckIn) ([]string, error) {
	var names []string
	for {
		next, err := r.store.LastCheckInOfCadre(ctx, c.ID())
		if errors.Is(err, store.ErrNotFound) || (err == nil && !sameMessage(last, next)) {
			return names, nil
		}
		if err != nil {
			return nil, fmt.Errorf("last check-in: %w", err)
		}
		if err := r.store.UndoCheckIn(ctx, next.ID, c.ID(), r.now()); err != nil {
			return nil, fmt.Errorf("undo check-in: %w", err)
		}
		name, err := r.householdName(ctx, next.HouseholdID)
		if err != nil {
			return nil, err
		}
		names = append(names, name)
	}
}
