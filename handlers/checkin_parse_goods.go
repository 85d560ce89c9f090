package handlers

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"qinqi/internal/hanzi"
)

// goodsUnits are counted in simplified script; traditional ones (頭 隻 …) arrive folded by Normalize.
var goodsUnits = []string{"公斤", "千克", "kg", "斤", "包", "袋", "床", "桶", "箱", "件", "套", "瓶", "只", "头",
	"提", "盒", "条", "把", "台", "个", "份", "吨", "壶", "捆", "双", "块", "卷", "支", "本", "筐", "罐", "车", "担"}

// unitWords are words that start with a unit character but are not a unit: "1提醒" is list number 1
// and a reminder, not goods "醒×1提".
var unitWords = []string{"提醒", "提出", "提交", "提供", "提前", "提高", "提到", "提了", "包括", "包扶", "包保",
	"件事", "条件", "个人", "个月", "头疼", "头痛", "只是", "只有", "只要", "台账", "本人", "本来", "份额", "把握",
	"把手", "车间", "双方", "块钱", "支持", "支部"}

// goodsWords are what cadres hand over most; a known word wins over guessing where the name starts.
var goodsWords = []string{"复合肥", "化肥", "尿素", "种子", "农药", "地膜", "饲料", "猪仔", "鸡苗", "鸭苗", "大米",
	"米", "面粉", "挂面", "面条", "面", "食用油", "菜籽油", "花生油", "油", "棉被", "被子", "被褥", "棉衣", "棉袄",
	"羽绒服", "衣服", "毛毯", "电热毯", "蜂窝煤", "煤", "木炭", "药品", "药", "牛奶", "鸡蛋", "水果", "苹果",
	"月饼", "粽子", "年货", "春联", "书包", "文具", "书", "礼包", "慰问品", "口罩", "猪肉", "肉", "牛", "羊",
	"猪", "鸡", "鸭", "鱼", "白糖", "茶叶", "肥皂", "洗衣粉", "奶粉", "电饭锅", "取暖器", "轮椅", "拐杖", "水",
	"土豆", "玉米", "核桃", "红薯", "花椒", "蜂蜜", "香菇", "木耳", "茶油", "柑橘", "橙子", "猕猴桃", "生猪"}

const qtyPat = `(\d+(?:\.\d+)?|[一二两三四五六七八九十]{1,3})`

var (
	// the name's run is lazy, so "油一桶两袋米" is 油 with 一桶, not "油一桶" with 两袋
	goodsNameFirst = regexp.MustCompile(`(\p{Han}+?(?:\s*(?:各|每户|每家))?)\s*` + qtyPat + `\s*(` + strings.Join(goodsUnits, "|") + `)`)
	goodsQtyFirst  = regexp.MustCompile(qtyPat + `\s*(` + strings.Join(goodsUnits, "|") + `)\s*(\p{Han}+)`)
)

// goodsStop are words around a goods name that are not part of it ("送了化肥", "米和油").
var goodsStop = []string{"送了", "送去", "送来", "送", "带了", "带去", "带", "给了", "给", "买了", "买", "拿了", "拿",
	"发放了", "发放", "发了", "发", "还有", "另有", "和", "及", "与", "另", "又", "共", "各", "的", "了",
	"帮着卖了", "帮着卖", "帮忙卖了", "帮忙卖", "帮卖了", "帮卖", "卖了", "卖掉", "卖出", "销售了", "销售", "代销", "捐了", "捐"}

// ParseGoods lists the goods with quantities in s ("化肥3包", "3袋米", "棉被两床"), whatever they were for.
func ParseGoods(fold *hanzi.Folder, s string) []Goods {
	var out []Goods
	p := newReportParse(fold, Normalize(fold, s), nil)
	p.eachGoods(p.view(true), func(g Goods, start, end, qtyAt int) bool {
		out = append(out, g)
		p.take(start, end)
		return true
	})
	return out
}

// takeGoods reads goods outside plans: after giving words they are aid, after selling words sales
// help; goods that are neither ("看了家里的猪5头") stay in the text.
func (p *reportParse) takeGoods(d *CheckInDraft) {
	v := p.view(true)
	p.eachGoods(v, func(g Goods, start, end, qtyAt int) bool {
		switch p.classify(v, start, qtyAt) {
		case classAid:
			d.Goods = append(d.Goods, g)
		case classSales:
			d.SalesGoods = append(d.SalesGoods, g)
		default:
			return false
		}
		p.take(start, end)
		return true
	})
}

