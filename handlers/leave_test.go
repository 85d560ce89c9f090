package handlers_test

import (
	"testing"
	"time"

	"qinqi/handlers"
	"qinqi/internal/clock"
	"qinqi/store"
)

func TestParseLeaveArgs(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, clock.Shanghai)
	d := func(y, m, day int) time.Time { return time.Date(y, time.Month(m), day, 0, 0, 0, 0, clock.Shanghai) }
	cases := []struct {
		name, in string
		cadre    string
		from, to time.Time
		reason   string
		bad      bool
	}{
		{"month-day", "张伟 12-01 12-15 住院", "张伟", d(2026, 12, 1), d(2026, 12, 15), "住院", false},
		{"chinese dates", "张伟 12月1日 12月3日", "张伟", d(2026, 12, 1), d(2026, 12, 3), "", false},
		{"iso dates", "P01 2026-11-20 2026-11-30 外出 培训", "P01", d(2026, 11, 20), d(2026, 11, 30), "外出 培训", false},
		{"today tomorrow", "张伟 今天 明天", "张伟", d(2026, 11, 23), d(2026, 11, 24), "", false},
		{"january is next year", "张伟 12-28 1-3", "张伟", d(2026, 12, 28), d(2027, 1, 3), "", false},
		{"dotted", "张伟 12.1 12.2", "张伟", d(2026, 12, 1), d(2026, 12, 2), "", false},
		{"range with 到", "张伟 12月8日到12月20日 住院", "张伟", d(2026, 12, 8), d(2026, 12, 20), "住院", false},
		{"到 between", "张伟 12月8日 到 12月20日", "张伟", d(2026, 12, 8), d(2026, 12, 20), "", false},
		{"dotted range", "张伟 12.8-12.20", "张伟", d(2026, 12, 8), d(2026, 12, 20), "", false},
		{"the end as a day of the same month", "张伟 12月8号到20号 住院", "张伟", d(2026, 12, 8), d(2026, 12, 20), "住院", false},
		{"the end as a day, apart", "张伟 12月8日 到 20日", "张伟", d(2026, 12, 8), d(2026, 12, 20), "", false},
		{"the end as a day before the start is refused", "张伟 12月8日到5日", "", time.Time{}, time.Time{}, "", true},
		{"dashed range", "张伟 12-8-12-20 培训", "张伟", d(2026, 12, 8), d(2026, 12, 20), "培训", false},
		{"next week", "张伟 下周一到周五 住院", "张伟", d(2026, 11, 30), d(2026, 12, 4), "住院", false},
		{"this week", "张伟 今天 星期五", "张伟", d(2026, 11, 23), d(2026, 11, 27), "", false},
		{"到 in the reason stays", "张伟 12-01 12-15 到外地培训", "张伟", d(2026, 12, 1), d(2026, 12, 15), "到外地培训", false},
		{"one day", "张伟 12-01", "张伟", d(2026, 12, 1), d(2026, 12, 1), "", false},
		{"one day with a reason", "张伟 明天 去县里开会", "张伟", d(2026, 11, 24), d(2026, 11, 24), "去县里开会", false},
		{"a length from today", "张伟 三天 去党校学习", "张伟", d(2026, 11, 23), d(2026, 11, 25), "去党校学习", false},
		{"a length from a date", "张伟 12月8日 3天 住院", "张伟", d(2026, 12, 8), d(2026, 12, 10), "住院", false},
		{"a length said as 请两天假", "张伟 请两天假", "张伟", d(2026, 11, 23), d(2026, 11, 24), "", false},
		{"a year's length is too long", "张伟 400天", "", time.Time{}, time.Time{}, "", true},
		{"a length over a year after a date is too long", "张伟 明天 400天", "", time.Time{}, time.Time{}, "", true},
		{"no date at all", "张伟 住院", "", time.Time{}, time.Time{}, "", true},
		{"end before start", "张伟 12-15 12-01", "", time.Time{}, time.Time{}, "", true},
		{"no such day", "张伟 2月30日 3月1日", "", time.Time{}, time.Time{}, "", true},
		{"words", "张伟 下周 下下周", "", time.Time{}, time.Time{}, "", true},
		{"too old", "张伟 2026-08-01 2026-08-05", "", time.Time{}, time.Time{}, "", true},
		{"too long", "张伟 2026-12-01 2028-01-01", "", time.Time{}, time.Time{}, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, msg := handlers.ParseLeaveArgs(c.in, now)
			if c.bad {
				if msg == "" {
					t.Fatalf("accepted %q", c.in)
				}
				return
			}
			if msg != "" {
				t.Fatalf("rejected %q: %s", c.in, msg)
			}
			want := handlers.LeaveArgsOf(c.cadre, c.from, c.to, c.reason)
			if a != want {
				t.Errorf("got %+v want %+v", a, want)
			}
		})
	}
}

