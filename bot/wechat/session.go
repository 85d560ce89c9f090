package wechat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eatmoreapple/openwechat"
	"github.com/mdp/qrterminal/v3"

	"qinqi/store"
)

// errWatchdog ends a session whose sync loop went silent ("online but dead").
var errWatchdog = errors.New("wechat: no sync answer within the watchdog window")

// session is one account: a loop of logins, each a new openwechat.Bot (a Bot cannot log in twice).
type session struct {
	w    *Transport
	acct Account
	log  *slog.Logger

	mu  sync.Mutex
	gen *generation // the online login, nil while logging in or reconnecting
	hl  Health
}

func newSession(w *Transport, a Account) *session {
	return &session{w: w, acct: a, log: w.log.With("account", a.Name),
		hl: Health{Account: a.Name, State: Down, Since: w.opt.Clock.Now()}}
}

// generation is one login. The library is not goroutine-safe, so every call into it holds lock: the
// session goroutine while logging in, Send/AcceptFriend while sending, and the library's own sync
// goroutine from each synccheck answer until its next synccheck request (see lockingTransport), which
// covers message parsing, our MessageHandler, the session dump and the error handler.
type generation struct {
	s      *session
	bot    *openwechat.Bot
	ctx    context.Context
	cancel context.CancelFunc
	lock   chan struct{}

	syncHolds bool         // whether the sync goroutine holds lock; touched by the sync goroutine only
	syncErrs  int          // consecutive sync errors; sync goroutine only
	born      time.Time    // monotonic base for lastSync
	lastSync  atomic.Int64 // time since born of the last synccheck answer

	doneOnce sync.Once
	done     chan struct{}
	reason   error // why the login ended; readable after done is closed

	// Set before the login is published, read-only afterwards.
	self     string
	selfNick string
	req      *openwechat.BaseRequest
	info     *openwechat.LoginInfo
	storage  *hotStorage

	frMu       sync.Mutex
	friendReqs map[string]openwechat.RecommendInfo
	frOrder    []string
}

func (g *generation) unlock() { <-g.lock }

// acquire takes the library lock for a caller outside the sync goroutine.
func (g *generation) acquire(ctx context.Context) error {
	select {
	case g.lock <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-g.done:
		return ErrOffline
	}
	select {
	case <-g.done:
		g.unlock()
		return ErrOffline
	default:
		return nil
	}
}

// finish records why the login ended and stops it; the first reason wins.
func (g *generation) finish(reason error) {
	g.doneOnce.Do(func() {
		g.reason = reason
		close(g.done)
	})
	g.cancel()
}

func (s *session) run(ctx context.Context) {
	o := s.w.opt
	backoff := o.ReconnectMin
	for ctx.Err() == nil {
		s.setState(ctx, LoggingIn, nil)
		g, err := s.login(ctx)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			s.log.Warn("wechat: login failed", "err", scrub(err), "retry_in", backoff)
			s.setState(ctx, Reconnecting, err)
			sleep(ctx, jitter(backoff))
			backoff = min(2*backoff, o.ReconnectMax)
			continue
		}
		started := time.Now()
		s.online(ctx, g)
		reason := s.watch(ctx, g)
		s.offline(g)
		if ctx.Err() != nil {
			break
		}
		if time.Since(started) >= o.ReconnectMax {
			backoff = o.ReconnectMin // it was stable: the next drop is not a pattern
		}
		s.log.Warn("wechat: session ended", "reason", scrub(reason), "retry_in", backoff)
		s.setState(ctx, Reconnecting, reason)
		sleep(ctx, jitter(backoff))
		backoff = min(2*backoff, o.ReconnectMax)
	}
	s.setState(context.WithoutCancel(ctx), Down, ctx.Err())
}

// login makes a new Bot and a new storage object (each can be used once), tries the hot-login file
// and falls back to a QR code, which is shown again whenever it expires. Identities are re-mapped
// before the library lock is released, so no message of the new login is read with stale keys.
func (s *session) login(ctx context.Context) (*generation, error) {
	gctx, cancel := context.WithCancel(ctx)
	g := &generation{s: s, ctx: gctx, cancel: cancel, lock: make(chan struct{}, 1), done: make(chan struct{}),
		born: time.Now(), friendReqs: map[string]openwechat.RecommendInfo{}}
	g.lock <- struct{}{} // held until the login is complete; the sync goroutine waits for it
	g.bot = openwechat.DefaultBot(openwechat.Desktop, openwechat.WithContextOption(gctx))
	s.configure(g)
	g.storage = newHotStorage(s.acct.HotLoginFile)

	err := safeCall(func() error { return g.bot.HotLogin(g.storage, openwechat.NewRetryLoginOption()) })
	for errors.Is(err, openwechat.ErrLoginTimeout) && gctx.Err() == nil {
		s.log.Info("wechat: QR code expired; showing a new one")
		sleep(gctx, s.w.opt.ReconnectMin)
		err = safeCall(g.bot.Login)
	}
	if err == nil {
		err = g.capture()
	}
	if err == nil {
		err = s.checkDistinct(g)
	}
	if err != nil {
		g.storage.retire()
		g.finish(err)
		return nil, fmt.Errorf("wechat login: %w", err)
	}
	if contacts, cerr := g.contacts(); cerr != nil {
		s.log.Warn("wechat: friend list unavailable; identities not re-mapped", "err", scrub(cerr))
	} else {
		s.remap(ctx, contacts)
	}
	g.markSync()
	g.unlock()
	return g, nil
}

