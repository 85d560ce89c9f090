package handlers

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"qinqi/store"
)

// nameHit is one place where the message names households: a full name (two households may share
// it), a code, pinyin initials, or a surname with a word of kinship.
type nameHit struct {
	start, end int
	idx        []int
	kin        bool // 王大爷, 老赵: names the households but stays in the text (checkin_parse_kin.go)
	tail       int  // bytes of 家 after end that leave the text with the name ("去了赵家", "王春发家的猪")
}

// last is where the words that name the households end, their 家 included.
func (h nameHit) last() int { return h.end + h.tail }

// takeNames finds the cadre's households named anywhere in the message — full name in either
// script, household code, pinyin initials, or, when none of those is there, the way a cadre calls an
// old head of household (王大爷, 李奶奶, 老赵) or their given name and home (桂兰家) — and takes the
// words out. Where names overlap the longest
// wins ("王春发" over "王春"); each household is taken at its first mention, later mentions stay in
// the text but are never read as goods or money. A list number after the keyword overrides names
// (see settleNames).
func (p *reportParse) takeNames() {
	if len(p.hhs) == 0 {
		return
	}
	hits := append(p.fullNameHits(), p.asciiHits()...)
	if len(hits) == 0 {
		hits = append(p.kinHits(), p.givenHomeHits()...)
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].start != hits[j].start {
			return hits[i].start < hits[j].start
		}
		return hits[i].end > hits[j].end
	})
	seen := map[int]bool{}
	lastEnd := -1
	for _, h := range hits {
		if h.start < lastEnd {
			continue
		}
		lastEnd = h.end
		fresh := false
		for _, i := range h.idx {
			if !seen[i] {
				seen[i], fresh = true, true
			}
		}
		if !fresh {
			p.hide(h.start, h.end)
			continue
		}
		p.names = append(p.names, h)
		if h.kin { // "问了李大娘身体": how the cadre calls her stays in the diary
			p.hide(h.start, h.end)
			continue
		}
		p.take(h.start, h.last())
	}
}

// settleNames decides between the names found and a list number: a valid list number is what the
// report is about, and names of other households stay in the text ("走访 2 王春发的儿子回来了");
// without one, every household named is a candidate.
func (p *reportParse) settleNames() {
	numbered := len(p.picks) > 0
	seen := map[int]bool{}
	for _, i := range p.picks {
		seen[i] = true
	}
	var named []nameHit
	single := true
	for _, h := range p.names {
		if numbered && !(len(h.idx) == 1 && seen[h.idx[0]]) {
			p.untake(h.start, h.last())
			p.hide(h.start, h.last())
			continue
		}
		if p.ref == "" {
			p.ref = p.s[h.start:h.end]
		}
		for _, i := range h.idx {
			seen[i] = true
		}
		named, single = append(named, h), single && len(h.idx) == 1
	}
	p.picks = sortedKeys(seen)
	if numbered {
		p.several, p.listed = len(p.picks) > 1, true // "走访 1、2": numbers say which, all of them
	} else {
		p.several = len(named) > 1 && single
		p.listed = p.several && p.adjacent(named)
		p.named = named
	}
	if p.badMore > 0 {
		p.badNumber = p.badMore
		return
	}
	if len(p.picks) > 0 {
		p.badNumber = 0
	} else if p.hhs != nil && p.badNumber == 0 {
		p.takeSurname()
	}
}

// takeSurname reads a lone one- or two-character word right after the keyword as the start of a
// name ("走访 王 送油2桶"): the households whose names start with it are the candidates. Two
// characters may also be the given name a cadre calls the head by ("走访 秋菊 送油2桶" for 王秋菊).
func (p *reportParse) takeSurname() {
	v := p.view(false)
	at := skipSpaces(v, p.kwEnd)
	end := at
	for end < len(v) {
		r, size := utf8.DecodeRuneInString(v[end:])
		if !unicode.Is(unicode.Han, r) {
			break
		}
		end += size
	}
	word := v[at:end]
	if n := utf8.RuneCountInString(word); n < 1 || n > 2 || (end < len(v) && !isSep(runeAt(v, end))) {
		return
	}
	for i, h := range p.hhs {
		name := p.fold.Fold(h.Name)
		if strings.HasPrefix(name, word) || givenName(name, word) {
			p.picks = append(p.picks, i)
		}
	}
	if len(p.picks) > 0 {
		p.ref = word
		p.take(at, end)
	}
}