func FuzzParseLeaveArgs(f *testing.F) {
	for _, s := range []string{"张伟 12-01 12-15 住院", "张伟 今天 明天", "P01 2026-11-20 2026-11-30", "x 2月30日 3月1日", "a b c"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, clock.Shanghai)
	f.Fuzz(func(t *testing.T, s string) {
		a, msg := handlers.ParseLeaveArgs(s, now)
		if msg == "" && handlers.LeaveTo(a).Before(handlers.LeaveFrom(a)) {
			t.Fatalf("%q: leave ends before it starts", s)
		}
	})
}

func TestLeaveCommand(t *testing.T) {
	cases := []struct {
		name, who, text string
		want            []string
		stored          int
	}{
		{"coordinator records", CoordLi, "请假 张伟 12-01 12-15 培训", []string{"已记录 张伟 请假 12月1日–12月15日", "接力 张伟"}, 1},
		{"said with a length", CoordLi, "张伟请假三天 去党校学习", []string{"已记录 张伟 请假 11月23日–11月25日"}, 1},
		{"one day, said", CoordLi, "张伟 请假 明天", []string{"已记录 张伟 请假 11月24日–11月24日"}, 1},
		{"by code, slash", CoordLi, "/leave P01 今天 明天", []string{"已记录 张伟 请假"}, 1},
		{"other unit's cadre by name", CoordChen, "请假 张伟 12-01 12-05", []string{"在您的单位里没找到干部「张伟」"}, 0},
		{"other unit's cadre by code", CoordChen, "请假 P01 12-01 12-05", []string{"不在您负责的单位范围内"}, 0},
		{"end before start", CoordLi, "请假 张伟 12-15 12-01", []string{"结束日期早于开始日期"}, 0},
		{"usage", CoordLi, "请假 张伟", []string{"请这样写：请假"}, 0},
		{"a length over a year is no reason", CoordLi, "请假 张伟 明天 999天", []string{"请假不能超过一年"}, 0},
		{"cadre may not: it goes to the coordinator", CadreZhao, "请假 张伟 12-01 12-05", []string{"已转告单位协调员 李协调", "【请假】干部 赵敏 发来：“请假 张伟 12-01 12-05”"}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newCoordHarness(t)
			wantContains(t, h.send(c.who, c.text), c.want...)
			ls, err := h.st.LeavesOf(h.ctx, h.person(CadreZhang))
			h.must(err)
			if len(ls) != c.stored {
				t.Fatalf("leaves = %d, want %d", len(ls), c.stored)
			}
			if c.stored == 1 {
				a := h.audit("leave", ls[0].ID)
				if len(a) != 1 || a[0].Action != store.ActLeave || *a[0].ActorID != h.person(c.who) {
					t.Errorf("audit = %+v", a)
				}
			}
		})
	}
}

// TestEndLeaveCommand: 销假 ends a cadre's leave from today (the leave ends yesterday), by a
// coordinator of the cadre's unit, in any of its words; someone not on leave is told so.
func TestEndLeaveCommand(t *testing.T) {
	cases := []struct {
		name, who, text string
		want            []string
		onLeave         bool
	}{
		{"the command", CoordLi, "销假 张伟", []string{"已为 张伟 销假", "恢复提醒"}, false},
		{"said in a sentence", CoordLi, "张伟销假了", []string{"已为 张伟 销假"}, false},
		{"back at work", CoordLi, "张伟回来上班了", []string{"已为 张伟 销假"}, false},
		{"结束请假 by code", CoordLi, "结束请假 P01", []string{"已为 张伟 销假"}, false},
		{"other unit's cadre", CoordChen, "销假 张伟", []string{"在您的单位里没找到干部「张伟」"}, true},
		{"usage", CoordLi, "销假", []string{"请这样写：销假"}, true},
		{"a cadre may not: it goes to the coordinator", CadreZhang, "销假 张伟", []string{"已转告单位协调员 李协调，由协调员销假"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newCoordHarness(t)
			wantContains(t, h.send(CoordLi, "请假 张伟 昨天 下周五 住院"), "已记录 张伟 请假")
			wantContains(t, h.send(c.who, c.text), c.want...)
			on, err := h.st.OnLeave(h.ctx, h.person(CadreZhang), h.clk.Now())
			h.must(err)
			if on != c.onLeave {
				t.Fatalf("on leave today = %v, want %v", on, c.onLeave)
			}
		})
	}
	t.Run("not on leave", func(t *testing.T) {
		h := newCoordHarness(t)
		wantContains(t, h.send(CoordLi, "销假 张伟"), "张伟 今天不在请假中，没有改动")
	})
}