// eachGoods offers every goods phrase of s (name first, then quantity first) to accept, which takes
// it or leaves it. start..end is the phrase without the words before the name; qtyAt is where its
// quantity starts.
func (p *reportParse) eachGoods(s string, accept func(g Goods, start, end, qtyAt int) bool) {
	if !hasCountedUnit(s) { // both goods patterns need a quantity and a unit
		return
	}
	for _, m := range goodsNameFirst.FindAllStringSubmatchIndex(s, -1) {
		run, unit := s[m[2]:m[3]], s[m[6]:m[7]]
		if isUnitWord(s[m[6]:]) {
			continue
		}
		name, offset := goodsNameBefore(trimEach(run))
		if name == "" || p.isTaken(m[0], m[1]) || endsCounted(s[:m[2]+offset]) { // "一桶油两袋米": 油 has its count
			continue
		}
		accept(Goods{Name: name, Qty: qtyDigits(s[m[4]:m[5]]), Unit: unit}, m[2]+offset, m[1], m[4])
	}
	s = p.view(true) // without the goods just taken
	for from := 0; from < len(s); {
		loc := goodsQtyFirst.FindStringSubmatchIndex(s[from:])
		if loc == nil {
			return
		}
		m := make([]int, len(loc))
		for i, x := range loc {
			m[i] = x + from
		}
		from = m[1] // the next phrase may start inside this one's run: "一桶油两袋米"
		unit, run := s[m[4]:m[5]], s[m[6]:m[7]]
		if isUnitWord(s[m[4]:]) || isDateWord(s[:m[0]]) || p.isTaken(m[0], m[1]) {
			continue
		}
		name := goodsNameAfter(run)
		if name == "" {
			continue
		}
		from = m[6] + len(name)
		accept(Goods{Name: name, Qty: qtyDigits(s[m[2]:m[3]]), Unit: unit}, m[0], m[6]+len(name), m[2])
	}
}

// endsCounted reports a run that ends with a quantity and a unit ("送了一桶"): the goods name glued
// after it is counted before it, not by the quantity that follows. A space or a mark between them
// ("米两袋 油1桶") leaves the name to the quantity after it.
func endsCounted(run string) bool {
	for _, u := range goodsUnits {
		if strings.HasSuffix(run, u) {
			before := runeBefore(run, len(run)-len(u))
			return countsRune(before)
		}
	}
	return false
}

// hasCountedUnit reports a goods unit right after a digit or a Chinese numeral (spaces between).
func hasCountedUnit(s string) bool {
	for _, u := range goodsUnits {
		for from := 0; ; {
			i := strings.Index(s[from:], u)
			if i < 0 {
				break
			}
			at := from + i
			before := runeBefore(strings.TrimRight(s[:at], " "), len(strings.TrimRight(s[:at], " ")))
			if countsRune(before) {
				return true
			}
			from = at + len(u)
		}
	}
	return false
}

// countsRune is a digit or a Chinese numeral, the last character of a quantity before its unit.
func countsRune(r rune) bool {
	return r >= '0' && r <= '9' || strings.ContainsRune("一二两三四五六七八九十", r)
}

func (p *reportParse) isTaken(start, end int) bool {
	for i := start; i < end; i++ {
		if p.taken[i] {
			return true
		}
	}
	return false
}

func isUnitWord(s string) bool {
	for _, w := range unitWords {
		if strings.HasPrefix(s, w) {
			return true
		}
	}
	return false
}

// goodsNameBefore takes the goods name from the end of the run of characters before a quantity;
// it returns the name and the byte offset where the name starts within the run.
func goodsNameBefore(run string) (string, int) {
	longest := ""
	for _, w := range goodsWords {
		if strings.HasSuffix(run, w) && len(w) > len(longest) {
			longest = w
		}
	}
	if longest != "" {
		// one more character glued before a known word belongs to it: "香油", "土鸡"
		if pre := []rune(stripStops(run[:len(run)-len(longest)])); len(pre) == 1 && !strings.ContainsRune(goodsStopRunes, pre[0]) {
			longest = string(pre) + longest
		}
		return longest, len(run) - len(longest)
	}
	name := stripStops(run)
	if i := strings.LastIndexAny(name, goodsStopRunes); i >= 0 {
		_, size := utf8.DecodeRuneInString(name[i:])
		name = name[i+size:]
	}
	if r := []rune(name); len(r) > 3 {
		name = string(r[len(r)-2:])
	}
	if name == "" || isDateWord(name) {
		return "", 0
	}
	return name, len(run) - len(name)
}

// trimEach cuts the word that shares goods out among households ("米各一袋", "油每户一桶") from the
// run before the quantity, so the name before it is read.
func trimEach(run string) string {
	for _, w := range []string{"各", "每户", "每家"} {
		run = strings.TrimSuffix(strings.TrimRight(run, " "), w)
	}
	return strings.TrimRight(run, " ") // "米 各一袋"
}

// goodsStopRunes end a goods name when read backwards ("米和" is not a name).
const goodsStopRunes = "和与及的给送了并还各共卖"

func stripStops(name string) string {
	for trimmed := true; trimmed; {
		trimmed = false
		for _, stop := range goodsStop {
			if strings.HasPrefix(name, stop) {
				name, trimmed = name[len(stop):], true
			}
		}
	}
	return name
}

func goodsNameAfter(run string) string {
	longest := ""
	for _, w := range goodsWords {
		if strings.HasPrefix(run, w) && len(w) > len(longest) {
			longest = w
		}
	}
	if longest != "" {
		return longest
	}
	r := []rune(run)
	n := 0
	for n < len(r) && n < 2 && !strings.ContainsRune(goodsStopRunes, r[n]) {
		n++
	}
	return string(r[:n])
}

func isDateWord(s string) bool {
	return strings.HasSuffix(s, "星期") || strings.HasSuffix(s, "周") || strings.HasSuffix(s, "礼拜") || strings.HasSuffix(s, "月")
}

func qtyDigits(q string) string {
	if q != "" && (q[0] < '0' || q[0] > '9') {
		if n, ok := cnNumber(q); ok {
			return strconv.FormatInt(n, 10)
		}
	}
	return q
}
