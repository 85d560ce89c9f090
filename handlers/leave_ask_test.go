package handlers_test

import (
	"strings"
	"testing"
	"time"

	"qinqi/handlers"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

// TestLeaveAskedDates: the dates of a cadre's own sentence, as the coordinator's 请假 would read
// them; the harness's day is Monday 2026-11-23.
func TestLeaveAskedDates(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, clock.Shanghai)
	d := func(m, day int) time.Time { return time.Date(2026, time.Month(m), day, 0, 0, 0, 0, clock.Shanghai) }
	cases := []struct {
		name, in string
		from, to time.Time
		ok       bool
	}{
		{"today, in a sentence", "我今天不舒服 请假", d(11, 23), d(11, 23), true},
		{"tomorrow glued to 我", "我明天请假", d(11, 24), d(11, 24), true},
		{"range with 到", "请假 明天到后天 家里有事", d(11, 24), d(11, 25), true},
		{"dotted range", "请假 12.8-12.10 住院", d(12, 8), d(12, 10), true},
		{"the end as a day", "12月8号到10号请假 去医院", d(12, 8), d(12, 10), true},
		{"two dates apart", "请假 12-01 12-05", d(12, 1), d(12, 5), true},
		{"a date and days", "12月8日起请3天假", d(12, 8), d(12, 10), true},
		{"days before the date", "请两天假 明天开始", d(11, 24), d(11, 25), true},
		{"a weekday", "周五请假 孩子开家长会", d(11, 27), d(11, 27), true},
		{"next week's range", "下周一到周三请假", d(11, 30), d(12, 2), true},
		{"no date", "请假", time.Time{}, time.Time{}, false},
		{"days without a date", "请假三天", time.Time{}, time.Time{}, false},
		{"end before start", "请假 12月8日到5日", time.Time{}, time.Time{}, false},
		{"too old", "2026年8月1日请过假", time.Time{}, time.Time{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			from, to, ok := handlers.LeaveAskedDates(c.in, now)
			if ok != c.ok || !from.Equal(c.from) || !to.Equal(c.to) {
				t.Fatalf("%q → %v %v %v, want %v %v %v", c.in, from, to, ok, c.from, c.to, c.ok)
			}
		})
	}
}

// TestCadreAsksLeave: a cadre's leave request (and 销假, back early) goes to the coordinator of their unit (the parent
// unit's, as 乡村振兴科 has none) with their words and the command to send, dates filled in; nothing
// is recorded until the coordinator sends it, and then it is the coordinator's 请假 as always.
func TestCadreAsksLeave(t *testing.T) {
	h := newCoordHarness(t)
	li, zhang := h.person(CoordLi), h.person(CadreZhang)
	rs := h.replies(CadreZhang, "我明天到后天请假 孩子住院 身份证330122195003051236")
	if len(rs) != 2 || rs[0].To != 0 || rs[1].To != int64(li) {
		t.Fatalf("replies %+v, want one to the cadre and one to 李协调", rs)
	}
	wantContains(t, rs[0].Text, "已转告单位协调员 李协调", "由协调员登记")
	wantContains(t, rs[1].Text, "【请假】干部 张伟 发来：“我明天到后天请假 孩子住院", "请假 张伟 11月24日 11月25日")
	wantNot(t, rs[0].Text+rs[1].Text, "330122195003051236")
	if rs[1].Urgent {
		t.Fatal("a leave request woke the coordinator in quiet hours")
	}
	ls, err := h.st.LeavesOf(h.ctx, zhang)
	h.must(err)
	if len(ls) != 0 {
		t.Fatalf("leaves %+v recorded before the coordinator sent anything", ls)
	}
	cmd := rs[1].Text[strings.Index(rs[1].Text, "请假 张伟"):]
	cmd = cmd[:strings.Index(cmd, " [原因]")]
	wantContains(t, h.send(CoordLi, cmd+" 孩子住院"), "已记录 张伟 请假 11月24日–11月25日")
	if ls, _ = h.st.LeavesOf(h.ctx, zhang); len(ls) != 1 {
		t.Fatalf("leaves %+v, want the coordinator's one", ls)
	}
	if got := h.send(CadreQian, "请假"); !strings.Contains(got, "已转告单位协调员 陈主任") || !strings.Contains(got, "请假 钱老师 开始日期 结束日期") {
		t.Fatalf("another unit's cadre: %q", got)
	}
	for _, text := range []string{"销假", "我提前回来了 销假"} {
		rs := h.replies(CadreZhang, text)
		if len(rs) != 2 || rs[1].To != int64(li) {
			t.Fatalf("%s: replies %+v", text, rs)
		}
		wantContains(t, rs[0].Text, "已转告单位协调员 李协调，由协调员销假")
		wantContains(t, rs[1].Text, "【销假】干部 张伟 发来：“"+text+"”", "核实后请发：销假 张伟")
	}
	wantContains(t, h.send(CoordLi, "销假 张伟"), "张伟 今天不在请假中") // the leave above starts tomorrow
	h.must(h.st.UpsertPeople(h.ctx, []store.Person{{Code: "P77", Name: "吴无单位", Roles: domain.MakeRoles(domain.RoleCadre)}}, nil))
	if rs := h.replies("P77", "明天请假"); len(rs) != 1 || !strings.Contains(rs[0].Text, "还没有协调员在系统里") {
		t.Fatalf("a cadre without a unit: %+v", rs)
	}
}