// givenName tells whether word is the two-character given name of a name of three or more.
func givenName(name, word string) bool {
	return utf8.RuneCountInString(word) == 2 && utf8.RuneCountInString(name) >= 3 && strings.HasSuffix(name, word)
}

// fullNameHits finds every household name of two or more characters in the message; households
// with the same name share one hit.
func (p *reportParse) fullNameHits() []nameHit {
	byName := map[string][]int{}
	for i, h := range p.hhs {
		name := p.fold.Fold(strings.TrimSpace(h.Name))
		if utf8.RuneCountInString(name) >= 2 {
			byName[name] = append(byName[name], i)
		}
	}
	var hits []nameHit
	for name, idx := range byName {
		if at := strings.Index(p.s, name); at >= 0 {
			end := at + len(name)
			if kin := prefixOf(p.s[end:], kinWords); kin != "" && homeTail(p.s[end+len(kin):]) > 0 { // 去王春发大哥家了
				end += len(kin)
			}
			hits = append(hits, nameHit{start: at, end: end, idx: idx, tail: homeTail(p.s[end:])})
		}
	}
	return hits
}

// asciiHits finds household codes and pinyin initials: whole ASCII words, not slash commands and not
// a unit ("kg").
func (p *reportParse) asciiHits() []nameHit {
	var hits []nameHit
	s := p.s
	for i := 0; i < len(s); {
		if !isCodeByte(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isCodeByte(s[j]) {
			j++
		}
		word := s[i:j]
		if runeBefore(s, i) != '/' && !isASCIIUnit(word) {
			if idx := p.codeOrInitials(word); len(idx) > 0 {
				hits = append(hits, nameHit{start: i, end: j, idx: idx})
			}
		}
		i = j
	}
	return hits
}

func (p *reportParse) codeOrInitials(word string) []int {
	var idx []int
	for i, h := range p.hhs {
		if h.Code != "" && strings.EqualFold(h.Code, word) {
			return []int{i}
		}
	}
	if len(word) < 2 || !isLetters(word) {
		return nil
	}
	for i, h := range p.hhs {
		if store.InitialsMatch(h.Initials, word) {
			idx = append(idx, i)
		}
	}
	return idx
}

func isCodeByte(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_'
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func isASCIIUnit(w string) bool {
	switch strings.ToLower(w) {
	case "kg", "rmb", "cm", "km", "g":
		return true
	}
	return false
}

// takeListNumber reads a list number: one to three digits right after the activity keyword
// ("走访 2", "/visit 2", "走访2送米") or opening the message ("2 走访"), standing alone — not a date
// ("走访 11月20日"), an amount or a quantity. "2号户" and "2户" are list numbers too.
func (p *reportParse) takeListNumber(kwEnd int) {
	v := p.view(false)
	for _, at := range []int{skipSpaces(v, kwEnd), skipSpaces(v, 0)} {
		n, end, ok := listNumberAt(v, at)
		if !ok {
			continue
		}
		p.take(at, end)
		p.addNumber(n, strconv.Itoa(n))
		if p.hhs != nil && p.badNumber == 0 {
			p.takeMoreNumbers(end)
		}
		return
	}
}

// takeMoreNumbers reads a list of list numbers ("走访 1、2", "走访1和3", "电话 1 2 3"): each must stand
// alone, so "走访 1 2袋米" and "电话 1 3次没人接" name one household. A number past the list is
// refused as the first one would be.
func (p *reportParse) takeMoreNumbers(end int) {
	v := p.view(false)
	for {
		at := skipListSeps(v, end)
		if at == end && at < len(v) {
			return
		}
		n, next, ok := listNumberAt(v, at)
		if !ok || !(next == len(v) || isSep(runeAt(v, next)) || strings.HasSuffix(v[:next], "户") || strings.HasSuffix(v[:next], "家")) {
			return
		}
		if n < 1 || n > len(p.hhs) {
			p.badMore = n
			return
		}
		p.take(at, next)
		p.picks = append(p.picks, n-1)
		end = next
	}
}

// skipListSeps passes what joins the items of a list: spaces, 、 ， and 和 与 及 跟.
func skipListSeps(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r != ' ' && !strings.ContainsRune("、，,和与及跟", r) {
			return i
		}
		i += size
	}
	return i
}

// textsForEach is the diary text for each choice of a question among names apart, in the order of
// picks and then "all of them": the other names stay in it ("走访王春发，听说李桂兰住院了" is 王春发's
// visit, and the diary says who is in hospital).
func (p *reportParse) textsForEach() []string {
	byPick := map[int]string{}
	for i, h := range p.named {
		for j, o := range p.named {
			if j != i {
				p.untake(o.start, o.last())
			}
		}
		byPick[h.idx[0]] = p.text()
		for j, o := range p.named {
			if j != i {
				p.take(o.start, o.last())
			}
		}
	}
	out := make([]string, len(p.picks), len(p.picks)+1)
	for i, pick := range p.picks {
		out[i] = byPick[pick]
	}
	for _, o := range p.named { // the last choice, all of them: every name stays
		p.untake(o.start, o.last())
	}
	out = append(out, p.text())
	for _, o := range p.named {
		p.take(o.start, o.last())
	}
	return out
}

// adjacent tells whether the names stand together as a list ("王春发和李桂兰", "王春发 李桂兰、赵长顺"),
// with nothing but list joiners between them.
func (p *reportParse) adjacent(named []nameHit) bool {
	for i := 1; i < len(named); i++ {
		gap := named[i-1].last()
		if skipListSeps(p.s, gap) < named[i].start || named[i].start < gap {
			return false
		}
	}
	return true
}

func (p *reportParse) addNumber(n int, typed string) {
	if p.hhs != nil && (n < 1 || n > len(p.hhs)) {
		p.badNumber = n
		return
	}
	p.ref = typed
	if p.hhs != nil {
		p.picks = []int{n - 1}
	}
}

func listNumberAt(v string, at int) (int, int, bool) {
	end := at
	for end < len(v) && v[end] >= '0' && v[end] <= '9' {
		end++
	}
	if end == at || end-at > 3 {
		return 0, 0, false
	}
	n, _ := strconv.Atoi(v[at:end])
	rest := v[end:]
	for _, suffix := range []string{"号户", "号家", "户", "家"} {
		if strings.HasPrefix(rest, suffix) {
			return n, end + len(suffix), true
		}
	}
	next := runeAt(v, end)
	switch {
	case next == 0 || next == ' ':
		return n, end, true
	case next == '.' || next == '-' || next == '/' || next == ':' || next == ',' || (next < utf8.RuneSelf && isDigitOrASCIILetter(next)):
		return 0, 0, false
	case isSep(next):
		return n, end, true
	case unicode.Is(unicode.Han, next) && (isUnitWord(rest) || !isUnitStart(rest)) && !strings.ContainsRune("月日号年周元块万千百十", next):
		return n, end, true
	}
	return 0, 0, false
}

func skipSpaces(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == ',' || s[i] == ':') {
		i++
	}
	for strings.HasPrefix(s[i:], "，") || strings.HasPrefix(s[i:], "：") {
		i += len("，")
		for i < len(s) && s[i] == ' ' {
			i++
		}
	}
	return i
}

func sortedKeys(m map[int]bool) []int {
	if len(m) == 0 {
		return nil
	}
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}
