package bot

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

	"qinqi/internal/clock"
	"qinqi/store"
)

// Errors Send and AcceptFriend return; the outbox retries ErrWeChatOffline, the others wrap ErrPermanent.
var (
	// ErrWeChatOffline: the account is logging in or reconnecting; try again later.
	ErrWeChatOffline = errors.New("wechat: account is not online")
	// ErrWeChatUnknownAccount: no such account in the configuration (permanent).
	ErrWeChatUnknownAccount = fmt.Errorf("wechat: unknown account: %w", ErrPermanent)
	// ErrWeChatRejected: WeChat refused this message or request for good (permanent).
	ErrWeChatRejected = fmt.Errorf("wechat: rejected: %w", ErrPermanent)
)

// WeChatAccount is one personal WeChat account the bot logs in as.
type WeChatAccount struct {
	Name         string
	HotLoginFile string // session dump; holds cookies, so keep it private (0600)
}

// WeChatDirectory re-maps the per-login user names of an account's friends to persons.
// *store.Store implements it.
type WeChatDirectory interface {
	RemapWeChat(ctx context.Context, account string, contacts []store.WeChatContact, now time.Time) (store.RemapCounts, error)
}

// HealthKV is where account health is published for `qinqi status`; *store.KV implements it.
type HealthKV interface {
	Set(ctx context.Context, key, val string, ttl time.Duration) error
}

// WeChatOptions configure the transport. Zero durations get production defaults.
type WeChatOptions struct {
	Accounts  []WeChatAccount
	Directory WeChatDirectory // nil: no re-mapping (tests of the transport alone)
	KV        HealthKV        // nil: health kept in memory only
	Clock     clock.Clock
	Logger    *slog.Logger

	// WatchdogSilence restarts a session when no synccheck answer arrived for this long.
	WatchdogSilence time.Duration
	// ReconnectMin and ReconnectMax bound the back-off between login attempts.
	ReconnectMin, ReconnectMax time.Duration
	// SyncErrorMin and SyncErrorMax bound the wxSleep after consecutive sync errors (1205, network).
	SyncErrorMin, SyncErrorMax time.Duration
	// MaxSyncErrors consecutive sync errors end the session and start a new login.
	MaxSyncErrors int
	// HealthEvery is how often health is re-published; the KV entry lives three times as long.
	HealthEvery time.Duration

	MediaDir      string            // inbound images, voice and files are saved here (default data/media)
	HTTPTransport http.RoundTripper // tests route everything to a fake; nil in production
	QRWriter      io.Writer         // the login QR code is drawn here; nil: only its URL is logged
}

func (o *WeChatOptions) defaults() {
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
type WeChat struct {
	opt      WeChatOptions
	log      *slog.Logger
	sessions map[string]*wxSession
	order    []string
	inbox    *wxQueue
	qrMu     sync.Mutex

	startOnce sync.Once
	wg        sync.WaitGroup
}

// NewWeChat checks the options; nothing connects until Receive.
func NewWeChat(o WeChatOptions) (*WeChat, error) {
	o.defaults()
	if len(o.Accounts) == 0 {
		return nil, errors.New("wechat: no accounts configured (wechat.accounts)")
	}
	w := &WeChat{opt: o, log: o.Logger.With("transport", "wechat"), sessions: map[string]*wxSession{}, inbox: newWxQueue()}
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
func (w *WeChat) Name() string { return "wechat" }

// Receive starts every account's session and delivers inbound messages to h, one at a time and in
// arrival order, until ctx ends; it returns after the sessions stopped.
func (w *WeChat) Receive(ctx context.Context, h func(context.Context, Message)) error {
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
func (w *WeChat) deliver(ctx context.Context, h func(context.Context, Message), m Message) {
	defer func() {
		if r := recover(); r != nil {
			w.log.Error("wechat: message handler panicked", "account", m.Account, "kind", m.Kind, "panic", fmt.Sprint(r))
		}
	}()
	h(ctx, m)
}

// Health returns the current health of every account, in configuration order.
func (w *WeChat) Health() []WeChatHealth {
	out := make([]WeChatHealth, 0, len(w.order))
	for _, name := range w.order {
		out = append(out, w.sessions[name].health())
	}
	return out
}

// Send sends text, an image or a named file to one chat key of the account's current login.
func (w *WeChat) Send(ctx context.Context, account string, out Outgoing) error {
	s, ok := w.sessions[account]
	if !ok {
		return fmt.Errorf("%w: %q", ErrWeChatUnknownAccount, account)
	}
	if out.To == "" {
		return fmt.Errorf("%w: empty recipient", ErrWeChatRejected)
	}
	var file *os.File
	if out.File != nil {
		f, cleanup, err := wxNamedFile(out.FileName, out.File)
		if err != nil {
			return err
		}
		defer cleanup()
		file = f
	}
	return s.send(ctx, out, file)
}

// AcceptFriend accepts the friend request m carried; m must come from this transport's current login.
func (w *WeChat) AcceptFriend(ctx context.Context, m Message) error {
	if m.Kind != KindFriendRequest {
		return fmt.Errorf("%w: not a friend request", ErrWeChatRejected)
	}
	s, ok := w.sessions[m.Account]
	if !ok {
		return fmt.Errorf("%w: %q", ErrWeChatUnknownAccount, m.Account)
	}
	return s.acceptFriend(ctx, m)
}

// wxNamedFile copies r into a temporary directory under the name the recipient should see: the
// library uploads a *os.File under its own name and renames any other reader to a random number.
func wxNamedFile(name string, r io.Reader) (*os.File, func(), error) {
	name = wxSafeFileName(name)
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

// wxSafeFileName keeps the base name and drops path separators and control characters.
func wxSafeFileName(name string) string {
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

// wxQueue hands messages from the sync goroutines to Receive without ever blocking the sender:
// the sync goroutine holds the account's library lock while it hands off.
type wxQueue struct {
	mu     sync.Mutex
	items  []Message
	signal chan struct{}
}

func newWxQueue() *wxQueue { return &wxQueue{signal: make(chan struct{}, 1)} }

func (q *wxQueue) push(m Message) {
	q.mu.Lock()
	q.items = append(q.items, m)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

func (q *wxQueue) wait(ctx context.Context) ([]Message, bool) {
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
