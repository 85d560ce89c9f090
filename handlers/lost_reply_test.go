package handlers_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/handlers"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// TestLostReplyToReportTellsCoordinator runs the real pipeline (inbox → router → outbox → fake
// channel) while the channel refuses every message to 张伟 for good: each report's answer fails,
// 张伟's coordinator 李协调 is told once per report, in words for a coordinator, and the failures stay
// listed for `qinqi status`.
func TestLostReplyToReportTellsCoordinator(t *testing.T) {
	h := newHarness(t)
	keys := map[string]string{CadreZhang: "@zhang", CoordLi: "@li"}
	for code, key := range keys {
		h.must(h.st.BindChatIdentity(h.ctx, store.ChatIdentity{Transport: "fake", Account: "a1", ExternalKey: key,
			PersonID: h.person(code)}, h.clk.Now()))
	}
	fake := bot.NewFake()
	fake.FailNext = func(out bot.Outgoing) error {
		if out.To == "@zhang" {
			return bot.Permanent(errors.New("ret=1101: not a friend"))
		}
		return nil
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	lost := handlers.NewLostReplies(h.st, h.clk, quiet)
	p, err := bot.NewPipeline(bot.PipelineOptions{
		Accounts: []bot.Account{{Name: "a1", Messenger: fake, Limits: bot.Limits{MaxAttempts: 3, RetryMin: time.Second}}},
		Handler:  h.r, Store: h.st, State: testenv.KV(t), Clock: h.clk, Logger: quiet, SpoolDir: t.TempDir(),
		Lost: lost.Lost,
	})
	h.must(err)
	ctx, stop := context.WithCancel(h.ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	defer func() { stop(); <-done }()

	n := 0
	send := func(text string) []string {
		t.Helper()
		before := len(fake.Sent())
		n++
		h.clk.Advance(time.Minute)
		fake.Push(bot.Message{Account: "a1", ID: "m" + string(rune('0'+n)), SenderKey: "@zhang", Kind: bot.KindText, Text: text, Time: h.clk.Now()})
		handled(t, h.st, n)
		wctx, cancel := context.WithTimeout(h.ctx, 30*time.Second)
		defer cancel()
		h.must(p.WaitIdle(wctx))
		var got []string
		for _, s := range fake.Sent()[before:] {
			got = append(got, s.To+" "+s.Text)
		}
		return got
	}

	t.Run("a saved report whose reply is lost", func(t *testing.T) {
		got := send("走访 王春发 送米一袋")
		if len(got) != 1 || !strings.HasPrefix(got[0], "@li 【干部没收到回复】张伟（P01）11月23日10:31发来的帮扶记录，已经保存") ||
			!strings.Contains(got[0], "不用重发") || !strings.Contains(got[0], "绑定码 P01") {
			t.Fatalf("sent %q", got)
		}
		if cs := h.checkIns(CadreZhang); len(cs) != 1 {
			t.Fatalf("check-ins %+v", cs)
		}
	})
	t.Run("a report waiting for its question", func(t *testing.T) {
		got := send("走访 王 送油")
		if len(got) != 1 || !strings.Contains(got[0], "这条还没有保存") || !strings.Contains(got[0], "请他重发") {
			t.Fatalf("sent %q", got)
		}
	})
	t.Run("other lost replies tell nobody", func(t *testing.T) {
		if got := send("我的亲戚"); len(got) != 0 {
			t.Fatalf("sent %q", got)
		}
	})
	t.Run("every lost reply stays listed with its reason", func(t *testing.T) {
		failed, err := h.st.FailedOutbox(h.ctx, 10)
		h.must(err)
		if len(failed) != 4 { // the two reports' answers, and 我的亲戚's list with the note that it dropped the question
			t.Fatalf("failed rows %d, want 4", len(failed))
		}
		for _, f := range failed {
			if !strings.Contains(f.LastError, "not a friend") {
				t.Fatalf("reason %q", f.LastError)
			}
		}
	})
	t.Run("told once per report, however often the failure is recorded", func(t *testing.T) {
		failed, err := h.st.FailedOutbox(h.ctx, 10)
		h.must(err)
		before := len(fake.Sent())
		for _, f := range failed {
			h.must(lost.Lost(h.ctx, f))
		}
		wctx, cancel := context.WithTimeout(h.ctx, 30*time.Second)
		defer cancel()
		p.Outbox().Wake("")
		h.must(p.WaitIdle(wctx))
		if got := fake.Sent()[before:]; len(got) != 0 {
			t.Fatalf("told again: %+v", got)
		}
	})
}

// handled waits (bounded) until n inbound messages are handled; the bound is a hang guard, not a
// timing assertion.
func handled(t *testing.T, st *store.Store, n int) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second)
	for {
		done, err1 := st.CountInbox(ctx, store.InDone)
		failed, err2 := st.CountInbox(ctx, store.InFailed)
		if err1 == nil && err2 == nil && done+failed >= int64(n) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %d handled messages", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
