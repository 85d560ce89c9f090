package handlers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"qinqi/handlers"
	"qinqi/internal/clock"
	"qinqi/internal/report"
	"qinqi/store"
)

func TestParseOverdueArgs(t *testing.T) {
	cases := []struct {
		name, in, want string
		file           bool
	}{
		{"empty", "", "", false},
		{"unit name", " 乡村振兴科 ", "乡村振兴科", false},
		{"unit code", "U0101", "U0101", false},
		{"the whole list", "全部", "", true},
		{"a unit's whole list to print", "乡村振兴科 打印", "乡村振兴科", true},
		{"as a table", "表格", "", true},
		{"print it, said politely", "打印一下", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got, file := handlers.ParseOverdueArgs(c.in); got != c.want || file != c.file {
				t.Errorf("got %q %v want %q %v", got, file, c.want, c.file)
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

// TestOverdueWholeListAsFile: past the 15 lines a chat message shows, 逾期 says how to get the
// rest, and 逾期 全部 (or 打印逾期名单) sends every overdue pairing as a sheet to print, longest
// overdue first, cadres on leave marked.
func TestOverdueWholeListAsFile(t *testing.T) {
	h := newCoordHarness(t)
	var hhs []store.Household
	var ps []store.Pairing
	for i := range 16 {
		hhs = append(hhs, store.Household{Code: fmt.Sprintf("H9%02d", i), HeadName: fmt.Sprintf("吴%s", string(rune('甲'+i)))})
	}
	h.must(h.st.UpsertHouseholds(h.ctx, hhs, nil))
	for i := range 16 {
		ps = append(ps, store.Pairing{Code: fmt.Sprintf("J9%02d", i), CadreID: h.person(CadreZhao), HouseholdID: h.household(fmt.Sprintf("H9%02d", i)), StartOn: clock.Date(2026, 1, 5)})
	}
	h.must(h.st.UpsertPairings(h.ctx, ps))
	wantContains(t, h.send(CoordLi, "请假 赵敏 11-20 11-30 住院"), "已记录 赵敏 请假")

	got := h.send(CoordLi, "逾期")
	wantContains(t, got, "20 对结对中有 19 对逾期", "……还有 4 对未列出；全部名单发「逾期 全部」")
	for _, text := range []string{"逾期 全部", "打印逾期名单", "逾期名单打印一下", "把逾期的全部导出来"} {
		rs := h.replies(CoordLi, text)
		if len(rs) != 2 || rs[1].FileName != "逾期名单-2026-11-23.xlsx" {
			t.Fatalf("%s: replies %+v", text, rs)
		}
		wantContains(t, rs[0].Text, "逾期名单（共 19 对")
		f, err := excelize.OpenFile(rs[1].FilePath)
		h.must(err)
		rows, err := f.GetRows(report.SheetOverdue)
		h.must(err)
		f.Close()
		if len(rows) != 2+19+1 || rows[1][2] != "帮扶干部" || !strings.Contains(rows[len(rows)-1][6], "共 19 对") {
			t.Fatalf("%s: %d rows %q", text, len(rows), rows[:2])
		}
		leave := 0
		for _, r := range rows[2 : 2+19] {
			if len(r) > 7 && r[7] == "请假中" {
				leave++
				if r[2] != "赵敏" {
					t.Fatalf("row %q marked on leave", r)
				}
			}
		}
		if leave != 17 { // 刘大山 and the 16 吴 households are 赵敏's
			t.Fatalf("%d rows on leave, want 17", leave)
		}
	}
}
