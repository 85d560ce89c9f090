package handlers

import (
	"strings"
	"unicode/utf8"
)

// Cadres call the old heads of their households by surname and a word of kinship or respect:
// 王大爷, 李奶奶, 赵婶, 王哥, 老赵. Such a word names the households of that surname — one is a report, two
// or more one question among them (as two 周勇 are). It is read only when no full name, code or
// initials is in the message: in "和老王一起走访了王春发" the full name says which household. The
// word stays in the diary text ("问了李大娘身体"): it is how the cadre speaks of her, not a field.

// kinWords follow a surname; the longer first, so 王大爷 is not read as 王大 and 爷.
var kinWords = []string{"老大爷", "老奶奶", "老大娘", "大爷", "大娘", "大妈", "大伯", "大叔", "大婶", "大姐", "大哥", "大嫂",
	"爷爷", "奶奶", "婶子", "婶婶", "嫂子", "哥哥", "姐姐", "老哥", "老姐", "老汉", "老太", "老人", "阿姨", "伯伯", "叔叔",
	"婶", "叔", "伯", "嫂", "姨", "爷", "哥", "姐"}

// notAfterLao are surnames that make ordinary words after 老 (老师, 老乡, 老公 …).
const notAfterLao = "师乡公家人板总婆大年伴"

