package pii_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"qinqi/internal/pii"
)

func TestMask(t *testing.T) {
	cases := []struct{ name, in, want string }{
		// mobiles
		{"mobile alone", "13800000001", "138****0001"},
		{"mobile in a request", "请回电13912345678，谢谢", "请回电139****5678，谢谢"},
		{"mobile 3-4-4 spaces", "电话 139 1234 5678 找我", "电话 139****5678 找我"},
		{"mobile 3-4-4 dashes", "139-1234-5678", "139****5678"},
		{"mobile 3-8", "139 12345678", "139****5678"},
		{"mobile +86", "+86 13912345678", "+86 139****5678"},
		{"mobile +86 glued", "+8613912345678", "+86139****5678"},
		{"mobile 0086", "0086 139-1234-5678", "0086 139****5678"},
		{"mobile full-width digits", "电话１３９１２３４５６７８", "电话139****5678"},
		{"mobile after colon", "手机：18657112345。", "手机：186****2345。"},
		{"two mobiles", "13912345678或15012345678", "139****5678或150****5678"},
		{"mobile then amount", "13912345678 500元", "139****5678 500元"},
		{"mobile at end of text", "儿子的电话是 17712345678", "儿子的电话是 177****5678"},
		// landlines
		{"landline dash", "村委会0571-88881234", "村委会0571-****1234"},
		{"landline glued", "057188881234", "0571-****1234"},
		{"landline Beijing", "010-62345678", "010-****5678"},
		{"landline 7 digits", "0571-8888123", "0571-***8123"},
		{"landline parentheses", "（0571）88881234", "0571-****1234"},
		{"landline split local", "0571 8888 1234", "0571-****1234"},
		{"landline with extension", "0571-88881234转8001", "0571-****1234转8001"},
		// ID numbers
		{"ID 18", "身份证330102198001011234", "身份证330*************34"},
		{"ID 18 with X", "身份证号33010219800101123X。", "身份证号330*************3X。"},
		{"ID 18 with lower x", "33010219800101123x", "330*************3X"},
		{"ID 18 spaced 6-8-4", "330102 19800101 1234", "330*************34"},
		{"ID 15 old", "旧身份证330102800101123", "旧身份证330**********23"},
		{"ID and mobile", "王春发 330102195503071234 13912345678", "王春发 330*************34 139****5678"},
		// left alone
		{"amount", "送化肥3包 现金500元", "送化肥3包 现金500元"},
		{"big amount", "折合12000元 1.2万元", "折合12000元 1.2万元"},
		{"date", "2026-11-20 走访", "2026-11-20 走访"},
		{"compact date", "20261120", "20261120"},
		{"date and time", "2026年11月20日 08:00", "2026年11月20日 08:00"},
		{"household code", "户编号H113 HH20260001", "户编号H113 HH20260001"},
		{"code glued to a mobile-like number", "H13912345678", "H13912345678"},
		{"decimal", "0.13912345678", "0.13912345678"},
		{"too long for a mobile", "139123456789", "139123456789"},
		{"not a mobile prefix", "12912345678", "12912345678"},
		{"order number", "20261120123456", "20261120123456"},
		{"ID with a false month", "330102198013011234", "330102198013011234"},
		{"bank of digits with letters", "ABC330102198001011234", "ABC330102198001011234"},
		{"plus without country", "+13912345678", "+139****5678"},
		{"pairing code", "J001-2 H003-1", "J001-2 H003-1"},
		{"weights", "米20斤 油2桶 共7户", "米20斤 油2桶 共7户"},
		{"empty", "", ""},
		{"already masked", "138****0001 0571-****1234 330*************34", "138****0001 0571-****1234 330*************34"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := pii.Mask(c.in); got != c.want {
				t.Errorf("Mask(%q) = %q, want %q", c.in, got, c.want)
			}
			if got := pii.Contains(c.in); got != (c.in != c.want) {
				t.Errorf("Contains(%q) = %v", c.in, got)
			}
		})
	}
}

