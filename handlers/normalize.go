package handlers

import (
	"strings"
	"unicode"
)

// tradToSimp covers the traditional characters that occur in command keywords. Cadres on
// Hong Kong or Taiwan input methods (and half the seed articles) type these; the map is applied
// to the whole message because every entry has exactly one simplified form.
var tradToSimp = map[rune]rune{
	'訪': '访', '聯': '联', '繫': '系', '係': '系', '電': '电', '話': '话', '講': '讲', '溫': '温',
	'辦': '办', '實': '实', '訴': '诉', '評': '评', '價': '价', '銷': '销', '幫': '帮',
	'幹': '干', '親': '亲', '結': '结', '轉': '转', '劃': '划', '計': '计', '選': '选', '單': '单',
	'統': '统', '導': '导', '圖': '图', '動': '动', '請': '请', '綁': '绑', '錶': '表', '問': '问', '這': '这', '週': '周', '禮': '礼', '塊': '块', '錢': '钱', '現': '现',
	'億': '亿', '萬': '万', '兩': '两', '點': '点', '號': '号', '贈': '赠', '們': '们', '歷': '历',
	'戶': '户', '醫': '医', '學': '学', '業': '业', '產': '产', '險': '险', '務': '务', '顧': '顾',
	'絡': '络', '飯': '饭', '麵': '面', '雞': '鸡', '藥': '药', '報': '报',
	'閱': '阅', '處': '处', '見': '见', '視': '视', '頻': '频', '過': '过', '復': '复',
}

// Normalize makes what people type on phones comparable: full-width digits, letters and symbols to
// half-width (Chinese punctuation stays), every
// kind of space (U+3000, the U+2005 WeChat puts after an @mention, zero-width) to one space,
// traditional keyword characters to simplified, and a leading @mention removed.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E && !strings.ContainsRune(keepFullWidth, r):
			r -= 0xFEE0
		case r == 0xFFE5:
			r = '¥'
		case r == 0xFFE0:
			r = '¥'
		}
		if t, ok := tradToSimp[r]; ok {
			r = t
		}
		if isSpace(r) {
			space = true
			continue
		}
		if r == unicode.ReplacementChar || (unicode.IsControl(r)) {
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return stripMention(b.String())
}

// keepFullWidth is the Chinese punctuation left as typed, so diary and request texts read naturally;
// the parsers treat it as a separator anyway.
const keepFullWidth = "，：；！（）"

func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == 0x200B || r == 0x200C || r == 0x200D || r == 0xFEFF || r == 0x2005 || r == 0x3000
}

// stripMention removes "@qinqi " from group messages; WeChat separates the name with U+2005,
// already turned into a space. A lone "@name" without a following message is left alone.
func stripMention(s string) string {
	for strings.HasPrefix(s, "@") {
		i := strings.IndexByte(s, ' ')
		if i < 0 {
			return s
		}
		s = s[i+1:]
	}
	return s
}

// isSep reports whether r separates words in a report: spaces and the punctuation of both widths.
func isSep(r rune) bool {
	return isSpace(r) || strings.ContainsRune(",.;:!?、，。；：！？…~'\"“”‘’()（）[]【】《》<>/|—+*#=", r) // not '-' or '_': household codes use them
}

// fields splits on separators, keeping the order of words.
func fields(s string) []string { return strings.FieldsFunc(s, isSep) }

// isEmojiOrSymbol reports runes that are decoration, not words (emoji, dingbats, other symbols).
func isEmojiOrSymbol(r rune) bool {
	return unicode.Is(unicode.So, r) || unicode.Is(unicode.Sk, r) || (r >= 0x1F000 && r <= 0x1FAFF) || r == 0xFE0F
}

// isDigitOrASCIILetter is for list numbers and codes.
func isDigitOrASCIILetter(r rune) bool {
	return (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
}
