package handlers_test

import (
	"strings"
	"testing"
	"time"
)

// Phone and ID numbers people type into free text are masked wherever that text is forwarded or
// shown in chat; the database keeps what was typed.
const (
	piiMobile = "13912345678"
	piiID     = "33010219551107123X"
	piiLand   = "0571-88881234"
)

func wantMasked(t *testing.T, where, got string) {
	t.Helper()
	for _, raw := range []string{piiMobile, piiID, "88881234"} {
		if strings.Contains(got, raw) {
			t.Errorf("%s shows %s in full: %q", where, raw, got)
		}
	}
}

func TestFreeTextNumbersMaskedInChat(t *testing.T) {
	h := newHarness(t)
	typed := "孙子电话" + piiMobile + " 身份证" + piiID + " 村委会" + piiLand
	h.send(HeadWang, "诉求 就医 想办医疗救助卡 "+typed)
	r := h.requests(HHWang)[0]
	if !strings.Contains(r.Text, piiMobile) || !strings.Contains(r.Text, piiID) {
		t.Fatalf("the database must keep the full text, has %q", r.Text)
	}
	notes := h.outboxTo(CadreZhang, r.ID, "new")
	if len(notes) != 1 {
		t.Fatalf("cadre notes %v", notes)
	}
	wantMasked(t, "the new-request note", notes[0])
	wantContains(t, notes[0], "139****5678", "330*************3X", "0571-****1234")

	h.send(CadreZhang, "受理 1")
	h.send(CadreZhang, "办结 1 已办好，有事打我手机 13812340000")
	res := h.outboxTo(HeadWang, r.ID, "resolved")
	if len(res) != 1 {
		t.Fatalf("household notes %v", res)
	}
	wantContains(t, res[0], "138****0000")
	if strings.Contains(res[0], "13812340000") {
		t.Errorf("resolution text in full: %q", res[0])
	}

	h.send(HeadLiu, "投诉 干部不来，我电话"+piiMobile)
	c := h.requests(HHLiu)[0]
	cn := h.outboxTo(CoordLi, c.ID, "complaint")
	if len(cn) != 1 {
		t.Fatalf("complaint notes %v", cn)
	}
	wantMasked(t, "the complaint note", cn[0])

	h.send(HeadWang, "诉求 住房 屋顶漏雨")
	h.send(CadreZhang, "转办 3 请联系施工队 "+piiMobile)
	tn := h.outboxTo(CoordLi, 3, "transfer")
	if len(tn) != 1 {
		t.Fatalf("transfer notes %v", tn)
	}
	wantMasked(t, "the transfer note", tn[0])

	wantMasked(t, "the check-in receipt", h.send(CadreZhang, "走访 王春发 留了他儿子电话"+piiMobile+" 身份证"+piiID))
	if ci := h.checkIns(CadreZhang); len(ci) != 1 || !strings.Contains(ci[0].Text, piiMobile) {
		t.Fatalf("check-in must keep the full text: %+v", ci)
	}
	wantMasked(t, "the plan receipt", h.send(CadreZhang, "计划 联系民政 "+piiLand+" 办低保"))
	wantMasked(t, "the plan", h.send(CadreZhang, "计划"))
}

// A household's words about a disputed visit and the coordinator's finding are free text too: the
// coordinator and the cadre see numbers masked, the discrepancy row keeps them.
func TestDiscrepancyWordsMaskedInChat(t *testing.T) {
	h := newWordHarness(t)
	h.send(CadreZhang, "送温暖 王春发 米20斤 油2桶")
	h.ask(15 * time.Minute)
	h.send(HeadWang, "3")
	h.send(HeadWang, "只送了米，有事打我儿子"+piiMobile+"，身份证"+piiID+"的是我老伴")
	notes := h.notesTo(CoordLi, "disc:")
	if len(notes) != 2 {
		t.Fatalf("coordinator notes %q", notes)
	}
	for _, n := range notes {
		wantMasked(t, "the discrepancy note", n)
	}
	wantContains(t, notes[1], "139****5678", "330*************3X")
	ds := h.discs()
	if len(ds) != 1 || !strings.Contains(ds[0].Note, piiMobile) || !strings.Contains(ds[0].Note, piiID) {
		t.Fatalf("the discrepancy must keep what was typed: %+v", ds)
	}
	wantMasked(t, "the list of open discrepancies", h.send(CoordLi, "核实"))
	h.send(CoordLi, "核实 1 属实 村委会"+piiLand+"证实油没有送")
	closed := h.notesTo(CadreZhang, "disc:")
	if len(closed) != 1 {
		t.Fatalf("cadre notes %q", closed)
	}
	wantMasked(t, "the verdict note", closed[0])
	wantContains(t, closed[0], "0571-****1234")
}
