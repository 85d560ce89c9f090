// Package pii masks the phone and ID numbers people type into free text (requests, complaints,
// visit notes, resolution texts, plans) before that text is forwarded in chat or written to a
// ledger. The database keeps the full text; only what leaves it is masked.
//
// What counts, and how it is shown:
//
//	mobile     13800000001, 138 0000 0001, 138-0000-0001, +86 138…, 0086…, 86138…   → 138****0001
//	landline   0571-88881234, 0571 8888 1234, (0571)88881234, 057188881234, 010-12345678 → 0571-****1234
//	ID number  18 characters (last may be X) or the old 15 digits, also 6-8-4 spaced    → 330*************34
//
// A number must stand alone: a digit, an ASCII letter or a decimal point right before or after it
// means it is part of something else (a code like H13800000001, an amount like 0.13800000001).
// ID numbers must carry a real birth date, landlines a real area code shape, so amounts (500元),
// dates (2026-11-20, 20261120) and 户编号 codes are left as they are.
package pii

import (
	"strings"
	"unicode/utf8"
)

// Mask returns s with every mobile, landline and ID number masked; the rest is unchanged.
func Mask(s string) string {
	if !mayHold(s) {
		return s
	}
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(rs); {
		if startsNumber(rs, i) {
			if end, masked, ok := match(rs, i); ok {
				b.WriteString(masked)
				i = end
				continue
			}
			// Not a number we mask: copy its first run of digits so no match starts inside it. A
			// "+" or "(" goes alone, as the number after it may still be one.
			j := i + 1
			for digit(rs[i]) >= 0 && j < len(rs) && digit(rs[j]) >= 0 {
				j++
			}
			b.WriteString(string(rs[i:j]))
			i = j
			continue
		}
		b.WriteRune(rs[i])
		i++
	}
	return b.String()
}

// Contains reports whether s holds a number that Mask would mask.
func Contains(s string) bool { return Mask(s) != s }

// mayHold is a cheap pre-check: anything maskable has at least seven digits.
func mayHold(s string) bool {
	n := 0
	for _, r := range s {
		if digit(r) >= 0 {
			if n++; n >= 7 {
				return true
			}
		}
	}
	return false
}

// digit is the value of an ASCII or full-width digit, else -1.
func digit(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0')
	case r >= '０' && r <= '９':
		return int(r - '０')
	}
	return -1
}

func isSep(r rune) bool {
	return r == ' ' || r == '-' || r == '\u3000' || r == '－' || r == '—' || r == '\u00a0'
}

func isOpen(r rune) bool  { return r == '(' || r == '（' }
func isClose(r rune) bool { return r == ')' || r == '）' }

// glued reports whether r joins a number to its neighbour (so the number is part of something else).
func glued(r rune) bool {
	return digit(r) >= 0 || (r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '.' || r == '_'))
}

// startsNumber: a digit, "+" or an opening parenthesis before a digit, not glued to what precedes.
func startsNumber(rs []rune, i int) bool {
	if i > 0 && glued(rs[i-1]) {
		return false
	}
	r := rs[i]
	if digit(r) >= 0 {
		return true
	}
	return (r == '+' || r == '＋' || isOpen(r)) && i+1 < len(rs) && digit(rs[i+1]) >= 0
}

// token is a run of digit groups joined by single separators, as typed from position start.
type token struct {
	groups []string // the digits of each group, ASCII
	ends   []int    // rune index just past each group
	plus   bool     // a leading "+"
	paren  bool     // the first group was in parentheses: (0571)
	x      bool     // a trailing X/x right after the last group (ID numbers)
}

// scan reads the token at i: at most 6 groups, which is more than any number we mask needs.
func scan(rs []rune, i int) token {
	var t token
	switch {
	case rs[i] == '+' || rs[i] == '＋':
		t.plus = true
		i++
	case isOpen(rs[i]):
		t.paren = true
		i++
	}
	for len(t.groups) < 6 {
		j := i
		var g []byte
		for j < len(rs) && digit(rs[j]) >= 0 {
			g = append(g, byte('0'+digit(rs[j])))
			j++
		}
		if len(g) == 0 {
			break
		}
		t.groups, t.ends = append(t.groups, string(g)), append(t.ends, j)
		i = j
		if t.paren && len(t.groups) == 1 {
			if i >= len(rs) || !isClose(rs[i]) {
				return token{}
			}
			i++
			if i < len(rs) && isSep(rs[i]) {
				i++
			}
			continue
		}
		if i+1 < len(rs) && isSep(rs[i]) && digit(rs[i+1]) >= 0 {
			i++
			continue
		}
		break
	}
	if i < len(rs) && (rs[i] == 'X' || rs[i] == 'x' || rs[i] == 'Ｘ') {
		t.x = true
	}
	return t
}

// match tries the longest reading first: an ID number, then a mobile, then a landline, each on the
// fewest groups that make it, and checks that nothing is glued after it.
func match(rs []rune, i int) (end int, masked string, ok bool) {
	t := scan(rs, i)
	if len(t.groups) == 0 {
		return 0, "", false
	}
	for k := len(t.groups); k >= 1; k-- {
		gs := t.groups[:k]
		end := t.ends[k-1]
		if m, ok := idNumber(t, k); ok {
			e := end
			if t.x && k == len(t.groups) {
				e++
			}
			if free(rs, e) {
				return e, m, true
			}
		}
		if !free(rs, end) {
			continue
		}
		if m, ok := mobile(t, gs); ok {
			return end, m, true
		}
		if m, ok := landline(t, gs); ok {
			return end, m, true
		}
	}
	return 0, "", false
}

