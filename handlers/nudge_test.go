package handlers_test

import (
	"testing"
	"time"

	"qinqi/internal/domain"
	"qinqi/store"
)

// TestCoordinatorNudgesCadre: a coordinator's reminder, as a command or said as they talk, reaches
// a cadre of their units with their words (or a plain default), never urgent, and says when it
// waits out the quiet hours; a cadre outside the units, no name and a cadre's own try are refused.
func TestCoordinatorNudgesCadre(t *testing.T) {
	h := newCoordHarness(t)
	zhang := int64(h.person(CadreZhang))
	cases := []struct{ in, told, note string }{
		{"提醒一下张伟", "已提醒 张伟。", "【提醒】单位协调员 李协调：请抽空联系一下还没联系的结对户。"},
		{"给张伟发个消息 让他这周去一趟王家", "已提醒 张伟：“让他这周去一趟王家”", "李协调：这周去一趟王家\n"},
		{"督促张伟抓紧走访", "已提醒 张伟：“抓紧走访”", "李协调：抓紧走访\n"},
		{"提醒干部 P01 下周要检查", "已提醒 张伟：“下周要检查”", "李协调：下周要检查\n"},
	}
	for _, c := range cases {
		rs := h.replies(CoordLi, c.in)
		if len(rs) != 2 || rs[1].To != zhang || rs[1].Urgent {
			t.Fatalf("%s: replies %+v", c.in, rs)
		}
		wantContains(t, rs[0].Text, c.told)
		wantContains(t, rs[1].Text, c.note, "发“我的亲戚”看哪几户该联系了")
	}
	wantContains(t, h.send(CoordLi, "提醒干部 钱老师"), "在您的单位里没找到干部「钱老师」")
	wantContains(t, h.send(CoordLi, "提醒干部"), "请这样写：提醒干部")
	wantContains(t, h.send(CadreZhang, "提醒干部 赵敏"), "不是您这个身份能用的命令")
	h.clk.Advance(12 * time.Hour) // 22:30
	wantContains(t, h.send(CoordLi, "提醒一下赵敏"), "已提醒 赵敏（现在是休息时间，08:00 后送到）")
}

// TestNudgeWordsAsSaid: a reminder said in a sentence reaches the cadre with the coordinator's
// words whole (开会 and 一下 are not cut as request words; only a closing 吧 or 谢谢 is).
func TestNudgeWordsAsSaid(t *testing.T) {
	h := newCoordHarness(t)
	cases := []struct{ in, told, note string }{
		{"提醒张伟明天来开会", "已提醒 张伟：“明天来开会”", "李协调：明天来开会\n"},
		{"请给张伟发个消息 让他把台账交一下", "已提醒 张伟：“让他把台账交一下”", "李协调：把台账交一下\n"},
		{"提醒一下张伟吧", "已提醒 张伟。", "李协调：请抽空联系一下还没联系的结对户。"},
		{"督促张伟抓紧走访 谢谢", "已提醒 张伟：“抓紧走访”", "李协调：抓紧走访\n"},
	}
	for _, c := range cases {
		rs := h.replies(CoordLi, c.in)
		if len(rs) != 2 || rs[1].To != int64(h.person(CadreZhang)) {
			t.Fatalf("%s: replies %+v", c.in, rs)
		}
		wantContains(t, rs[0].Text, c.told)
		wantContains(t, rs[1].Text, c.note)
	}
}

// TestNudgeSameName: with two cadres of the name in the coordinator's units, a reminder by name
// (as a command or said) asks which by code and reminds nobody; it said no such cadre was found.
func TestNudgeSameName(t *testing.T) {
	h := newCoordHarness(t)
	u := h.unit("U0101")
	h.must(h.st.UpsertPeople(h.ctx, []store.Person{{Code: "P09", Name: "张伟", Roles: domain.MakeRoles(domain.RoleCadre), UnitID: &u}}, nil))
	for _, in := range []string{"提醒干部 张伟 这周去王家", "提醒张伟这周去王家"} {
		rs := h.replies(CoordLi, in)
		if len(rs) != 1 {
			t.Fatalf("%s: replies %+v, want only the question back", in, rs)
		}
		wantContains(t, rs[0].Text, "P01", "P09")
	}
}
