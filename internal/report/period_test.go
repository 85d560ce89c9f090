package report_test

import (
	"errors"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/report"
)

func TestParsePeriod(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, clock.Shanghai)
	cases := []struct {
		name, in string
		want     string // Slug, or "" when an error is expected
		err      error
	}{
		{"empty is this month", "", "2026-11", nil},
		{"spaces only", "  ", "2026-11", nil},
		{"this month", "本月", "2026-11", nil},
		{"last month", "上月", "2026-10", nil},
		{"last month spoken", "上个月", "2026-10", nil},
		{"last month traditional", "上個月", "2026-10", nil},
		{"month number", "11月", "2026-11", nil},
		{"month with 份", "10月份", "2026-10", nil},
		{"chinese month", "十一月", "2026-11", nil},
		{"later month is last year", "12月", "2025-12", nil},
		{"chinese later month", "十二月", "2025-12", nil},
		{"iso month", "2026-11", "2026-11", nil},
		{"iso month one digit", "2026-3", "2026-03", nil},
		{"slash month", "2026/09", "2026-09", nil},
		{"dot month", "2026.9", "2026-09", nil},
		{"chinese year month", "2026年11月", "2026-11", nil},
		{"compact month", "202611", "2026-11", nil},
		{"full-width digits", "２０２６－１１", "2026-11", nil},
		{"full-width month", "１１月", "2026-11", nil},
		{"spaced", " 2026 年 11 月 ", "2026-11", nil},
		{"quarter code", "2026Q4", "2026Q4", nil},
		{"quarter lower", "2026q3", "2026Q3", nil},
		{"quarter dash", "2026-Q2", "2026Q2", nil},
		{"quarter chinese", "2026年第四季度", "2026Q4", nil},
		{"quarter chinese short", "2026年四季度", "2026Q4", nil},
		{"quarter digit", "2026年第3季度", "2026Q3", nil},
		{"bare Q", "Q4", "2026Q4", nil},
		{"chinese quarter", "第四季度", "2026Q4", nil},
		{"this quarter", "本季度", "2026Q4", nil},
		{"last quarter", "上季度", "2026Q3", nil},
		{"full-width Q", "２０２６Ｑ１", "2026Q1", nil},
		{"year", "2026年", "2026", nil},
		{"bare year", "2026", "2026", nil},
		{"this year", "今年", "2026", nil},
		{"last year", "去年", "2025", nil},
		{"年度", "2025年度", "2025", nil},
		{"future month", "2026-12", "", report.ErrFuturePeriod},
		{"future quarter", "2027Q1", "", report.ErrFuturePeriod},
		{"future year", "2030年", "", report.ErrFuturePeriod},
		{"month 13", "13月", "", report.ErrBadPeriod},
		{"month zero", "2026-00", "", report.ErrBadPeriod},
		{"quarter 5", "2026Q5", "", report.ErrBadPeriod},
		{"ancient year", "1999年", "", report.ErrBadPeriod},
		{"words", "上上周", "", report.ErrBadPeriod},
		{"bare month number", "11", "2026-11", nil},
		{"bare number too big", "13", "", report.ErrBadPeriod},
		{"unit name", "农业局", "", report.ErrBadPeriod},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := report.ParsePeriod(c.in, now)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("ParsePeriod(%q) = %v, %v; want error %v", c.in, p.Slug(), err, c.err)
				}
				return
			}
			if err != nil || p.Slug() != c.want {
				t.Fatalf("ParsePeriod(%q) = %q, %v; want %q", c.in, p.Slug(), err, c.want)
			}
			if !p.From.Before(p.To) || p.From.Location() != clock.Shanghai {
				t.Errorf("bad range %v – %v", p.From, p.To)
			}
		})
	}
}

func TestPeriodLabels(t *testing.T) {
	at := time.Date(2026, 11, 5, 0, 0, 0, 0, clock.Shanghai)
	cases := []struct {
		name string
		p    report.Period
		want string
	}{
		{"month", report.MonthOf(at), "2026年11月"},
		{"quarter", report.QuarterOf(at), "2026年第四季度"},
		{"year", report.YearOf(at), "2026年"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.p.Label(); got != c.want {
				t.Errorf("Label = %q, want %q", got, c.want)
			}
		})
	}
}

func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"", "11月", "2026-11", "2026Q4", "2026年第四季度", "十二月", "２０２６", "上个月", "Q9", "2026年13月"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, clock.Shanghai)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := report.ParsePeriod(s, now)
		if err != nil {
			if !errors.Is(err, report.ErrBadPeriod) && !errors.Is(err, report.ErrFuturePeriod) {
				t.Fatalf("unexpected error kind %v", err)
			}
			return
		}
		if !p.From.Before(p.To) || p.From.After(now) {
			t.Fatalf("%q → bad period %v – %v", s, p.From, p.To)
		}
		if p.Label() == "" || p.Slug() == "" {
			t.Fatalf("%q → empty label", s)
		}
	})
}
