package faults_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/handlers"
	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/hanzi"
	"qinqi/store"
)

// cadre is one fixture cadre: their person id and the chat key they write from.
type cadre struct {
	code string
	id   domain.PersonID
	key  string
}

// seedCounty adds one unit with n cadres, each paired with hh households (numbered 1..hh in
// their list), all bound on the fake transport's account a1.
func seedCounty(t *testing.T, st *store.Store, n, hh int) []cadre {
	t.Helper()
	ctx := context.Background()
	must(t, st.UpsertUnits(ctx, []store.Unit{{Code: "U1", Name: "县农业农村局"}}, nil))
	u, err := st.UnitByCode(ctx, "U1")
	must(t, err)
	var hhs []store.Household
	var people []store.Person
	for i := range n {
		people = append(people, store.Person{Code: fmt.Sprintf("C%03d", i), Name: fmt.Sprintf("干部%03d", i),
			Roles: domain.MakeRoles(domain.RoleCadre), UnitID: &u.ID})
		for j := range hh {
			hhs = append(hhs, store.Household{Code: fmt.Sprintf("H%03d-%d", i, j), HeadName: fmt.Sprintf("户主%03d%c", i, 'A'+j)})
		}
	}
	must(t, st.UpsertHouseholds(ctx, hhs, nil))
	must(t, st.UpsertPeople(ctx, people, nil))
	since := clock.Date(2026, 1, 5)
	var out []cadre
	var pairs []store.Pairing
	for i := range n {
		p, err := st.PersonByCode(ctx, fmt.Sprintf("C%03d", i))
		must(t, err)
		c := cadre{code: p.Code, id: p.ID, key: fmt.Sprintf("wx-%03d", i)}
		must(t, st.BindChatIdentity(ctx, store.ChatIdentity{Transport: "fake", Account: "a1", ExternalKey: c.key, PersonID: p.ID}, since))
		for j := range hh {
			h, err := st.HouseholdByCode(ctx, fmt.Sprintf("H%03d-%d", i, j))
			must(t, err)
			pairs = append(pairs, store.Pairing{Code: fmt.Sprintf("J%03d-%d", i, j), CadreID: p.ID, HouseholdID: h.ID, StartOn: since})
		}
		out = append(out, c)
	}
	must(t, st.UpsertPairings(ctx, pairs))
	return out
}

// quiet drops the store's own log lines (slow statements, failed queries during an outage).
var quiet = slog.New(slog.DiscardHandler)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// sent is one message the bot sent, with the phase of the test it went out in.
type sent struct {
	bot.Sent
	phase string
}

// recorder is the fake messenger with each send stamped by the test's current phase.
type recorder struct {
	*bot.Fake
	phase atomic.Value // string

	mu   sync.Mutex
	sent []sent
}

func newRecorder() *recorder {
	r := &recorder{Fake: bot.NewFake()}
	r.phase.Store("start")
	return r
}

func (r *recorder) Send(ctx context.Context, account string, out bot.Outgoing) error {
	if err := r.Fake.Send(ctx, account, out); err != nil {
		return err
	}
	r.mu.Lock()
	r.sent = append(r.sent, sent{Sent: bot.Sent{Account: account, To: out.To, Text: out.Text}, phase: r.phase.Load().(string)})
	r.mu.Unlock()
	return nil
}

func (r *recorder) all() []sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sent(nil), r.sent...)
}

// pipe is the real inbound pipeline: inbox with its spool → router → store → outbox → recorder.
type pipe struct {
	p     *bot.Pipeline
	rec   *recorder
	spool string
	stop  func()
}

// logSink collects the pipeline's log; it is printed only when a test fails.
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

// liftedLimits sends as fast as the pipeline can (the bucket is not under test).
func liftedLimits() bot.Limits {
	return bot.Limits{MaxAttempts: 5, RetryMin: 200 * time.Millisecond, RetryMax: time.Second}
}

// prodLimits is the production policy with a faster bucket and no jitter, so a test takes seconds.
func prodLimits(t *testing.T) bot.Limits {
	t.Helper()
	lim, err := bot.LimitsFromConfig(config.Defaults().Outbox)
	must(t, err)
	lim.Every, lim.Jitter, lim.RetryMin = 50*time.Millisecond, 0, 200*time.Millisecond
	return lim
}

// startPipe wires the production parts as internal/app does, on the wall clock, with a fast
// spool retry.
func startPipe(t *testing.T, st *store.Store, kv *store.KV, lim bot.Limits) *pipe {
	t.Helper()
	return startPipeOn(t, st, st, kv, lim)
}

// startPipeOn is startPipe with the inbox and outbox on bs and the handlers on hs (either may be a
// store with injected faults).
func startPipeOn(t *testing.T, bs bot.Store, hs handlers.Store, kv *store.KV, lim bot.Limits) *pipe {
	t.Helper()
	logs := &logSink{}
	var w io.Writer = logs
	if os.Getenv("QINQI_FAULTS_VERBOSE") != "" {
		w = io.MultiWriter(logs, os.Stderr)
	}
	log := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cfg := config.Defaults()
	router := handlers.New(handlers.Deps{Store: hs, Dialogs: kv, Clock: clock.Real{}, Config: cfg, Logger: log, Hanzi: folder(t)})
	rec := newRecorder()
	pp := &pipe{rec: rec, spool: t.TempDir()}
	p, err := bot.NewPipeline(bot.PipelineOptions{
		Accounts: []bot.Account{{Name: "a1", Messenger: rec, Limits: lim}},
		Handler:  router, Store: bs, State: kv, Clock: clock.Real{}, Logger: log,
		SpoolDir: pp.spool, MaintainEvery: 100 * time.Millisecond,
	})
	must(t, err)
	pp.p = p
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	pp.stop = sync.OnceFunc(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("pipeline: %v", err)
		}
	})
	t.Cleanup(func() {
		pp.stop()
		if t.Failed() {
			t.Logf("pipeline log (tail):\n%s", tail(logs.String(), 60))
		}
	})
	return pp
}

func tail(s string, lines int) string {
	parts := strings.Split(s, "\n")
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	return strings.Join(parts, "\n")
}

// push hands one private text from key to the pipeline.
func (pp *pipe) push(id, key, text string) {
	pp.rec.Push(bot.Message{Account: "a1", ID: id, SenderKey: key, Kind: bot.KindText, Text: text})
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

// folder builds the traditional → simplified tables, as internal/app does once per process.
func folder(tb testing.TB) *hanzi.Folder {
	tb.Helper()
	f, err := hanzi.New()
	if err != nil {
		tb.Fatal(err)
	}
	return f
}
