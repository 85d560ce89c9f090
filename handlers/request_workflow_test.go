package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"qinqi/internal/domain"
	"qinqi/store"
)

// TestRequestWorkflow walks one request from the household through 受理 and 办结 to the rating,
// checking the rows, the audit trail and what the household is told at each step.
func TestRequestWorkflow(t *testing.T) {
	h := newHarness(t)
	h.send(HeadWang, "诉求 就医 想办医疗救助卡")
	req := func() store.Request {
		rs := h.requests(HHWang)
		if len(rs) != 1 {
			t.Fatalf("have %d requests", len(rs))
		}
		return rs[0]
	}
	id := req().ID
	steps := []struct {
		name, from, in string
		reply          []string
		status         domain.RequestStatus
		toHousehold    string // action key of the household notification expected after the step
		hhText         []string
	}{
		{"cadre lists", CadreZhang, "诉求列表", []string{"#1 王春发｜就医｜待受理｜限11月24日"}, domain.StatusNew, "", nil},
		{"another cadre cannot accept", CadreZhao, "受理 1", []string{"不归您办理"}, domain.StatusNew, "", nil},
		{"coordinator of another unit cannot accept", CoordChen, "受理 1", []string{"不归您办理"}, domain.StatusNew, "", nil},
		{"without a number and nothing waiting", CadreZhao, "受理", []string{"现在没有等您受理的诉求"}, domain.StatusNew, "", nil},
		{"a number said done by a cadre who does not have the request is not read as it", CadreZhao, "1号办好了 已办好", []string{"没看懂"}, domain.StatusNew, "", nil},
		{"a number said accepted by a cadre who does not have the request is not read as it", CadreZhao, "1号受理了", []string{"没看懂"}, domain.StatusNew, "", nil},
		{"unknown number", CadreZhang, "受理 99", []string{"没有这个编号的诉求"}, domain.StatusNew, "", nil},
		{"accept the one waiting without its number", CadreZhang, "受理", []string{"已受理诉求#1", "办结 1"}, domain.StatusAccepted, "accepted", []string{"张伟已经受理", "11月30日前"}},
		{"accept twice", CadreZhang, "受理 #1", []string{"现在是“办理中”"}, domain.StatusAccepted, "", nil},
		{"resolve without result", CadreZhang, "办结 1", []string{"请写上办理结果"}, domain.StatusAccepted, "", nil},
		{"said done without result", CadreZhang, "1号办好了", []string{"请写上办理结果"}, domain.StatusAccepted, "", nil},
		{"said done with 诉求 first, a household's word", CadreZhang, "诉求1已经解决了", []string{"请写上办理结果"}, domain.StatusAccepted, "", nil},
		{"resolve in the cadre's words", CadreZhang, "1号办好了，已帮您办好医疗救助卡，下周送到", []string{"诉求#1已办结"}, domain.StatusResolved, "resolved", []string{"办好了：已帮您办好医疗救助卡", "回复1到5"}},
		{"household rates with a bare digit", HeadWang, "4", []string{"谢谢您给诉求1打分（4分）"}, domain.StatusResolved, "", nil},
		{"a second digit is a menu choice, not a second rating", HeadWang, "5", []string{"您可以这样用"}, domain.StatusResolved, "", nil},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			wantContains(t, h.send(s.from, s.in), s.reply...)
			if got := req().Status; got != s.status {
				t.Fatalf("status %s, want %s", got, s.status)
			}
			if s.toHousehold != "" {
				notes := h.outboxTo(HeadWang, id, s.toHousehold)
				if len(notes) != 1 {
					t.Fatalf("household notifications %v", notes)
				}
				wantContains(t, notes[0], s.hhText...)
			}
		})
	}
	r := req()
	if r.Rating == nil || *r.Rating != 4 || r.Result != "已帮您办好医疗救助卡，下周送到" || r.AcceptedAt == nil || r.ResolvedAt == nil {
		t.Fatalf("final request = %+v", r)
	}
	var actions []string
	for _, a := range h.audit("request", int64(id)) {
		actions = append(actions, a.Action)
	}
	if got := len(actions); got != 3 || actions[1] != store.ActAccept || actions[2] != store.ActResolve {
		t.Fatalf("audit actions %v, want create accept resolve", actions)
	}
}

// 受理 alone with two requests waiting asks for the number and accepts neither.
func TestAcceptWithoutNumberAmongSeveral(t *testing.T) {
	h := newHarness(t)
	h.send(HeadWang, "诉求 就医 想办医疗救助卡")
	h.send(HeadWang, "诉求 家里水管冻裂了")
	wantContains(t, h.send(CadreZhang, "受理"), "请写上诉求编号")
	for _, q := range h.requests(HHWang) {
		if q.Status != domain.StatusNew {
			t.Fatalf("request %d is %s, want new", q.ID, q.Status)
		}
	}
}

