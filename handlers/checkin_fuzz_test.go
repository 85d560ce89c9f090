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
	for _, tc := range parseCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := handlers.ParseCheckIn(in, parseNow)
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
	for _, s := range []string{"昨天", "上周五", "3月5日", "3.5", "11-20", "2026-11-20", "十一月二十日", "2月29日", "上上周日"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := handlers.ParseDate(in, parseNow)
		if err == nil && d.After(clock.Day(parseNow)) {
			t.Fatalf("ParseDate(%q) = %s, in the future", in, d)
		}
		if err == nil && d.Location() != clock.Shanghai {
			t.Fatalf("ParseDate(%q) zone %s, want Asia/Shanghai", in, d.Location())
		}
	})
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"500元", "¥500", "￥500", "500块", "现金500", "折合300元", "1.2万元", "五百元", "一千五"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		fen, err := handlers.ParseMoney(in)
		if err == nil && (fen <= 0 || fen > 100_000_000) {
			t.Fatalf("ParseMoney(%q) = %d fen, out of range", in, fen)
		}
	})
}
