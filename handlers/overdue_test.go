package handlers_test

import (
	"testing"

	"qinqi/handlers"
)

func TestParseOverdueArgs(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"unit name", " 乡村振兴科 ", "乡村振兴科"},
		{"unit code", "U0101", "U0101"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := handlers.ParseOverdueArgs(c.in); got != c.want {
				t.Errorf("got %q want %q", got, c.want)
			}
		})
	}
}

func TestOverdueCommand(t *testing.T) {
	h := newCoordHarness(t)
	cases := []struct {
		name, who, text string
		want, not       []string
	}{
		// 王春发 had a visit this month; 李秀英 and 刘大山 had nothing since January.
		{"own units", CoordLi, "逾期", []string{"县农业农村局", "4 对结对中有", "李秀英（H03）", "刘大山（H04）", "已逾期", "赵敏"}, []string{"王春发（H01）"}},
		{"one sub-unit by name", CoordLi, "逾期 乡村振兴科", []string{"乡村振兴科", "刘大山"}, nil},
		{"sub-unit by code", CoordLi, "/overdue U0101", []string{"乡村振兴科"}, nil},
		{"unit outside scope", CoordChen, "逾期 乡村振兴科", []string{"不在您负责的单位范围内"}, []string{"刘大山"}},
		{"unknown unit", CoordLi, "逾期 火星局", []string{"没找到单位「火星局」"}, nil},
		{"part of one unit's name", CoordLi, "逾期 振兴", []string{"乡村振兴科", "刘大山"}, nil},
		{"part of several units' names", AdminSun, "逾期 县", []string{"「县」对应您的2个单位：「县农业农村局」、「县教育局」", "全称或单位编号"}, []string{"刘大山"}},
		{"part of a name outside the scope is not offered", CoordChen, "逾期 振兴", []string{"没找到单位「振兴」"}, []string{"乡村振兴科"}},
		{"nothing paired", CoordChen, "逾期", []string{"都没有逾期"}, nil},
		{"admin", AdminSun, "逾期", []string{"全部单位", "刘大山"}, nil},
		{"household may not", HeadLiu, "逾期", []string{"不是您这个身份"}, []string{"刘大山（"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := h.send(c.who, c.text)
			wantContains(t, got, c.want...)
			wantNot(t, got, c.not...)
		})
	}
}

func TestOverdueMarksCadresOnLeave(t *testing.T) {
	h := newCoordHarness(t)
	wantContains(t, h.send(CoordLi, "请假 赵敏 11-20 11-30 住院"), "已记录 赵敏 请假")
	wantContains(t, h.send(CoordLi, "逾期"), "赵敏（请假中） → 刘大山")
}
