// Package hanzi folds traditional Chinese script to simplified, so that "走訪 王春發 送豬仔4頭" reads
// like "走访 王春发 送猪仔4头". The tables are OpenCC's t2s dictionaries (characters and phrases), taken
// from github.com/longbridgeapp/opencc once and then looked up directly: the library's own Convert
// costs about 20 µs and 130 allocations a message, which alone would halve the parser's rate, while
// the table lookup costs well under a microsecond and nothing for text that is already simplified.
package hanzi

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
)

// Folder converts traditional characters and phrases to simplified ones. It is immutable once built
// and safe for concurrent use.
type Folder struct {
	bmp     []rune            // by code point below 0x10000: the simplified form, 0 where unchanged
	astral  map[rune]rune     // the few characters beyond the BMP
	phrases map[rune][]phrase // by first rune, longest first: phrases whose fold differs from per-character
	starts  []bool            // by code point below 0x10000: some phrase starts with it
}

type phrase struct{ from, to string }

// New reads OpenCC's t2s dictionaries into lookup tables (a few milliseconds): build one Folder
// where the program is wired and pass it to whatever reads people's text.
func New() (*Folder, error) {
	cc, err := opencc.New("t2s")
	if err != nil {
		return nil, fmt.Errorf("hanzi: opencc t2s: %w", err)
	}
	f := &Folder{bmp: make([]rune, 0x10000), astral: map[rune]rune{}, phrases: map[rune][]phrase{}, starts: make([]bool, 0x10000)}
	var phrases []phrase
	for _, group := range cc.DictChains {
		for _, d := range group.Dicts {
			for _, id := range d.Trie.PrefixPredict(nil, 0) {
				key, err := d.Trie.Key(id)
				if err != nil {
					return nil, fmt.Errorf("hanzi: opencc key %d: %w", id, err)
				}
				v, err := d.Trie.Value(id)
				if err != nil || v < 0 || v >= len(d.Values) || len(d.Values[v]) == 0 {
					return nil, fmt.Errorf("hanzi: opencc value of %q: %v", key, err)
				}
				if utf8.RuneCount(key) == 1 {
					f.addRune(string(key), d.Values[v][0])
				} else {
					phrases = append(phrases, phrase{string(key), d.Values[v][0]})
				}
			}
		}
	}
	for _, p := range phrases { // after every character is known
		f.addPhrase(p)
	}
	for r := range f.phrases {
		ps := f.phrases[r]
		sort.Slice(ps, func(i, j int) bool { return len(ps[i].from) > len(ps[j].from) })
	}
	return f, nil
}

// addRune records a character whose first simplified form is one other character.
func (f *Folder) addRune(from, to string) {
	r, _ := utf8.DecodeRuneInString(from)
	t, n := utf8.DecodeRuneInString(to)
	if n != len(to) || t == r {
		return
	}
	if r < 0x10000 {
		f.bmp[r] = t
	} else {
		f.astral[r] = t
	}
}

// addPhrase keeps a phrase only when folding it character by character would give something else
// (乾隆 stays 乾隆 although 乾 alone is 干).
func (f *Folder) addPhrase(p phrase) {
	var b strings.Builder
	for _, r := range p.from {
		b.WriteRune(f.rune(r))
	}
	if b.String() == p.to {
		return
	}
	first, _ := utf8.DecodeRuneInString(p.from)
	f.phrases[first] = append(f.phrases[first], p)
	if first < 0x10000 {
		f.starts[first] = true
	}
}

// Fold returns s in simplified script. Text with nothing to fold is returned as is, without copying;
// a nil Folder folds nothing.
func (f *Folder) Fold(s string) string {
	if f == nil {
		return s
	}
	i := f.firstChange(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if to, n, ok := f.phraseAt(s[i:], r); ok {
			b.WriteString(to)
			i += n
			continue
		}
		b.WriteRune(f.rune(r))
		i += size
	}
	return b.String()
}

// firstChange is the byte offset of the first rune that folds differently or starts a phrase, or -1.
func (f *Folder) firstChange(s string) int {
	for i, r := range s {
		if r < 0x3400 { // ASCII, punctuation, kana: nothing in t2s below the CJK blocks matters here
			continue
		}
		if f.rune(r) != r {
			return i
		}
		if _, _, ok := f.phraseAt(s[i:], r); ok {
			return i
		}
	}
	return -1
}

func (f *Folder) rune(r rune) rune {
	if r < 0x10000 {
		if t := f.bmp[r]; t != 0 {
			return t
		}
		return r
	}
	if t, ok := f.astral[r]; ok {
		return t
	}
	return r
}

func (f *Folder) phraseAt(s string, first rune) (string, int, bool) {
	if first < 0x10000 && !f.starts[first] {
		return "", 0, false
	}
	for _, p := range f.phrases[first] {
		if strings.HasPrefix(s, p.from) {
			return p.to, len(p.from), true
		}
	}
	return "", 0, false
}
