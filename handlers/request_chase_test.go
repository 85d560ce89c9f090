package handlers_test

import (
	"strings"
	"testing"
	"time"

	"qinqi/internal/domain"
	"qinqi/store"
)

// TestHouseholdChasesARequest: "诉求 1 还没办" (and 催一下) answers with the state and tells the cadre
// holding the request, once a day however often the household presses, with the chase in the
// request's audit trail; a complaint's chase reaches the coordinator and names nobody; a progress
// question without chase words tells nobody; a household with nothing on file is told so by a bare
// chase and files a new request with 诉求.
func TestHouseholdChasesARequest(t *testing.T) {
	h := newHarness(t)
	wantContains(t, h.send(HeadWang, "诉求 就医 想办医疗救助卡"), "已收到您的诉求")
	req := h.requests(HHWang)[0]
	wantContains(t, h.send(HeadWang, "低保的事怎么样了"), "您反映过的事", "1号 想办医疗救助卡")
	if n := len(h.notesTo(CadreZhang, "chase:")); n != 0 {
		t.Fatalf("a progress question chased (%d notes)", n)
	}
	got := h.send(HeadWang, "诉求 1 还没办")
	wantContains(t, got, "您反映过的事", "已帮您催了：1号：已提醒 张伟", "一天提醒一次")
	if len(h.requests(HHWang)) != 1 {
		t.Fatal("the chase was filed as a new request")
	}
	notes := h.notesTo(CadreZhang, "chase:")
	if len(notes) != 1 || !strings.Contains(notes[0], "【催办】王春发 在催诉求#1") || !strings.Contains(notes[0], "受理 1") {
		t.Fatalf("notes to the cadre %q", notes)
	}
	wantContains(t, h.send(HeadWang, "催一下"), "已帮您催了：1号：已提醒 张伟")
	if n := len(h.notesTo(CadreZhang, "chase:")); n != 1 {
		t.Fatalf("%d notes after a second chase the same day, want 1", n)
	}
	if a := h.audit("request", int64(req.ID)); len(a) == 0 || a[len(a)-1].Action != "chase" {
		t.Fatalf("audit %+v lacks the chase", a)
	}
	h.clk.Advance(24 * time.Hour)
	wantContains(t, h.send(HeadWang, "怎么还没人来办"), "已帮您催了")
	if n := len(h.notesTo(CadreZhang, "chase:")); n != 2 {
		t.Fatalf("%d notes on the next day, want 2", n)
	}

	wantContains(t, h.send(HeadWang, "投诉 干部半年没来过"), "投诉已收到（编号2）")
	got = h.send(HeadWang, "2号怎么还没办")
	wantContains(t, got, "已帮您催了：2号：已提醒单位负责人")
	wantNot(t, got, "1号：已提醒")
	if n := len(h.notesTo(CoordLi, "chase:request:2:")); n != 1 {
		t.Fatalf("%d chase notes to the coordinator, want 1", n)
	}
	for _, n := range h.notesTo(CadreZhang, "chase:") {
		if strings.Contains(n, "投诉") {
			t.Fatalf("the cadre heard of the complaint: %q", n)
		}
	}

	// a bare chase with nothing on file says so (it was 没看懂); a matter with chase words is offered
	wantContains(t, h.send(HeadLiu, "催一下"), "您还没有反映过事情")
	wantContains(t, h.send(HeadLiu, "帮我催催"), "您还没有反映过事情")
	if n := len(h.requests(HHLiu)); n != 0 {
		t.Fatalf("a bare chase filed %d requests", n)
	}
	wantContains(t, h.send(HeadLiu, "我家低保怎么还没下来"), "要怎么办？回复 1")
	h.send(HeadLiu, "2")
	if got := h.send(HeadLiu, "诉求 1 还没办"); !strings.Contains(got, "已收到您的诉求") {
		t.Fatalf("a household with nothing on file: %q", got)
	}
}

// TestComplaintSkipsCadreWhoCoordinates: 张伟 also coordinates 县农业农村局; a complaint from his
// household and its chase reach 李协调 only, never 张伟. With no other coordinator left in the
// unit, the household is told to phone. He was sent the complaint about himself as one of its coordinators.
func TestComplaintSkipsCadreWhoCoordinates(t *testing.T) {
	h := newHarness(t)
	u := h.unit("U01")
	h.must(h.st.UpsertPeople(h.ctx, []store.Person{{Code: CadreZhang, Name: "张伟", Phone: "13800000001",
		Roles: domain.MakeRoles(domain.RoleCadre, domain.RoleCoordinator), UnitID: &u}}, nil))
	wantContains(t, h.send(HeadWang, "投诉 张伟半年没来过"), "投诉已收到（编号1）")
	wantContains(t, h.send(HeadWang, "催一下"), "1号：已提醒单位负责人")
	if n := h.notesTo(CadreZhang, ""); len(n) != 0 {
		t.Fatalf("the cadre heard of the complaint: %q", n)
	}
	if n := h.notesTo(CoordLi, "complaint"); len(n) != 1 {
		t.Fatalf("complaint notes to 李协调 %q, want 1", n)
	}
	if n := h.notesTo(CoordLi, "chase:"); len(n) != 1 {
		t.Fatalf("chase notes to 李协调 %q, want 1", n)
	}
	if q := h.requests(HHWang)[0]; q.AssigneeID == nil || *q.AssigneeID != h.person(CoordLi) {
		t.Fatalf("complaint held by %v, want 李协调", q.AssigneeID)
	}

	u2 := h.unit("U02")
	h.must(h.st.UpsertPeople(h.ctx, []store.Person{{Code: CoordLi, Name: "李协调", Phone: "13900000009",
		Roles: domain.MakeRoles(domain.RoleCoordinator), UnitID: &u2}}, nil))
	wantContains(t, h.send(HeadWang, "投诉 还是没来"), "暂时没有单位负责人可以接收", "办公电话")
	if n := h.notesTo(CadreZhang, ""); len(n) != 0 {
		t.Fatalf("with no other coordinator the cadre heard of it: %q", n)
	}
}
