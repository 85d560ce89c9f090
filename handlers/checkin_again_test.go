package handlers_test

import (
	"testing"
	"time"
)

// liveCheckIns counts the cadre's reports that stand (not undone).
func (h *harness) liveCheckIns(code string) int {
	n := 0
	for _, c := range h.checkIns(code) {
		if c.UndoneAt == nil {
			n++
		}
	}
	return n
}

// TestReportSentAgainInOtherWords: a cadre on one bar of signal sends the report again in other
// words; it is not recorded twice, the reply says when and under which number it was, 1 records it
// all the same, 2 adds its new words to the earlier report.
func TestReportSentAgainInOtherWords(t *testing.T) {
	t.Run("fewer words, the same money", func(t *testing.T) {
		h := newHarness(t)
		wantContains(t, h.send(CadreZhang, "王春发家孩子考上大学了 送了500元"), "已记录 ✔", "500元")
		h.clk.Advance(5 * time.Minute)
		got := h.send(CadreZhang, "王春发 送了500元")
		wantContains(t, got, "这条没有再记：王春发 今天的走访 10:30 已经记过了（#1）", "回复 1 或“再记一条”")
		wantNot(t, got, "已记录", "回复 2")
		if n := h.liveCheckIns(CadreZhang); n != 1 {
			t.Fatalf("%d reports, want 1", n)
		}
		wantContains(t, h.send(CadreZhang, "1"), "已记录 ✔", "走访｜王春发｜今天", "500元")
		if n := h.liveCheckIns(CadreZhang); n != 2 {
			t.Fatalf("%d reports after 1, want 2", n)
		}
	})
	t.Run("撤销 takes back the resend, not the report that stands", func(t *testing.T) {
		h := newHarness(t)
		wantContains(t, h.send(CadreZhang, "王春发家孩子考上大学了 送了500元"), "已记录 ✔")
		wantContains(t, h.send(CadreZhang, "王春发 送了500元"), "这条没有再记")
		wantContains(t, h.send(CadreZhang, "撤销"), "这条没有再记，之前记的那条照旧", "再发“撤销”")
		if n := h.liveCheckIns(CadreZhang); n != 1 {
			t.Fatalf("%d reports stand after 撤销 of the resend, want the first", n)
		}
		h.clk.Advance(time.Minute)
		wantContains(t, h.send(CadreZhang, "王春发 送了500元"), "这条没有再记")
		h.clk.Advance(time.Minute)
		wantContains(t, h.send(CadreZhang, "好的"), "之前记的那条照旧")
		h.clk.Advance(time.Minute)
		wantContains(t, h.send(CadreZhang, "撤销"), "已撤销：走访｜王春发")
		if n := h.liveCheckIns(CadreZhang); n != 0 {
			t.Fatalf("%d reports stand after a second 撤销, want none", n)
		}
	})
	t.Run("more words are added to the earlier report with 2", func(t *testing.T) {
		h := newHarness(t)
		wantContains(t, h.send(CadreZhang, "走访 王春发 送了500元"), "已记录 ✔")
		h.clk.Advance(10 * time.Minute)
		got := h.send(CadreZhang, "王春发家孩子考上大学了 送了500元")
		wantContains(t, got, "这条没有再记", "#1", "这次多说的“孩子考上大学了”要加到那条里，回复 2")
		wantContains(t, h.send(CadreZhang, "2"), "已补充到那条（#1）✔", "内容：孩子考上大学了", "500元")
		cs := h.checkIns(CadreZhang)
		if len(cs) != 1 || cs[0].Text != "孩子考上大学了" || cs[0].ValueFen != 50000 {
			t.Fatalf("check-ins %+v, want one of 500元 with the child's news", cs)
		}
	})
	t.Run("补充 goes to the earlier report, not the last one", func(t *testing.T) {
		h := newHarness(t)
		wantContains(t, h.send(CadreZhang, "走访 王春发 送米20斤"), "已记录 ✔")
		wantContains(t, h.send(CadreZhang, "走访 李秀英 看了房子"), "已记录 ✔")
		got := h.send(CadreZhang, "走访 王春发 送米20斤 老人腿疼")
		wantContains(t, got, "王春发 今天的走访 10:30 已经记过了（#1）", "老人腿疼")
		wantContains(t, h.send(CadreZhang, "补充 老人腿疼 要去医院"), "已补充到那条（#1）", "王春发", "老人腿疼 要去医院")
		cs := h.checkIns(CadreZhang)
		if len(cs) != 2 || cs[0].Text != "老人腿疼 要去医院" || cs[1].Text != "看了房子" {
			t.Fatalf("check-ins %+v, want 王春发's with the words added, 李秀英's as it was", cs)
		}
	})
	t.Run("other money, another kind, another day or later than two hours is another report", func(t *testing.T) {
		h := newHarness(t)
		for _, msg := range []string{"走访 王春发 送了500元", "走访 王春发 送了300元", "送温暖 王春发 送了500元", "昨天 走访 王春发 送了500元"} {
			wantContains(t, h.send(CadreZhang, msg), "已记录 ✔")
		}
		h.clk.Advance(2*time.Hour + time.Minute)
		wantContains(t, h.send(CadreZhang, "走访 王春发 送了500元 又去看了看"), "已记录 ✔")
		if n := h.liveCheckIns(CadreZhang); n != 5 {
			t.Fatalf("%d reports, want 5", n)
		}
	})
	t.Run("words alone with new words are another visit", func(t *testing.T) {
		h := newHarness(t)
		wantContains(t, h.send(CadreZhang, "走访 王春发 看了房子"), "已记录 ✔")
		wantContains(t, h.send(CadreZhang, "走访 王春发 下午又去了一次 问了医保"), "已记录 ✔")
		wantContains(t, h.send(CadreZhang, "王春发 走访了"), "这条没有再记", "#2")
		if n := h.liveCheckIns(CadreZhang); n != 2 {
			t.Fatalf("%d reports, want 2", n)
		}
	})
	t.Run("after 撤销 of the earlier report it is recorded", func(t *testing.T) {
		h := newHarness(t)
		wantContains(t, h.send(CadreZhang, "王春发家孩子考上大学了 送了500元"), "已记录 ✔")
		wantContains(t, h.send(CadreZhang, "王春发 送了500元"), "这条没有再记")
		wantContains(t, h.send(CadreZhang, "撤销"), "之前记的那条照旧") // the resend is taken back, not the report
		h.clk.Advance(time.Minute)
		wantContains(t, h.send(CadreZhang, "撤销"), "已撤销", "王春发")
		wantNot(t, h.send(CadreZhang, "1"), "已记录") // the question went with the first 撤销: nothing recorded
		if n := h.liveCheckIns(CadreZhang); n != 0 {
			t.Fatalf("%d reports, want none", n)
		}
		wantContains(t, h.send(CadreZhang, "王春发 送了500元"), "已记录 ✔")
		if n := h.liveCheckIns(CadreZhang); n != 1 {
			t.Fatalf("%d reports, want 1", n)
		}
	})
	t.Run("another message drops the question", func(t *testing.T) {
		h := newHarness(t)
		wantContains(t, h.send(CadreZhang, "走访 王春发 送了500元"), "已记录 ✔")
		wantContains(t, h.send(CadreZhang, "王春发 送了500元"), "这条没有再记")
		wantContains(t, h.send(CadreZhang, "走访 李秀英 看了房子"), "已记录 ✔", "李秀英")
		wantNot(t, h.send(CadreZhang, "1"), "已记录")
		wantContains(t, h.send(CadreZhang, "再记一条"), "没有等着再记的报告")
		if n := h.liveCheckIns(CadreZhang); n != 2 {
			t.Fatalf("%d reports, want 2", n)
		}
	})
}

