package handlers

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"qinqi/internal/hanzi"
)

// moneyRe finds amounts: an optional money word, ¥ or rmb, an optional minus sign (-, −, 负), the
// number — arabic with or without thousands commas, Chinese numerals in everyday or financial
// (大写) form, or a mix ("3千", "1.2万") — and an optional currency unit. Whether a match is money at
// all is decided by moneyMatch, whether it is aid by classify.
var moneyRe = regexp.MustCompile(`(现金|折合|价值|慰问金|慰问款|合计|共计|金额|补助|补贴|红包)?\s*[:：]?\s*(?:人民币)?\s*(¥|rmb|RMB)?\s*([-−负])?\s*(\d{1,3}(?:,\d{3})+(?:\.\d+)?|[0-9.零〇一二两三四五六七八九十百千万壹贰叁肆伍陆柒捌玖拾佰仟]+)\s*(元钱|元整|元|块钱|块|圆)?`)

// moneyWords are the prefix words of moneyRe: without one of them, a currency unit or ¥, no match
// can be money, and the regular expression (most of the parser's time) is skipped.
var moneyWords = []string{"现金", "折合", "价值", "慰问金", "慰问款", "合计", "共计", "金额", "补助", "补贴", "红包", "rmb", "RMB"}

func mayHoldMoney(s string) bool {
	return strings.ContainsAny(s, "元块圆¥") || containsAnyOf(s, moneyWords)
}

// moneyBeforeRunes are the words that may stand right before a bare "500块" without making it goods.
const moneyBeforeRunes = "了送给共约花付交补计发助金给"

// ParseMoney returns the total of every amount in s, in fen, whatever it was for.
func ParseMoney(fold *hanzi.Folder, s string) (int64, error) {
	n := Normalize(fold, s)
	if !mayHoldMoney(n) {
		return 0, ErrNoMoney
	}
	var total int64
	found := false
	for _, m := range moneyRe.FindAllStringSubmatchIndex(n, -1) {
		a, ok := moneyAt(n, m)
		if !ok {
			continue
		}
		if a.err != nil {
			return 0, a.err
		}
		found = true
		if total += a.fen; total > maxFen {
			return 0, ErrMoneyTooLarge
		}
	}
	if !found {
		return 0, ErrNoMoney
	}
	return total, nil
}

// amount is one money match: its span, where its number starts (for classify) and its value or
// the reason it cannot be taken.
type amount struct {
	start, end, numStart int
	fen                  int64
	err                  error
}

// takeMoney reads every amount outside plans and adds it to the aid or sales total by its words;
// an amount that is neither (讲政策 "每人缴费400元", "年收入3万元") stays in the text. An aid or sales
// amount that is negative, unreadable or absurd refuses the whole report.
func (p *reportParse) takeMoney(d *CheckInDraft) error {
	v := p.view(true)
	if !mayHoldMoney(v) {
		return nil
	}
	for _, m := range moneyRe.FindAllStringSubmatchIndex(v, -1) {
		a, ok := moneyAt(v, m)
		if !ok {
			continue
		}
		class := p.classify(v, a.start, a.numStart)
		if class == classNone {
			continue
		}
		if a.err != nil {
			return a.err
		}
		total := &d.ValueFen
		if class == classSales {
			total = &d.SalesFen
		}
		if *total += a.fen; *total > maxFen {
			return ErrMoneyTooLarge
		}
		p.take(a.start, a.end)
	}
	return nil
}

// moneyAt decides whether one regexp match is an amount: it needs a money word, ¥ or a currency
// unit; "元旦" and goods counted in 块 ("肥皂3块") are not money. An amount that looks like money but
// cannot be read for certain ("1e20元", "1,00元", "-500元") carries its error.
func moneyAt(s string, m []int) (amount, bool) {
	group := func(i int) string {
		if m[2*i] < 0 {
			return ""
		}
		return s[m[2*i]:m[2*i+1]]
	}
	prefix, sign, minus, num, unit := group(1), group(2), group(3), group(4), group(5)
	a := amount{start: m[0], end: m[1], numStart: m[8]}
	if minus != "" {
		a.numStart = m[6]
	}
	if prefix == "" && sign == "" && unit == "" {
		return a, false
	}
	if unit == "元" && strings.HasPrefix(s[m[1]:], "旦") {
		return a, false
	}
	if unit == "块" && prefix == "" && sign == "" {
		if unicode.Is(unicode.Han, runeAt(s, m[1])) { // 三块肥皂, 两块地
			return a, false
		}
		before := runeBefore(strings.TrimRight(s[:m[0]], " "), len(strings.TrimRight(s[:m[0]], " ")))
		if unicode.Is(unicode.Han, before) && !strings.ContainsRune(moneyBeforeRunes, before) {
			return a, false
		}
	}
	if strings.Trim(num, ".") == "" {
		return a, false
	}
	if sign == "" && gluedToASCII(s, a.numStart) {
		a.err = ErrBadMoney // 1e20元, 1,00元, x500元: a misread would be worse than a question
		return a, true
	}
	if minus != "" {
		a.err = ErrNegativeMoney
		return a, true
	}
	a.fen, a.err = amountFen(num)
	if a.err == nil && a.fen == 0 {
		return a, false // "0元" gives nothing
	}
	return a, true
}

