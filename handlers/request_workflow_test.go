package handlers_test

import (
	"testing"

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
		{"missing number", CadreZhang, "受理", []string{"请写上诉求编号"}, domain.StatusNew, "", nil},
		{"unknown number", CadreZhang, "受理 99", []string{"没有这个编号的诉求"}, domain.StatusNew, "", nil},
		{"accept", CadreZhang, "受理 #1", []string{"已受理诉求#1", "办结 1"}, domain.StatusAccepted, "accepted", []string{"张伟已经受理", "11月30日前"}},
		{"accept twice", CadreZhang, "受理 1", []string{"现在是“办理中”"}, domain.StatusAccepted, "", nil},
		{"resolve without result", CadreZhang, "办结 1", []string{"请写上办理结果"}, domain.StatusAccepted, "", nil},
		{"resolve", CadreZhang, "办结 1 已帮您办好医疗救助卡，下周送到", []string{"诉求#1已办结"}, domain.StatusResolved, "resolved", []string{"办好了：已帮您办好医疗救助卡", "回复1到5"}},
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
