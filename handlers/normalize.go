package handlers

import (
	"strings"
	"unicode"

	"qinqi/internal/hanzi"
)

// Normalize makes what people type on phones comparable: full-width digits, letters and symbols to
// half-width (Chinese punctuation stays), every kind of space (U+3000, the U+2005 WeChat puts after
// an @mention) to one space, invisible format characters (zero-width spaces and joiners,
// bidirectional overrides) removed so they can neither split a name nor hide text, traditional
// script to simplified (the whole message, through fold: OpenCC's tables), and a leading @mention
// removed.
func Normalize(fold *hanzi.Folder, s string) string {
	return stripMention(fold.Fold(plain(s)))
}

// shape is Normalize without the script folding, for the short answers (digits, codes, 属实) read
// from text the router has normalized already.
func shape(s string) string { return stripMention(plain(s)) }

// plain folds widths and spaces and removes invisible and control characters (see Normalize).
func plain(s string) string {
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
		if isInvisible(r) {
			continue
		}
		if isSpace(r) {
			space = true
			continue
		}
		if unicode.IsControl(r) {
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// isInvisible reports the format characters (Unicode Cf: zero-width space, joiners, BOM, the
// bidirectional marks, embeddings, overrides and isolates) and the replacement character.
func isInvisible(r rune) bool {
	return r == unicode.ReplacementChar || unicode.Is(unicode.Cf, r)
}

// keepFullWidth is the Chinese punctuation left as typed, so diary and request texts read naturally;
// the parsers treat it as a separator anyway.
const keepFullWidth = "，：；！（）"

func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == 0x2005 || r == 0x3000
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

// isEmojiOrSymbol reports runes that are decoration, not words (emoji, dingbats, other symbols).
func isEmojiOrSymbol(r rune) bool {
	return unicode.Is(unicode.So, r) || unicode.Is(unicode.Sk, r) || (r >= 0x1F000 && r <= 0x1FAFF) || r == 0xFE0F
}

// isDigitOrASCIILetter is for list numbers and codes.
func isDigitOrASCIILetter(r rune) bool {
	return (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
}
