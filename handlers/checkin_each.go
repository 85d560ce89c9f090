package handlers

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/store"
)

// A report that goes household by household with list numbers ("讲政策 1 讲了医保 2 讲了低保",
// "送温暖 1 米20斤 2户 油2桶 现金200元") is one report per household, each with its own words,
// goods and money, and what stands before the first number (the keyword, a date) for all of them.
// Read as one report it was household 1's, with "2 讲了低保" in its words. Only list numbers start a
// household's part: a name can start a sentence about another household ("走访王春发。李桂兰住院
// 了"), which stays the question it always was. A number starts a part only where a list number
// stands alone (listNumberAt) after a space or a separator, every part says something, the
// numbers are the cadre's and all different, and the beginning names nothing and says nothing
// but the keyword and the date; anything else is read as one report, as before. Each part is one
// report of the message, so 撤销 takes back all of them, and sending the message again records none
// twice.

// eachPart is one household's part of a report by list numbers.
type eachPart struct {
	number int    // the list number
	text   string // the part, its number first
}

// splitEach cuts text at the list numbers that start households' parts; prefix is what stands
// before the first. ok is false unless there are two or more parts, each with words after its
// number, with different numbers from 1 to n.
func splitEach(text string, n int) (prefix string, parts []eachPart, ok bool) {
	var starts, ends []int
	seen := map[int]bool{}
	for i := 0; i < len(text); i++ {
		if text[i] < '0' || text[i] > '9' || (i > 0 && !partMayStartAfter(text, i)) {
			continue
		}
		num, end, isNum := listNumberAt(text, i)
		if !isNum || quantityFollows(text[end:]) || ordinalBefore(text, i) { // "讲了 2 袋米": a quantity
			continue
		}
		if num < 1 || num > n || seen[num] {
			return "", nil, false
		}
		seen[num] = true
		starts, ends = append(starts, i), append(ends, end)
		parts = append(parts, eachPart{number: num})
		i = end - 1
	}
	if len(parts) < 2 {
		return "", nil, false
	}
	for k, at := range starts {
		next := len(text)
		if k+1 < len(starts) {
			next = starts[k+1]
		}
		if strings.TrimFunc(text[ends[k]:next], isSep) == "" { // "1、2 送米" is a list, not parts
			return "", nil, false
		}
		parts[k].text = strings.TrimFunc(text[at:next], isSep)
	}
	return text[:starts[0]], parts, true
}

// quantityFollows: the words after a number make it a quantity ("2 袋", "3 次", "500 元"), not a
// list number; 米 is rice here, not metres ("1 米20斤").
func quantityFollows(rest string) bool {
	rest = strings.TrimLeft(rest, " ")
	if countedFollows(rest) { // "2 块钱", "3 个月" are counts though 块钱 and 个月 are no goods
		return true
	}
	if isUnitWord(rest) {
		return false
	}
	for _, u := range goodsUnits {
		if strings.HasPrefix(rest, u) {
			return true
		}
	}
	for _, u := range []string{"元", "万", "次", "天", "岁", "人", "项", "亩", "年", "月", "日", "号"} {
		if strings.HasPrefix(rest, u) {
			return true
		}
	}
	return false
}

// countWords are measure words a cadre writes after a count in a visit's words ("3 口人", "讲了 2
// 遍", "1 楼厨房", "2 家收购商", "3 点去的", "2 块钱一斤"), and the kin and body words a count stands
// before in speech ("家里 2 老都在" is 二老, "老人 2 腿疼" 两腿); countNotWords start with one of them
// but begin a household's part ("2 家里没人", "1 周一去的", "2 回来了", "2 手续办好了", "2 老人不在家":
// 老 counts only before the words that follow 二老).
var (
	countWords = []string{"口", "顿", "遍", "趟", "间", "栋", "楼", "层", "家", "周", "组", "位", "名", "胎", "级",
		"点", "小时", "分钟", "辆", "棵", "株", "匹", "处", "座", "倍", "批", "轮", "场", "节", "盏", "扇", "根", "颗",
		"碗", "杯", "顶", "室", "届", "句", "回", "块钱", "个月", "件事", "个人", "百", "千", "代人", "班", "档", "片",
		"单元", "兄弟", "姐妹", "老都", "老也", "老均", "老俱", "老还", "老在", "老身体", "老健在", "老俩", "腿", "条腿",
		"眼", "只眼", "耳", "手", "只手", "脚", "膝"}
	countNotWords = []string{"家里", "家人", "家中", "家属", "家庭", "家门", "口头", "周一", "周二", "周三", "周四", "周五",
		"周六", "周日", "周天", "周末", "组织", "名下", "点名", "回来", "回去", "回家", "回访", "回复", "回答", "位置",
		"处理", "节日", "根本", "根据", "场地", "层面", "室内", "级别", "班车", "档案", "片区", "腿脚", "手续", "手机",
		"手术", "手艺", "手工", "手里", "手头", "手上", "眼下", "眼睛", "眼镜", "耳朵", "脚下"}
)

