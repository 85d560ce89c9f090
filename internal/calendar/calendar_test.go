package calendar_test

import (
	"fmt"
	"hash/fnv"
	"strings"
	"testing"
	"time"

	"qinqi/internal/calendar"
	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
)

func day(s string) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, s, clock.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func TestFestivalAndSolarTermDates(t *testing.T) {
	cases := []struct {
		name string
		got  func() (time.Time, error)
		want string
	}{
		{"春节 2026", func() (time.Time, error) { return calendar.FestivalDate(2026, "春节") }, "2026-02-17"},
		{"春节 2027", func() (time.Time, error) { return calendar.FestivalDate(2027, "春节") }, "2027-02-06"},
		{"除夕 2026", func() (time.Time, error) { return calendar.FestivalDate(2026, "除夕") }, "2026-02-16"},
		{"端午 2026", func() (time.Time, error) { return calendar.FestivalDate(2026, "端午") }, "2026-06-19"},
		{"端午 2027", func() (time.Time, error) { return calendar.FestivalDate(2027, "端午") }, "2027-06-09"},
		{"中秋 2026", func() (time.Time, error) { return calendar.FestivalDate(2026, "中秋") }, "2026-09-25"},
		{"中秋 2027", func() (time.Time, error) { return calendar.FestivalDate(2027, "中秋") }, "2027-09-15"},
		{"腊八 2027 is in January 2027", func() (time.Time, error) { return calendar.FestivalDate(2027, "腊八") }, "2027-01-15"},
		{"清明 2026", func() (time.Time, error) { return calendar.SolarTermDate(2026, "清明") }, "2026-04-05"},
		{"白露 2026", func() (time.Time, error) { return calendar.SolarTermDate(2026, "白露") }, "2026-09-07"},
		{"芒种 2026 at 23:48 Beijing stays on the 5th", func() (time.Time, error) { return calendar.SolarTermDate(2026, "芒种") }, "2026-06-05"},
		{"清明 2027", func() (time.Time, error) { return calendar.SolarTermDate(2027, "清明") }, "2027-04-05"},
		{"白露 2027", func() (time.Time, error) { return calendar.SolarTermDate(2027, "白露") }, "2027-09-08"},
		{"冬至 2026 is the December one", func() (time.Time, error) { return calendar.SolarTermDate(2026, "冬至") }, "2026-12-22"},
		{"小寒 2027 is the January one", func() (time.Time, error) { return calendar.SolarTermDate(2027, "小寒") }, "2027-01-05"},
		{"大雪 2026", func() (time.Time, error) { return calendar.SolarTermDate(2026, "大雪") }, "2026-12-07"},
		{"腊月三十 in a 29-day 腊月 is its last day", func() (time.Time, error) { return calendar.LunarDate(2026, 12, 30) }, "2027-02-05"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.got()
			if err != nil {
				t.Fatal(err)
			}
			if got.Format(time.DateOnly) != c.want || got.Location() != clock.Shanghai {
				t.Errorf("got %s (%s), want %s in Asia/Shanghai", got.Format(time.DateOnly), got.Location(), c.want)
			}
		})
	}
}

func TestDefaultWindows(t *testing.T) {
	cal, err := calendar.New(config.Defaults().Windows, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int][]string{
		2026: {
			"2026-chunjie 春节 2026-02-02 2026-03-03",
			"2026-chungeng 春耕 2026-04-05 2026-05-05",
			"2026-duanwu 端午 2026-06-12 2026-06-19",
			"2026-qiushou 秋收 2026-09-07 2026-10-23",
			"2026-zhongqiu 中秋 2026-09-18 2026-09-25",
			"2026-nuandong 暖冬行动 2026-11-01 2027-02-28",
			"2026-yuandan 元旦 2026-12-25 2027-01-03",
		},
		2027: {
			"2027-chunjie 春节 2027-01-22 2027-02-20",
			"2027-chungeng 春耕 2027-04-05 2027-05-06",
			"2027-duanwu 端午 2027-06-02 2027-06-09",
			"2027-zhongqiu 中秋 2027-09-08 2027-09-15",
			"2027-qiushou 秋收 2027-09-08 2027-10-23",
			"2027-nuandong 暖冬行动 2027-11-01 2028-02-29",
			"2027-yuandan 元旦 2027-12-25 2028-01-03",
		},
	}
	for y, lines := range want {
		t.Run(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006"), func(t *testing.T) {
			ws, err := cal.Windows(y)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, w := range ws {
				got = append(got, w.Code+" "+w.Name+" "+w.Start.Format(time.DateOnly)+" "+w.End.Format(time.DateOnly))
				if !w.Required {
					t.Errorf("%s: built-in windows are required by default", w.Code)
				}
			}
			if strings.Join(got, "\n") != strings.Join(lines, "\n") {
				t.Errorf("windows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(lines, "\n"))
			}
		})
	}
}

