package handlers_test

import (
	"strings"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/scheduler"
	"qinqi/store"
)

// newWordHarness wires the household's word (Spot) and the coordinator commands; 王春发 chats with
// the bot, 刘大山 has no chat account (his household is phoned).
func newWordHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	h.must(h.st.SetHouseholdHeads(h.ctx, map[domain.HouseholdID]domain.PersonID{
		h.household(HHWang): h.person(HeadWang), h.household(HHLiu): h.person(HeadLiu)}))
	h.must(h.st.SetPersonAccount(h.ctx, h.person(HeadWang), "bot1"))
	h.rebuild()
	return h
}

// ask runs the confirmation job at the harness clock plus d and returns its counts.
func (h *harness) ask(d time.Duration) scheduler.Result {
	h.t.Helper()
	h.clk.Advance(d)
	j := &scheduler.VisitConfirmAsk{Store: h.st, Clock: h.clk, Confirm: h.cfg.Confirm, UndoWindow: h.cfg.CheckIn.UndoWindow,
		MaxDaysBack: h.cfg.CheckIn.MaxDaysBack, QuietStart: 21 * 60, QuietEnd: 8 * 60}
	res, err := j.Run(h.ctx, h.clk.Now())
	h.must(err)
	return res
}

func (h *harness) discs() []store.Discrepancy {
	h.t.Helper()
	ds, err := h.st.OpenDiscrepancies(h.ctx, nil, 100)
	h.must(err)
	return ds
}

func TestHouseholdConfirmsAVisit(t *testing.T) {
	h := newWordHarness(t)
	wantContains(t, h.send(CadreZhang, "走访 王春发 送化肥3包 现金500元"), "已记录")
	h.send(CadreZhang, "电话 刘大山 问问身体") // not his household: refused, nothing asked
	if res := h.ask(15 * time.Minute); res["asked"] != 1 {
		t.Fatalf("job %v", res)
	}
	q := h.notesTo(HeadWang, "confirm:")
	if len(q) != 1 || q[0] != "张伟说11月23日来家里看望了您，送了化肥3包、500元。是这样吗？回复 1 是　2 没有来　3 有出入" {
		t.Fatalf("question %q", q)
	}
	wantContains(t, h.send(HeadWang, "1"), "谢谢您的确认，已记录")
	vc, err := h.st.LatestChatConfirm(h.ctx, h.household(HHWang))
	h.must(err)
	if vc.Answer != domain.AnswerYes || vc.AnsweredAt == nil {
		t.Errorf("confirmation %+v", vc)
	}
	if rows := h.audit(store.EntConfirm, int64(vc.ID)); len(rows) != 1 || rows[0].Action != store.ActAnswer {
		t.Errorf("audit %+v", rows)
	}
	t.Run("a second digit is not an answer again but the menu", func(t *testing.T) {
		wantNot(t, h.send(HeadWang, "1"), "谢谢您的确认")
	})
	t.Run("nobody else hears of a confirmation", func(t *testing.T) {
		if n := h.notesTo(CoordLi, "disc:"); len(n) != 0 {
			t.Errorf("coordinator told %q", n)
		}
	})
}

// The question is answered in a sentence as well as with a digit: "张书记昨天来过了" is 1.
func TestHouseholdConfirmsInASentence(t *testing.T) {
	h := newWordHarness(t)
	h.send(CadreZhang, "走访 王春发 送化肥3包")
	if res := h.ask(15 * time.Minute); res["asked"] != 1 {
		t.Fatalf("job %v", res)
	}
	wantContains(t, h.send(HeadWang, "张书记今天来过了"), "谢谢您的确认，已记录")
	vc, err := h.st.LatestChatConfirm(h.ctx, h.household(HHWang))
	h.must(err)
	if vc.Answer != domain.AnswerYes {
		t.Errorf("confirmation %+v, want yes", vc)
	}
}

