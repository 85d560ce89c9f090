package wechat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/store"
)

// Errors Send and AcceptFriend return; the outbox retries ErrOffline, the others wrap bot.ErrPermanent.
var (
	// ErrOffline: the account is logging in or reconnecting; try again later.
	ErrOffline = errors.New("wechat: account is not online")
	// ErrUnknownAccount: no such account in the configuration (permanent).
	ErrUnknownAccount = fmt.Errorf("wechat: unknown account: %w", bot.ErrPermanent)
	// ErrRejected: WeChat refused this message or request for good (permanent).
	ErrRejected = fmt.Errorf("wechat: rejected: %w", bot.ErrPermanent)
)

// Account is one personal WeChat account the bot logs in as.
type Account struct {
	Name         string
	HotLoginFile string // session dump; holds cookies, so keep it private (0600)
}

// Directory re-maps the per-login user names of an account's friends to persons.
// *store.Store implements it.
type Directory interface {
	RemapWeChat(ctx context.Context, account string, contacts []store.WeChatContact, now time.Time) (store.RemapCounts, error)
}

// HealthKV is where account health is published for `qinqi status`; *store.KV implements it.
type HealthKV interface {
	Set(ctx context.Context, key, val string, ttl time.Duration) error
}

// Options configure the transport. Zero durations get production defaults.
type Options struct {
	Accounts  []Account
	Directory Directory // nil: no re-mapping (tests of the transport alone)
	KV        HealthKV  // nil: health kept in memory only
	Clock     clock.Clock
	Logger    *slog.Logger

	// WatchdogSilence restarts a session when no synccheck answer arrived for this long.
	WatchdogSilence time.Duration
	// ReconnectMin and ReconnectMax bound the back-off between login attempts.
	ReconnectMin, ReconnectMax time.Duration
	// SyncErrorMin and SyncErrorMax bound the sleep after consecutive sync errors (1205, network).
	SyncErrorMin, SyncErrorMax time.Duration
	// MaxSyncErrors consecutive sync errors end the session and start a new login.
	MaxSyncErrors int
	// HealthEvery is how often health is re-published; the KV entry lives three times as long.
	HealthEvery time.Duration

	MediaDir      string            // inbound images, voice and files are saved here (default data/media)
	HTTPTransport http.RoundTripper // tests route everything to a fake; nil in production
	QRWriter      io.Writer         // the login QR code is drawn here; nil: only its URL is logged
}

func (o *Options) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.WatchdogSilence, 3*time.Minute)
	def(&o.ReconnectMin, 5*time.Second)
	def(&o.ReconnectMax, 10*time.Minute)
	def(&o.SyncErrorMin, 2*time.Second)
	def(&o.SyncErrorMax, time.Minute)
	def(&o.HealthEvery, 15*time.Second)
	if o.ReconnectMax < o.ReconnectMin {
		o.ReconnectMax = o.ReconnectMin
	}
	if o.SyncErrorMax < o.SyncErrorMin {
		o.SyncErrorMax = o.SyncErrorMin
	}
	if o.MaxSyncErrors <= 0 {
		o.MaxSyncErrors = 8
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MediaDir == "" {
		o.MediaDir = filepath.Join("data", "media")
	}
}

// WeChat is the Messenger for personal WeChat accounts via openwechat (desktop mode). Each account
// runs its own session goroutine that logs in, re-logs in with back-off and watches the sync loop.
type Transport struct {
	opt      Options
	log      *slog.Logger
	sessions map[string]*session
	order    []string
	inbox    *queue
	qrMu     sync.Mutex

	startOnce sync.Once
	wg        sync.WaitGroup
}

// New checks the options; nothing connects until Receive.
func New(o Options) (*Transport, error) {
	o.defaults()
	if len(o.Accounts) == 0 {
		return nil, errors.New("wechat: no accounts configured (wechat.accounts)")
	}
	w := &Transport{opt: o, log: o.Logger.With("transport", "wechat"), sessions: map[string]*session{}, inbox: newQueue()}
	for _, a := range o.Accounts {
		if a.Name == "" || a.HotLoginFile == "" {
			return nil, errors.New("wechat: every account needs a name and a hot_login_file")
		}
		if _, dup := w.sessions[a.Name]; dup {
			return nil, fmt.Errorf("wechat: account %q is listed twice", a.Name)
		}
		w.sessions[a.Name] = newSession(w, a)
		w.order = append(w.order, a.Name)
	}
	return w, nil
}