func TestConfiguredWindows(t *testing.T) {
	off := false
	w := config.Defaults().Windows
	w.DragonBoat = config.WindowSpec{DaysBefore: 3, DaysAfter: 1}
	w.NewYear.Enabled = &off
	w.SpringFest.Required = &off
	w.SpringSowing = config.WindowSpec{From: "03-01", To: "谷雨"}
	campaigns := []config.Campaign{
		{Name: "扶贫日", From: "10-10", To: "10-17", Tags: []string{"脱贫户"}, Required: true},
		{Name: "元宵走访", From: "L01-10", To: "L01-15", Programs: []string{"P1"}},
		{Name: "高温慰问", From: "2026-07-15", To: "2026-08-15"},
	}
	cal, err := calendar.New(w, campaigns)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := cal.Windows(2026)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]calendar.Window{}
	for _, x := range ws {
		byName[x.Name] = x
	}
	cases := []struct {
		name, window, start, end string
		required                 bool
	}{
		{"festival days before and after", "端午", "2026-06-16", "2026-06-20", true},
		{"fixed date to solar term", "春耕", "2026-03-01", "2026-04-20", true},
		{"yearly custom campaign", "扶贫日", "2026-10-10", "2026-10-17", true},
		{"lunar custom campaign", "元宵走访", "2026-02-26", "2026-03-03", false},
		{"one-off custom campaign", "高温慰问", "2026-07-15", "2026-08-15", false},
		{"not required when configured so", "春节", "2026-02-02", "2026-03-03", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x, ok := byName[c.window]
			if !ok {
				t.Fatalf("no %s window in %v", c.window, ws)
			}
			if x.Start.Format(time.DateOnly) != c.start || x.End.Format(time.DateOnly) != c.end || x.Required != c.required {
				t.Errorf("%s %s→%s required=%v, want %s→%s required=%v", c.window, x.Start.Format(time.DateOnly), x.End.Format(time.DateOnly), x.Required, c.start, c.end, c.required)
			}
		})
	}
	t.Run("disabled window is absent", func(t *testing.T) {
		if _, ok := byName["元旦"]; ok {
			t.Error("元旦 is disabled but listed")
		}
	})
	t.Run("custom campaign scope", func(t *testing.T) {
		if x := byName["扶贫日"]; !x.Applies(domain.MakeTags(domain.TagLifted), "") || x.Applies(domain.MakeTags(domain.TagDibao), "") {
			t.Error("扶贫日 should apply to 脱贫户 only")
		}
		if x := byName["元宵走访"]; !x.Applies("", "P1") || x.Applies("", "P2") {
			t.Error("元宵走访 should apply to programme P1 only")
		}
	})
	t.Run("one-off campaign is not repeated", func(t *testing.T) {
		ws27, err := cal.Windows(2027)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range ws27 {
			if x.Name == "高温慰问" {
				t.Errorf("one-off campaign repeated in 2027: %v", x)
			}
		}
	})
}

func TestBadBounds(t *testing.T) {
	cases := []struct {
		name string
		spec config.WindowSpec
		want string
	}{
		{"unknown word", config.WindowSpec{From: "春分后", To: "立夏"}, "windows.spring_sowing: from"},
		{"bad month", config.WindowSpec{From: "13-01", To: "立夏"}, "is not a date"},
		{"half a range", config.WindowSpec{From: "03-01"}, "both be set"},
		{"bad lunar day", config.WindowSpec{From: "L01-31", To: "立夏"}, "is not a date"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := config.Defaults().Windows
			w.SpringSowing = c.spec
			_, err := calendar.New(w, nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestActiveAndNext(t *testing.T) {
	cal, err := calendar.New(config.Defaults().Windows, nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		day    string
		active string
		next   string
	}{
		{"new year's day 2027 is in the 2026 windows", "2027-01-01", "2026-nuandong,2026-yuandan", "2027-chunjie"},
		{"mid-October", "2026-10-15", "2026-qiushou", "2026-nuandong"},
		{"a quiet day", "2026-07-01", "", "2026-qiushou"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ws, err := cal.Active(day(c.day).Add(15 * time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, w := range ws {
				codes = append(codes, w.Code)
			}
			if strings.Join(codes, ",") != c.active {
				t.Errorf("active %v, want %s", codes, c.active)
			}
			n, ok, err := cal.Next(day(c.day))
			if err != nil || !ok || n.Code != c.next {
				t.Errorf("next %s ok=%v err=%v, want %s", n.Code, ok, err, c.next)
			}
		})
	}
	t.Run("halfway", func(t *testing.T) {
		w := calendar.Window{Start: day("2026-06-12"), End: day("2026-06-19")}
		if got := w.Halfway().Format(time.DateOnly); got != "2026-06-15" || w.Days() != 8 {
			t.Errorf("halfway %s days %d, want 2026-06-15 and 8", got, w.Days())
		}
	})
}

// TestLunarBoundsAcrossTheNewYear: a custom window from 腊月初一 to 正月十五 starts twice in some
// Gregorian years (January, from the previous lunar year, and December). Both are found; the old
// code found only December's.
func TestLunarBoundsAcrossTheNewYear(t *testing.T) {
	off := false
	none := config.WindowSpec{Enabled: &off}
	builtins := config.Windows{NewYear: none, SpringFest: none, DragonBoat: none, MidAutumn: none, SpringSowing: none, AutumnHarvest: none, WinterDrive: none}
	cal, err := calendar.New(builtins, []config.Campaign{{Name: "腊月走访", From: "L12-01", To: "L01-15", Required: true}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, y := range []int{2024, 2025, 2026, 2027} {
		ws, err := cal.Windows(y)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range ws {
			got = append(got, w.Code[4:]+" "+w.Start.Format(time.DateOnly)+"→"+w.End.Format(time.DateOnly))
		}
	}
	// 腊月初一 of lunar 2023 … 2027: 2024-01-11, 2024-12-31, 2026-01-19, 2027-01-08, 2027-12-28.
	// Every winter has its window, none twice; 2024 and 2027 have two.
	slug := "-c" + fmt.Sprintf("%08x", fnv32("腊月走访"))
	want := []string{slug + " 2024-01-11→2024-02-24", slug + "-2 2024-12-31→2025-02-12", slug + " 2026-01-19→2026-03-03",
		slug + " 2027-01-08→2027-02-20", slug + "-2 2027-12-28→2028-02-09"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("windows %v, want %v", got, want)
	}
}

func fnv32(s string) uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(s))
	return h.Sum32()
}
