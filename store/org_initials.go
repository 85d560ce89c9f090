package store

import (
	"slices"
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

// givenNameAlt lists given-name characters whose dictionary reading is often not the one a family
// uses (长顺 is chang-shun, the dictionary says zhang); the other initial is stored as a second variant.
// go-pinyin's heteronym list is too noisy for this (it gives 王 a yu reading), hence a short curated map.
var givenNameAlt = map[rune]string{
	'长': "c", '乐': "y", '重': "c", '朝': "c", '行': "h", '曾': "z", '单': "s", '传': "z",
	'调': "d", '觉': "j", '藏': "c", '还': "h", '率': "s", '省': "x", '降': "x", '奇': "j",
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

// maxInitialVariants bounds how many readings of a name are stored; three polyphonic given-name
// characters are already rare.
const maxInitialVariants = 4

// NameInitials returns the pinyin first letters of a Chinese name ("王春发" → "wcf"), reading the
// first character as a surname; ASCII letters and digits are kept, other symbols dropped. Given-name
// characters with several readings (长 chang/zhang, 乐 le/yue) yield every variant, primary first,
// comma-separated ("赵长顺" → "zzs,zcs"), because a cadre types the reading the family uses.
func NameInitials(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	runes := []rune(name)
	variants := []string{""}
	rest := runes
	if s, ok := surnameInitials[runes[0]]; ok {
		variants[0] = s
		rest = runes[1:]
	}
	args := pinyinArgs()
	for _, r := range rest {
		// one rune at a time: characters without an initial (emoji) must not shift the others
		for _, letters := range pinyin.Pinyin(string(r), args) {
			variants = extendVariants(variants, givenNameLetters(r, letters))
		}
	}
	out := strings.Join(variants, ",")
	for len(out) > 32 && len(variants) > 1 {
		variants = variants[:len(variants)-1]
		out = strings.Join(variants, ",")
	}
	if len(out) > 32 {
		out = out[:32]
	}
	return out
}

// InitialsMatch reports whether typed initials equal one of the stored variants.
func InitialsMatch(stored, typed string) bool {
	if stored == "" || typed == "" {
		return false
	}
	for _, v := range strings.Split(stored, ",") {
		if strings.EqualFold(v, typed) {
			return true
		}
	}
	return false
}

func extendVariants(prefixes, letters []string) []string {
	if len(letters) == 0 {
		return prefixes
	}
	out := make([]string, 0, len(prefixes)*len(letters))
	for _, l := range letters {
		for _, p := range prefixes {
			if len(out) < maxInitialVariants {
				out = append(out, p+l)
			}
		}
	}
	return out
}

// givenNameLetters is the dictionary initial of a given-name character plus its curated alternative.
func givenNameLetters(r rune, dict []string) []string {
	letters := append([]string(nil), dict...)
	if len(letters) > 1 {
		letters = letters[:1]
	}
	if alt, ok := givenNameAlt[r]; ok {
		letters = append(letters, alt)
	}
	return uniqueLower(letters)
}

func uniqueLower(letters []string) []string {
	var out []string
	for _, l := range letters {
		l = strings.ToLower(l)
		if l != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
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
