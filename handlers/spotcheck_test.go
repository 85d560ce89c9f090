package handlers_test

import (
	"strings"
	"testing"
	"time"

	"qinqi/handlers"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

func TestParseConfirmAnswer(t *testing.T) {
	cases := []struct {
		name, in string
		want     domain.SpotAnswer
		note     string
		ok       bool
	}{
		{"digit one", "1", domain.AnswerYes, "", true},
		{"full-width digit two", "２", domain.AnswerNo, "", true},
		{"three with the household's words", "3 只送了化肥，没有钱", domain.AnswerPartly, "只送了化肥，没有钱", true},
		{"three glued to its words", "3只送了化肥", domain.AnswerPartly, "只送了化肥", true},
		{"yes word", "是", domain.AnswerYes, "", true},
		{"came", "来过", domain.AnswerYes, "", true},
		{"did not come", "没有来", domain.AnswerNo, "", true},
		{"no word with punctuation", "没有。", domain.AnswerNo, "", true},
		{"not quite", "有出入", domain.AnswerPartly, "", true},
		{"traditional 沒有來", "沒有來", domain.AnswerNo, "", true},
		{"came, in a sentence with who and when", "陈书记今天来过了", domain.AnswerYes, "", true},
		{"came, with 的", "张干部昨天来了的", domain.AnswerYes, "", true},
		{"he did not come", "他没来", domain.AnswerNo, "", true},
		{"came last month does not answer for this visit", "陈书记上个月来过", domain.AnswerNone, "", false},
		{"never came, with a title", "王书记没有来过啊", domain.AnswerNo, "", true},
		{"a title alone is not an answer", "陈书记", domain.AnswerNone, "", false},
		{"he came to fix the roof is a sentence", "他来修房子了", domain.AnswerNone, "", false},
		{"four is a menu choice", "4", domain.AnswerNone, "", false},
		{"twelve is a number", "12", domain.AnswerNone, "", false},
		{"a date is not an answer", "3月5日来的", domain.AnswerNone, "", false},
		{"a sentence is not an answer", "没有钱买药了", domain.AnswerNone, "", false},
		{"empty", "", domain.AnswerNone, "", false},
		{"two yes words", "对的 来过", domain.AnswerYes, "", true},
		{"yes said over", "是的是的", domain.AnswerYes, "", true},
		{"yes glued to came", "对的来过了", domain.AnswerYes, "", true},
		{"yes with thanks", "来过了 谢谢", domain.AnswerYes, "", true},
		{"hm hm, came", "嗯嗯 来了", domain.AnswerYes, "", true},
		{"no said twice", "没有 没来过", domain.AnswerNo, "", true},
		{"no and the cadre", "没有，他没来", domain.AnswerNo, "", true},
		{"words that disagree are no answer", "是的 没来", domain.AnswerNone, "", false},
		{"yes and a sentence is no answer", "对 他来修房子了", domain.AnswerNone, "", false},
		{"thanks alone is no answer", "谢谢", domain.AnswerNone, "", false},
		{"one as a voice message's text has it", "一。", domain.AnswerYes, "", true},
		{"two in a Chinese numeral", "二", domain.AnswerNo, "", true},
		{"three in a Chinese numeral", "三", domain.AnswerPartly, "", true},
		{"a numeral starting words is no answer", "一直没来", domain.AnswerNone, "", false},
		{"three months is no answer", "三个月", domain.AnswerNone, "", false},
	}
	fold := folder(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, note, ok := handlers.ParseConfirmAnswer(handlers.Normalize(fold, c.in)) // as the router hands it over
			if got != c.want || note != c.note || ok != c.ok {
				t.Errorf("ParseConfirmAnswer(%q) = %q, %q, %v; want %q, %q, %v", c.in, got, note, ok, c.want, c.note, c.ok)
			}
		})
	}
}

