package bot_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// eventually waits on the wall clock (bounded) for cond; no assertion is made on how long it took.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func sentTexts(f *bot.Fake) []string {
	var out []string
	for _, s := range f.Sent() {
		out = append(out, s.To+" "+s.Text)
	}
	return out
}

func TestPipelineOutageRecoveryAndShutdown(t *testing.T) {
	ctx := context.Background()
	fl := &iflaky{Store: testenv.SQLite(t)}
	pid := addPerson(t, fl.Store, "C001")
	if err := fl.BindChatIdentity(ctx, store.ChatIdentity{Transport: "fake", Account: "a1", ExternalKey: "@u1", PersonID: pid}, ibT0); err != nil {
		t.Fatal(err)
	}
	// A message left unfinished by an earlier run is handled first.
	left := &store.InboxMessage{Transport: "fake", Account: "a1", MsgID: "old", SenderKey: "@u1", Kind: "text", Text: "昨天的",
		Payload: `{"Transport":"fake","Account":"a1","ID":"old","SenderKey":"@u1","Kind":"text"}`, ReceivedAt: ibT0}
	if err := fl.SaveInbound(ctx, left); err != nil {
		t.Fatal(err)
	}
	fake := bot.NewFake()
	clk := clock.NewFake(ibT0)
	p, err := bot.NewPipeline(bot.PipelineOptions{
		Accounts: []bot.Account{{Name: "a1", Messenger: fake, Limits: bot.Limits{MaxAttempts: 3, RetryMin: time.Second}}},
		Handler:  &irecorder{}, Store: fl, State: testenv.KV(t), Clock: clk, Logger: quietLog,
		SpoolDir: t.TempDir(), MaintainEvery: 5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(runCtx) }()
	push := func(id, text string) {
		clk.Advance(5 * time.Second)
		fake.Push(bot.Message{Account: "a1", ID: id, SenderKey: "@u1", Kind: bot.KindText, Text: text, Time: clk.Now()})
	}

	push("m1", "走访 1")
	eventually(t, "first replies", func() bool { return len(fake.Sent()) == 2 })
	if got, want := sentTexts(fake), []string{"@u1 收到：昨天的", "@u1 收到：走访 1"}; !slices.Equal(got, want) {
		t.Fatalf("sent %q, want %q", got, want)
	}

	fl.down.Store(true)
	push("m2", "电话 1")
	push("m3", "讲政策 1")
	eventually(t, "spool notice", func() bool { return len(fake.Sent()) == 3 })
	fl.down.Store(false) // the maintenance loop replays the spool by itself
	eventually(t, "replayed replies", func() bool { return len(fake.Sent()) == 5 })
	got := sentTexts(fake)
	if !strings.Contains(got[2], "已收到您的消息") || got[3] != "@u1 收到：电话 1" || got[4] != "@u1 收到：讲政策 1" {
		t.Fatalf("sent %q", got)
	}
	if n, _ := fl.CountInbox(ctx, store.InDone); n != 4 {
		t.Fatalf("done rows = %d, want 4", n)
	}

	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("pipeline did not stop")
	}
}
