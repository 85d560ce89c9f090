package handlers

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"qinqi/bot"
	"qinqi/internal/domain"
)

// A cadre asked "报的是哪一户？" often answers with the name ("李桂兰", "李桂兰那户", "王") or "第一个"
// rather than the digit. Such an answer picks the household it names. A new command or a new report
// drops the question, and the reply says the report that waited on it was not recorded; anything
// else asks again. Either way the waiting report is never dropped without a word.

var (
	pickOrdinal = regexp.MustCompile(`^第?(` + cnNumPat + `|\d{1,2})(?:个|户|家|位)?$`)
	pickAll     = []string{"都记", "都要", "都是", "全部", "所有", "都"}
)

const cnNumPat = `十[一二三四五六七八九]?|[一二三四五六七八九]`

// pickSuffixes and pickPrefixes are the words around a name in such an answer.
var (
	pickSuffixes = []string{"那一户", "那户", "这户", "那家", "这家", "家里", "家", "户", "的", "吧"}
	pickPrefixes = []string{"报的是", "就是", "是"}
)

// PickNamed reads an answer in words to a numbered question among households named names (in
// order): the 1-based choice, or 0 when it names none or several. With all, one more choice (every
// household) is offered, and "都记" or "全部" picks it.
func PickNamed(text string, names []string, all bool) int {
	t := trimSeps(text)
	for changed := true; changed; {
		changed = false
		if w := prefixOf(t, pickPrefixes); w != "" && len(w) < len(t) {
			t, changed = t[len(w):], true
		}
		if w := suffixOf(t, pickSuffixes); w != "" && len(w) < len(t) {
			t, changed = t[:len(t)-len(w)], true
		}
	}
	if all && prefixOf(t, pickAll) != "" {
		return len(names) + 1
	}
	if m := pickOrdinal.FindStringSubmatch(t); m != nil {
		n, ok := cnNumber(m[1])
		if d, err := strconv.Atoi(m[1]); err == nil {
			n, ok = int64(d), true
		}
		if !ok || n < 1 || int(n) > len(names) {
			return 0
		}
		return int(n)
	}
	return uniqueName(t, names)
}

// pickJoiners stand between the households of an answer naming several ("王春发和李桂兰", "1、2");
// pickFillers end such an answer without saying more ("李桂兰 王春发 都去了").
var (
	pickJoiners = []string{"还有", " ", "、", "，", ",", "；", ";", "/", "和", "跟", "与", "及"}
	pickFillers = []string{"都去过了", "都走访了", "都联系了", "都去了", "都去过", "都记", "都是", "都要", "都",
		"这两户", "这两家", "两户", "两家", "了"}
	pickNumber = regexp.MustCompile(`^第?(` + cnNumPat + `|\d{1,2})(?:个|户|家|位)?`)
)

// PickSeveral reads an answer that names two or more of the households, each by its full name (with
// 家 or 那户 after it) or its number: their 1-based choices in the order said. It is nil when the
// answer names fewer than two, names one twice, or says anything else, which could be a report of
// its own: a household is never guessed.
func PickSeveral(text string, names []string) []int {
	t := trimSeps(text)
	for w := suffixOf(t, pickFillers); w != "" && len(w) < len(t); w = suffixOf(t, pickFillers) {
		t = trimSeps(t[:len(t)-len(w)])
	}
	var out []int
	for t != "" {
		n, rest := leadingChoice(t, names)
		if n == 0 || slices.Contains(out, n) {
			return nil
		}
		out, t = append(out, n), rest
		for w := prefixOf(t, pickJoiners); w != ""; w = prefixOf(t, pickJoiners) {
			t = t[len(w):]
		}
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

// leadingChoice is the household that t starts with, by its full name (the longest that fits) or its
// number, and the rest of t after it and after 家 or 那户; 0 when t starts with neither.
func leadingChoice(t string, names []string) (int, string) {
	n, size := 0, 0
	for i, name := range names {
		if len(name) > size && strings.HasPrefix(t, name) {
			n, size = i+1, len(name)
		}
	}
	if n == 0 {
		m := pickNumber.FindStringSubmatch(t)
		if m == nil {
			return 0, t
		}
		d, ok := cnNumber(m[1])
		if v, err := strconv.Atoi(m[1]); err == nil {
			d, ok = int64(v), true
		}
		if !ok || d < 1 || int(d) > len(names) {
			return 0, t
		}
		n, size = int(d), len(m[0])
	}
	rest := t[size:]
	if w := prefixOf(rest, []string{"那户", "家"}); w != "" {
		rest = rest[len(w):]
	}
	return n, rest
}

// uniqueName is the one name that is t, starts with t ("王", "李桂"), shares t's surname once
// the way of calling an elder is taken off ("王大爷", "老李"), or has t's two characters as its given
// name ("秋菊", "秀英大姐"); 0 when none or several.
func uniqueName(t string, names []string) int {
	t = strings.TrimPrefix(t, "老")
	t = strings.TrimSuffix(t, suffixOf(t, kinWords))
	if t == "" {
		return 0
	}
	found := 0
	for i, n := range names {
		if n == t {
			return i + 1
		}
		if strings.HasPrefix(n, t) || givenName(n, t) {
			if found != 0 {
				return 0
			}
			found = i + 1
		}
	}
	return found
}

// pickByWords answers a pending household question with words instead of a digit.
func (r *Router) pickByWords(ctx context.Context, c *Caller, d dialog) ([]bot.Reply, bool, error) {
	if _, _, found := cutKindKeyword(c.Text, keywordScanRunes); found || isCommandLike(r, c.Text) || mayGoTo(c.Text, keywordScanRunes) {
		r.dropDialog(ctx, c.ID())
		if d.Draft != nil {
			c.Before = append(c.Before, replyPickDropped(d.Draft.Kind.Label(), d.Draft.Text))
		}
		return nil, false, nil
	}
	hhs, err := r.store.HouseholdsOfCadre(ctx, c.ID(), r.now())
	if err != nil {
		return nil, true, fmt.Errorf("households of cadre: %w", err)
	}
	names, labels := make([]string, len(d.Options)), make([]string, len(d.Options))
	for i, id := range d.Options {
		for _, h := range hhs {
			if h.Household.ID == id {
				names[i], labels[i] = h.Household.HeadName, householdLabel(h.Household)
			}
		}
	}
	if n := PickNamed(c.Text, names, d.All); n > 0 {
		out, err := r.pickHousehold(ctx, c, d, n)
		return out, true, err
	}
	if ns := PickSeveral(c.Text, names); ns != nil && d.Draft != nil {
		out, err := r.pickSeveral(ctx, c, d, ns)
		return out, true, err
	}
	return nil, true, refuse(replyPickAgain(labels, d.All))
}

// pickSeveral records the waiting report for each household the answer named ("王春发和李桂兰"), with
// the text a report for all of them would have (the names and the count of households taken out).
func (r *Router) pickSeveral(ctx context.Context, c *Caller, d dialog, ns []int) ([]bot.Reply, error) {
	draft := *d.Draft
	if d.All && len(draft.Texts) == len(d.Options)+1 {
		draft.Text = draft.Texts[len(d.Options)]
	}
	draft.Text = withoutAllWords(draft.Text) // "走访了2户": the answer said which
	ids := make([]domain.HouseholdID, len(ns))
	for i, n := range ns {
		ids[i] = d.Options[n-1]
	}
	out, err := r.saveAll(ctx, c, draft, ids, d.Source)
	if !failed(err) {
		r.dropDialog(ctx, c.ID())
	}
	return out, err
}
