package handlers

import (
	"strings"

	"qinqi/internal/domain"
)

// Cadres often say they went to a household without any activity keyword: "今天去看了王春发",
// "昨天去了王春发家", "到王春发家里坐了坐". Such a message is a visit when the verb stands right
// before a household's name the parser found. Going verbs (去, 到, 上) count only with 家 right
// after the name, because "收到王春发的消息" or "王春发去了县医院" are not visits; looking verbs
// (去看, 去看了) count alone, and a bare 看了 does not ("看了王春发发来的照片").
var (
	lookVerbs = []string{"去看望了", "去看了看", "去看了", "去看看", "去瞧了", "去看", "去瞧"}
	goVerbs   = []string{"去了一趟", "去了趟", "去了", "到了", "来到", "去", "到", "上"}
)

// takeGoing finds a going or looking verb right before a household named in the message and takes
// it as the visit's keyword. It runs only when no activity keyword was found, and only on names.
func (p *reportParse) takeGoing() (kindKeyword, int, bool) {
	for _, h := range p.names {
		before, after := p.s[:h.start], p.s[h.end:]
		verb, home := suffixOf(before, lookVerbs), ""
		if verb == "" && strings.HasPrefix(after, "家") {
			verb, home = suffixOf(before, goVerbs), "家"
			if strings.HasPrefix(after, "家里") {
				home = "家里"
			}
		}
		if verb == "" {
			continue
		}
		at := h.start - len(verb)
		p.kind, p.kwStart, p.kwEnd = domain.KindVisit, at, h.start
		p.take(at, h.start)
		p.take(h.end, h.end+len(home)) // "到张长青家里坐了坐": the diary is "坐了坐"
		return kindKeyword{word: verb, kind: domain.KindVisit, mode: domain.ModeInPerson}, h.start, true
	}
	return kindKeyword{}, 0, false
}

// suffixOf is the first of words that s ends with, or "".
func suffixOf(s string, words []string) string {
	for _, w := range words {
		if strings.HasSuffix(s, w) {
			return w
		}
	}
	return ""
}

// mayGoTo says whether a cadre's message without an activity keyword could still be a visit in
// the words above, within the first maxRunes runes: the router then lets the report parser decide.
func mayGoTo(s string, maxRunes int) bool {
	n := 0
	for i := range s {
		if n == maxRunes {
			s = s[:i]
			break
		}
		n++
	}
	if containsAnyOf(s, lookVerbs) {
		return true
	}
	return strings.Contains(s, "家") && containsAnyOf(s, goVerbs)
}
