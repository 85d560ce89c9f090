package handlers

import (
	"strings"

	"qinqi/internal/domain"
)

type aidClass int

const (
	classNone  aidClass = iota // mentioned, not given: stays in the text
	classAid                   // given to the household: counts as 帮扶金额 / 送物资
	classSales                 // sold for the household: counts as 帮销
)

// giveCues say that what follows was given. Money words (现金, 折合 …) are cues of their own.
var giveCues = []string{"送", "给", "慰问", "发放", "发了", "折合", "捐", "垫付", "代缴", "代付", "资助", "补助",
	"补贴", "奖补", "现金", "红包", "价值", "带了", "带去", "买了", "购买", "赠", "赞助", "救助金", "帮扶资金"}

// salesCues say that what follows was sold for the household (帮销).
var salesCues = []string{"帮卖", "帮着卖", "帮忙卖", "帮他卖", "帮她卖", "代卖", "代销", "销售", "帮销", "卖了",
	"卖出", "卖掉", "收购"}

// salesSequels continue a sale in a later clause ("帮着卖了苹果800斤，收入2000元"); without a sale
// before them they are the household's own money and count as nothing.
var salesSequels = []string{"收入", "卖得", "卖到", "得款", "货款", "进账"}

// clauseSeps end a clause: the cue for an amount or goods is looked for in its own clause first.
const clauseSeps = "，。；！？,;!?\n"

// classify decides what an amount or goods phrase starting at start (its number at qtyAt) is: the
// nearest giving or selling word before its number in the same clause decides. A bare item
// ("米20斤，油2桶", "现金500元" after a comma) inherits the nearest cue of the clauses before it. With
// no cue at all, 送温暖 and 慰问 reports count goods and money as aid, other kinds as nothing.
// 讲政策 never counts aid: amounts there are the policy's ("每人缴费400元").
func (p *reportParse) classify(v string, start, qtyAt int) aidClass {
	clause := strings.LastIndexAny(v[:start], clauseSeps) + 1
	class, found := nearestCue(v[clause:qtyAt], cueReach)
	if !found && bareItem(v[clause:start]) {
		class, found = nearestCue(v[:clause], -1)
	}
	if !found && containsAnyOf(v[clause:start], salesSequels) {
		if c, ok := nearestCue(v[:clause], -1); ok && c == classSales {
			class, found = classSales, true
		}
	}
	if !found {
		if p.kind == domain.KindWarmth {
			return classAid
		}
		return classNone
	}
	if class == classAid && p.kind == domain.KindPolicy {
		return classNone
	}
	return class
}

// cueReach is how many characters may stand between a cue and its number: "送化肥3包", "给了现金五百元"
// and "代缴电费86.5元" are near; in "给他算了一笔账 年收入3万元" the 给 is not about the money.
const cueReach = 6

// nearestCue finds the giving or selling word that ends last in s, at most reach characters (not
// counting spaces) before the end of s; reach < 0 is any distance.
func nearestCue(s string, reach int) (aidClass, bool) {
	best, bestEnd := classNone, -1
	for _, cues := range []struct {
		words []string
		class aidClass
	}{{giveCues, classAid}, {salesCues, classSales}} {
		for _, w := range cues.words {
			if i := strings.LastIndex(s, w); i >= 0 && i+len(w) > bestEnd {
				best, bestEnd = cues.class, i+len(w)
			}
		}
	}
	if bestEnd < 0 || (reach >= 0 && nonSpaceRunes(s[bestEnd:]) > reach) {
		return classNone, false
	}
	return best, true
}

func nonSpaceRunes(s string) int {
	n := 0
	for _, r := range s {
		if r != ' ' {
			n++
		}
	}
	return n
}

// bareItem reports a clause that holds nothing before the item but spaces and joining words.
func bareItem(before string) bool {
	for _, w := range strings.Fields(before) {
		if !isFiller(w) && w != "还有" && w != "另外" && w != "以及" && w != "外加" && w != "加上" {
			return false
		}
	}
	return true
}

// planMarkers start a plan for later: the rest of the clause dates nothing and gives nothing yet,
// and stays in the text ("约好下周一去镇上办医保", "明天去送米20斤").
var planMarkers = []string{"明天", "明早", "明晚", "明儿", "明日", "后天", "大后天", "下周", "下星期", "下礼拜",
	"下个星期", "下个礼拜", "下个月", "下月", "下次", "下回", "改天", "过几天", "过两天", "过些天", "约好", "约定",
	"约了", "准备去", "准备再", "打算", "计划下", "计划在", "预计", "将于", "到时候", "再去", "再来"}

// markPlans marks each plan from its marker to the end of its clause.
func (p *reportParse) markPlans() {
	v := p.view(false)
	for _, w := range planMarkers {
		for from := 0; ; {
			i := strings.Index(v[from:], w)
			if i < 0 {
				break
			}
			at := from + i
			end := len(v)
			if j := strings.IndexAny(v[at:], clauseSeps); j >= 0 {
				end = at + j
			}
			p.hide(at, end)
			from = end
		}
	}
}
