package handlers

import (
	"strconv"
	"strings"

	"qinqi/store"
)

type resolveKind int

const (
	resolvedNone      resolveKind = iota // nothing matched: ask among all households
	resolvedOne                          // exactly one household
	resolvedMany                         // several match (two named 王…): ask among them
	resolvedBadNumber                    // a list number beyond the list
)

type resolution struct {
	kind   resolveKind
	ref    string
	number int
}

// resolveHousehold finds the household a report names among the cadre's own households: by list
// number, code, pinyin initials, full name, a name glued to the next word ("王春发家"), or a
// surname. It returns the candidates and the diary text (with any glued remainder put back).
func resolveHousehold(d CheckInDraft, hhs []store.PairedHousehold) ([]store.PairedHousehold, string, resolution) {
	ref, text := d.Household, d.Text
	if ref == "" {
		if m := namesIn(text, hhs); len(m) == 1 {
			return m, text, resolution{kind: resolvedOne}
		}
		return hhs, text, resolution{kind: resolvedMany}
	}
	if n, err := strconv.Atoi(ref); err == nil && len(ref) <= 3 {
		if n < 1 || n > len(hhs) {
			return nil, text, resolution{kind: resolvedBadNumber, number: n}
		}
		return hhs[n-1 : n], text, resolution{kind: resolvedOne}
	}
	var m []store.PairedHousehold
	if isDigitOrASCIILetter([]rune(ref)[0]) {
		m = filter(hhs, func(h store.Household) bool {
			return strings.EqualFold(h.Code, ref) || store.InitialsMatch(h.Initials, ref)
		})
	} else {
		m, text = byName(ref, text, hhs)
	}
	switch len(m) {
	case 0:
		if in := namesIn(ref+" "+text, hhs); len(in) == 1 {
			return in, strings.TrimSpace(ref + " " + text), resolution{kind: resolvedOne}
		}
		return nil, text, resolution{kind: resolvedNone, ref: ref}
	case 1:
		return m, text, resolution{kind: resolvedOne, ref: ref}
	}
	return m, text, resolution{kind: resolvedMany, ref: ref}
}

// byName matches the full name, then the longest name the word starts with ("王春发家"), then
// names starting with the word (a surname).
func byName(ref, text string, hhs []store.PairedHousehold) ([]store.PairedHousehold, string) {
	if m := filter(hhs, func(h store.Household) bool { return h.HeadName == ref }); len(m) > 0 {
		return m, text
	}
	longest := ""
	for _, h := range hhs {
		if strings.HasPrefix(ref, h.Household.HeadName) && len(h.Household.HeadName) > len(longest) {
			longest = h.Household.HeadName
		}
	}
	if longest != "" {
		rest := strings.TrimSpace(ref[len(longest):])
		for _, w := range []string{"家里", "家", "户", "送了", "送", "给"} {
			rest = strings.TrimPrefix(rest, w)
		}
		if rest != "" {
			text = strings.TrimSpace(rest + " " + text)
		}
		return filter(hhs, func(h store.Household) bool { return h.HeadName == longest }), text
	}
	return filter(hhs, func(h store.Household) bool { return strings.HasPrefix(h.HeadName, ref) }), text
}

// namesIn finds households whose full name appears in the text ("送温暖 米20斤 给王春发").
func namesIn(text string, hhs []store.PairedHousehold) []store.PairedHousehold {
	return filter(hhs, func(h store.Household) bool { return h.HeadName != "" && strings.Contains(text, h.HeadName) })
}

func filter(hhs []store.PairedHousehold, keep func(store.Household) bool) []store.PairedHousehold {
	var out []store.PairedHousehold
	for _, h := range hhs {
		if keep(h.Household) {
			out = append(out, h)
		}
	}
	return out
}