// compoundSurnames are surnames of two characters.
var compoundSurnames = []string{"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "令狐"}

// surnameOf is the surname of a full name of at least two characters, or "".
func surnameOf(name string) string {
	if utf8.RuneCountInString(name) < 2 {
		return ""
	}
	for _, c := range compoundSurnames {
		if strings.HasPrefix(name, c) && utf8.RuneCountInString(name) > 2 {
			return c
		}
	}
	_, size := utf8.DecodeRuneInString(name)
	return name[:size]
}

// kinHits finds surname-and-kinship words, 老+surname, and a surname's home (赵家); households of one
// surname share a hit. Said with 家 after it ("去了老赵家", "赵大爷家"), the word names the home and
// leaves the diary with its 家, as a full name does.
func (p *reportParse) kinHits() []nameHit {
	bySurname := map[string][]int{}
	for i, h := range p.hhs {
		if sn := surnameOf(p.fold.Fold(strings.TrimSpace(h.Name))); sn != "" {
			bySurname[sn] = append(bySurname[sn], i)
		}
	}
	var hits []nameHit
	for sn, idx := range bySurname {
		if h, ok := p.surnameHit(sn); ok {
			h.idx = idx
			hits = append(hits, h)
		}
	}
	return hits
}

// surnameHit is the first place the message calls a household by its surname sn: 老赵, 赵大爷, or
// 赵家 (the home alone, which must be a home: not 李家村, 全家, 对方家里).
func (p *reportParse) surnameHit(sn string) (nameHit, bool) {
	for from := 0; ; {
		i := strings.Index(p.s[from:], sn)
		if i < 0 {
			return nameHit{}, false
		}
		at, end := from+i, from+i+len(sn)
		from = end
		switch {
		case strings.HasSuffix(p.s[:at], "老") && !strings.Contains(notAfterLao, sn):
			return kinHit(p.s, at-len("老"), end), true
		case prefixOf(p.s[end:], kinWords) != "":
			return kinHit(p.s, at, end+len(prefixOf(p.s[end:], kinWords))), true
		case isHome(p.s[end:]) && suffixOf(p.s[:end], notSurnameHomes) == "" && prefixOf(p.s[at:], notSurnameHomes) == "":
			if strings.HasSuffix(p.s[:at], "小") { // 小赵家: 小赵 alone is as often a colleague, so only with 家
				at -= len("小")
			}
			return nameHit{start: at, end: end, tail: homeTail(p.s[end:])}, true
		}
	}
}

// kinHit is a word of kinship from start to end: it stays in the diary unless 家 follows it.
func kinHit(s string, start, end int) nameHit {
	tail := homeTail(s[end:])
	return nameHit{start: start, end: end, tail: tail, kin: tail == 0}
}

// notSurnameHomes are words where a surname stands before 家 or ends another word, yet no household
// is meant: 全家 (the whole family), 管家, 对方家里, 房东家.
var notSurnameHomes = []string{"全家", "管家", "成家", "安家", "顾家", "商家", "农家", "万家", "庄家", "东家", "国家",
	"大家", "自家", "发家", "起家", "专家", "作家", "行家", "皇家", "当家", "养家", "持家", "分家", "住家", "居家",
	"公家", "本家", "酒家", "老家", "人家", "回家", "到家", "在家", "搬家", "各家", "每家", "谁家", "哪家", "别家",
	"儒家", "道家", "冤家", "买家", "卖家", "厂家", "店家", "船家", "亲家", "娘家", "婆家", "邻家", "富家",
	"对方", "双方", "各方", "地方", "房东", "股东", "其余", "提高", "明白", "黄金"}

// homeTails are the words after a household's name that make it its home.
var homeTails = []string{"家的", "家里", "家"}

// notHomeAfter are places named after a family (李家村, 王家湾, 赵家沟): after them 家 is no home.
const notHomeAfter = "村庄湾坪沟寨屯店镇坝岭山河洼营堡园口桥岗台坡塘集铺圩场峪滩梁峁垸冲坊嘴港湖洲渡岙垭坳垄院寺组队巷街路弯"

// homeWordAfter start, after 家, a word of its own (家人, 家庭, 家长): the household is named, but
// the word stays in the diary whole.
const homeWordAfter = "人属庭长具电务族境底门乡禽畜产教访政风法用常眷谱业宴私事中"

// isHome tells whether after starts with 家 of a household's home, not of a place.
func isHome(after string) bool {
	return strings.HasPrefix(after, "家") && !strings.ContainsRune(notHomeAfter, runeAt(after, len("家")))
}

// homeTail is the length of the home word right after a household's name ("赵家 老人不在", "王春发家的
// 猪"), or 0: it belongs to the name and leaves the diary with it.
func homeTail(after string) int {
	w := prefixOf(after, homeTails)
	if !isHome(after) || strings.HasPrefix(after, "家里人") || (w == "家" && strings.ContainsRune(homeWordAfter, runeAt(after, len(w)))) {
		return 0
	}
	return len(w)
}

// givenHomeHits finds a head's two-character given name right before 家 ("去桂兰家了", "长顺家坐了
// 坐") or a word of kinship ("桂兰大姐", "长顺叔"): how a cadre speaks of a household they know well.
// Only those make it a name here, since a given name alone is often an ordinary word (建国, 长顺);
// after a keyword it is read alone (takeSurname). With a kinship word and no 家 it stays in the diary,
// as 李奶奶 does. Households of one given name share a hit.
func (p *reportParse) givenHomeHits() []nameHit {
	byGiven := map[string][]int{}
	for i, h := range p.hhs {
		name := p.fold.Fold(strings.TrimSpace(h.Name))
		if g := name[len(surnameOf(name)):]; utf8.RuneCountInString(g) == 2 { // not 欧阳秀's 秀, not 张三's 三
			byGiven[g] = append(byGiven[g], i)
		}
	}
	var hits []nameHit
	for g, idx := range byGiven {
		for from := 0; ; {
			i := strings.Index(p.s[from:], g)
			if i < 0 {
				break
			}
			at, end := from+i, from+i+len(g)
			from = end
			if kin := prefixOf(p.s[end:], kinWords); kin != "" {
				h := kinHit(p.s, at, end+len(kin))
				h.idx = idx
				hits = append(hits, h)
				break
			}
			if isHome(p.s[end:]) {
				hits = append(hits, nameHit{start: at, end: end, tail: homeTail(p.s[end:]), idx: idx})
				break
			}
		}
	}
	return hits
}