// Name is "wechat".
func (w *Transport) Name() string { return "wechat" }

// Receive starts every account's session and delivers inbound messages to h, one at a time and in
// arrival order, until ctx ends; it returns after the sessions stopped.
func (w *Transport) Receive(ctx context.Context, h func(context.Context, bot.Message)) error {
	w.startOnce.Do(func() {
		for _, name := range w.order {
			s := w.sessions[name]
			w.wg.Add(1)
			go func() {
				defer w.wg.Done()
				s.run(ctx)
			}()
		}
	})
	defer w.wg.Wait()
	for {
		batch, ok := w.inbox.wait(ctx)
		if !ok {
			return ctx.Err()
		}
		for _, m := range batch {
			w.deliver(ctx, h, m)
		}
	}
}

// deliver calls h and survives its panics, so one bad message never stops the bot.
func (w *Transport) deliver(ctx context.Context, h func(context.Context, bot.Message), m bot.Message) {
	defer func() {
		if r := recover(); r != nil {
			w.log.Error("wechat: message handler panicked", "account", m.Account, "kind", m.Kind, "panic", fmt.Sprint(r))
		}
	}()
	h(ctx, m)
}

// Health returns the current health of every account, in configuration order.
func (w *Transport) Health() []Health {
	out := make([]Health, 0, len(w.order))
	for _, name := range w.order {
		out = append(out, w.sessions[name].health())
	}
	return out
}

// Send sends text, an image or a named file to one chat key of the account's current login.
func (w *Transport) Send(ctx context.Context, account string, out bot.Outgoing) error {
	s, ok := w.sessions[account]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownAccount, account)
	}
	if out.To == "" {
		return fmt.Errorf("%w: empty recipient", ErrRejected)
	}
	var file *os.File
	if out.File != nil {
		f, cleanup, err := namedFile(out.FileName, out.File)
		if err != nil {
			return err
		}
		defer cleanup()
		file = f
	}
	return s.send(ctx, out, file)
}

// AcceptFriend accepts the friend request m carried; m must come from this transport's current login.
func (w *Transport) AcceptFriend(ctx context.Context, m bot.Message) error {
	if m.Kind != bot.KindFriendRequest {
		return fmt.Errorf("%w: not a friend request", ErrRejected)
	}
	s, ok := w.sessions[m.Account]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownAccount, m.Account)
	}
	return s.acceptFriend(ctx, m)
}

// namedFile copies r into a temporary directory under the name the recipient should see: the
// library uploads a *os.File under its own name and renames any other reader to a random number.
func namedFile(name string, r io.Reader) (*os.File, func(), error) {
	name = safeFileName(name)
	dir, err := os.MkdirTemp("", "qinqi-send-*")
	if err != nil {
		return nil, nil, fmt.Errorf("wechat: temp dir for file: %w", err)
	}
	cleanup := func() { _ = os.RemoveAll(dir) }
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("wechat: temp file: %w", err)
	}
	if _, err := io.Copy(f, r); err != nil {
		_ = f.Close()
		cleanup()
		return nil, nil, fmt.Errorf("wechat: copy file: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		_ = f.Close()
		cleanup()
		return nil, nil, fmt.Errorf("wechat: rewind file: %w", err)
	}
	return f, func() { _ = f.Close(); cleanup() }, nil
}

// safeFileName keeps the base name and drops path separators and control characters.
func safeFileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' || r == ':' {
			return -1
		}
		return r
	}, name)
	if name == "" || name == "." || name == ".." {
		return "file"
	}
	return name
}

// queue hands messages from the sync goroutines to Receive without ever blocking the sender:
// the sync goroutine holds the account's library lock while it hands off.
type queue struct {
	mu     sync.Mutex
	items  []bot.Message
	signal chan struct{}
}

func newQueue() *queue { return &queue{signal: make(chan struct{}, 1)} }

func (q *queue) push(m bot.Message) {
	q.mu.Lock()
	q.items = append(q.items, m)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

func (q *queue) wait(ctx context.Context) ([]bot.Message, bool) {
	for {
		q.mu.Lock()
		items := q.items
		q.items = nil
		q.mu.Unlock()
		if len(items) > 0 {
			return items, true
		}
		select {
		case <-ctx.Done():
			return nil, false
		case <-q.signal:
		}
	}
}
