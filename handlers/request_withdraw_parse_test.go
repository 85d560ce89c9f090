package handlers_test

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"qinqi/handlers"
)

func TestParseTakeBack(t *testing.T) {
	cases := []struct {
		name, in string
		ok       bool
		id       int64
	}{
		{"withdraw", "撤回", true, 0},
		{"undo word", "撤销", true, 0},
		{"pressed wrong", "按错了", true, 0},
		{"tapped wrong", "点错了", true, 0},
		{"said wrong", "我刚才说错了", true, 0},
		{"sent wrong", "发错了，不好意思", true, 0},
		{"that one not wanted", "刚才那个不要了", true, 0},
		{"no need to do", "不用办了", true, 0},
		{"numbered no need", "3号不用办了", true, 3},
		{"withdraw number", "撤回 3", true, 3},
		{"withdraw number with 号", "撤回3号", true, 3},
		{"hash number", "#12 撤销", true, 12},
		{"numbered in words", "三号不用办了", true, 3},
		{"ordinal", "把第2个撤了吧", true, 2},
		{"complaint named", "撤销投诉5", true, 5},
		{"not a complaint", "按错了 不是投诉", true, 0},
		{"the answer meant is no number", "按错了 应该选1", true, 0},
		{"with thanks", "不用办了 谢谢", true, 0},
		{"cancel", "取消", true, 0},
		{"already fine", "3号不用办了 已经好了", true, 3},
		{"full-width", "撤回　３号", true, 3},
		{"someone else said wrong", "干部说错了政策", false, 0},
		{"he said wrong", "他说错了", false, 0},
		{"cancel a benefit", "取消低保", false, 0},
		{"undo a benefit", "撤销低保是怎么回事", false, 0},
		{"a matter with no need", "低保不用办了吗 我想问问", false, 0},
		{"a plain matter", "家里的猪病了 找不到兽医", false, 0},
		{"no need alone is thanks", "不用了", false, 0},
		{"empty", "", false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := handlers.ParseTakeBack(tc.in)
			if ok != tc.ok || got.ID != tc.id {
				t.Fatalf("ParseTakeBack(%q) = %+v, %v; want id %d, %v", tc.in, got, ok, tc.id, tc.ok)
			}
		})
	}
}

// FuzzParseTakeBack: never panics; a take-back holds a take-back word, and its number is one the
// sentence wrote (in digits, or in Chinese numerals of at most 3 characters).
func FuzzParseTakeBack(f *testing.F) {
	for _, s := range []string{"撤回 3", "3号不用办了", "我刚才说错了", "三号不用办了", "按错了 应该选1", "取消低保", "第十二个撤了", "撤回 999999999号", "撤销\u200b3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		tb, ok := handlers.ParseTakeBack(s)
		if !ok {
			if tb.ID != 0 {
				t.Fatalf("%q: no take-back but id %d", s, tb.ID)
			}
			return
		}
		if tb.ID < 0 || tb.ID > 999999999 {
			t.Fatalf("%q: id %d out of range", s, tb.ID)
		}
		if tb.ID > 0 && tb.ID < 100 && !strings.ContainsAny(s, "一二两三四五六七八九十") &&
			!strings.Contains(s, strconv.FormatInt(tb.ID, 10)) && !strings.ContainsAny(s, "０１２３４５６７８９") {
			t.Fatalf("%q: id %d not in the sentence", s, tb.ID)
		}
	})
}
