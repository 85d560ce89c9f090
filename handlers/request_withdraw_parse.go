package handlers

import (
	"regexp"
	"strconv"
	"strings"
)

// A household that pressed 3 by mistake, or said something it did not mean, says so the way it
// talks: "按错了", "我刚才说错了", "刚才那个不要了", "3号不用办了", "撤回 3". ParseTakeBack reads
// such a sentence; it is one only when, the take-back words, the number and the small words around
// them set aside, nothing is left: "干部说错了政策" or "取消低保" are matters, offered as usual.

// TakeBack is a household's wish to take back something it sent; ID is the number it gave, 0 when
// it gave none (then it means what it sent last).
type TakeBack struct {
	ID int64
}

// takeBackWords say that what was sent was a mistake or is no longer wanted.
var takeBackWords = []string{"撤回", "撤销", "撤了", "撤掉", "收回", "取消", "按错", "点错", "说错", "发错", "打错", "弄错", "搞错", "选错",
	"不要了", "不用办", "不办了", "不需要办", "不用处理", "不用管了"}

// takeBackFillers are the small words around them ("我刚才那个…", "把3号的诉求撤了吧"), set aside
// after the take-back words; longer ones first, so "刚才" goes before "才" could split it.
var takeBackFillers = []string{"不好意思", "对不起", "不是要投诉", "不是投诉", "不投诉", "不是诉求", "帮我", "麻烦", "请你", "刚才", "刚刚", "方才",
	"那个", "这个", "那条", "这条", "那件", "这件", "上一条", "上条", "事情", "的事", "一下", "已经", "好了", "应该", "选", "掉",
	"诉求", "投诉", "编号", "我", "刚", "把", "给", "请", "的", "了", "吧", "啊", "呀", "哦", "噢", "嗯", "是", "个", "条", "件", "事", "那", "这"}

// takeBackNumber is the matter's number: "3", "3号", "#3", "第3个", "三号", "第三个". A digit after
// a word of choosing ("应该选1", "按错了 本来是1") is the answer meant, and one before a unit
// ("10点", "3月") a time or a count: neither is a matter's number.
var (
	takeBackNumber = regexp.MustCompile(`(第)?([0-9]{1,9}|[一二两三四五六七八九十]{1,3})(号|个|条|件)?`)
	choiceBefore   = []string{"选", "按", "点", "回复", "应该是", "本来是", "是要"}
	unitAfter      = []string{"点", "月", "日", "天", "分", "块", "元", "岁", "斤", "次"}
)

// ParseTakeBack reads a household's sentence as a take-back; ok is false when it is not one.
func ParseTakeBack(text string) (TakeBack, bool) {
	t := shape(text)
	if !containsAnyOf(t, takeBackWords) {
		return TakeBack{}, false
	}
	rest := t
	for _, w := range takeBackWords {
		rest = strings.ReplaceAll(rest, w, " ")
	}
	var tb TakeBack
	rest, tb.ID = cutTakeBackNumber(rest)
	rest = strings.ReplaceAll(rest, "#", " ")
	for _, w := range takeBackFillers {
		rest = strings.ReplaceAll(rest, w, " ")
	}
	rest = withoutPleasantries(rest)
	if han, other := letters(rest); han+other > 0 {
		return TakeBack{}, false
	}
	return tb, true
}

// cutTakeBackNumber takes the numbers out of s; id is the first that names a matter (digits, or
// Chinese numerals marked as a number by 第 or 号/个/条/件), 0 when there is none.
func cutTakeBackNumber(s string) (rest string, id int64) {
	var b strings.Builder
	last := 0
	for _, m := range takeBackNumber.FindAllStringSubmatchIndex(s, -1) {
		num := s[m[4]:m[5]]
		digits := num[0] >= '0' && num[0] <= '9'
		marked := m[2] >= 0 || m[6] >= 0
		if !digits && !marked { // "一下" and the like: words, not numbers
			continue
		}
		b.WriteString(s[last:m[0]] + " ")
		last = m[1]
		if id != 0 || suffixOf(strings.TrimRight(s[:m[0]], " "), choiceBefore) != "" || m[6] < 0 && prefixOf(s[m[1]:], unitAfter) != "" {
			continue
		}
		if digits {
			id, _ = strconv.ParseInt(num, 10, 64)
		} else if n, ok := cnNumber(num); ok {
			id = n
		}
	}
	b.WriteString(s[last:])
	return b.String(), id
}
