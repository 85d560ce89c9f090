package handlers_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/store"
)

func TestListShowsOwnHouseholdsWithLastContactAndDue(t *testing.T) {
	h := newHarness(t)
	h.send(CadreZhang, "电话 2 前天 问了春耕")
	got := h.send(CadreZhang, "我的亲戚")
	wantContains(t, got,
		"1. 王春发｜还没有联系记录｜",
		"2. 王秋菊｜上次11月21日（2天前）｜",
		"3. 李秀英｜还没有联系记录｜",
		"本季度还需走访1次",
		"走访 编号 内容")
	wantNot(t, got, "刘大山", "1380000")
	t.Run("slash alias", func(t *testing.T) {
		wantContains(t, h.send(CadreZhang, "/list"), "1. 王春发")
	})
	t.Run("another cadre sees only their own", func(t *testing.T) {
		got := h.send(CadreZhao, "我的亲戚")
		wantContains(t, got, "1. 刘大山")
		wantNot(t, got, "王春发", "王秋菊")
	})
	t.Run("asked in the cadre's words", func(t *testing.T) {
		for _, in := range []string{"哪些户还没去", "我有几户", "这个月还要去哪几家", "还有几户没去？", "谁还没走访", "还有谁没走访", "本月任务"} {
			wantContains(t, h.send(CadreZhang, in), "1. 王春发", "走访 编号 内容")
		}
	})
	t.Run("a report that says it will go again is still a report", func(t *testing.T) {
		wantContains(t, h.send(CadreZhang, "昨天去了李秀英家，下周还要去"), "已记录", "走访｜李秀英｜昨天")
		wantContains(t, h.send(CadreZhang, "今天去看了王春发等几户"), "已记录", "走访｜王春发｜今天")
		wantContains(t, h.send(CadreZhang, "走访王春发 问他谁还没去体检"), "已记录", "走访｜王春发｜今天")
	})
	t.Run("how to report is the help", func(t *testing.T) {
		wantContains(t, h.send(CadreZhang, "怎么报"), "可用的命令")
	})
}

func TestUndo(t *testing.T) {
	cases := []struct {
		name    string
		wait    time.Duration
		reply   []string
		undone  bool
		reports int
	}{
		{"within the window", 9 * time.Minute, []string{"已撤销：走访｜王春发｜今天"}, true, 1},
		{"too late", 11 * time.Minute, []string{"超过10分钟，不能撤销"}, false, 1},
		{"nothing to undo", 0, []string{"还没有可以撤销的报告"}, false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			if tc.reports > 0 {
				h.send(CadreZhang, "走访 1 送米20斤")
			}
			h.clk.Advance(tc.wait)
			wantContains(t, h.send(CadreZhang, "撤销"), tc.reply...)
			cs := h.checkIns(CadreZhang)
			if len(cs) != tc.reports {
				t.Fatalf("have %d check-ins, want %d", len(cs), tc.reports)
			}
			if tc.reports > 0 && (cs[0].UndoneAt != nil) != tc.undone {
				t.Fatalf("undone = %v, want %v", cs[0].UndoneAt != nil, tc.undone)
			}
			if tc.undone {
				a := h.audit("checkin", int64(cs[0].ID))
				if len(a) != 2 || a[1].Action != store.ActUndo {
					t.Fatalf("audit = %+v, want create then undo", a)
				}
			}
		})
	}
	t.Run("undo names the day the report was for, not the day it was undone", func(t *testing.T) {
		h := newHarness(t)
		h.send(CadreZhang, "昨天 走访 1 送米20斤")
		wantContains(t, h.send(CadreZhang, "撤销"), "已撤销：走访｜王春发｜昨天")
		h.send(CadreZhang, "前天 电话 3 问药")
		wantContains(t, h.send(CadreZhang, "撤销"), "已撤销：联系｜李秀英｜11月21日")
	})
	t.Run("undo takes the latest report only and keeps the older one", func(t *testing.T) {
		h := newHarness(t)
		h.send(CadreZhang, "走访 1 送米20斤")
		h.send(CadreZhang, "电话 3 问药")
		wantContains(t, h.send(CadreZhang, "/undo"), "联系｜李秀英")
		cs := h.checkIns(CadreZhang)
		if cs[0].UndoneAt != nil || cs[1].UndoneAt == nil {
			t.Fatalf("want only the second report undone: %+v", cs)
		}
		wantContains(t, h.send(CadreZhang, "撤销"), "已撤销：走访｜王春发")
	})
}