func FuzzParseConfirmAnswer(f *testing.F) {
	for _, s := range []string{"1", "2", "3 只送了化肥", "是", "没有", "有的。", "１２", "3月", "\x00", "3\xff", "一。", "三个月"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, note, ok := handlers.ParseConfirmAnswer(s)
		if ok != (a != domain.AnswerNone) || (!ok && note != "") {
			t.Errorf("ParseConfirmAnswer(%q) = %q, %q, %v: ok must mean an answer", s, a, note, ok)
		}
	})
}

func TestSpotCheckAnswers(t *testing.T) {
	h := newHarness(t)
	h.r = handlers.New(handlers.Deps{Store: h.st, Dialogs: h.kv, Clock: h.clk, Config: h.cfg, Hanzi: folder(t), Extra: handlers.ExtraDeps{Spot: h.st}})
	pair := func(hh string) store.Pairing {
		ps, err := h.st.ActivePairingsOfHousehold(h.ctx, h.household(hh), h.clk.Now())
		h.must(err)
		return ps[0]
	}
	wang, liu := pair(HHWang), pair(HHLiu)
	asked := clock.Date(2026, 11, 1).Add(10 * time.Hour)
	oct := clock.Date(2026, 10, 12).Add(9 * time.Hour)
	h.must(h.st.InsertFixture(h.ctx,
		&store.CheckIn{PairingID: wang.ID, CadreID: wang.CadreID, HouseholdID: wang.HouseholdID, Kind: domain.KindVisit, OccurredAt: oct, ReportedAt: oct},
		&store.SpotCheck{Month: "2026-10", HouseholdID: wang.HouseholdID, PairingID: wang.ID, CadreID: wang.CadreID, AskedAt: &asked},
		&store.SpotCheck{Month: "2026-10", HouseholdID: liu.HouseholdID, PairingID: liu.ID, CadreID: liu.CadreID, AskedAt: &asked},
	))
	row := func(hh string) store.SpotCheck {
		rows, err := h.st.SpotChecksOfMonth(h.ctx, "2026-10")
		h.must(err)
		for _, r := range rows {
			if r.HouseholdID == h.household(hh) {
				return r
			}
		}
		t.Fatalf("no spot check of %s", hh)
		return store.SpotCheck{}
	}

	t.Run("a no against a logged visit opens a discrepancy for the coordinator, not the cadre", func(t *testing.T) {
		rs := h.replies(HeadWang, "2")
		if len(rs) != 1 || rs[0].To != 0 {
			t.Fatalf("replies %+v, want one thanks to the sender", rs)
		}
		wantContains(t, rs[0].Text, "谢谢您告诉我们", "编号1", "联络员会核实")
		notes := h.notesTo(CoordLi, "disc:new")
		if len(notes) != 1 {
			t.Fatalf("coordinator notes %q", notes)
		}
		wantContains(t, notes[0], "【待核实#1】王春发户（H01）", "干部张伟", "没有来", "10月份系统里记有1次联系或走访", "核实 1 属实")
		if n := h.notesTo(CadreZhang, "disc:"); len(n) != 0 {
			t.Errorf("the cadre was told before the coordinator verified: %q", n)
		}
		r := row(HHWang)
		if r.Answer != domain.AnswerNo || !r.Discrepancy || r.LoggedVisits != 1 || r.AnsweredAt == nil {
			t.Errorf("row %+v", r)
		}
	})
	t.Run("a later digit is no longer an answer", func(t *testing.T) {
		got := h.send(HeadWang, "1")
		wantNot(t, got, "谢谢您")
		if r := row(HHWang); r.Answer != domain.AnswerNo {
			t.Errorf("answer changed to %q", r.Answer)
		}
	})
	t.Run("a no without logged visits is recorded, not flagged", func(t *testing.T) {
		rs := h.replies(HeadLiu, "没有")
		if len(rs) != 1 || !strings.Contains(rs[0].Text, "已记录") {
			t.Fatalf("replies %+v", rs)
		}
		if r := row(HHLiu); r.Answer != domain.AnswerNo || r.Discrepancy {
			t.Errorf("row %+v", r)
		}
	})
	t.Run("a household without a question gets the menu", func(t *testing.T) {
		got := h.send(HeadNoPair, "1")
		wantNot(t, got, "谢谢您")
	})
}