// TestSeveralSentAgain: a report for several households records those not yet recorded and asks
// about the others; 1 records them too, and 撤销 takes back what one message recorded.
func TestSeveralSentAgain(t *testing.T) {
	t.Run("a list of households", func(t *testing.T) {
		h := newHarness(t)
		wantContains(t, h.send(CadreZhang, "送温暖 1、2 米20斤"), "已记录 ✔（2户")
		h.clk.Advance(3 * time.Minute)
		got := h.send(CadreZhang, "送温暖 1、3 米20斤")
		wantContains(t, got, "已记录 ✔（1户", "送温暖｜李秀英｜今天", "这条没有再记：王春发 今天的送温暖 10:30 已经记过了（#1）")
		wantNot(t, got, "王秋菊")
		if n := h.liveCheckIns(CadreZhang); n != 3 {
			t.Fatalf("%d reports, want 3", n)
		}
		h.clk.Advance(time.Minute)
		wantContains(t, h.send(CadreZhang, "再记一条"), "已记录 ✔", "送温暖｜王春发｜今天")
		if n := h.liveCheckIns(CadreZhang); n != 4 {
			t.Fatalf("%d reports after 再记一条, want 4", n)
		}
		wantContains(t, h.send(CadreZhang, "撤销"), "已撤销", "王春发")
		if n := h.liveCheckIns(CadreZhang); n != 3 {
			t.Fatalf("%d reports after 撤销, want 3", n)
		}
	})
	t.Run("by list numbers, each its own words", func(t *testing.T) {
		h := newHarness(t)
		wantContains(t, h.send(CadreZhang, "讲政策 1 讲了医保 2 讲了低保"), "各记各的")
		got := h.send(CadreZhang, "讲政策 1 讲了医保 3 讲了养老")
		wantContains(t, got, "讲政策｜李秀英｜今天\n内容：讲了养老", "这条没有再记：王春发 今天的讲政策 10:30 已经记过了（#1）")
		if n := h.liveCheckIns(CadreZhang); n != 3 {
			t.Fatalf("%d reports, want 3", n)
		}
	})
	t.Run("all of them already recorded", func(t *testing.T) {
		h := newHarness(t)
		wantContains(t, h.send(CadreZhang, "送温暖 1、2 米20斤"), "已记录 ✔（2户")
		got := h.send(CadreZhang, "送温暖 1、2 米20斤 下午")
		wantContains(t, got, "这几户没有再记", "王春发 今天的送温暖", "王秋菊 今天的送温暖", "这几户再各记一条")
		wantNot(t, got, "已记录")
		wantContains(t, h.send(CadreZhang, "1"), "已记录 ✔（2户")
		if n := h.liveCheckIns(CadreZhang); n != 4 {
			t.Fatalf("%d reports, want 4", n)
		}
	})
}
