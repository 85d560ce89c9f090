package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"qinqi/bot"
	"qinqi/handlers"
	"qinqi/internal/calendar"
	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/hanzi"
	"qinqi/internal/seed"
	"qinqi/store"
)

// benchTransport and benchAccount key the senders' chat identities, as "wechat"/"bot1" would.
const (
	benchTransport = "fake"
	benchAccount   = "bench"
)

// county is one migrated, seeded database with its KV and the cadres who send reports.
type county struct {
	backend string
	dsn     string // the database's DSN (SQLite: file path)
	st      *store.Store
	kv      *store.KV
	kvOpts  store.KVOptions  // how kv was opened: the counting pass opens a second client like it
	dir     *store.Directory // the sender cache, as serve wires it
	cfg     config.Config
	senders []cadreSender
	tag     string // makes message ids unique across runs on this database
	log     *slog.Logger
	quiet   atomic.Bool // set while a pipeline stops, see gatedHandler
	close   func()

	mu  sync.Mutex
	seq []int // per sender: reports sent so far
}

// cadreSender is one cadre with a bound chat key and the size of their 我的亲戚 list.
type cadreSender struct {
	id    domain.PersonID
	key   string
	homes int
}

// openCounty creates the database (SQLite file or a fresh MariaDB database), migrates and seeds it
// with env.Households households, opens the KV (Redis when given) and binds up to maxSenders cadres.
func openCounty(ctx context.Context, env Env, backend string, maxSenders int) (*county, error) {
	c := &county{backend: backend, cfg: config.Defaults(), tag: randomTag()}
	base := env.Log
	if base == nil {
		base = slog.New(slog.DiscardHandler)
	}
	c.log = slog.New(gatedHandler{base.Handler(), &c.quiet})
	var closers []func()
	c.close = func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	opts := store.Options{Driver: store.DriverSQLite, Logger: c.log, MaxOpen: c.cfg.Database.MaxOpen}
	if backend == backendMariaDB {
		dsn, drop, err := scratchDatabase(ctx, env.MySQLDSN, "checkin")
		if err != nil {
			return nil, err
		}
		closers = append(closers, drop)
		opts.Driver, opts.DSN = store.DriverMySQL, dsn
	} else {
		opts.DSN = filepath.Join(env.TempDir, "checkin-"+randomTag()+".db")
	}
	c.dsn = opts.DSN
	if err := c.fill(ctx, env, opts, maxSenders, &closers); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

func (c *county) fill(ctx context.Context, env Env, opts store.Options, maxSenders int, closers *[]func()) error {
	st, err := store.Open(ctx, opts)
	if err != nil {
		return err
	}
	*closers = append(*closers, func() { _ = st.Close() })
	c.st = st
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	now := time.Now()
	so := seed.Options{Households: households(env), Cadres: max(households(env)/5, maxSenders), Seed: 1,
		Start: clock.Day(now).AddDate(-1, 0, 0)}
	if _, err := seed.Generate(ctx, st, so); err != nil {
		return fmt.Errorf("bench: seed: %w", err)
	}
	c.kvOpts = store.KVOptions{Addr: env.RedisAddr, Prefix: "qinqi-bench-" + randomTag() + ":"}
	kv, err := store.OpenKV(ctx, c.kvOpts)
	if err != nil {
		return err
	}
	*closers = append(*closers, func() {
		_ = kv.DropAll(context.Background()) // the run's own prefix: nothing of it outlives the bench
		_ = kv.Close()
	})
	c.kv = kv
	if c.dir, err = store.NewDirectory(st, kv, !kv.InProcess(), c.log); err != nil {
		return err
	}
	c.senders, err = bindSenders(ctx, st, now, maxSenders)
	c.seq = make([]int, len(c.senders))
	return err
}

// kvName says which KV the pipeline used.
func (c *county) kvName() string {
	if c.kv.InProcess() {
		return "in-process"
	}
	return "redis"
}

func households(env Env) int {
	if env.Households > 0 {
		return env.Households
	}
	return 2000
}

func randomTag() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// bindSenders picks the cadres with the most active pairings (ties by id) and binds a chat key to
// each, the way a friend request with a bind code does.
func bindSenders(ctx context.Context, st *store.Store, now time.Time, n int) ([]cadreSender, error) {
	pairings, err := st.AllPairings(ctx)
	if err != nil {
		return nil, err
	}
	homes := map[domain.PersonID]int{}
	for _, p := range pairings {
		if p.Active(now) {
			homes[p.CadreID]++
		}
	}
	var out []cadreSender
	for id, k := range homes {
		out = append(out, cadreSender{id: id, key: fmt.Sprintf("wxid_bench_%d", id), homes: k})
	}
	slices.SortFunc(out, func(a, b cadreSender) int {
		if a.homes != b.homes {
			return b.homes - a.homes
		}
		return int(a.id - b.id)
	})
	if len(out) < n {
		return nil, fmt.Errorf("bench: the county has %d cadres with households, need %d senders", len(out), n)
	}
	out = out[:n]
	for _, s := range out {
		ci := store.ChatIdentity{Transport: benchTransport, Account: benchAccount, ExternalKey: s.key, PersonID: s.id}
		if err := st.BindChatIdentity(ctx, ci, now); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// line is a running pipeline: fake transport → inbox → router → outbox, as `qinqi serve` wires it
// (internal/app/wire.go) with the production outbox limits.
type line struct {
	fake   *bot.Fake
	tap    *tapStore
	stages *stages
	stop   func() error
}

// stages time the parts of the path: Inbox.Accept in the transport's receive loop (same-text check
// and inbox write; one message at a time, as every transport delivers), the inbox write alone, the
// router, and the transaction that commits the reply and the done mark.
type stages struct {
	accept, save, handle, complete stage
}

type stage struct {
	n, total atomic.Int64 // calls, nanoseconds
}

func (s *stage) since(t time.Time) { s.sinceFor(t, 1) }

// sinceFor counts one call that did the work of n (a batch's inbox rows in one INSERT).
func (s *stage) sinceFor(t time.Time, n int) {
	s.n.Add(int64(n))
	s.total.Add(int64(time.Since(t)))
}

func (s *stage) mean() time.Duration { return time.Duration(s.total.Load() / max(1, s.n.Load())) }

func (st *stages) reset() {
	for _, s := range []*stage{&st.accept, &st.save, &st.handle, &st.complete} {
		s.n.Store(0)
		s.total.Store(0)
	}
}

// summary says where a message's time went and how busy the receive loop was over elapsed.
func (st *stages) summary(elapsed time.Duration) string {
	busy := float64(st.accept.total.Load()) / float64(max(elapsed, 1))
	return fmt.Sprintf("mean accept %s of which inbox write %s (receive loop busy %.0f%%), handler %s, reply commit %s",
		millis(st.accept.mean()), millis(st.save.mean()), 100*busy, millis(st.handle.mean()), millis(st.complete.mean()))
}

// timedMessenger is the fake transport with Inbox.Accept timed.
type timedMessenger struct {
	*bot.Fake
	st *stages
}

func (m timedMessenger) Receive(ctx context.Context, h func(context.Context, bot.Message)) error {
	return m.Fake.Receive(ctx, func(ctx context.Context, msg bot.Message) {
		defer m.st.accept.since(time.Now())
		h(ctx, msg)
	})
}

// timedHandler is the router with its calls timed.
type timedHandler struct {
	bot.Handler
	st *stages
}

// PreloadKeys passes the batch's read ahead on to the router.
func (h timedHandler) PreloadKeys(persons []int64) []string {
	if p, ok := h.Handler.(bot.Preloader); ok {
		return p.PreloadKeys(persons)
	}
	return nil
}

func (h timedHandler) Handle(ctx context.Context, in bot.Inbound) ([]bot.Reply, error) {
	defer h.st.handle.since(time.Now())
	return h.Handler.Handle(ctx, in)
}

// startLine builds the router and the pipeline on the county and runs it until stop.
func (c *county) startLine(ctx context.Context, env Env, workers int) (*line, error) {
	cal, err := calendar.New(c.cfg.Windows, c.cfg.Campaigns)
	if err != nil {
		return nil, err
	}
	fold, err := hanzi.New()
	if err != nil {
		return nil, err
	}
	router := handlers.New(handlers.Deps{Store: c.st, Dialogs: c.kv, Clock: clock.Real{}, Config: c.cfg, Logger: c.log, Hanzi: fold,
		Extra: handlers.ExtraDeps{Coord: c.st, Windows: cal, Spot: c.st}})
	lim, err := bot.LimitsFromConfig(c.cfg.Outbox)
	if err != nil {
		return nil, err
	}
	fake, st := bot.NewFake(), &stages{}
	tap := newTapStore(c.st, st)
	p, err := bot.NewPipeline(bot.PipelineOptions{
		Accounts: []bot.Account{{Name: benchAccount, Messenger: timedMessenger{fake, st}, Limits: lim}},
		Handler:  timedHandler{router, st}, Store: tap, State: c.kv, Clock: clock.Real{}, Logger: c.log,
		SpoolDir: filepath.Join(env.TempDir, "spool-"+randomTag()), SameTextWindow: c.cfg.Inbox.SameTextWindow,
		MaxBindTries: c.cfg.Bind.MaxTriesPerHour, Workers: workers, Directory: c.dir,
	})
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(runCtx) }()
	stop := func() error {
		c.quiet.Store(true)
		defer c.quiet.Store(false)
		cancel()
		err := <-done
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	}
	return &line{fake: fake, tap: tap, stages: st, stop: stop}, nil
}

// completion is how one message ended: its reply committed to the outbox (or the row failed).
type completion struct {
	at    time.Time
	saved bool   // the reply says 已记录: a check-in was stored
	reply string // the first reply, for the error message when it was not
}

// tapStore is the store the pipeline sees: every call goes to *store.Store; it only notes when the
// transaction that marks a message done and queues its reply has committed.
type tapStore struct {
	*store.Store
	st      *stages
	mu      sync.Mutex
	msgOf   map[domain.InboxID]string   // inbox row → transport message id
	waiting map[string]func(completion) // message id → who waits for it
}

func newTapStore(st *store.Store, stg *stages) *tapStore {
	return &tapStore{Store: st, st: stg, msgOf: map[domain.InboxID]string{}, waiting: map[string]func(completion){}}
}

// expect registers done for the message with this id; call it before the message is pushed.
func (t *tapStore) expect(msgID string, done func(completion)) {
	t.mu.Lock()
	t.waiting[msgID] = done
	t.mu.Unlock()
}

// SaveInbound is the inbox write; the row id is remembered to find the message at completion.
func (t *tapStore) SaveInbound(ctx context.Context, m *store.InboxMessage) error {
	start := time.Now()
	err := t.Store.SaveInbound(ctx, m)
	t.st.save.since(start)
	if err == nil {
		t.mu.Lock()
		t.msgOf[m.ID] = m.MsgID
		t.mu.Unlock()
	}
	return err
}

// SaveInboundAll is the inbox write of a batch's rows at once (MariaDB); each row's id is remembered
// as SaveInbound's is.
func (t *tapStore) SaveInboundAll(ctx context.Context, ms []*store.InboxMessage) error {
	start := time.Now()
	err := t.Store.SaveInboundAll(ctx, ms)
	if err != nil {
		return err
	}
	t.st.save.sinceFor(start, len(ms))
	t.mu.Lock()
	for _, m := range ms {
		t.msgOf[m.ID] = m.MsgID
	}
	t.mu.Unlock()
	return nil
}

// Batch runs one of the inbox's batches (group commit): the completions of its messages are told
// once it has committed, not when CompleteInbound holds their writes inside it; a batch that does
// not commit tells none (its messages are redone and complete again).
func (t *tapStore) Batch(ctx context.Context, fn func(ctx context.Context) error) error {
	var told []func(time.Time)
	err := t.Store.Batch(ctx, func(ctx context.Context) error {
		return fn(context.WithValue(ctx, afterCommitKey{}, &told))
	})
	if err != nil {
		return err
	}
	at := time.Now()
	for _, tell := range told {
		tell(at)
	}
	return nil
}

// afterCommitKey carries, in a batch's context, the completions told when it commits.
type afterCommitKey struct{}

// CompleteInbound commits the replies and the done mark, then tells the waiting sender (in a batch:
// once the batch has committed).
func (t *tapStore) CompleteInbound(ctx context.Context, id domain.InboxID, r store.InboxResult, now time.Time) error {
	start := time.Now()
	if err := t.Store.CompleteInbound(ctx, id, r, now); err != nil {
		return err
	}
	t.st.complete.since(start)
	c := completion{}
	if len(r.Replies) > 0 {
		c.reply = r.Replies[0].Text
	}
	c.saved = r.Status == store.InDone && strings.Contains(c.reply, "已记录")
	tell := func(at time.Time) {
		c.at = at
		t.tell(id, c)
	}
	if told, ok := ctx.Value(afterCommitKey{}).(*[]func(time.Time)); ok {
		*told = append(*told, tell)
		return nil
	}
	tell(time.Now())
	return nil
}

// tell hands the completion of inbox row id to the sender waiting for its message.
func (t *tapStore) tell(id domain.InboxID, c completion) {
	t.mu.Lock()
	done := t.waiting[t.msgOf[id]]
	delete(t.waiting, t.msgOf[id])
	delete(t.msgOf, id)
	t.mu.Unlock()
	if done != nil {
		done(c)
	}
}

// gatedHandler drops log records while closed is set: stopping a pipeline cancels the outbox's
// in-flight queries, which log as failures although nothing failed.
type gatedHandler struct {
	slog.Handler
	closed *atomic.Bool
}

func (h gatedHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return !h.closed.Load() && h.Handler.Enabled(ctx, l)
}

func (h gatedHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return gatedHandler{h.Handler.WithAttrs(as), h.closed}
}

func (h gatedHandler) WithGroup(name string) slog.Handler {
	return gatedHandler{h.Handler.WithGroup(name), h.closed}
}
