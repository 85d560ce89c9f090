package handlers_test

import (
	"strings"
	"testing"
	"time"

	"qinqi/handlers"
	"qinqi/internal/clock"
	"qinqi/store"
)

func TestParseSpotAnswer(t *testing.T) {
	cases := []struct {
		name, in string
		want     store.SpotAnswer
		ok       bool
	}{
		{"digit one", "1", store.AnswerYes, true},
		{"full-width digit two", "２", store.AnswerNo, true},
		{"yes word", "是", store.AnswerYes, true},
		{"came", "有", store.AnswerYes, true},
		{"no word", "否", store.AnswerNo, true},
		{"did not", "没有", store.AnswerNo, true},
		{"with punctuation", "没有。", store.AnswerNo, true},
		{"three is not an answer", "3", store.AnswerNone, false},
		{"a sentence is not an answer", "有个事想问问", store.AnswerNone, false},
		{"empty", "", store.AnswerNone, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := handlers.ParseSpotAnswer(c.in)
			if got != c.want || ok != c.ok {
				t.Errorf("ParseSpotAnswer(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
			}
		})
	}
}

func FuzzParseSpotAnswer(f *testing.F) {
	for _, s := range []string{"1", "2", "是", "没有", "有的。", "１２", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := handlers.ParseSpotAnswer(s)
		if ok != (a != store.AnswerNone) {
			t.Errorf("ParseSpotAnswer(%q) = %q, %v: ok must mean an answer", s, a, ok)
		}
	})
}

func TestSpotCheckAnswers(t *testing.T) {
	h := newHarness(t)
	h.r = handlers.New(handlers.Deps{Store: h.st, Dialogs: h.kv, Clock: h.clk, Config: h.cfg, Extra: handlers.ExtraDeps{Spot: h.st}})
	pair := func(hh string) store.Pairing {
		ps, err := h.st.ActivePairingsOfHousehold(h.ctx, h.household(hh), h.clk.Now())
		h.must(err)
		return ps[0]
	}
	wang, liu := pair(HHWang), pair(HHLiu)
	asked := clock.Date(2026, 11, 1).Add(10 * time.Hour)
	oct := clock.Date(2026, 10, 12).Add(9 * time.Hour)
	h.must(h.st.InsertFixture(h.ctx,
		&store.CheckIn{PairingID: wang.ID, CadreID: wang.CadreID, HouseholdID: wang.HouseholdID, Kind: store.KindVisit, OccurredAt: oct, ReportedAt: oct},
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

	t.Run("a no against a logged visit thanks the household and flags the coordinator", func(t *testing.T) {
		rs := h.replies(HeadWang, "2")
		if len(rs) != 2 || rs[0].To != 0 || rs[1].To != int64(h.person(CoordLi)) {
			t.Fatalf("replies %+v, want thanks to the sender and one flag to 李协调", rs)
		}
		wantContains(t, rs[0].Text, "谢谢您的回复，已记录")
		wantContains(t, rs[1].Text, "【回访异议】王春发户", "10月份干部张伟", "记有1次登记")
		r := row(HHWang)
		if r.Answer != store.AnswerNo || !r.Discrepancy || r.LoggedVisits != 1 || r.AnsweredAt == nil {
			t.Errorf("row %+v", r)
		}
	})
	t.Run("a later digit is no longer an answer", func(t *testing.T) {
		got := h.send(HeadWang, "1")
		wantNot(t, got, "谢谢您的回复")
		if r := row(HHWang); r.Answer != store.AnswerNo {
			t.Errorf("answer changed to %q", r.Answer)
		}
	})
	t.Run("a no without logged visits is recorded, not flagged", func(t *testing.T) {
		rs := h.replies(HeadLiu, "没有")
		if len(rs) != 1 || !strings.Contains(rs[0].Text, "已记录") {
			t.Fatalf("replies %+v", rs)
		}
		if r := row(HHLiu); r.Answer != store.AnswerNo || r.Discrepancy {
			t.Errorf("row %+v", r)
		}
	})
	t.Run("a household without a question gets the menu", func(t *testing.T) {
		wantNot(t, h.send(HeadNoPair, "1"), "谢谢您的回复")
	})
}
