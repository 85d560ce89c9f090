package handlers_test

import (
	"strings"
	"testing"
	"time"

	"qinqi/internal/domain"
	"qinqi/store"
)

// lastAudit is the newest audit action of a request.
func (h *harness) lastAudit(id domain.RequestID) string {
	h.t.Helper()
	a := h.audit("request", int64(id))
	if len(a) == 0 {
		return ""
	}
	return a[len(a)-1].Action
}

// TestComplaintPressedByMistakeGoesToTheCadre: the demo's 王春发 presses 3 for "家里的猪病了 找不到
// 兽医", then says 我刚才说错了. He is asked, without the cadre's name, whether it should go to the
// cadre; 1 makes it a request for 张伟 with fresh deadlines, sent to him as a new request (not as a
// complaint), and the coordinator who had the complaint is told it moved. Then 撤回 finds that
// request, and 2 withdraws it: the cadre and the coordinator who had its copy each get one note, the
// household's list says 已撤回, and 张伟 can no longer 受理 it.
func TestComplaintPressedByMistakeGoesToTheCadre(t *testing.T) {
	h := newHarness(t)
	h.send(HeadWang, "家里的猪病了 找不到兽医")
	wantContains(t, h.send(HeadWang, "3"), "投诉已收到（编号1）")
	got := h.send(HeadWang, "我刚才说错了")
	wantContains(t, got, "您的投诉#1“家里的猪病了 找不到兽医”已交给单位", "回复 1 改交给帮扶干部办理；回复 2 撤回，不办了；回复 3 不变")
	wantNot(t, got, "张伟")
	if q := h.requests(HHWang)[0]; q.Kind != domain.ReqComplaint || q.Status != domain.StatusNew {
		t.Fatalf("asking changed the complaint: %+v", q)
	}

	h.clk.Advance(5 * time.Minute)
	wantContains(t, h.send(HeadWang, "1"), "已改为诉求（编号1），交给张伟办理", "单位那边已告诉不用处理")
	q := h.requests(HHWang)[0]
	if q.Kind != domain.ReqRequest || q.Status != domain.StatusNew || q.AssigneeID == nil || *q.AssigneeID != h.person(CadreZhang) ||
		!q.AckDueAt.Equal(h.clk.Now().Add(h.cfg.Requests.AckWithin)) {
		t.Fatalf("rerouted request %+v", q)
	}
	toCadre := h.notesTo(CadreZhang, ":request:1:")
	if len(toCadre) != 1 || !strings.Contains(toCadre[0], "【新诉求#1】王春发（其他）：家里的猪病了 找不到兽医") || strings.Contains(toCadre[0], "投诉") {
		t.Fatalf("notes to the cadre %q", toCadre)
	}
	moved := h.notesTo(CoordLi, ":rerouted:")
	if len(moved) != 1 || !strings.Contains(moved[0], "【投诉改诉求#1】王春发说投诉#1是按错了") || !strings.Contains(moved[0], "张伟") {
		t.Fatalf("notes to the coordinator %q", moved)
	}
	if a := h.lastAudit(q.ID); a != store.ActReroute {
		t.Fatalf("last audit %q, want reroute", a)
	}

	wantContains(t, h.send(HeadWang, "撤回"), "您的诉求#1“家里的猪病了 找不到兽医”已交给张伟", "回复 1 不变，还交给张伟办；回复 2 撤回")
	wantContains(t, h.send(HeadWang, "2"), "诉求#1已撤回，不办了。已告诉张伟不用办了。")
	if q := h.requests(HHWang)[0]; q.Status != domain.StatusWithdrawn || q.ResolvedAt != nil {
		t.Fatalf("withdrawn request %+v", q)
	}
	for who, n := range map[string]int{CadreZhang: 1, CoordLi: 1, CadreZhao: 0} {
		notes := h.notesTo(who, ":withdrawn:")
		if len(notes) != n || n == 1 && !strings.Contains(notes[0], "【撤回#1】王春发撤回了诉求#1") {
			t.Errorf("withdrawal notes to %s: %q, want %d", who, notes, n)
		}
	}
	if a := h.lastAudit(q.ID); a != store.ActWithdraw {
		t.Fatalf("last audit %q, want withdraw", a)
	}
	wantContains(t, h.send(HeadWang, "我的诉求"), "1号 家里的猪病了 找不到兽医", "您已撤回")
	wantContains(t, h.send(CadreZhang, "受理 1"), "已撤回")
	wantContains(t, h.send(CadreZhang, "诉求列表"), "目前没有待办的诉求")
	wantContains(t, h.send(HeadWang, "撤回 1"), "诉求#1您已经撤回了")
}