// TestNotesMaskBeforeClipping: a cadre's leave words and a chased request are quoted clipped to 60
// characters; a phone or ID number standing across the clip is masked whole first, never cut into a
// piece that goes out unmasked (the ID's first 8 digits, 9 digits of a phone).
func TestNotesMaskBeforeClipping(t *testing.T) {
	h := newHarness(t)
	pad := strings.Repeat("等", 52-len([]rune("请假 明天 我的身份证 ")))
	rs := h.replies(CadreZhang, "请假 明天 我的身份证 "+pad+"330122195003051236")
	if len(rs) != 2 {
		t.Fatalf("replies %+v, want the cadre's and the coordinator's", rs)
	}
	wantContains(t, rs[1].Text, "【请假】干部 张伟", "330*****")
	wantNot(t, rs[1].Text, "33012219")

	wantContains(t, h.send(HeadWang, "诉求 "+strings.Repeat("房子漏雨很久了", 7)+"电话13800000001"), "已收到您的诉求")
	h.send(HeadWang, "催一下")
	notes := h.notesTo(CadreZhang, "chase:")
	if len(notes) != 1 {
		t.Fatalf("chase notes %q, want 1", notes)
	}
	wantContains(t, notes[0], "【催办】", "138****")
	wantNot(t, notes[0], "1380000")
}

// TestCoordinatorCadreOwnLeave: a coordinator who is also a cadre records their own leave and 销假
// in their own words (请假 明天到后天 家里有事, 销假); they were told the usage of 请假 <干部>, or
// that no cadre 我回来了 was found. Naming a cadre still records that cadre's leave.
func TestCoordinatorCadreOwnLeave(t *testing.T) {
	h := newCoordHarness(t)
	u := h.unit("U01")
	h.must(h.st.UpsertPeople(h.ctx, []store.Person{{Code: CadreZhang, Name: "张伟", Phone: "13800000001",
		Roles: domain.MakeRoles(domain.RoleCadre, domain.RoleCoordinator), UnitID: &u}}, nil))
	zhang, zhao := h.person(CadreZhang), h.person(CadreZhao)
	wantContains(t, h.send(CadreZhang, "请假 明天到后天 家里有事"), "已记录 张伟 请假 11月24日–11月25日")
	ls, err := h.st.LeavesOf(h.ctx, zhang)
	h.must(err)
	if len(ls) != 1 {
		t.Fatalf("leaves %+v, want one", ls)
	}
	wantContains(t, h.send(CadreZhang, "请假 赵敏 明天"), "已记录 赵敏 请假 11月24日–11月24日")
	if ls, _ := h.st.LeavesOf(h.ctx, zhao); len(ls) != 1 {
		t.Fatalf("赵敏's leaves %+v, want one", ls)
	}
	h.clk.Advance(24 * time.Hour)
	wantContains(t, h.send(CadreZhang, "我回来了 销假"), "已为 张伟 销假")
	wantContains(t, h.send(CoordLi, "请假 张伟 12月8日 3天"), "已记录 张伟 请假 12月8日–12月10日")
}