// gluedToASCII reports a number that continues something ASCII before it: a letter (1e20, 0x20), a
// digit group (1,00) or an exponent sign (1e+3).
func gluedToASCII(s string, numStart int) bool {
	before := runeBefore(s, numStart)
	switch {
	case before == '+' || before == '-':
		b2 := runeBefore(s, numStart-1)
		return b2 == 'e' || b2 == 'E'
	case before == ',' || before == '.':
		b2 := runeBefore(s, numStart-1)
		return b2 >= '0' && b2 <= '9'
	case before < unicode.MaxASCII && before != 0:
		return (before >= 'a' && before <= 'z') || (before >= 'A' && before <= 'Z') || before == '_'
	}
	return false
}

// amountFen turns "500", "1,000", "12.5", "3千", "1.2万", "五百", "伍佰" or "3千5百" into fen without
// floating point. A number that is not one of these is ErrBadMoney, never a guess.
func amountFen(num string) (int64, error) {
	num = strings.ReplaceAll(num, ",", "")
	digits := strings.TrimRight(num, "十百千万拾佰仟")
	if digits != "" && isDecimal(digits) {
		mult := int64(1)
		for _, r := range num[len(digits):] {
			mult *= map[rune]int64{'十': 10, '拾': 10, '百': 100, '佰': 100, '千': 1000, '仟': 1000, '万': 10000}[r]
			if mult > maxFen {
				return 0, ErrMoneyTooLarge
			}
		}
		return decimalFen(digits, mult)
	}
	if strings.Contains(num, ".") {
		return 0, ErrBadMoney
	}
	n, ok := cnNumber(toChineseDigits(num))
	if !ok {
		return 0, ErrBadMoney
	}
	if n > maxFen/100 {
		return 0, ErrMoneyTooLarge
	}
	return n * 100, nil
}

func isDecimal(s string) bool {
	dots := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '.':
			dots++
		case s[i] < '0' || s[i] > '9':
			return false
		}
	}
	return dots <= 1 && s[0] != '.' && s[len(s)-1] != '.'
}

// decimalFen reads "12.34" times mult into fen; more decimals than fen can hold are refused.
func decimalFen(s string, mult int64) (int64, error) {
	whole, frac, _ := strings.Cut(s, ".")
	if len(whole) > 9 {
		return 0, ErrMoneyTooLarge
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, ErrBadMoney
	}
	// the fen of frac×mult: shift the decimal point by the digits of mult
	scale := int64(100) * mult
	fracFen := int64(0)
	if frac != "" {
		if len(frac) > 6 {
			return 0, ErrBadMoney
		}
		f, err := strconv.ParseInt(frac, 10, 64)
		if err != nil {
			return 0, ErrBadMoney
		}
		den := int64(1)
		for range frac {
			den *= 10
		}
		if (f*scale)%den != 0 {
			return 0, ErrBadMoney // 12.345元: no such amount in fen
		}
		fracFen = f * scale / den
	}
	if w > maxFen/scale+1 {
		return 0, ErrMoneyTooLarge
	}
	return w*scale + fracFen, nil
}

// toChineseDigits writes arabic digits and financial numerals as everyday Chinese numerals, so
// "3千5百" and "伍佰" read like "三千五百" and "五百".
func toChineseDigits(s string) string {
	return strings.NewReplacer("0", "零", "1", "一", "2", "二", "3", "三", "4", "四", "5", "五", "6", "六", "7", "七",
		"8", "八", "9", "九", "壹", "一", "贰", "二", "叁", "三", "肆", "四", "伍", "五", "陆", "六", "柒", "七",
		"捌", "八", "玖", "九", "拾", "十", "佰", "百", "仟", "千").Replace(s)
}

var cnDigits = map[rune]int64{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
var cnUnits = map[rune]int64{'十': 10, '百': 100, '千': 1000}

// countWord reads a small count written in digits or Chinese numerals; 0 when it is neither.
func countWord(s string) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	n, _ := cnNumber(s)
	return int(n)
}

// cnNumber reads Chinese numerals up to the 万s, including the spoken "一千五" (1500) and "两百".
func cnNumber(s string) (int64, bool) {
	var total, section, num, lastUnit int64
	zero, afterUnit, any := false, false, false
	for _, r := range s {
		switch {
		case r == '万':
			section += num
			if section == 0 || total > 0 {
				return 0, false
			}
			total, section, num, lastUnit, afterUnit = section*10000, 0, 0, 10000, true
		case cnUnits[r] > 0:
			u := cnUnits[r]
			if num == 0 && u == 10 {
				num = 1
			}
			if num == 0 || (lastUnit != 0 && lastUnit != 10000 && u >= lastUnit) {
				return 0, false // "千元", "五百三千"
			}
			section += num * u
			num, lastUnit, afterUnit = 0, u, true
		default:
			d, ok := cnDigits[r]
			if !ok {
				return 0, false
			}
			if d == 0 {
				zero = true
			} else if num != 0 {
				return 0, false // "五五" is not a number
			}
			num = d
			any = any || d != 0
		}
	}
	if afterUnit && !zero && num > 0 && lastUnit >= 100 {
		num *= lastUnit / 10 // 一千五 = 1500
	}
	n := total + section + num
	return n, n > 0 && (any || lastUnit > 0)
}