// checkDistinct refuses a login that landed on a WeChat account another configured account is
// already using (the operator scanned with the wrong phone): two web sessions of one WeChat account
// log each other out. The hot-login file is removed so the next attempt shows a QR code again.
func (s *session) checkDistinct(g *generation) error {
	for _, name := range s.w.order {
		other := s.w.sessions[name]
		if other == s {
			continue
		}
		if og := other.current(); og != nil && og.info.WxUin == g.info.WxUin {
			g.storage.retire()
			if err := os.Remove(s.acct.HotLoginFile); err != nil && !os.IsNotExist(err) {
				s.log.Error("wechat: cannot remove the hot-login file of a wrong login", "err", err)
			}
			return fmt.Errorf("the phone that scanned is already logged in as account %q; scan with the phone of account %q", name, s.acct.Name)
		}
	}
	return nil
}

// capture keeps what sends need, so no other goroutine reads the Bot's mutable fields later.
func (g *generation) capture() error {
	self, err := g.bot.GetCurrentUser()
	if err != nil {
		return err
	}
	g.self, g.selfNick = self.UserName, self.NickName
	g.req = g.bot.Storage.Request
	g.info = g.bot.Storage.LoginInfo
	if g.req == nil || g.info == nil || g.self == "" {
		return errors.New("login finished without session data")
	}
	return nil
}

// contacts lists the account's friends for re-mapping (called with the library lock held).
func (g *generation) contacts() ([]store.WeChatContact, error) {
	out := []store.WeChatContact{}
	err := safeCall(func() error {
		self, err := g.bot.GetCurrentUser()
		if err != nil {
			return err
		}
		friends, err := self.Friends(true)
		if err != nil {
			return err
		}
		for _, f := range friends {
			out = append(out, store.WeChatContact{UserName: f.UserName, RemarkName: f.RemarkName, NickName: f.NickName})
		}
		return nil
	})
	return out, err
}

func (s *session) configure(g *generation) {
	b := g.bot
	b.UUIDCallback = s.showQR // replaces the default, which runs xdg-open
	b.ScanCallBack = func(openwechat.CheckLoginResponse) { s.log.Info("wechat: QR code scanned; confirm on the phone") }
	b.LoginCallBack = func(openwechat.CheckLoginResponse) { s.log.Info("wechat: QR login confirmed") }
	b.SyncCheckCallback = g.onSyncCheck // replaces the default, which logs every poll
	b.MessageHandler = g.onMessage
	b.MessageErrorHandler = g.onSyncError
	b.LogoutCallBack = func(b *openwechat.Bot) { g.onExit(b) }
	// The library retries every request at once, sends included, so a timeout after WeChat took a
	// message would send it twice; our error handler and the outbox retry with back-off instead.
	b.Caller.Client.MaxRetryTimes = 1
	b.Caller.Client.HTTPClient().Transport = &lockingTransport{base: s.w.roundTripper(), g: g}
}

// showQR draws the login QR in the terminal and logs its URL for an operator who is not at it.
func (s *session) showQR(uuid string) {
	img := openwechat.GetQrcodeUrl(uuid)
	s.log.Warn("wechat: scan the QR code with the bot account's phone camera", "qr_url", img)
	s.mu.Lock()
	s.hl.QRURL = img
	s.mu.Unlock()
	if w := s.w.opt.QRWriter; w != nil {
		s.w.qrMu.Lock() // several accounts may show codes at once; keep them whole
		defer s.w.qrMu.Unlock()
		fmt.Fprintf(w, "\nWeChat account %q: scan with the phone camera (or open %s)\n", s.acct.Name, img)
		qrterminal.GenerateHalfBlock("https://login.weixin.qq.com/l/"+uuid, qrterminal.L, w)
	}
}

// watch waits until the login ends, the sync loop goes silent or ctx ends, publishing health.
func (s *session) watch(ctx context.Context, g *generation) error {
	o := s.w.opt
	t := time.NewTicker(min(o.WatchdogSilence/4, o.HealthEvery))
	defer t.Stop()
	for {
		select {
		case <-g.done:
			return g.reason
		case <-ctx.Done():
			g.finish(ctx.Err())
			return ctx.Err()
		case <-t.C:
			if g.silentFor() > o.WatchdogSilence {
				g.finish(errWatchdog)
				return errWatchdog
			}
			s.publish(ctx)
		}
	}
}

