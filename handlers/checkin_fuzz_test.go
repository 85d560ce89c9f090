package handlers_test

import (
	"testing"
	"unicode/utf8"

	"qinqi/handlers"
	"qinqi/internal/clock"
)

// The fuzz targets check what must hold for any input: no panic, no future day, no negative or
// absurd amount, and diary text that is still valid UTF-8. Seeds live in testdata/fuzz.

func FuzzParseCheckIn(f *testing.F) {
	fold := folder(f)
	for _, tc := range parseCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := handlers.ParseCheckIn(fold, in, parseNow)
		if err != nil {
			return
		}
		if d.Day.After(clock.Day(parseNow)) {
			t.Fatalf("ParseCheckIn(%q) day %s is in the future", in, d.Day)
		}
		if d.ValueFen < 0 || d.ValueFen > 100_000_000 {
			t.Fatalf("ParseCheckIn(%q) fen %d out of range", in, d.ValueFen)
		}
		if !utf8.ValidString(d.Text) || !utf8.ValidString(d.Household) {
			t.Fatalf("ParseCheckIn(%q) produced invalid UTF-8", in)
		}
		for _, g := range d.Goods {
			if g.Name == "" || g.Qty == "" || g.Unit == "" {
				t.Fatalf("ParseCheckIn(%q) produced incomplete goods %+v", in, g)
			}
		}
	})
}

func FuzzParseDate(f *testing.F) {
	fold := folder(f)
	for _, s := range []string{"昨天", "上周五", "3月5日", "3.5", "11-20", "2026-11-20", "十一月二十日", "2月29日", "上上周日"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := handlers.ParseDate(fold, in, parseNow)
		if err == nil && d.After(clock.Day(parseNow)) {
			t.Fatalf("ParseDate(%q) = %s, in the future", in, d)
		}
		if err == nil && d.Location() != clock.Shanghai {
			t.Fatalf("ParseDate(%q) zone %s, want Asia/Shanghai", in, d.Location())
		}
	})
}

func FuzzParseMoney(f *testing.F) {
	fold := folder(f)
	for _, s := range []string{"500元", "¥500", "￥500", "500块", "现金500", "折合300元", "1.2万元", "五百元", "一千五"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		fen, err := handlers.ParseMoney(fold, in)
		if err == nil && (fen <= 0 || fen > 100_000_000) {
			t.Fatalf("ParseMoney(%q) = %d fen, out of range", in, fen)
		}
	})
}

// FuzzParseReport reads any message against a list with look-alike and number-like names: no panic,
// picks inside the list, no future day, amounts in range, valid UTF-8.
func FuzzParseReport(f *testing.F) {
	fold := folder(f)
	for _, s := range []string{"走訪 王春發 送豬仔4頭", "电话 王六斤", "昨天给张长青打了个电话，问了低保", "走访 5 约好下周一去镇上办医保",
		"走访 周勇 看房子", "走访 1 帮着卖了苹果800斤，收入1600元", "送温暖 1 现金-500元", "送温暖 1 1e20元", "走访 王\u200b春发",
		"去了老张家 跟他聊了聊", "到长青大姐家看了看", "帮李三元把医保续上了", "俺昨儿个去了张家 坐了坐哈", "给老张打了个电话",
		"给1、2、3户都送了米", "给1和9送了慰问金200元", "看了张长青 她腿疼", "看了王春发发来的照片"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := handlers.ParseReport(fold, in, parseNow, reportHHs)
		if err != nil {
			return
		}
		for _, i := range d.Picks {
			if i < 0 || i >= len(reportHHs) {
				t.Fatalf("ParseReport(%q) picks %v outside the list", in, d.Picks)
			}
		}
		if d.Day.After(clock.Day(parseNow)) {
			t.Fatalf("ParseReport(%q) day %s is in the future", in, d.Day)
		}
		if d.ValueFen < 0 || d.ValueFen > 100_000_000 || d.SalesFen < 0 || d.SalesFen > 100_000_000 {
			t.Fatalf("ParseReport(%q) fen %d / sales %d out of range", in, d.ValueFen, d.SalesFen)
		}
		if !utf8.ValidString(d.Text) || !utf8.ValidString(d.Household) {
			t.Fatalf("ParseReport(%q) produced invalid UTF-8", in)
		}
	})
}