// TestComplaintWithdrawnReachesOnlyTheUnit: a complaint withdrawn with "按错了" then 2 is told to its
// coordinator alone, answered 20 minutes after it was asked; the cadre hears nothing and the
// household's replies never name him. 3 keeps a complaint as it is.
func TestComplaintWithdrawnReachesOnlyTheUnit(t *testing.T) {
	h := newHarness(t)
	wantContains(t, h.send(HeadWang, "投诉 干部半年没来过"), "投诉已收到（编号1）")
	got := h.send(HeadWang, "按错了")
	wantContains(t, got, "您的投诉#1“干部半年没来过”已交给单位")
	wantContains(t, h.send(HeadWang, "3"), "投诉#1不变，还由单位处理")
	if q := h.requests(HHWang)[0]; q.Status != domain.StatusNew || q.Kind != domain.ReqComplaint {
		t.Fatalf("kept complaint %+v", q)
	}
	h.send(HeadWang, "撤销投诉1")
	h.clk.Advance(20 * time.Minute) // an elderly head's answer: the question waits as the household's others do
	got = h.send(HeadWang, "2")
	wantContains(t, got, "投诉#1已撤回，不办了。已告诉单位负责人不用处理。")
	wantNot(t, got, "张伟")
	if notes := h.notesTo(CoordLi, ":withdrawn:"); len(notes) != 1 || !strings.Contains(notes[0], "撤回了投诉#1") || !strings.Contains(notes[0], "不用再处理了") {
		t.Fatalf("notes to the coordinator %q", notes)
	}
	if notes := h.notesTo(CadreZhang, ""); len(notes) != 0 {
		t.Fatalf("the cadre heard of the complaint: %q", notes)
	}
}

// TestTakeBackWhatCannotBe: nothing sent lately, another household's number, a request the cadre
// accepted (his name, whom to tell), a complaint the unit accepted (the unit, never the cadre), one
// accepted while the question waited (asked from menu item 7); an older request by its number; a
// digit out of range.
func TestTakeBackWhatCannotBe(t *testing.T) {
	h := newHarness(t)
	wantContains(t, h.send(HeadLiu, "撤回"), "最近30分钟没有提过还没办的事", "撤回 编号", "我的诉求")
	wantContains(t, h.send(HeadWang, "诉求 就医 想办医疗救助卡"), "编号1")
	wantContains(t, h.send(HeadLiu, "撤回 1"), "没有找到您的1号")
	h.send(CadreZhang, "受理 1")
	wantContains(t, h.send(HeadWang, "不用办了"), "诉求#1张伟已经受理，正在办，这里撤不回了", "请直接告诉张伟")

	h.clk.Advance(2 * time.Hour)
	wantContains(t, h.send(HeadWang, "诉求 住房 房子漏雨"), "编号2")
	h.clk.Advance(time.Hour)
	wantContains(t, h.send(HeadWang, "不用办了"), "没有要撤回的")
	wantContains(t, h.send(HeadWang, "2号不用办了"), "您的诉求#2“房子漏雨”已交给张伟")
	wantContains(t, h.send(HeadWang, "3"), "请回复1到2之间的数字")
	wantContains(t, h.send(HeadWang, "1"), "诉求#2不变，还由张伟办")
	if q := h.requests(HHWang)[1]; q.Status != domain.StatusNew {
		t.Fatalf("kept request %+v", q)
	}

	wantContains(t, h.send(HeadWang, "投诉 干部半年没来过"), "编号3")
	h.send(CoordLi, "受理 3")
	got := h.send(HeadWang, "点错了")
	wantContains(t, got, "投诉#3单位已经受理", "单位负责人")
	wantNot(t, got, "张伟")

	wantContains(t, h.send(HeadWang, "投诉 村里路灯坏了"), "编号4")
	wantContains(t, h.send(HeadWang, "菜单"), "7. 刚才发的按错了（撤回或改交）")
	wantContains(t, h.send(HeadWang, "7"), "您的投诉#4“村里路灯坏了”已交给单位")
	h.send(CoordLi, "受理 4")
	got = h.send(HeadWang, "2")
	wantContains(t, got, "投诉#4单位已经受理")
	if q := h.requests(HHWang)[3]; q.Status != domain.StatusAccepted {
		t.Fatalf("withdrew an accepted complaint: %+v", q)
	}
	if notes := h.notesTo(CoordLi, ":withdrawn:"); len(notes) != 0 {
		t.Fatalf("withdrawal notes %q", notes)
	}
}

// TestTakeBackWhileASentenceWaits: "说错了" or 撤回 while a sentence waits for 1/2/3 is its answer 2
// (nothing filed); after 投诉 alone, "按错了" ends the wait instead of being filed as the complaint.
// A cadre's 撤销 stays the undo of his report.
func TestTakeBackWhileASentenceWaits(t *testing.T) {
	h := newHarness(t)
	wantContains(t, h.send(HeadWang, "家里的猪病了 找不到兽医"), "回复 1 交给帮扶干部办理")
	wantContains(t, h.send(HeadWang, "说错了"), "这句话没有交给干部")
	wantContains(t, h.send(HeadWang, "家里的猪病了 找不到兽医"), "回复 1")
	wantContains(t, h.send(HeadWang, "撤回"), "这句话没有交给干部")
	wantContains(t, h.send(HeadWang, "投诉"), "请说说要反映什么事")
	wantContains(t, h.send(HeadWang, "按错了"), "没有记下什么")
	if n := len(h.requests(HHWang)); n != 0 {
		t.Fatalf("%d requests filed", n)
	}
	h.send(CadreZhang, "走访 王春发 送米20斤")
	got := h.send(CadreZhang, "撤销")
	wantContains(t, got, "已撤销")
	wantNot(t, got, "没有要撤回")
}
