package handlers_test

import (
	"testing"
	"time"

	"qinqi/internal/domain"
)

// lateHarness: 王春发 chats, confirmations are asked, and dialogs expire on the fake clock.
func lateHarness(t *testing.T) *harness {
	t.Helper()
	h := newWordHarness(t)
	h.rebuildWith(newClockDialogs(h.clk))
	return h
}

// An elderly head answers "1" a quarter of an hour after the sentence's question: the sentence goes
// to the cadre (the question waited ten minutes, and the 1 picked the contact card).
func TestHouseholdAnswersTheSentenceLate(t *testing.T) {
	h := lateHarness(t)
	wantContains(t, h.send(HeadWang, "我家房子漏雨了"), "您说的是：“我家房子漏雨了”", "回复 1 交给帮扶干部办理")
	h.clk.Advance(15 * time.Minute)
	wantContains(t, h.send(HeadWang, "1"), "已收到您的诉求（编号1")
	rs := h.requests(HHWang)
	if len(rs) != 1 || rs[0].Text != "我家房子漏雨了" || rs[0].AssigneeID == nil || *rs[0].AssigneeID != h.person(CadreZhang) {
		t.Fatalf("requests %+v", rs)
	}
	if n := h.outboxTo(CadreZhang, rs[0].ID, "new"); len(n) != 1 {
		t.Errorf("the cadre's notice %q", n)
	}
	t.Run("a cadre's question still lapses in ten minutes", func(t *testing.T) {
		wantContains(t, h.send(CadreZhang, "走访 王 看了看"), "是哪一户")
		h.clk.Advance(15 * time.Minute)
		wantNot(t, h.send(CadreZhang, "1"), "已记录")
	})
}

// The question asked last gets the digit: a confirmation sent after the sentence's question takes
// the 1, and the sentence, still waiting, takes the next one; asked before it, the sentence does.
func TestTheLastQuestionAskedTakesTheDigit(t *testing.T) {
	h := lateHarness(t)
	h.send(CadreZhang, "走访 王春发 送化肥3包")
	h.clk.Advance(time.Minute)
	h.send(HeadWang, "我家房子漏雨了")
	h.ask(15 * time.Minute) // the confirmation, sixteen minutes after the report
	h.clk.Advance(10 * time.Minute)
	wantContains(t, h.send(HeadWang, "1"), "谢谢您的确认，已记录", "您刚才说的“我家房子漏雨了”还没有交给干部。要怎么办？回复 1 交给帮扶干部办理")
	vc, err := h.st.LatestChatConfirm(h.ctx, h.household(HHWang))
	h.must(err)
	if vc.Answer != domain.AnswerYes || len(h.requests(HHWang)) != 0 {
		t.Fatalf("confirmation %+v, requests %+v", vc, h.requests(HHWang))
	}
	wantContains(t, h.send(HeadWang, "1"), "已收到您的诉求（编号1")
	if rs := h.requests(HHWang); len(rs) != 1 || rs[0].Text != "我家房子漏雨了" {
		t.Fatalf("requests %+v", rs)
	}
	t.Run("a sentence said after the confirmation takes the digit", func(t *testing.T) {
		h.clk.Advance(8 * 24 * time.Hour) // confirm.min_days apart
		h.send(CadreZhang, "走访 王春发 问问身体")
		h.ask(15 * time.Minute)
		h.clk.Advance(time.Minute)
		h.send(HeadWang, "厕所堵了 能不能帮忙看看")
		h.clk.Advance(20 * time.Minute)
		wantContains(t, h.send(HeadWang, "1"), "已收到您的诉求（编号2")
		if vc, err := h.st.LatestChatConfirm(h.ctx, h.household(HHWang)); err != nil || vc.Answer != domain.AnswerNone {
			t.Errorf("confirmation %+v (%v)", vc, err)
		}
	})
}

// A digit after the sentence's question lapsed (two hours) is told the sentence was not passed on and
// asked again with it, instead of a silent menu item; the next day a digit is the menu as before.
func TestADigitAfterTheSentenceLapsed(t *testing.T) {
	h := lateHarness(t)
	h.send(HeadWang, "我家房子漏雨了")
	h.clk.Advance(3 * time.Hour)
	got := h.send(HeadWang, "1")
	wantContains(t, got, "您11月23日10:30说的话过了2小时没有回复，还没有交给干部。再问您一次：", "您说的是：“我家房子漏雨了”")
	wantNot(t, got, "【联系卡】")
	if rs := h.requests(HHWang); len(rs) != 0 {
		t.Fatalf("passed on unasked: %+v", rs)
	}
	wantContains(t, h.send(HeadWang, "1"), "已收到您的诉求（编号1")
	t.Run("a day later the digit is the menu", func(t *testing.T) {
		h.send(HeadWang, "猪圈塌了")
		h.clk.Advance(25 * time.Hour)
		got := h.send(HeadWang, "1")
		wantContains(t, got, "【联系卡】")
		wantNot(t, got, "猪圈塌了")
	})
}

// A bare 3 (有出入) to the confirmation while a sentence waits does not ask what differs, which would
// take the sentence's place: the sentence is asked about again and keeps the next digit.
func TestPartlyWhileASentenceWaitsKeepsTheSentence(t *testing.T) {
	h := lateHarness(t)
	h.send(CadreZhang, "走访 王春发 送化肥3包")
	h.clk.Advance(time.Minute)
	h.send(HeadWang, "我家房子漏雨了")
	h.ask(15 * time.Minute)
	got := h.send(HeadWang, "3")
	wantContains(t, got, "单位联络员会核实", "您刚才说的“我家房子漏雨了”还没有交给干部")
	wantNot(t, got, "哪里不一样")
	if ds := h.discs(); len(ds) != 1 || ds[0].Answer != domain.AnswerPartly {
		t.Fatalf("discrepancies %+v", ds)
	}
	wantContains(t, h.send(HeadWang, "1"), "已收到您的诉求（编号1")
	if n := h.notesTo(CadreZhang, "disc:"); len(n) != 0 {
		t.Errorf("the cadre heard of the discrepancy: %q", n)
	}
}