func free(rs []rune, end int) bool { return end >= len(rs) || !glued(rs[end]) }

func lens(gs []string) []int {
	out := make([]int, len(gs))
	for i, g := range gs {
		out[i] = len(g)
	}
	return out
}

func sameShape(got []int, shapes ...[]int) bool {
	for _, s := range shapes {
		if len(s) != len(got) {
			continue
		}
		eq := true
		for i := range s {
			eq = eq && s[i] == got[i]
		}
		if eq {
			return true
		}
	}
	return false
}

// idNumber reads the first k groups as an ID number: 18 characters (17 digits and a digit or X)
// as one group or 6-8-4, or the old 15 digits as one group or 6-6-3; the birth date must be real.
func idNumber(t token, k int) (string, bool) {
	if t.plus || t.paren {
		return "", false
	}
	gs := t.groups[:k]
	d := strings.Join(gs, "")
	x := t.x && k == len(t.groups)
	shape := lens(gs)
	switch {
	case len(d) == 18 && !x && sameShape(shape, []int{18}, []int{6, 8, 4}):
	case len(d) == 17 && sameShape(shape, []int{17}, []int{6, 8, 3}) && x:
		d += "X"
	case len(d) == 15 && !x && sameShape(shape, []int{15}, []int{6, 6, 3}):
	default:
		return "", false
	}
	if d[0] < '1' || d[0] > '8' || !birthDate(d) {
		return "", false
	}
	return d[:3] + strings.Repeat("*", len(d)-5) + d[len(d)-2:], true
}

// birthDate checks the date inside an ID number: YYYYMMDD from position 6 (18 characters, years
// 1900–2099) or YYMMDD (15 digits).
func birthDate(d string) bool {
	var mmdd string
	if len(d) == 18 {
		if y := d[6:8]; y != "19" && y != "20" {
			return false
		}
		mmdd = d[10:14]
	} else {
		mmdd = d[8:12]
	}
	m := int(mmdd[0]-'0')*10 + int(mmdd[1]-'0')
	day := int(mmdd[2]-'0')*10 + int(mmdd[3]-'0')
	return m >= 1 && m <= 12 && day >= 1 && day <= 31
}

// mobile reads the groups as a mainland mobile number, with an optional country prefix
// (+86, 0086, 86) that is kept as typed.
func mobile(t token, gs []string) (string, bool) {
	if t.paren {
		return "", false
	}
	prefix := ""
	d := strings.Join(gs, "")
	switch {
	case len(gs) > 1 && (gs[0] == "86" || gs[0] == "0086"):
		prefix, gs = gs[0]+" ", gs[1:]
		d = strings.Join(gs, "")
	case len(gs) == 1 && len(d) == 13 && strings.HasPrefix(d, "86"):
		prefix, d, gs = "86", d[2:], []string{d[2:]}
	case len(gs) == 1 && len(d) == 15 && strings.HasPrefix(d, "0086"):
		prefix, d, gs = "0086", d[4:], []string{d[4:]}
	}
	if t.plus {
		prefix = "+" + prefix
	}
	if len(d) != 11 || d[0] != '1' || d[1] < '3' || d[1] > '9' {
		return "", false
	}
	if !sameShape(lens(gs), []int{11}, []int{3, 4, 4}, []int{3, 8}, []int{7, 4}, []int{4, 3, 4}) {
		return "", false
	}
	return prefix + d[:3] + "****" + d[7:], true
}

// areaLen is the length of the area code a landline number starts with: 010 and 02x are three
// digits, every other (03xx–09xx) four; 0 when d cannot start a landline.
func areaLen(d string) int {
	switch {
	case len(d) < 3 || d[0] != '0':
		return 0
	case d[1] == '1' && d[2] == '0', d[1] == '2':
		return 3
	case d[1] >= '3' && d[1] <= '9':
		return 4
	}
	return 0
}

// landline reads the groups as area code and local number (7 or 8 digits, not starting with 0 or 1),
// the local number possibly split once (8888 1234).
func landline(t token, gs []string) (string, bool) {
	if t.plus {
		return "", false
	}
	var area, local string
	switch {
	case len(gs) == 1 && !t.paren:
		n := areaLen(gs[0])
		if n == 0 || n >= len(gs[0]) {
			return "", false
		}
		area, local = gs[0][:n], gs[0][n:]
	case len(gs) == 2 || len(gs) == 3:
		area, local = gs[0], strings.Join(gs[1:], "")
		if areaLen(area) != len(area) || (len(gs) == 3 && len(gs[1]) < 3) {
			return "", false
		}
	default:
		return "", false
	}
	if len(local) < 7 || len(local) > 8 || local[0] < '2' || local[0] > '9' {
		return "", false
	}
	return area + "-" + strings.Repeat("*", len(local)-4) + local[len(local)-4:], true
}
