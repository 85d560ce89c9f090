package store

import (
	"strings"
	"unicode"

	"github.com/mozillazg/go-pinyin"
	"gorm.io/gorm"
)

// surnameInitials overrides go-pinyin for surnames that are 多音字: the dictionary gives the common
// reading (曾→ceng, 单→dan …) but a surname is read zeng, shan, xie, qiu, ou, zha ….
var surnameInitials = map[rune]string{
	'曾': "z", '单': "s", '解': "x", '仇': "q", '区': "o", '查': "z", '朴': "p", '缪': "m",
	'覃': "q", '尉': "y", '乐': "y", '盖': "g", '种': "c", '翟': "z", '祭': "z", '秘': "b",
	'长': "z", '重': "c", '员': "y", '蕃': "p", '折': "s", '召': "s", '黑': "h", '沈': "s",
	'繁': "p", '宿': "s", '都': "d", '藏': "z", '万': "w", '句': "g", '能': "n", '阚': "k",
}

// pinyinArgs is built per call: go-pinyin's Args is a plain value, cheap to make, and keeping it
// local avoids a package-level variable.
func pinyinArgs() pinyin.Args {
	a := pinyin.NewArgs()
	a.Style = pinyin.FirstLetter
	a.Fallback = func(r rune, _ pinyin.Args) []string {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return []string{strings.ToLower(string(r))}
		}
		return nil // emoji, punctuation, spaces carry no initial
	}
	return a
}

// NameInitials returns the pinyin first letters of a Chinese name ("王春发" → "wcf"), reading the
// first character as a surname; ASCII letters and digits are kept, other symbols dropped.
func NameInitials(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	runes := []rune(name)
	var b strings.Builder
	rest := runes
	if s, ok := surnameInitials[runes[0]]; ok {
		b.WriteString(s)
		rest = runes[1:]
	}
	for _, letters := range pinyin.Pinyin(string(rest), pinyinArgs()) {
		if len(letters) > 0 {
			b.WriteString(strings.ToLower(letters[0]))
		}
	}
	out := b.String()
	if len(out) > 32 {
		out = out[:32]
	}
	return out
}

// BeforeSave keeps Initials in step with Name whenever a person is written with a name.
func (p *Person) BeforeSave(*gorm.DB) error {
	if p.Name != "" {
		p.Initials = NameInitials(p.Name)
	}
	return nil
}

// BeforeSave keeps Initials in step with HeadName whenever a household is written with a name.
func (h *Household) BeforeSave(*gorm.DB) error {
	if h.HeadName != "" {
		h.Initials = NameInitials(h.HeadName)
	}
	return nil
}
