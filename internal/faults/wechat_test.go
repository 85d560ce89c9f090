package faults_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/bot/wechat"
	"qinqi/bot/wechat/wxfake"
	"qinqi/internal/clock"
)

// wxOptions are short production-shaped waits: the exponential back-offs start at 50–100 ms and
// end at 0.4–0.5 s, so a phase of a few seconds sees several rounds of each.
func wxOptions(dir string) wechat.Options {
	return wechat.Options{
		Accounts:        []wechat.Account{{Name: account, HotLoginFile: filepath.Join(dir, account+".json")}},
		Clock:           clock.Real{},
		Logger:          slog.New(slog.DiscardHandler),
		MediaDir:        filepath.Join(dir, "media"),
		WatchdogSilence: 5 * time.Second, HealthEvery: 50 * time.Millisecond,
		ReconnectMin: 100 * time.Millisecond, ReconnectMax: 500 * time.Millisecond,
		SyncErrorMin: 50 * time.Millisecond, SyncErrorMax: 400 * time.Millisecond, MaxSyncErrors: 5,
	}
}

// The bare library retries at once, making hundreds of requests a second against the same fake
// (bot/wechat/wechat_test.go TestWxFakeReproducesRawLibraryFlood); the back-offs above allow a few dozen.
// The ceiling is generous on purpose: it separates a flood from a back-off, it does not time us.
const wxCeilingPerSecond = 40

// TestWeChatServerMisbehaves drives one account through the sequence the issue names: the server
// answers every sync with 1205 (too frequent), then with 1101 (logged out elsewhere), then
// disappears (connection refused). In each phase the requests the bot attempts, counted at the
// client side of the fake so that refused connections count too, stay under the ceiling. When
// the server is back, the account logs in again by itself and messages flow both ways.
func TestWeChatServerMisbehaves(t *testing.T) {
	srv := wxfake.New(fakeAccount(2))
	srv.SetPollWait(200 * time.Millisecond)
	t.Cleanup(srv.Close)
	o := wxOptions(t.TempDir())
	o.HTTPTransport = wxfake.Transport(srv)
	w, err := wechat.New(o)
	must(t, err)
	got := make(chan bot.Message, 16)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Receive(ctx, func(_ context.Context, m bot.Message) { got <- m }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Receive ended with %v", err)
		}
	})
	logins := func() int { return w.Health()[0].Logins }
	online := func(min int) func() bool {
		return func() bool { h := w.Health()[0]; return h.State == wechat.Online && h.Logins >= min }
	}
	eventually(t, "first login", 30*time.Second, online(1))

	// phase counts the attempts in each of three one-second windows.
	phase := func(name string, set, reset func()) {
		t.Helper()
		set()
		var per []int
		for range 3 {
			from := time.Now()
			time.Sleep(time.Second)
			n := srv.Attempts(from)
			per = append(per, n)
			if n > wxCeilingPerSecond {
				t.Errorf("%s: %d requests in one second, ceiling %d", name, n, wxCeilingPerSecond)
			}
		}
		reset()
		t.Logf("%-20s requests per second %v, logins so far %d", name, per, logins())
	}
	phase("synccheck 1205", func() { srv.SetSyncRet(wxUin, "1205") }, func() {})
	phase("synccheck 1101", func() { srv.SetSyncRet(wxUin, "1101") }, func() { srv.SetSyncRet(wxUin, "") })
	before := logins()
	phase("connection refused", srv.Disappear, func() { must(t, srv.Reappear()) })

	eventually(t, "a new login after the server came back", 30*time.Second, online(before+1))
	srv.QueueText(wxUin, friendKey(1), "走访 1 送米20斤")
	select {
	case m := <-got:
		if m.SenderKey != friendKey(1) || m.Text != "走访 1 送米20斤" {
			t.Fatalf("got %+v", m)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no inbound message after the server came back")
	}
	eventually(t, "a send after the server came back", 30*time.Second, func() bool {
		return w.Send(ctx, account, bot.Outgoing{To: friendKey(1), Text: "已记录"}) == nil
	})
	for _, s := range srv.Sent() {
		if s.To == friendKey(1) && strings.Contains(s.Content, "已记录") {
			return
		}
	}
	t.Fatal("the reply never reached the server")
}