// numbers makes realistic numbers in the ways people type them, each with its digits only.
func numbers(r *rand.Rand) (typed, digits string) {
	d := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(byte('0' + r.IntN(10)))
		}
		return b.String()
	}
	switch r.IntN(7) {
	case 0, 1:
		m := "1" + string(rune('3'+r.IntN(7))) + d(9)
		forms := []string{m, m[:3] + " " + m[3:7] + " " + m[7:], m[:3] + "-" + m[3:7] + "-" + m[7:], "+86 " + m, "+86" + m}
		return forms[r.IntN(len(forms))], m
	case 2:
		area := []string{"0571", "0572", "010", "021", "0898"}[r.IntN(5)]
		local := string(rune('2'+r.IntN(8))) + d(7)
		forms := []string{area + "-" + local, area + local, "(" + area + ")" + local, area + " " + local[:4] + " " + local[4:]}
		return forms[r.IntN(len(forms))], area + local
	case 3, 4:
		id := string(rune('1'+r.IntN(8))) + d(5) + fmt.Sprintf("%d%02d%02d", 1930+r.IntN(95), 1+r.IntN(12), 1+r.IntN(28)) + d(3)
		last := d(1)
		if r.IntN(4) == 0 {
			last = "X"
		}
		id += last
		if r.IntN(3) == 0 {
			return id[:6] + " " + id[6:14] + " " + id[14:], id
		}
		return id, id
	default:
		id := string(rune('1'+r.IntN(8))) + d(5) + fmt.Sprintf("%02d%02d%02d", r.IntN(100), 1+r.IntN(12), 1+r.IntN(28)) + d(3)
		return id, id
	}
}

// benign makes text with numbers that must survive: amounts, goods, dates, codes.
func benign(r *rand.Rand) string {
	parts := []string{
		fmt.Sprintf("现金%d元", r.IntN(100000)), fmt.Sprintf("%d.%d万元", r.IntN(100), r.IntN(10)),
		fmt.Sprintf("米%d斤", r.IntN(200)), fmt.Sprintf("2026-%02d-%02d", 1+r.IntN(12), 1+r.IntN(28)),
		fmt.Sprintf("2026%02d%02d", 1+r.IntN(12), 1+r.IntN(28)), fmt.Sprintf("%d月%d日", 1+r.IntN(12), 1+r.IntN(28)),
		fmt.Sprintf("H%03d", r.IntN(1000)), fmt.Sprintf("HH2026%04d", r.IntN(10000)), fmt.Sprintf("J%03d-%d", r.IntN(999), r.IntN(9)),
		fmt.Sprintf("%02d:%02d", r.IntN(24), r.IntN(60)), fmt.Sprintf("%d户", r.IntN(5000)), fmt.Sprintf("第%d组%d号", r.IntN(20), r.IntN(99)),
	}
	return parts[r.IntN(len(parts))]
}

var fillers = []string{"王春发", "请回电", "，", "。", " ", "电话", "身份证", "：", "帮他定了蔬菜和生猪计划", "（", "）", "房子漏雨", "\n"}

// TestMaskRealisticCorpus: every number typed the usual ways, in Chinese text between amounts,
// dates and codes, is masked; the amounts, dates and codes are kept, in order.
func TestMaskRealisticCorpus(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		typed, digits := numbers(r)
		left, right := benign(r), benign(r)
		in := left + fillers[r.IntN(len(fillers))] + typed + fillers[r.IntN(len(fillers))] + right
		got := pii.Mask(in)
		if strings.Contains(onlyDigits(got), digits[3:len(digits)-4]) && strings.Contains(got, typed) {
			t.Fatalf("case %d: %q not masked in %q → %q", i, typed, in, got)
		}
		if !strings.HasPrefix(got, left) || !strings.HasSuffix(got, right) {
			t.Fatalf("case %d: context changed: %q → %q", i, in, got)
		}
		if clean := left + " " + right; pii.Mask(clean) != clean {
			t.Fatalf("case %d: false positive %q → %q", i, clean, pii.Mask(clean))
		}
	}
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// FuzzMask: no panic, valid UTF-8 stays valid, masking twice changes nothing more, and a
// realistic number put between fuzzed text without digits or letters next to it is masked.
func FuzzMask(f *testing.F) {
	for _, s := range []string{"请回电13912345678", "0571-88881234", "33010219800101123X", "现金500元 2026-11-20", "+86 139 1234 5678", "（0571）8888123"} {
		f.Add(s, uint64(1))
	}
	f.Fuzz(func(t *testing.T, s string, seed uint64) {
		got := pii.Mask(s)
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Mask(%q) = %q is not valid UTF-8", s, got)
		}
		if again := pii.Mask(got); again != got {
			t.Fatalf("not idempotent: %q → %q → %q", s, got, again)
		}
		r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		typed, digits := numbers(r)
		ctx := strings.Map(func(r rune) rune {
			if r < utf8.RuneSelf && (r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '.' || r == '_' || r == '+' || r == '-' || r == ' ' || r == '(' || r == ')') {
				return '，'
			}
			if r == utf8.RuneError || (r >= '０' && r <= '９') || r == '（' || r == '）' || r == '－' || r == '＋' || r == '\u3000' || r == '\u00a0' || r == '—' || r == 'Ｘ' {
				return '。'
			}
			return r
		}, s)
		in := ctx + "：" + typed + "。" + ctx
		out := pii.Mask(in)
		if strings.Contains(out, typed) || strings.Contains(out, digits) {
			t.Fatalf("%q not masked: %q → %q", typed, in, out)
		}
	})
}
