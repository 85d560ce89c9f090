package handlers_test

import (
	"testing"
	"time"

	"qinqi/bot"
)

// A photo or location sent while a report waits for its household is kept with the report and
// attached once the number (or the name) records it; before, it went to the cadre's previous report
// and silently dropped the question, so the report was never recorded.
func TestEvidenceWaitsForTheHouseholdNumber(t *testing.T) {
	h := newHarness(t)
	h.send(CadreZhang, "电话 3 问身体")
	h.clk.Advance(2 * time.Minute)
	wantContains(t, h.send(CadreZhang, "讲政策 讲了医保缴费"), "报的是哪一户")
	got := h.msg(CadreZhang, bot.Message{Kind: bot.KindImage, MediaRef: "media/p1.jpg"})
	wantContains(t, got, "照片先收着", "选好是哪一户")
	wantContains(t, h.msg(CadreZhang, bot.Message{Kind: bot.KindLocation, Lat: wangLat + 0.001, Lng: wangLng}), "位置先收着")
	if cs := h.checkIns(CadreZhang); len(cs) != 1 || cs[0].PhotoRef != "" || cs[0].Lat != nil {
		t.Fatalf("the earlier report took the evidence: %+v", cs)
	}
	got = h.send(CadreZhang, "1")
	wantContains(t, got, "已记录 ✔", "讲政策｜王春发", "照片已附到：讲政策｜王春发", "位置已附到：讲政策｜王春发")
	cs := h.checkIns(CadreZhang)
	if len(cs) != 2 {
		t.Fatalf("check-ins %+v", cs)
	}
	for _, ci := range cs {
		if ci.Kind == "policy" && (ci.PhotoRef != "media/p1.jpg" || ci.Lat == nil || ci.DistanceM == nil || *ci.DistanceM > 200) {
			t.Errorf("policy report %+v", ci)
		}
		if ci.Kind != "policy" && (ci.PhotoRef != "" || ci.Lat != nil) {
			t.Errorf("the call took evidence: %+v", ci)
		}
	}
	t.Run("answered by name", func(t *testing.T) {
		h.send(CadreZhang, "送温暖 米20斤")
		h.msg(CadreZhang, bot.Message{Kind: bot.KindImage, MediaRef: "media/p2.jpg"})
		wantContains(t, h.send(CadreZhang, "李秀英"), "送温暖｜李秀英", "照片已附到：送温暖｜李秀英")
	})
	t.Run("a new report drops the question and its photo goes nowhere else", func(t *testing.T) {
		h.clk.Advance(time.Hour)
		h.send(CadreZhang, "办实事 帮办了医保")
		h.msg(CadreZhang, bot.Message{Kind: bot.KindImage, MediaRef: "media/p3.jpg"})
		got := h.send(CadreZhang, "走访 3 看房子")
		wantContains(t, got, "还没选是哪一户，没有记录", "走访｜李秀英")
		wantNot(t, got, "照片已附到")
		for _, ci := range h.checkIns(CadreZhang) {
			if ci.PhotoRef == "media/p3.jpg" {
				t.Errorf("the photo went to %+v", ci)
			}
		}
	})
}
