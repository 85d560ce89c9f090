// Package abuse_test replays the attacks of issue 15 against the real pipeline: `qinqi serve` in one
// process (the WeChat transport logged in to the fake WeChat server, the inbox, the command router
// with the coordinator commands, the store, the outbox) on the demo county, on SQLite and, when
// QINQI_TEST_MYSQL_DSN is set, on MariaDB; the CLI's import and export paths on the same store.
// Each test is one attack of the list and states what must hold.
package abuse_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/bot/wechat"
	"qinqi/bot/wechat/wxfake"
	"qinqi/handlers"
	"qinqi/internal/calendar"
	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/hanzi"
	"qinqi/internal/seed"
	"qinqi/internal/testenv"
	"qinqi/store"
)

const (
	uin     = 4001
	account = "city-1"
)

// rig is the running bot on one store.
type rig struct {
	t   *testing.T
	ctx context.Context
	st  *store.Store
	srv *wxfake.Server
	w   *wechat.Transport
	log *logSink
}

// start seeds the demo county into st and logs the bot in with friends.
func start(t *testing.T, st *store.Store, friends ...wxfake.Contact) *rig {
	t.Helper()
	ctx := context.Background()
	must(t, seed.Demo(ctx, st, clock.Real{}.Now()))
	srv := wxfake.New(wxfake.Account{Uin: uin, UserName: "@bot4001", NickName: "亲戚助手", Friends: friends})
	srv.SetPollWait(200 * time.Millisecond)
	t.Cleanup(srv.Close)
	logs := &logSink{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	dir := t.TempDir()
	w, err := wechat.New(wechat.Options{
		Accounts: []wechat.Account{{Name: account, HotLoginFile: filepath.Join(dir, account+".json")}},
		Clock:    clock.Real{}, Logger: log, MediaDir: filepath.Join(dir, "media"),
		WatchdogSilence: 5 * time.Second, HealthEvery: 50 * time.Millisecond,
		ReconnectMin: 100 * time.Millisecond, ReconnectMax: 500 * time.Millisecond,
		SyncErrorMin: 50 * time.Millisecond, SyncErrorMax: 400 * time.Millisecond, MaxSyncErrors: 5,
		HTTPTransport: wxfake.Transport(srv), Directory: bot.WeChatDirectory{Store: st},
	})
	must(t, err)
	kv := testenv.KV(t)
	cfg := config.Defaults()
	cfg.Outbox.FileDir = filepath.Join(dir, "files")
	cal, err := calendar.New(cfg.Windows, cfg.Campaigns)
	must(t, err)
	router := handlers.New(handlers.Deps{Store: st, Dialogs: kv, Clock: clock.Real{}, Config: cfg, Logger: log, Hanzi: folder(t),
		Extra: handlers.ExtraDeps{Coord: st, Windows: cal, Spot: st}})
	p, err := bot.NewPipeline(bot.PipelineOptions{
		Accounts: []bot.Account{{Name: account, Messenger: w, Limits: bot.Limits{MaxAttempts: 5, RetryMin: 200 * time.Millisecond, RetryMax: time.Second}}},
		Handler:  router, Store: st, State: kv, Clock: clock.Real{}, Logger: log, SpoolDir: filepath.Join(dir, "spool"),
		MaintainEvery: 100 * time.Millisecond, MaxBindTries: cfg.Bind.MaxTriesPerHour,
	})
	must(t, err)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(runCtx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("pipeline: %v", err)
		}
		if t.Failed() {
			t.Logf("log (tail):\n%s", tail(logs.String(), 40))
		}
	})
	r := &rig{t: t, ctx: ctx, st: st, srv: srv, w: w, log: logs}
	r.online(1)
	return r
}

// each runs f on SQLite and, when configured, on MariaDB.
func each(t *testing.T, f func(t *testing.T, st *store.Store)) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) { f(t, b.Open(t)) })
	}
}

func (r *rig) online(logins int) {
	r.t.Helper()
	eventually(r.t, fmt.Sprintf("login %d", logins), 30*time.Second, func() bool {
		h := r.w.Health()[0]
		return h.State == wechat.Online && h.Logins >= logins
	})
}

// say sends text from a friend and waits for a reply to that friend containing want.
func (r *rig) say(from, text, want string) string {
	r.t.Helper()
	before := len(r.sentTo(from))
	r.srv.QueueText(uin, from, text)
	return r.await(from, before, want)
}

// await waits until what was sent to key after its first `before` messages contains want.
func (r *rig) await(key string, before int, want string) string {
	r.t.Helper()
	var got string
	eventually(r.t, fmt.Sprintf("a message to %s containing %q", key, want), 30*time.Second, func() bool {
		sent := r.sentTo(key)[before:]
		got = strings.Join(sent, "\n")
		return len(sent) > 0 && strings.Contains(got, want)
	})
	return got
}

func (r *rig) sentTo(key string) []string {
	var out []string
	for _, s := range r.srv.Sent() {
		if s.To == key {
			out = append(out, s.Content)
		}
	}
	return out
}

// idle waits until every stored message is handled and every queued reply sent.
func (r *rig) idle() {
	r.t.Helper()
	eventually(r.t, "the inbox and outbox drained", 30*time.Second, func() bool {
		n, err := r.st.CountInbox(r.ctx, store.InNew)
		if err != nil || n != 0 {
			return false
		}
		due, err := r.st.DueOutbox(r.ctx, account, clock.Real{}.Now().Add(time.Minute), store.DueFilter{}, 1)
		return err == nil && len(due) == 0
	})
}

func (r *rig) person(code string) store.Person {
	r.t.Helper()
	p, err := r.st.PersonByCode(r.ctx, code)
	must(r.t, err)
	return p
}

// bindCode is what `qinqi bindcode CODE` prints.
func (r *rig) bindCode(code string) string {
	r.t.Helper()
	bc, err := r.st.NewBindCode(r.ctx, r.person(code).ID, clock.Real{}.Now(), time.Hour)
	must(r.t, err)
	return bc.Code
}

// friend is a WeChat friend of the bot placed by its qq-<code> remark.
func friend(key, nick, code string) wxfake.Contact {
	c := wxfake.Contact{UserName: key, NickName: nick}
	if code != "" {
		c.RemarkName = store.RemarkPrefix + code
	}
	return c
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// eventually polls cond; the deadline only guards against a hang, it is not a timing assertion.
func eventually(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type logSink struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logSink) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func tail(s string, lines int) string {
	parts := strings.Split(s, "\n")
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	return strings.Join(parts, "\n")
}

// folder builds the traditional → simplified tables, as internal/app does once per process.
func folder(tb testing.TB) *hanzi.Folder {
	tb.Helper()
	f, err := hanzi.New()
	if err != nil {
		tb.Fatal(err)
	}
	return f
}