// countedFollows: the words after a number start with a measure word (countWords), so the number
// counts something.
func countedFollows(rest string) bool {
	for _, w := range countNotWords {
		if strings.HasPrefix(rest, w) {
			return false
		}
	}
	for _, w := range countWords {
		if strings.HasPrefix(rest, w) {
			return true
		}
	}
	return false
}

// ordinalBefore: the word before a number makes it an ordinal or a school grade ("第 2 次",
// "孩子读初 2", "高 3"), not a list number.
func ordinalBefore(text string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(strings.TrimRight(text[:i], " "))
	return r == '第' || r == '初' || r == '高'
}

// partMayStartAfter: a part's number follows a space or a separator ("2 讲了低保"), not a word or a
// digit ("米20斤", "12").
func partMayStartAfter(text string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return isSep(r) && r != '.' && r != '-' && r != '/' && r != ':'
}

// checkInEach records a report by list numbers (see above); handled is false when the message is not
// one, and it is then read as one report.
func (r *Router) checkInEach(ctx context.Context, c *Caller, hhs []store.PairedHousehold) (out []bot.Reply, handled bool, err error) {
	prefix, parts, ok := splitEach(c.Text, len(hhs))
	if !ok {
		return nil, false, nil
	}
	now := r.now()
	refs := householdRefs(hhs)
	if head, err := ParseReport(r.fold, prefix, now, refs); err != nil || head.Text != "" || len(head.Picks) > 0 ||
		len(head.Goods) > 0 || head.ValueFen > 0 || head.BadNumber > 0 {
		return nil, false, nil
	}
	drafts := make([]CheckInDraft, len(parts))
	for i, p := range parts {
		d, err := ParseReport(r.fold, prefix+" "+p.text, now, refs)
		if err != nil || len(d.Picks) != 1 || d.Picks[0] != p.number-1 || d.BadNumber > 0 {
			return nil, false, nil
		}
		drafts[i] = d
	}
	out, err = r.saveEach(ctx, c, drafts, hhs)
	return out, true, err
}

// saveEach writes one report per draft, for the household it picked, and answers them in one reply;
// parts that repeat an earlier report in other words are asked about (checkin_again.go).
func (r *Router) saveEach(ctx context.Context, c *Caller, drafts []CheckInDraft, hhs []store.PairedHousehold) ([]bot.Reply, error) {
	now := r.now()
	if maxBack := r.cfg.CheckIn.MaxDaysBack; maxBack > 0 {
		for _, d := range drafts {
			if d.Day.Before(clock.Day(now).AddDate(0, 0, -maxBack)) {
				return nil, refuse(replyTooOld(d.Day, maxBack))
			}
		}
	}
	source := sourceID(c.In)
	hs, sources := make([]store.PairedHousehold, len(drafts)), make([]string, len(drafts))
	for i, d := range drafts {
		hs[i] = hhs[d.Picks[0]]
		sources[i] = groupSource(source, hs[i].Household.ID)
	}
	earlier, err := r.recordedBefore(ctx, c, drafts, hs, sources)
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(earlier, func(e store.CheckIn) bool { return e.ID != 0 }) {
		return r.askRecordAgain(ctx, c, drafts, hs, sources, earlier)
	}
	bodies := make([]string, len(drafts))
	again := true
	for i, d := range drafts {
		h := hs[i]
		ci, created, err := r.recordCheckIn(ctx, c, d, h, sources[i])
		if err != nil {
			return nil, err
		}
		again = again && !created
		bodies[i] = replyCheckInBody(ci, h.Household.HeadName, clock.Day(ci.OccurredAt), clock.Day(now))
	}
	return answersReport(say(replySavedEach(bodies, again, r.cfg.CheckIn.UndoWindow))), nil
}