func (s *session) online(ctx context.Context, g *generation) {
	s.mu.Lock()
	s.gen = g
	s.hl.Logins++
	s.hl.QRURL = ""
	s.hl.LastSync = s.w.opt.Clock.Now()
	s.mu.Unlock()
	s.setState(ctx, Online, nil)
	s.log.Info("wechat: online")
}

// offline unpublishes the login; writes of its late session dumps are dropped from now on so
// they cannot overwrite what the next login stores.
func (s *session) offline(g *generation) {
	s.mu.Lock()
	if s.gen == g {
		s.gen = nil
	}
	s.mu.Unlock()
	g.finish(errors.New("session replaced"))
	g.storage.retire()
}

func (s *session) current() *generation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gen
}

// remap rewrites the account's identity rows to the new user names; counts only are logged.
func (s *session) remap(ctx context.Context, contacts []store.WeChatContact) {
	dir := s.w.opt.Directory
	if dir == nil {
		return
	}
	c, err := dir.RemapWeChat(ctx, s.acct.Name, contacts, s.w.opt.Clock.Now())
	if err != nil {
		s.log.Error("wechat: identity re-mapping failed", "err", err)
		return
	}
	s.log.Info("wechat: identities re-mapped", "friends", len(contacts), "kept", c.Kept, "by_remark", c.ByRemark,
		"ambiguous", c.Ambiguous, "unknown", c.Unknown, "removed", c.Removed, "unplaced", c.Unplaced)
}

// ---- callbacks on the library's sync goroutine ----

func (g *generation) markSync() { g.lastSync.Store(int64(time.Since(g.born))) }

// silentFor is how long ago the last synccheck answer came (monotonic, immune to clock jumps).
func (g *generation) silentFor() time.Duration {
	return time.Since(g.born) - time.Duration(g.lastSync.Load())
}

func (g *generation) onSyncCheck(resp openwechat.SyncCheckResponse) {
	g.markSync()
	if resp.Success() {
		g.syncErrs = 0
	}
	g.s.noteSync()
}

// onSyncError slows the loop down on repeated errors (the library retries at once, thousands of
// times a second) and ends the login on logout codes or too many failures in a row.
func (g *generation) onSyncError(err error) error {
	if g.ctx.Err() != nil {
		return err // this login was ended on purpose; its last error must not hide why
	}
	g.syncErrs++
	g.s.noteError(err)
	var ret openwechat.Ret
	if errors.As(err, &ret) && (ret == 1100 || ret == 1101 || ret == 1102) {
		return err
	}
	if g.ctx.Err() != nil {
		return err
	}
	o := g.s.w.opt
	if g.syncErrs >= o.MaxSyncErrors {
		return fmt.Errorf("%d sync errors in a row: %w", g.syncErrs, err)
	}
	d := o.SyncErrorMin << min(g.syncErrs-1, 20)
	if d > o.SyncErrorMax || d <= 0 {
		d = o.SyncErrorMax
	}
	if g.syncHolds { // let senders through while we wait
		g.syncHolds = false
		g.unlock()
	}
	sleep(g.ctx, jitter(d))
	return g.ctx.Err()
}

func (g *generation) onExit(b *openwechat.Bot) {
	reason := b.CrashReason()
	if reason == nil {
		reason = errors.New("logged out")
	}
	g.finish(reason)
	if g.syncHolds {
		g.syncHolds = false
		g.unlock()
	}
}

// lockingTransport hands the library lock to the sync goroutine whenever a synccheck long poll
// returns, and takes it back when the next one starts, so sends run while the loop waits.
type lockingTransport struct {
	base http.RoundTripper
	g    *generation
}

func (t *lockingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(req.URL.Path, "/synccheck") {
		return t.base.RoundTrip(req)
	}
	g := t.g
	if g.syncHolds {
		g.syncHolds = false
		g.unlock()
	}
	resp, err := t.base.RoundTrip(req)
	select {
	case g.lock <- struct{}{}:
		g.syncHolds = true
		return resp, err
	case <-g.ctx.Done():
		if resp != nil {
			_ = resp.Body.Close()
		}
		return nil, g.ctx.Err()
	}
}

func (w *Transport) roundTripper() http.RoundTripper {
	if w.opt.HTTPTransport != nil {
		return w.opt.HTTPTransport
	}
	return http.DefaultTransport
}

// safeCall runs a library call and turns its panics into errors.
func safeCall(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("wechat library panicked: %v", r)
		}
	}()
	return f()
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// jitter spreads d by ±20% so several accounts never retry in step.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d*4/5 + rand.N(d*2/5+1)
}
