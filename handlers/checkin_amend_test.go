package handlers_test

import (
	"testing"
	"time"

	"qinqi/store"
)

// TestReportInPieces: a report sent in two pieces on a bad line ("走访王春发", then "送了两袋米") is one
// report with the goods; the same piece sent again is added once; 补充 adds words; a piece that names
// a household, one without goods, and one after the attach window are not added; a household's
// "补充一下…" is its own sentence.
func TestReportInPieces(t *testing.T) {
	h := newHarness(t)
	wantContains(t, h.send(CadreZhang, "走访王春发"), "已记录 ✔", "走访｜王春发｜今天")
	got := h.send(CadreZhang, "送了两袋米")
	wantContains(t, got, "已补充到刚才的报告 ✔", "走访｜王春发｜今天", "物品：米×2袋")
	wantContains(t, h.send(CadreZhang, "送了两袋米"), "这条已经补充过了")
	wantContains(t, h.send(CadreZhang, "还给了现金200元"), "已补充到刚才的报告", "金额：200元")
	wantContains(t, h.send(CadreZhang, "还给了慰问金300元"), "已补充到刚才的报告", "金额：500元")
	wantContains(t, h.send(CadreZhang, "补充 他儿子下个月回来"), "内容：他儿子下个月回来")
	wantContains(t, h.send(CadreZhang, "今天好冷"), "没看懂")
	wantContains(t, h.send(CadreZhang, "补充 王秋菊 送油"), "补充不用写户名或日期")
	wantContains(t, h.send(CadreZhang, "补充"), "请这样写：补充")
	cs := h.checkIns(CadreZhang)
	if len(cs) != 1 || cs[0].Items != "米×2袋" || cs[0].ValueFen != 50000 || cs[0].Text != "他儿子下个月回来" {
		t.Fatalf("check-ins = %+v, want the one report with the pieces", cs)
	}
	if a := h.audit("checkin", int64(cs[0].ID)); len(a) != 5 || a[1].Action != store.ActAmend {
		t.Fatalf("audit = %+v, want create and four amendments", a)
	}
	h.clk.Advance(11 * time.Minute)
	wantContains(t, h.send(CadreZhang, "送了一桶油"), "没看懂")
	wantContains(t, h.send(CadreZhang, "补充 送了一桶油"), "10分钟内没有您的报告，没有可补充的")
	if cs := h.checkIns(CadreZhang); len(cs) != 1 || cs[0].Items != "米×2袋" {
		t.Fatalf("check-ins after the window = %+v", cs)
	}
	wantContains(t, h.send(HeadWang, "补充一下 我家低保还没到账"), "您说的是：“补充一下 我家低保还没到账”")
}

// TestPiecesOfAListReport: a piece after a report for several households goes to each of them; a
// bad amount in a piece is refused and changes nothing.
func TestPiecesOfAListReport(t *testing.T) {
	h := newHarness(t)
	wantContains(t, h.send(CadreZhang, "走访 王春发 王秋菊"), "2户")
	wantContains(t, h.send(CadreZhang, "各送了一桶油"), "已补充到刚才的报告", "王春发、王秋菊", "物品：油×1桶")
	wantContains(t, h.send(CadreZhang, "还给了现金-100元"), "金额不能是负数")
	cs := h.checkIns(CadreZhang)
	if len(cs) != 2 {
		t.Fatalf("check-ins = %+v", cs)
	}
	for _, c := range cs {
		if c.Items != "油×1桶" || c.Text != "" || c.ValueFen != 0 {
			t.Fatalf("check-in = %+v, want the oil and nothing else", c)
		}
	}
}