func TestRequestTransferToCoordinator(t *testing.T) {
	h := newHarness(t)
	h.send(HeadWang, "诉求 住房 屋顶漏雨要修")
	wantContains(t, h.send(CadreZhang, "转办 1"), "请写上转办原因")
	wantContains(t, h.send(CadreZhang, "转办 1 需要住建部门鉴定危房"), "诉求#1已转给单位协调员")
	r := h.requests(HHWang)[0]
	if r.Status != domain.StatusTransferred || *r.AssigneeID != h.person(CoordLi) || r.TransferNote != "需要住建部门鉴定危房" {
		t.Fatalf("request = %+v", r)
	}
	notes := h.outboxTo(CoordLi, r.ID, "transfer")
	if len(notes) != 1 {
		t.Fatalf("coordinator notes %v", notes)
	}
	wantContains(t, notes[0], "【转办诉求#1】王春发（住房）", "张伟转来", "需要住建部门鉴定危房")
	if n := len(h.outboxTo(HeadWang, r.ID, "transferred")); n != 1 {
		t.Fatalf("household transfer notes %d, want 1", n)
	}
	t.Run("the cadre can no longer act", func(t *testing.T) {
		wantContains(t, h.send(CadreZhang, "办结 1 好了"), "不归您办理")
	})
	t.Run("the coordinator of the parent unit accepts and resolves", func(t *testing.T) {
		wantContains(t, h.send(CoordLi, "诉求列表"), "#1 王春发｜住房｜已转办")
		wantContains(t, h.send(CoordLi, "受理 1"), "已受理诉求#1")
		wantContains(t, h.send(CoordLi, "办结 1 已安排危房改造"), "已办结")
		if got := h.requests(HHWang)[0].Status; got != domain.StatusResolved {
			t.Fatalf("status %s", got)
		}
	})
	t.Run("the coordinator cannot transfer to themself", func(t *testing.T) {
		h.send(HeadWang, "诉求 就业 想找活干")
		wantContains(t, h.send(CoordLi, "转办 2 试试"), "已经在单位协调员手里")
	})
}

// TestRequestListGroupsAndCounts: a coordinator with more open requests than one message holds sees
// them grouped by state with the full count of each, those nobody has taken on first, and is told
// how many were left out.
func TestRequestListGroupsAndCounts(t *testing.T) {
	h := newHarness(t)
	coord, unit := h.person(CoordLi), h.unit("U0101")
	at := h.clk.Now()
	states := map[domain.RequestStatus]int{domain.StatusAccepted: 30, domain.StatusNew: 25, domain.StatusTransferred: 5}
	for _, st := range []domain.RequestStatus{domain.StatusAccepted, domain.StatusNew, domain.StatusTransferred} {
		for i := 0; i < states[st]; i++ {
			r := store.Request{HouseholdID: h.household(HHWang), PersonID: h.person(HeadWang), Kind: domain.ReqRequest,
				Category: "就医", Text: "想办医疗救助卡", Status: st, AssigneeID: &coord, UnitID: &unit,
				AckDueAt: at.Add(24 * time.Hour), DueAt: at.Add(7 * 24 * time.Hour), CreatedAt: at}
			_, _, err := h.st.CreateRequest(context.Background(), r, nil)
			h.must(err)
		}
	}
	out := h.send(CoordLi, "诉求列表")
	wantContains(t, out, "待办诉求共60件", "【待受理 25件】", "【已转办 5件】", "【办理中 30件】",
		"另有10件没有列出（只列了50件）")
	newAt, movedAt, inHandAt := strings.Index(out, "【待受理"), strings.Index(out, "【已转办"), strings.Index(out, "【办理中")
	if !(newAt < movedAt && movedAt < inHandAt) {
		t.Fatalf("groups out of order:\n%s", out)
	}
	if n := strings.Count(out, "｜待受理｜"); n != 25 {
		t.Fatalf("%d 待受理 lines, want all 25 before any in hand:\n%s", n, out)
	}
	if n := strings.Count(out, "｜办理中｜"); n != 20 {
		t.Fatalf("%d 办理中 lines, want the 20 that fit", n)
	}
	wantContains(t, h.send(CadreZhang, "诉求列表"), "目前没有待办的诉求")
	wantContains(t, h.send(CoordChen, "诉求列表"), "目前没有待办的诉求") // another unit's coordinator
}

// A cadre says "1号受理了" the way they would tell a colleague: the request they hold is accepted.
func TestCadreAcceptsInTheirOwnWords(t *testing.T) {
	h := newHarness(t)
	h.send(HeadWang, "诉求 就医 想办医疗救助卡")
	wantContains(t, h.send(CadreZhang, "1号受理了"), "已受理诉求#1")
	if rs := h.requests(HHWang); rs[0].Status != domain.StatusAccepted {
		t.Fatalf("status %s, want accepted", rs[0].Status)
	}
}
