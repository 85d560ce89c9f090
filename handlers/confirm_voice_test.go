package handlers_test

import (
	"strings"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

const confirmQuestion = "张伟说11月23日来家里看望了您，送了化肥3包。是这样吗？回复 1 是　2 没有来　3 有出入"

// askedWang is a word harness where 王春发 has just been asked to confirm 张伟's visit.
func askedWang(t *testing.T) *harness {
	t.Helper()
	h := newWordHarness(t)
	h.send(CadreZhang, "走访 王春发 送化肥3包")
	if res := h.ask(15 * time.Minute); res["asked"] != 1 {
		t.Fatalf("job %v", res)
	}
	return h
}

func (h *harness) voice(code, heard, ref string) string {
	h.t.Helper()
	return h.msg(code, bot.Message{Kind: bot.KindVoice, Text: heard, MediaRef: ref})
}

// A voice message the platform heard as an answer is that answer, as if typed: "他没来" opens a
// discrepancy for the coordinator and the cadre hears nothing; it went to the cadre as a voice request.
func TestVoiceHeardAsAnAnswerAnswersTheConfirmation(t *testing.T) {
	for _, tc := range []struct {
		heard, reply string
		want         domain.SpotAnswer
		discs        int
	}{
		{"他没来。", "单位联络员会核实", domain.AnswerNo, 1},
		{"来过了", "谢谢您的确认，已记录", domain.AnswerYes, 0},
		{"1", "谢谢您的确认，已记录", domain.AnswerYes, 0},
		{"一。", "谢谢您的确认，已记录", domain.AnswerYes, 0},
		{"3 只送了化肥，没有钱", "单位联络员会核实", domain.AnswerPartly, 1},
	} {
		t.Run(tc.heard, func(t *testing.T) {
			h := askedWang(t)
			wantContains(t, h.voice(HeadWang, tc.heard, "media/v1.amr"), tc.reply)
			vc, err := h.st.LatestChatConfirm(h.ctx, h.household(HHWang))
			h.must(err)
			if vc.Answer != tc.want {
				t.Errorf("confirmation %+v, want %s", vc, tc.want)
			}
			if ds := h.discs(); len(ds) != tc.discs {
				t.Errorf("discrepancies %+v", ds)
			}
			if n := h.notesTo(CoordLi, "disc:new"); len(n) != tc.discs {
				t.Errorf("coordinator notes %q", n)
			}
			if n := h.notesTo(CadreZhang, ""); len(n) != 0 || len(h.requests(HHWang)) != 0 {
				t.Errorf("the cadre was told %q; requests %+v", n, h.requests(HHWang))
			}
		})
	}
}

// Any other voice message while the confirmation is the latest question goes to the unit's
// coordinator with what was asked, never to the cadre; the household hears so and is asked again,
// and the question stays open.
func TestVoiceWhileConfirmingGoesToTheCoordinator(t *testing.T) {
	for _, tc := range []struct{ name, heard, line string }{
		{"a recording nobody transcribed", "", "平台没有识别出文字"},
		{"words that are no answer", "那天我不在家 你问问我儿子 13700000001", "平台识别的文字：“那天我不在家 你问问我儿子 137****0001”"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := askedWang(t)
			rec := mediaFile(t, "v1.amr")
			rs := h.msg(HeadWang, bot.Message{Kind: bot.KindVoice, Text: tc.heard, MediaRef: rec})
			wantContains(t, rs, "您的语音已转给单位联络员（不会转给干部）", confirmQuestion)
			notes := h.notesTo(CoordLi, "confirm:voice")
			if len(notes) != 1 {
				t.Fatalf("coordinator notes %q", notes)
			}
			wantContains(t, notes[0], "【户主语音】王春发户（H01）", "正在等他回答走访确认：张伟报的11月23日 走访（化肥3包），是否属实",
				tc.line, "没有转给干部", "照片或录音见下一条")
			wantNot(t, notes[0], "13700000001")
			files := h.outboxFiles(CoordLi, "confirm:audio")
			if len(files) != 1 || files[0].FilePath != rec || files[0].Kind != store.OutFile || !strings.HasPrefix(files[0].FileName, "语音-王春发-") {
				t.Errorf("the recording to the coordinator: %+v", files)
			}
			if n := h.notesTo(CadreZhang, ""); len(n) != 0 {
				t.Errorf("the cadre was sent %q", n)
			}
			if rs := h.requests(HHWang); len(rs) != 0 {
				t.Errorf("filed as a request: %+v", rs)
			}
			wantContains(t, h.send(HeadWang, "1"), "谢谢您的确认，已记录")
		})
	}
}

// outboxFiles are the file messages queued for a person whose key contains what.
func (h *harness) outboxFiles(code, what string) []store.OutboxMessage {
	h.t.Helper()
	ms, err := h.st.OutboxWithPrefix(h.ctx, "")
	h.must(err)
	var out []store.OutboxMessage
	for _, m := range ms {
		if m.PersonID != nil && *m.PersonID == h.person(code) && strings.Contains(m.Key, what) && m.FilePath != "" {
			out = append(out, m)
		}
	}
	return out
}

