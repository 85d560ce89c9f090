package bot_test

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

var quietLog = slog.New(slog.DiscardHandler)

var ibT0 = time.Date(2026, 11, 23, 10, 0, 0, 0, clock.Shanghai)

// irecorder is a handler that answers "收到：<text>" and remembers what it handled.
type irecorder struct {
	mu       sync.Mutex
	calls    []bot.Inbound
	preloads [][]int64                                               // the persons of each PreloadKeys (bot.Preloader)
	fn       func(context.Context, bot.Inbound) ([]bot.Reply, error) // optional override
}

func (r *irecorder) Handle(ctx context.Context, in bot.Inbound) ([]bot.Reply, error) {
	r.mu.Lock()
	r.calls = append(r.calls, in)
	fn := r.fn
	r.mu.Unlock()
	if fn != nil {
		return fn(ctx, in)
	}
	return []bot.Reply{{Text: "收到：" + in.Text}}, nil
}

func (r *irecorder) PreloadKeys(persons []int64) []string {
	r.mu.Lock()
	r.preloads = append(r.preloads, persons)
	r.mu.Unlock()
	keys := make([]string, len(persons))
	for i, p := range persons {
		keys[i] = fmt.Sprint("dialog:", p)
	}
	return keys
}

func (r *irecorder) preloaded() [][]int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]int64(nil), r.preloads...)
}

// setFn swaps the handler's behaviour while the inbox runs.
func (r *irecorder) setFn(fn func(bot.Inbound) ([]bot.Reply, error)) {
	r.setCtxFn(func(_ context.Context, in bot.Inbound) ([]bot.Reply, error) { return fn(in) })
}

// setCtxFn is setFn for a handler that uses the message's context (the store and KV calls of a
// handler join the inbox's transaction through it).
func (r *irecorder) setCtxFn(fn func(context.Context, bot.Inbound) ([]bot.Reply, error)) {
	r.mu.Lock()
	r.fn = fn
	r.mu.Unlock()
}

func (r *irecorder) handled() []bot.Inbound {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Inbound(nil), r.calls...)
}

// irig is an inbox and outbox on a real SQLite store, a KV backend, a fake clock and the fake messenger.
type irig struct {
	t     *testing.T
	ctx   context.Context
	st    *store.Store
	kv    *store.KV
	clk   *clock.Fake
	fake  *bot.Fake
	msgr  bot.Messenger // what the inbox uses for a1; the fake unless a test swaps it
	h     *irecorder
	spool string
	in    *bot.Inbox
	// maxTries is InboxOptions.MaxTries for the next start (0: the default).
	maxTries int
	dir      bot.Directory // InboxOptions.Directory for the next start
	workers  int           // InboxOptions.Workers for the next start (0: the default)
}

func newIRig(t *testing.T, kv *store.KV, st bot.InboxStore) *irig {
	t.Helper()
	r := &irig{t: t, ctx: context.Background(), kv: kv, clk: clock.NewFake(ibT0), fake: bot.NewFake(), h: &irecorder{}, spool: t.TempDir()}
	r.msgr = r.fake
	if s, ok := st.(*store.Store); ok {
		r.st = s
	}
	r.start(st)
	return r
}

// start (re)builds the inbox on st, as a restarted process would.
func (r *irig) start(st bot.InboxStore) {
	r.t.Helper()
	sp, err := bot.OpenSpool(r.spool)
	if err != nil {
		r.t.Fatal(err)
	}
	lim := bot.Limits{Every: time.Second, Burst: 3, MaxAttempts: 3, RetryMin: time.Second, RetryMax: time.Minute}
	in, err := bot.NewInbox(bot.InboxOptions{Store: st, State: r.kv, Handler: r.h, Clock: r.clk, Spool: sp, Logger: quietLog,
		Messengers: map[string]bot.Messenger{"a1": r.msgr}, Limits: map[string]bot.Limits{"a1": lim}, MaxTries: r.maxTries, Directory: r.dir, Workers: r.workers})
	if err != nil {
		r.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(r.ctx)
	in.Start(ctx)
	r.t.Cleanup(func() { in.Stop(); cancel() })
	r.in = in
}

// person adds a person and binds them to key on the fake transport's account a1.
func (r *irig) person(code, key string) domain.PersonID {
	r.t.Helper()
	if err := r.st.UpsertPeople(r.ctx, []store.Person{{Code: code, Name: "人" + code, Roles: domain.MakeRoles(domain.RoleCadre)}}, nil); err != nil {
		r.t.Fatal(err)
	}
	p, err := r.st.PersonByCode(r.ctx, code)
	if err != nil {
		r.t.Fatal(err)
	}
	if key != "" {
		if err := r.st.BindChatIdentity(r.ctx, store.ChatIdentity{Transport: "fake", Account: "a1", ExternalKey: key, PersonID: p.ID}, ibT0); err != nil {
			r.t.Fatal(err)
		}
	}
	return p.ID
}

// msg is a private text from key, stamped with the fake clock.
func (r *irig) msg(id, key, text string) bot.Message {
	return bot.Message{Transport: "fake", Account: "a1", ID: id, SenderKey: key, Kind: bot.KindText, Text: text, Time: r.clk.Now()}
}

// settle waits (on the wall clock, bounded) until the inbox finished everything it accepted.
func (r *irig) settle() {
	r.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !r.in.Idle() {
		if time.Now().After(deadline) {
			r.t.Fatal("inbox did not settle")
		}
		time.Sleep(time.Millisecond)
	}
}

// replies lists the pending outbox texts to a chat key or person, in id order.
func (r *irig) outbox() []store.OutboxMessage {
	r.t.Helper()
	rows, err := r.st.DueOutbox(r.ctx, "a1", r.clk.Now().Add(time.Hour), store.DueFilter{}, 10000)
	if err != nil {
		r.t.Fatal(err)
	}
	slices.SortFunc(rows, func(a, b store.OutboxMessage) int { return cmp.Compare(a.ID, b.ID) }) // in the order queued
	return rows
}

func (r *irig) texts() []string {
	var out []string
	for _, o := range r.outbox() {
		out = append(out, o.Text)
	}
	return out
}

func icountInbox(t *testing.T, s *store.Store, status store.InboxStatus) int64 {
	t.Helper()
	n, err := s.CountInbox(context.Background(), status)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// ieachKV runs f on a fresh SQLite store for every KV backend.
func ieachKV(t *testing.T, f func(t *testing.T, r *irig)) {
	for _, b := range testenv.KVBackends() {
		t.Run(b.Name, func(t *testing.T) {
			st := testenv.SQLite(t)
			f(t, newIRig(t, b.Open(t), st))
		})
	}
}

func iids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%03d", prefix, i)
	}
	return out
}
