package handlers

import (
	"strings"
	"unicode/utf8"
)

// Cadres call the old heads of their households by surname and a word of kinship or respect:
// 王大爷, 李奶奶, 赵婶, 老赵. Such a word names the households of that surname — one is a report, two
// or more one question among them (as two 周勇 are). It is read only when no full name, code or
// initials is in the message: in "和老王一起走访了王春发" the full name says which household. The
// word stays in the diary text ("问了李大娘身体"): it is how the cadre speaks of her, not a field.

// kinWords follow a surname; the longer first, so 王大爷 is not read as 王大 and 爷.
var kinWords = []string{"老大爷", "老奶奶", "老大娘", "大爷", "大娘", "大妈", "大伯", "大叔", "大婶", "大姐", "大哥", "大嫂",
	"爷爷", "奶奶", "婶子", "老汉", "老太", "老人", "阿姨", "伯伯", "叔叔", "婶", "叔", "伯", "嫂", "姨", "爷"}

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

// kinHits finds surname-and-kinship words and 老+surname; households of one surname share a hit.
func (p *reportParse) kinHits() []nameHit {
	bySurname := map[string][]int{}
	for i, h := range p.hhs {
		if sn := surnameOf(p.fold.Fold(strings.TrimSpace(h.Name))); sn != "" {
			bySurname[sn] = append(bySurname[sn], i)
		}
	}
	var hits []nameHit
	for sn, idx := range bySurname {
		if at := strings.Index(p.s, "老"+sn); at >= 0 && !strings.Contains(notAfterLao, sn) {
			hits = append(hits, nameHit{start: at, end: at + len("老"+sn), idx: idx, kin: true})
			continue
		}
		for from := 0; ; {
			i := strings.Index(p.s[from:], sn)
			if i < 0 {
				break
			}
			at := from + i
			if kin := prefixOf(p.s[at+len(sn):], kinWords); kin != "" {
				hits = append(hits, nameHit{start: at, end: at + len(sn) + len(kin), idx: idx, kin: true})
				break
			}
			from = at + len(sn)
		}
	}
	return hits
}

// givenHomeHits finds a head's two-character given name right before 家 ("去桂兰家了", "长顺家坐了
// 坐"): how a cadre speaks of a household they know well. Only 家 makes it a name here, since a given
// name alone is often an ordinary word (建国, 长顺); after a keyword it is read alone (takeSurname).
// Households of one given name share a hit.
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
		if at := strings.Index(p.s, g+"家"); at >= 0 {
			hits = append(hits, nameHit{start: at, end: at + len(g), idx: idx})
		}
	}
	return hits
}