func TestEvidenceAttachesToTheLastReport(t *testing.T) {
	near := bot.Message{Kind: bot.KindLocation, Lat: wangLat + 0.001, Lng: wangLng}
	far := bot.Message{Kind: bot.KindLocation, Lat: wangLat + 0.1, Lng: wangLng}
	photo := bot.Message{Kind: bot.KindImage, MediaRef: "media/p1.jpg"}
	cases := []struct {
		name   string
		report string
		wait   time.Duration
		send   bot.Message
		reply  []string
		check  func(t *testing.T, c store.CheckIn)
	}{
		{"location near the household", "走访 1 送米20斤", 5 * time.Minute, near, []string{"位置已附到：走访｜王春发", "离登记住址约111米"},
			func(t *testing.T, c store.CheckIn) {
				if c.DistanceM == nil || *c.DistanceM < 100 || *c.DistanceM > 120 || c.Far {
					t.Errorf("distance %v far %v, want about 111 m, not far", c.DistanceM, c.Far)
				}
			}},
		{"far location is flagged, not refused", "走访 1 送米20斤", 5 * time.Minute, far, []string{"约11.1公里", "超过2.0公里，已备注，记录照常有效"},
			func(t *testing.T, c store.CheckIn) {
				if !c.Far || c.UndoneAt != nil {
					t.Errorf("far %v undone %v, want flagged and kept", c.Far, c.UndoneAt)
				}
			}},
		{"household without a registered location", "走访 2 看房子", time.Minute, near, []string{"位置已附到：走访｜王秋菊"},
			func(t *testing.T, c store.CheckIn) {
				if c.Lat == nil || c.DistanceM != nil {
					t.Errorf("lat %v distance %v, want the point stored without a distance", c.Lat, c.DistanceM)
				}
			}},
		{"photo", "送温暖 1 棉被2床", time.Minute, photo, []string{"照片已附到：送温暖｜王春发"},
			func(t *testing.T, c store.CheckIn) {
				if c.PhotoRef != "media/p1.jpg" {
					t.Errorf("photo ref %q", c.PhotoRef)
				}
			}},
		{"too late to attach", "走访 1 送米20斤", 31 * time.Minute, near, []string{"30分钟内没有您的报告"},
			func(t *testing.T, c store.CheckIn) {
				if c.Lat != nil {
					t.Errorf("a late location was attached")
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.send(CadreZhang, tc.report)
			h.clk.Advance(tc.wait)
			wantContains(t, h.msg(CadreZhang, tc.send), tc.reply...)
			cs := h.checkIns(CadreZhang)
			if len(cs) != 1 {
				t.Fatalf("have %d check-ins, want 1", len(cs))
			}
			tc.check(t, cs[0])
		})
	}
	t.Run("a household's photo is not evidence: it is asked about like a sentence", func(t *testing.T) {
		h := newHarness(t)
		wantContains(t, h.msg(HeadWang, photo), "您说的是：“（照片）”", "回复 1 交给帮扶干部办理")
	})
	t.Run("a report for several households: each report takes it, an earlier report does not", func(t *testing.T) {
		h := newHarness(t)
		h.send(CadreZhang, "走访 2 看房子")
		h.clk.Advance(time.Minute)
		h.send(CadreZhang, "今天走访了王春发和李秀英 送米各一袋")
		h.clk.Advance(time.Minute)
		got := h.msg(CadreZhang, near)
		wantContains(t, got, "位置已附到：走访｜王春发、李秀英。", "王春发离登记住址约111米")
		wantContains(t, h.msg(CadreZhang, photo), "照片已附到：走访｜王春发、李秀英。")
		cs := h.checkIns(CadreZhang)
		if len(cs) != 3 || cs[0].Lat != nil || cs[0].PhotoRef != "" {
			t.Fatalf("check-ins %+v, want the earlier report untouched", cs)
		}
		for _, c := range cs[1:] {
			if c.Lat == nil || c.PhotoRef != "media/p1.jpg" {
				t.Errorf("check-in of household %d: lat %v photo %q, want both attached", c.HouseholdID, c.Lat, c.PhotoRef)
			}
		}
	})
}

func TestPlan(t *testing.T) {
	h := newHarness(t)
	wantContains(t, h.send(CadreZhang, "计划"), "11月还没有工作计划")
	wantContains(t, h.send(CadreZhang, "计划 本月走访全部亲戚，帮王春发联系就业"), "11月工作计划已保存", "帮王春发联系就业")
	wantContains(t, h.send(CadreZhang, "/plan 改为：先走访李秀英"), "先走访李秀英")
	p, err := h.st.WorkPlanOf(h.ctx, h.person(CadreZhang), "2026-11")
	h.must(err)
	if p.Text != "改为：先走访李秀英" {
		t.Fatalf("plan text %q, want the second plan replacing the first", p.Text)
	}
	if a := h.audit("workplan", p.ID); len(a) != 2 {
		t.Fatalf("audit rows %d, want 2", len(a))
	}
	wantContains(t, h.send(CadreZhang, "计划"), "11月工作计划：改为：先走访李秀英")
	wantContains(t, h.send(HeadWang, "计划 想要"), "不是您这个身份能用的命令")
}

// TestCadreProbeWords: a cadre's thanks are greeted back, a leave asked of the bot is passed to the
// coordinator, and a report that says it was all households asks, with all of them as the last
// choice, and records no "全部" as its words.
func TestCadreProbeWords(t *testing.T) {
	h := newHarness(t)
	for _, in := range []string{"谢谢", "你好", "好的"} {
		wantContains(t, h.send(CadreZhang, in), "您好！报走访直接发一句话")
	}
	for _, in := range []string{"请假", "我今天不舒服 请假", "请假 明天到后天 家里有事"} {
		wantContains(t, h.send(CadreZhang, in), "已转告单位协调员 李协调")
	}
	got := h.send(CadreZhang, "送温暖 全部 米20斤")
	wantContains(t, got, "报的是哪一户", "1. 王春发", "户都记")
	n := strings.Count(got, "\n") - 1 // the question, one line a choice, the time limit
	wantContains(t, h.send(CadreZhang, strconv.Itoa(n)), "已记录 ✔（", "物品：米×20斤")
	for _, c := range h.checkIns(CadreZhang) {
		if c.Text != "" || c.Items != "米×20斤" {
			t.Fatalf("check-in %+v, want 米×20斤 and no words", c)
		}
	}
	wantContains(t, h.send(CadreZhang, "三户都走访了"), "户都记")
	got = h.send(CadreZhang, "讲政策 讲了医保")
	wantNot(t, got, "户都记")
	if len(h.checkIns(CadreZhang)) < 2 {
		t.Fatal("all households were not recorded")
	}
}