// An answer said in several words ("对的 来过", "没有 没来过") is the answer; it was 没看懂, and the
// question stayed open.
func TestHouseholdConfirmsInSeveralWords(t *testing.T) {
	for _, tc := range []struct {
		in, reply string
		want      domain.SpotAnswer
	}{
		{"对的 来过", "谢谢您的确认，已记录", domain.AnswerYes},
		{"是的是的 谢谢", "谢谢您的确认，已记录", domain.AnswerYes},
		{"没有，他没来", "单位联络员会核实", domain.AnswerNo},
	} {
		t.Run(tc.in, func(t *testing.T) {
			h := newWordHarness(t)
			h.send(CadreZhang, "走访 王春发 送化肥3包")
			if res := h.ask(15 * time.Minute); res["asked"] != 1 {
				t.Fatalf("job %v", res)
			}
			wantContains(t, h.send(HeadWang, tc.in), tc.reply)
			vc, err := h.st.LatestChatConfirm(h.ctx, h.household(HHWang))
			h.must(err)
			if vc.Answer != tc.want {
				t.Errorf("confirmation %+v, want %s", vc, tc.want)
			}
		})
	}
}

func TestHouseholdDisputesAVisitAndTheCoordinatorVerifies(t *testing.T) {
	h := newWordHarness(t)
	h.send(CadreZhang, "送温暖 王春发 米20斤 油2桶")
	h.ask(15 * time.Minute)
	rs := h.replies(HeadWang, "3")
	if len(rs) != 1 {
		t.Fatalf("replies %+v", rs)
	}
	wantContains(t, rs[0].Text, "谢谢您告诉我们", "编号1", "哪里不一样")
	ds := h.discs()
	if len(ds) != 1 || ds[0].Answer != domain.AnswerPartly || ds[0].CadreID != h.person(CadreZhang) || ds[0].Source != domain.DiscFromConfirm {
		t.Fatalf("discrepancies %+v", ds)
	}
	wantContains(t, h.send(HeadWang, "只送了米，没有油"), "已补充给联络员")
	notes := h.notesTo(CoordLi, "disc:")
	if len(notes) != 2 {
		t.Fatalf("coordinator notes %q", notes)
	}
	wantContains(t, notes[0], "【待核实#1】王春发户（H01）", "干部张伟", "11月23日 送温暖（米20斤、油2桶）", "有出入", "核实 1 属实")
	wantContains(t, notes[1], "补充说：只送了米，没有油")
	if n := h.notesTo(CadreZhang, "disc:"); len(n) != 0 {
		t.Fatalf("the cadre heard of it before verification: %q", n)
	}

	cases := []struct {
		name, who, text string
		want, not       []string
	}{
		{"the list of open discrepancies", CoordLi, "核实", []string{"待核实的户主异议 1 件", "#1 王春发户（H01）· 干部张伟", "有出入", "户主说：只送了米，没有油"}, nil},
		{"another unit's coordinator may not close it", CoordChen, "核实 1 属实", []string{"不在您负责的单位"}, []string{"已记录"}},
		{"an unknown number", CoordLi, "核实 99 属实", []string{"没有编号99的异议"}, nil},
		{"a verdict is required", CoordLi, "核实 1 大概吧", []string{"核实 编号 属实 说明"}, nil},
		{"a cadre may not verify", CadreZhang, "核实 1 有误", []string{"不是您这个身份"}, nil},
		{"the coordinator closes it", CoordLi, "核实 1 属实 电话问了邻居，油没有送", []string{"已记录核实结果：编号1 属实", "已告诉干部张伟"}, nil},
		{"once closed it stays closed", CoordLi, "核实 1 有误", []string{"已于11月23日核实过（属实）"}, nil},
		{"nothing left to verify", CoordLi, "核实", []string{"没有待核实"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := h.send(c.who, c.text)
			wantContains(t, got, c.want...)
			wantNot(t, got, c.not...)
		})
	}
	t.Run("the cadre learns of it only now, once", func(t *testing.T) {
		n := h.notesTo(CadreZhang, "disc:")
		if len(n) != 1 {
			t.Fatalf("cadre notes %q", n)
		}
		wantContains(t, n[0], "【核实结果#1】", "王春发户", "户主反映属实", "说明：电话问了邻居，油没有送")
		wantNot(t, n[0], "只送了米") // the household's own words stay with the coordinator
	})
}

