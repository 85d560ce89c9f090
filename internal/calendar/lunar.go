package calendar

import (
	"fmt"
	"time"

	lunar "github.com/6tail/lunar-go/calendar"

	"qinqi/internal/clock"
)

// This file is the only one that imports the lunar library, so switching libraries touches nothing else.

// SolarTerms lists the 24 solar terms by their Chinese names, in calendar order from 小寒.
var SolarTerms = []string{"小寒", "大寒", "立春", "雨水", "惊蛰", "春分", "清明", "谷雨", "立夏", "小满", "芒种", "夏至",
	"小暑", "大暑", "立秋", "处暑", "白露", "秋分", "寒露", "霜降", "立冬", "小雪", "大雪", "冬至"}

// The library's JieQi table of a lunar year names the terms that fall in the neighbouring
// Gregorian years with pinyin keys; these map them back.
var pinyinTerms = map[string]string{"DA_XUE": "大雪", "DONG_ZHI": "冬至", "XIAO_HAN": "小寒", "DA_HAN": "大寒",
	"LI_CHUN": "立春", "YU_SHUI": "雨水", "JING_ZHE": "惊蛰"}

// IsSolarTerm reports whether name is one of the 24 solar terms.
func IsSolarTerm(name string) bool {
	for _, t := range SolarTerms {
		if t == name {
			return true
		}
	}
	return false
}

// SolarTermDate is the Asia/Shanghai day (midnight) on which the named term falls in Gregorian year y.
func SolarTermDate(y int, name string) (time.Time, error) {
	if !IsSolarTerm(name) {
		return time.Time{}, fmt.Errorf("calendar: %q is not a solar term", name)
	}
	// Each term falls once per Gregorian year; the lunar years y-1..y+1 together cover all of y.
	for ly := y - 1; ly <= y+1; ly++ {
		for key, s := range lunar.NewLunarFromYmd(ly, 1, 1).GetJieQiTable() {
			if cn, ok := pinyinTerms[key]; ok {
				key = cn
			}
			if key == name && s.GetYear() == y {
				return clock.Date(y, time.Month(s.GetMonth()), s.GetDay()), nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("calendar: no %s in %d", name, y)
}

// LunarDate converts a day of the lunar calendar (lunar year ly, month 1–12, day 1–30) to its
// Asia/Shanghai day. A day 30 in a 29-day month becomes the month's last day (除夕 is 腊月廿九 in such years).
func LunarDate(ly, month, day int) (time.Time, error) {
	if month < 1 || month > 12 || day < 1 || day > 30 {
		return time.Time{}, fmt.Errorf("calendar: lunar month %d day %d is not a date", month, day)
	}
	m := lunar.NewLunarMonthFromYm(ly, month)
	if m == nil {
		return time.Time{}, fmt.Errorf("calendar: no lunar month %d in %d", month, ly)
	}
	if n := m.GetDayCount(); day > n {
		day = n
	}
	s := lunar.NewLunarFromYmd(ly, month, day).GetSolar()
	return clock.Date(s.GetYear(), time.Month(s.GetMonth()), s.GetDay()), nil
}

// FestivalDate is the day of a lunar festival in Gregorian year y: 春节 (正月初一), 元宵, 端午, 七夕, 中秋, 重阳, 腊八, 除夕.
func FestivalDate(y int, name string) (time.Time, error) {
	md, ok := map[string][2]int{"春节": {1, 1}, "元宵": {1, 15}, "端午": {5, 5}, "七夕": {7, 7}, "中秋": {8, 15},
		"重阳": {9, 9}, "腊八": {12, 8}}[name]
	switch {
	case name == "除夕":
		d, err := LunarDate(y, 1, 1)
		return d.AddDate(0, 0, -1), err
	case !ok:
		return time.Time{}, fmt.Errorf("calendar: unknown festival %q", name)
	case md[0] == 12: // the twelfth lunar month of lunar year y-1 falls in January/February of y
		return LunarDate(y-1, md[0], md[1])
	}
	return LunarDate(y, md[0], md[1])
}