// A cadre who also coordinates his unit is not sent the voice about his own visit: the unit above
// takes it; with nobody anywhere the household is told to phone, and nothing goes to the cadre.
func TestVoiceWhileConfirmingSkipsTheCadre(t *testing.T) {
	h := askedWang(t)
	u11 := h.unit("U0101")
	h.must(h.st.UpsertPeople(h.ctx, []store.Person{{Code: CadreZhang, Name: "张伟", Phone: "13800000001",
		Roles: domain.MakeRoles(domain.RoleCadre, domain.RoleCoordinator), UnitID: &u11, Title: "科员"}}, nil))
	wantContains(t, h.voice(HeadWang, "", "media/v1.amr"), "已转给单位联络员")
	if n := h.notesTo(CoordLi, "confirm:voice"); len(n) != 1 {
		t.Errorf("the coordinator above: %q", n)
	}
	t.Run("nobody to take it", func(t *testing.T) {
		u1 := h.unit("U01")
		h.must(h.st.UpsertPeople(h.ctx, []store.Person{{Code: CoordLi, Name: "李协调", Roles: domain.MakeRoles(domain.RoleCadre), UnitID: &u1}}, nil))
		got := h.voice(HeadWang, "我跟你说个事", "media/v2.amr")
		wantContains(t, got, "暂时没有单位联络员可以接收，没有转出去", "请拨打镇政府或单位的办公电话", confirmQuestion)
	})
	if n := h.notesTo(CadreZhang, ""); len(n) != 0 {
		t.Errorf("the cadre was sent %q", n)
	}
	if rs := h.requests(HHWang); len(rs) != 0 {
		t.Errorf("filed as a request: %+v", rs)
	}
}

// The monthly call-back question is the same: "没有" by voice answers it; a voice that is no answer
// (有出入 is none to a yes/no question) goes to the coordinator and the question is asked again.
func TestVoiceWhileTheCallBackQuestionWaits(t *testing.T) {
	h := newWordHarness(t)
	p, err := h.st.ActivePairingsOfHousehold(h.ctx, h.household(HHWang), h.clk.Now())
	h.must(err)
	asked := h.clk.Now().Add(-48 * time.Hour)
	oct := clock.Date(2026, 10, 12).Add(9 * time.Hour)
	h.must(h.st.InsertFixture(h.ctx,
		&store.CheckIn{PairingID: p[0].ID, CadreID: p[0].CadreID, HouseholdID: p[0].HouseholdID, Kind: domain.KindVisit, OccurredAt: oct, ReportedAt: oct},
		&store.SpotCheck{Month: "2026-10", HouseholdID: p[0].HouseholdID, PairingID: p[0].ID, CadreID: p[0].CadreID, AskedAt: &asked}))
	got := h.voice(HeadWang, "有出入", "media/v1.amr")
	wantContains(t, got, "已转给单位联络员", "10月份，帮扶干部张伟是否联系或走访过您？回复 1 是 / 2 否")
	notes := h.notesTo(CoordLi, "spot:voice")
	if len(notes) != 1 {
		t.Fatalf("coordinator notes %q", notes)
	}
	wantContains(t, notes[0], "正在等他回答10月份的回访：帮扶干部张伟是否联系或走访过他", "“有出入”", "这里看不到，请电话了解")
	wantContains(t, h.voice(HeadWang, "没有", "media/v2.amr"), "单位联络员会核实")
	if ds := h.discs(); len(ds) != 1 || ds[0].Source != domain.DiscFromSpot || ds[0].Answer != domain.AnswerNo {
		t.Errorf("discrepancies %+v", ds)
	}
	if n := h.notesTo(CadreZhang, ""); len(n) != 0 {
		t.Errorf("the cadre was sent %q", n)
	}
}

// After "3 有出入" the bot asks what differs; a voice message or photo then is the answer to that,
// added to the discrepancy and sent to the coordinator. It went to the cadre as a voice request.
func TestVoiceAfterPartlyExplainsTheDiscrepancy(t *testing.T) {
	h := askedWang(t)
	wantContains(t, h.send(HeadWang, "3"), "哪里不一样")
	rec := mediaFile(t, "v1.amr")
	wantContains(t, h.voice(HeadWang, "化肥只有两包", rec), "已补充给联络员")
	ds := h.discs()
	if len(ds) != 1 || !strings.Contains(ds[0].Note, "（语音，平台识别）化肥只有两包") {
		t.Fatalf("discrepancies %+v", ds)
	}
	notes := h.notesTo(CoordLi, "disc:note")
	if len(notes) != 1 {
		t.Fatalf("coordinator notes %q", notes)
	}
	wantContains(t, notes[0], "【待核实#1 补充】", "化肥只有两包", "照片或录音见下一条")
	if f := h.outboxFiles(CoordLi, "disc:audio"); len(f) != 1 || f[0].FilePath != rec {
		t.Errorf("the recording: %+v", f)
	}
	if n := h.notesTo(CadreZhang, ""); len(n) != 0 || len(h.requests(HHWang)) != 0 {
		t.Errorf("the cadre was sent %q", n)
	}
}

// A photo while the confirmation waits is a matter of its own (a leaking roof, a form to fill): it
// is asked about with 1 转给干部 / 2 不用 / 3 投诉, the last question asked, so it takes the next digit;
// the confirmation stays open and takes the one after.
func TestPhotoWhileConfirmingIsAMatterOfItsOwn(t *testing.T) {
	h := askedWang(t)
	h.rebuildWith(newClockDialogs(h.clk))
	h.clk.Advance(time.Minute)
	wantContains(t, h.msg(HeadWang, bot.Message{Kind: bot.KindImage, MediaRef: "media/p1.jpg"}), "您说的是：“（照片）”", "回复 2 不用")
	h.clk.Advance(time.Minute)
	wantContains(t, h.send(HeadWang, "2"), "没有交给干部")
	vc, err := h.st.LatestChatConfirm(h.ctx, h.household(HHWang))
	h.must(err)
	if vc.Answer != domain.AnswerNone {
		t.Fatalf("the photo's digit answered the confirmation: %+v", vc)
	}
	wantContains(t, h.send(HeadWang, "1"), "谢谢您的确认，已记录")
}