func TestConfirmationAnswersOnTheEdges(t *testing.T) {
	h := newWordHarness(t)
	h.send(CadreZhang, "走访 王春发 看了看房子")
	h.ask(15 * time.Minute)
	t.Run("a household with no question gets menu item 1, not a confirmation", func(t *testing.T) {
		got := h.send(HeadLiu, "1")
		wantNot(t, got, "谢谢您")
		wantContains(t, got, "【联系卡】")
	})
	t.Run("a household without chat is never asked", func(t *testing.T) {
		if q := h.notesTo(HeadLiu, "confirm:"); len(q) != 0 {
			t.Errorf("asked %q", q)
		}
	})
	t.Run("a 2 with the household's words opens a discrepancy at once", func(t *testing.T) {
		rs := h.replies(HeadWang, "2 那天家里没人")
		if len(rs) != 1 || strings.Contains(rs[0].Text, "哪里不一样") {
			t.Fatalf("replies %+v", rs)
		}
		if ds := h.discs(); len(ds) != 1 || ds[0].Note != "那天家里没人" || ds[0].Answer != domain.AnswerNo {
			t.Errorf("discrepancies %+v", ds)
		}
	})
	t.Run("an answer after 14 days is refused politely, with the menu", func(t *testing.T) {
		h.clk.Advance(24 * time.Hour)
		h.send(CadreZhang, "办实事 王春发 帮办了医保")
		h.ask(7*24*time.Hour + time.Hour)
		h.clk.Advance(15 * 24 * time.Hour)
		got := h.send(HeadWang, "1")
		wantContains(t, got, "已过了14天，不用再回复了", "请回复数字")
		vc, err := h.st.LatestChatConfirm(h.ctx, h.household(HHWang))
		h.must(err)
		if vc.Answer != domain.AnswerNone {
			t.Errorf("a late answer was recorded: %+v", vc)
		}
	})
	t.Run("no answer is never a mark against anyone", func(t *testing.T) {
		if ds := h.discs(); len(ds) != 1 {
			t.Errorf("an unanswered question opened a discrepancy: %+v", ds)
		}
	})
}

func TestLatestQuestionGetsTheDigit(t *testing.T) {
	h := newWordHarness(t)
	p, err := h.st.ActivePairingsOfHousehold(h.ctx, h.household(HHWang), h.clk.Now())
	h.must(err)
	asked := h.clk.Now().Add(-48 * time.Hour)
	h.must(h.st.InsertFixture(h.ctx, &store.SpotCheck{Month: "2026-10", HouseholdID: p[0].HouseholdID, PairingID: p[0].ID, CadreID: p[0].CadreID, AskedAt: &asked}))
	h.send(CadreZhang, "走访 王春发 看了看房子")
	h.ask(15 * time.Minute) // asked after the call-back question: the digit confirms the visit
	wantContains(t, h.send(HeadWang, "1"), "谢谢您的确认")
	sc, err := h.st.OpenSpotCheck(h.ctx, h.household(HHWang), clock.Date(2026, 10, 1))
	h.must(err)
	if sc.Answer != domain.AnswerNone {
		t.Fatalf("the call-back question took the answer: %+v", sc)
	}
	wantContains(t, h.send(HeadWang, "1"), "谢谢您的回复，已记录") // then the older call-back question
}

func TestFollowUpQuestionsAreMarkedForTheBurdenMeter(t *testing.T) {
	h := newHarness(t)
	if rs := h.replies(CadreZhang, "走访 王 看了看"); len(rs) != 1 || !rs[0].Question {
		t.Errorf("replies %+v: the numbered question must be marked", rs)
	}
	if rs := h.replies(CadreZhang, "1"); len(rs) != 1 || rs[0].Question {
		t.Errorf("replies %+v: a saved report is not a question", rs)
	}
}

// A cadre who also coordinates his unit is not sent the dispute about his own visit, nor the
// household's words added to it: the coordinator of the unit above is (he got both).
func TestADisputeSkipsTheCadreWhoCoordinates(t *testing.T) {
	h := newWordHarness(t)
	u11 := h.unit("U0101")
	h.must(h.st.UpsertPeople(h.ctx, []store.Person{{Code: CadreZhang, Name: "张伟", Phone: "13800000001",
		Roles: domain.MakeRoles(domain.RoleCadre, domain.RoleCoordinator), UnitID: &u11, Title: "科员"}}, nil))
	h.send(CadreZhang, "走访 王春发 送化肥3包")
	h.ask(15 * time.Minute)
	wantContains(t, h.send(HeadWang, "3"), "单位联络员会核实", "哪里不一样")
	wantContains(t, h.send(HeadWang, "化肥只有两包"), "已补充给联络员")
	if n := h.notesTo(CoordLi, "disc:"); len(n) != 2 {
		t.Errorf("the coordinator above: %q", n)
	}
	if n := h.notesTo(CadreZhang, "disc:"); len(n) != 0 {
		t.Errorf("the cadre heard of the dispute about himself: %q", n)
	}
}
