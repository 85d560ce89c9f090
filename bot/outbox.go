package bot

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

// ErrPermanent marks a send failure that no retry can fix (unknown recipient, blocked, file
// rejected). Transports wrap it: fmt.Errorf("…: %w", bot.ErrPermanent) or Permanent(err).
var ErrPermanent = errors.New("permanent send failure")

// Permanent marks err as permanent.
func Permanent(err error) error { return fmt.Errorf("%w: %w", ErrPermanent, err) }

// OutboxStore is what the outbox needs from the store (*store.Store implements it).
type OutboxStore interface {
	DueOutbox(ctx context.Context, account string, now time.Time, f store.DueFilter, limit int) ([]store.OutboxMessage, error)
	NextOutboxAt(ctx context.Context, account string, f store.DueFilter) (time.Time, error)
	ClaimOutbox(ctx context.Context, id domain.OutboxID, now, until time.Time) (bool, error)
	ReleaseOutbox(ctx context.Context, id domain.OutboxID, claimedAt, until time.Time) error
	MarkOutboxSent(ctx context.Context, id domain.OutboxID, now time.Time) error
	RetryOutbox(ctx context.Context, id domain.OutboxID, next time.Time, reason string) error
	FailOutbox(ctx context.Context, id domain.OutboxID, reason string) error
	DeferOutbox(ctx context.Context, id domain.OutboxID, next time.Time, reason string) error
	SetOutboxAccount(ctx context.Context, id domain.OutboxID, account string) error
	UnroutedOutbox(ctx context.Context, limit int) ([]store.OutboxMessage, error)
	ChatKeyOfPerson(ctx context.Context, transport, account string, person domain.PersonID) (string, error)
	PersonByID(ctx context.Context, id domain.PersonID) (store.Person, error)
}

// Account is one bot account: its transport and its sending policy.
type Account struct {
	Name      string    // rows, identities and buckets are keyed by it ("console" for the demo)
	Messenger Messenger // one messenger may serve several accounts
	Limits    Limits
	Trusted   bool // console demo: a person's chat key is their person code, no binding needed
}

// OutboxOptions are the outbox's dependencies; see NewOutbox.
type OutboxOptions struct {
	Store    OutboxStore
	State    State
	Clock    clock.Clock
	Logger   *slog.Logger
	Waiter   Waiter // nil: RealWaiter
	Accounts []Account
	// DefaultAccount receives messages whose recipient has no bot account yet (the demo console, or
	// the only WeChat account); empty means such messages fail as "recipient not bound".
	DefaultAccount string
	// Prefer orders the transports ("wecom", "mp", "wechat") for messages qinqi starts to a person
	// who has not written on any configured account yet: the first on which they can be reached.
	Prefer []string
	Rand   func(n int64) int64 // jitter source, 0 ≤ r < n; nil: math/rand/v2
	Poll   time.Duration       // re-check for rows enqueued without Wake (default 2 s)
	// Lease is how long after its claim a message still sending counts as in flight; later it is
	// reported as interrupted (default 2 min). It never makes a message sendable again.
	Lease time.Duration
	// Lost, when set, is called with every message about to fail for good (LastError holds why),
	// before the failure is recorded: an error leaves the message as it was, to be failed again
	// later, so Lost must be idempotent. The app tells a cadre's coordinator about a lost reply to
	// a report (see Reply.Report).
	Lost func(ctx context.Context, row store.OutboxMessage) error
}

// Outbox sends committed OutboxMessage rows, one sender loop per bot account, under that account's
// token bucket (shared across instances through State), jitter, daily cap, quiet hours, loop
// guard and retry policy. Replies go before alerts before bulk reminders.
//
// Each message is sent at most once. The claim that marks it "sending" is committed right before
// the network call; a result that cannot be recorded (database down) is kept and recorded before
// anything else is sent. Only if the process dies between claim and record is the outcome lost:
// that one message per account is left "sending", never re-sent, and shown by `qinqi status` as
// interrupted (it may or may not have arrived). A duplicate reminder would be noise at best; a
// lost one is visible and can be re-sent by hand.
//
// Daily cap: every sent message counts. Alerts and bulk stop at DailyCap; replies to a person's own
// message may use a reserve of DailyCap/10 more, so someone who writes to the bot late on a
// reminder-heavy day still gets an answer; past that nothing is sent until midnight.
type Outbox struct {
	o        OutboxOptions
	log      *slog.Logger
	accounts map[string]*sender
	order    []string
	route    chan struct{} // wakes the router
}

type sender struct {
	Account
	wake chan struct{}
	busy atomic.Bool
	// Owned by the one goroutine stepping this account: hint says the last look found a due row, so
	// the bucket is asked first and a sender waiting for a token costs no database query; token is a
	// token taken but not yet spent (its row failed the guard or vanished).
	hint, token bool
	local       localLimits // the limits applied while State fails
	// unrecorded is a send whose result the database did not take; Step records it first.
	unrecorded atomic.Pointer[outcome]
	// unclaimed is a claim that failed with an error: it may have committed, and nothing was sent.
	unclaimed atomic.Pointer[claim]
	// pausedUntil: the channel reported itself unavailable (bot.Unavailable); nothing is sent before.
	pausedUntil time.Time
	// deafUntil: the last step waits for something no new row brings sooner (a token of the bucket,
	// the daily cap, a paused channel), so wake-ups before it are ignored; each reply wakes the
	// sender, and every step costs State round trips.
	deafUntil time.Time
}

// deaf notes that nothing a wake-up brings can be sent before t, and returns t.
func (s *sender) deaf(t time.Time) time.Time {
	s.deafUntil = t
	return t
}

// claim is one ClaimOutbox call, kept to undo it.
type claim struct {
	id        domain.OutboxID
	at, until time.Time
}

// outcome is the result of one send, kept until it is recorded.
type outcome struct {
	row     store.OutboxMessage
	sendErr error
}

// NewOutbox checks the options and fills defaults.
func NewOutbox(o OutboxOptions) (*Outbox, error) {
	if o.Store == nil || o.State == nil || o.Clock == nil || len(o.Accounts) == 0 {
		return nil, errors.New("outbox: Store, State, Clock and at least one account are required")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Waiter == nil {
		o.Waiter = RealWaiter{}
	}
	if o.Rand == nil {
		o.Rand = rand.Int64N
	}
	if o.Poll <= 0 {
		o.Poll = 2 * time.Second
	}
	if o.Lease <= 0 {
		o.Lease = 2 * time.Minute
	}
	ob := &Outbox{o: o, log: o.Logger.With("component", "outbox"), accounts: map[string]*sender{}, route: make(chan struct{}, 1)}
	for _, a := range o.Accounts {
		if a.Name == "" || a.Messenger == nil || ob.accounts[a.Name] != nil {
			return nil, fmt.Errorf("outbox: account %q needs a unique name and a messenger", a.Name)
		}
		ob.accounts[a.Name] = &sender{Account: a, wake: make(chan struct{}, 1)}
		ob.order = append(ob.order, a.Name)
	}
	if o.DefaultAccount != "" && ob.accounts[o.DefaultAccount] == nil {
		return nil, fmt.Errorf("outbox: default account %q is not configured", o.DefaultAccount)
	}
	return ob, nil
}

// Wake tells the sender of account (all senders for "") that rows were committed.
func (ob *Outbox) Wake(account string) {
	if account == "" {
		select {
		case ob.route <- struct{}{}:
		default:
		}
	}
	for name, s := range ob.accounts {
		if account == "" || account == name {
			select {
			case s.wake <- struct{}{}:
			default:
			}
		}
	}
}

// Run runs one sender loop per account and the router until ctx ends.
func (ob *Outbox) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, name := range ob.order {
		s := ob.accounts[name]
		wg.Go(func() { ob.loop(ctx, s) })
	}
	wg.Go(func() { ob.routeLoop(ctx) })
	wg.Wait()
	return nil
}

func (ob *Outbox) loop(ctx context.Context, s *sender) {
	for ctx.Err() == nil {
		s.deafUntil = time.Time{}
		next, err := ob.Step(ctx, s.Name)
		d := ob.o.Poll
		switch {
		case err != nil:
			ob.log.Warn("outbox step failed", "account", s.Name, "err", err)
		case !next.IsZero():
			d = min(next.Sub(ob.o.Clock.Now()), ob.o.Poll)
		}
		ob.wait(ctx, s, d)
	}
}

// wait waits d or until woken, except that wake-ups before s.deafUntil are ignored.
func (ob *Outbox) wait(ctx context.Context, s *sender, d time.Duration) {
	until := ob.o.Clock.Now().Add(d)
	for d > 0 && ctx.Err() == nil {
		_ = ob.o.Waiter.Wait(ctx, d, s.wake)
		now := ob.o.Clock.Now()
		if !now.Before(s.deafUntil) {
			return
		}
		d = until.Sub(now)
	}
}

// routeGap is the least time between two routing passes started by wake-ups: every committed reply
// wakes the router, and a burst of them is routed by one query instead of one each.
const routeGap = 200 * time.Millisecond

// routeLoop routes on every wake-up (at most once per routeGap) and every Poll.
func (ob *Outbox) routeLoop(ctx context.Context) {
	for ctx.Err() == nil {
		last := ob.o.Clock.Now()
		if err := ob.Route(ctx); err != nil {
			ob.log.Warn("routing outbox messages failed", "err", err)
		}
		_ = ob.o.Waiter.Wait(ctx, ob.o.Poll, ob.route)
		if gap := routeGap - ob.o.Clock.Now().Sub(last); gap > 0 {
			_ = ob.o.Waiter.Wait(ctx, gap, nil)
		}
	}
}

// Route gives rows without a bot account (their recipient had none when they were enqueued) the
// recipient's current account, else the default account, else fails them as not bound.
func (ob *Outbox) Route(ctx context.Context) error {
	rows, err := ob.o.Store.UnroutedOutbox(ctx, 200)
	if err != nil {
		return err
	}
	for _, r := range rows {
		account := ob.o.DefaultAccount
		if r.PersonID != nil {
			if a := ob.preferred(ctx, *r.PersonID); a != "" {
				account = a
			}
		}
		if account == "" {
			err = ob.fail(ctx, r, "recipient not bound to any bot account")
		} else {
			err = ob.o.Store.SetOutboxAccount(ctx, r.ID, account)
			ob.Wake(account)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// preferred is the account that reaches a person: the one they last wrote from or bound on, if
// configured here, else the first account of the preferred transports on which they are known.
func (ob *Outbox) preferred(ctx context.Context, pid domain.PersonID) string {
	p, err := ob.o.Store.PersonByID(ctx, pid)
	if err != nil {
		return ""
	}
	if ob.accounts[p.Account] != nil {
		return p.Account
	}
	for _, transport := range ob.o.Prefer {
		for _, name := range ob.order {
			s := ob.accounts[name]
			if s.Messenger.Name() != transport {
				continue
			}
			if _, err := ob.o.Store.ChatKeyOfPerson(ctx, transport, name, pid); err == nil {
				return name
			}
		}
	}
	return ""
}

// Step sends at most one message of the account and returns when the sender should look again:
// now when there may be more to do, a later time when it must wait (bucket, quiet hours, cap,
// back-off), zero when nothing is pending. Steps of one account must not run concurrently (Run
// has one loop per account; other instances are kept apart by ClaimOutbox).
func (ob *Outbox) Step(ctx context.Context, account string) (time.Time, error) {
	s := ob.accounts[account]
	if s == nil {
		return time.Time{}, fmt.Errorf("outbox: unknown account %q", account)
	}
	s.busy.Store(true)
	defer s.busy.Store(false)
	if err := ob.settle(ctx, s); err != nil {
		return time.Time{}, err
	}
	now := ob.o.Clock.Now()
	if now.Before(s.pausedUntil) {
		return s.deaf(s.pausedUntil), nil
	}
	f, closedUntil, err := ob.filter(ctx, s, now)
	if err != nil || !closedUntil.IsZero() {
		return s.deaf(closedUntil), err
	}
	if s.hint {
		if wait, err := ob.takeToken(ctx, s, now); err != nil || wait > 0 {
			return s.deaf(now.Add(wait)), err
		}
	}
	rows, err := ob.o.Store.DueOutbox(ctx, account, now, f, 1)
	if err != nil {
		return time.Time{}, err
	}
	if s.hint = len(rows) > 0; !s.hint {
		return ob.nextAt(ctx, s, now, f)
	}
	row := rows[0]
	if reason, err := ob.guard(ctx, s, row, now); err != nil || reason != "" {
		if err == nil {
			err = ob.fail(ctx, row, reason)
			ob.log.Warn("outbox message failed", "outbox_id", row.ID, "account", account, "reason", reason)
		}
		return now, err
	}
	to, err := ob.recipient(ctx, s, row)
	if errors.Is(err, store.ErrNotFound) {
		return now, ob.fail(ctx, row, "unknown recipient: not bound on account "+account)
	}
	if err != nil {
		return time.Time{}, err
	}
	if wait, err := ob.memberWait(ctx, s, to, now); err != nil || wait > 0 {
		if err == nil {
			err = ob.o.Store.DeferOutbox(ctx, row.ID, now.Add(wait), "waiting: this recipient's per-minute limit")
		}
		return now, err
	}
	return ob.sendRow(ctx, s, row, to, now)
}

// memberWait applies the per-recipient bucket (WeCom drops messages beyond 30 a minute and 1,000
// an hour to one member without an error): 0 when the recipient may get a message now. A State
// that fails lets the message pass; the account's own bucket still bounds the rate.
func (ob *Outbox) memberWait(ctx context.Context, s *sender, to string, now time.Time) (time.Duration, error) {
	if s.Limits.MemberEvery <= 0 {
		return 0, nil
	}
	wait, err := ob.o.State.TakeToken(ctx, "outbox:member:"+s.Name+":"+to, now, s.Limits.MemberEvery, s.Limits.MemberBurst)
	if err != nil {
		ob.sharedFailed(s, err)
		return 0, nil
	}
	return wait, nil
}

// sendRow spends the token, waits the jitter, claims the row and sends it at once, so the only
// window in which a crash leaves the outcome unknown is the network call itself.
func (ob *Outbox) sendRow(ctx context.Context, s *sender, row store.OutboxMessage, to string, now time.Time) (time.Time, error) {
	if wait, err := ob.takeToken(ctx, s, now); err != nil || wait > 0 {
		return s.deaf(now.Add(wait)), err
	}
	s.token = false
	if j := s.Limits.Jitter; j > 0 {
		if err := ob.o.Waiter.Sleep(ctx, time.Duration(ob.o.Rand(int64(j)+1))); err != nil {
			return time.Time{}, err
		}
		now = ob.o.Clock.Now()
	}
	c := claim{id: row.ID, at: now, until: now.Add(ob.o.Lease)}
	ok, err := ob.o.Store.ClaimOutbox(ctx, c.id, c.at, c.until)
	if err != nil {
		s.unclaimed.Store(&c)
		return now, err
	}
	if !ok {
		return now, nil // another instance took it during the jitter
	}
	// From the claim on, shutting down must not cut the send or its record short: a send cut off
	// mid-request may still arrive, and an unrecorded one is never sent again.
	octx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
	defer cancel()
	sendErr := ob.send(octx, s, row, to)
	if err := ob.record(octx, s, row, sendErr); err != nil {
		s.unrecorded.Store(&outcome{row: row, sendErr: sendErr})
		return time.Time{}, fmt.Errorf("outbox %d sent, result not recorded yet: %w", row.ID, err)
	}
	return ob.o.Clock.Now(), nil
}

// settle records what an earlier step could not: a send's result, or the undoing of a claim that
// may have committed although it failed.
func (ob *Outbox) settle(ctx context.Context, s *sender) error {
	if out := s.unrecorded.Load(); out != nil {
		if err := ob.record(ctx, s, out.row, out.sendErr); err != nil {
			return err
		}
		s.unrecorded.Store(nil)
	}
	if c := s.unclaimed.Load(); c != nil {
		if err := ob.o.Store.ReleaseOutbox(ctx, c.id, c.at, c.until); err != nil {
			return err
		}
		s.unclaimed.Store(nil)
	}
	return nil
}

// sendTimeout bounds one send and its record once claimed; below the default lease, so a live
// sender's message is never reported as interrupted.
const sendTimeout = time.Minute

// takeToken makes sure the sender holds a token, or says how long until one is free.
func (ob *Outbox) takeToken(ctx context.Context, s *sender, now time.Time) (time.Duration, error) {
	if s.token || s.Limits.Every <= 0 {
		s.token = true
		return 0, nil
	}
	wait, err := ob.o.State.TakeToken(ctx, "outbox:bucket:"+s.Name, now, s.Limits.Every, s.Limits.Burst)
	if err != nil {
		ob.sharedFailed(s, err)
		wait = s.local.take(now, s.Limits.Every, s.Limits.Burst)
	} else {
		ob.sharedAnswered(s)
	}
	if wait > 0 {
		return wait, nil
	}
	s.token = true
	return 0, nil
}

// filter says what may be sent now: only urgent messages in quiet hours, only replies past the
// daily cap; closedUntil is set when nothing at all may be sent before then.
func (ob *Outbox) filter(ctx context.Context, s *sender, now time.Time) (store.DueFilter, time.Time, error) {
	f := store.DueFilter{UrgentOnly: s.Limits.quiet(now)}
	if s.Limits.DailyCap <= 0 {
		return f, time.Time{}, nil
	}
	n, err := ob.sentToday(ctx, s, now)
	if err != nil {
		return f, time.Time{}, err
	}
	reserve := max(s.Limits.DailyCap/10, 1)
	switch {
	case n >= int64(s.Limits.DailyCap+reserve):
		return f, clock.Day(now).AddDate(0, 0, 1), nil
	case n >= int64(s.Limits.DailyCap):
		f.RepliesOnly = true
	}
	return f, time.Time{}, nil
}

func (ob *Outbox) capKey(s *sender, now time.Time) string {
	return "outbox:sent:" + s.Name + ":" + now.In(clock.Shanghai).Format("20060102")
}

func (ob *Outbox) sentToday(ctx context.Context, s *sender, now time.Time) (int64, error) {
	v, err := ob.o.State.Get(ctx, ob.capKey(s, now))
	if errors.Is(err, store.ErrNotFound) {
		s.local.remember(now, 0)
		return 0, nil
	}
	if err != nil {
		ob.sharedFailed(s, err)
		return s.local.count(now), nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("outbox: daily count %q: %w", v, err)
	}
	s.local.remember(now, n)
	return n, nil
}

// nextAt is when something may become sendable: the earliest pending row allowed by f, the end of
// the quiet hours, or midnight when the cap holds back non-replies.
func (ob *Outbox) nextAt(ctx context.Context, s *sender, now time.Time, f store.DueFilter) (time.Time, error) {
	next, err := ob.o.Store.NextOutboxAt(ctx, s.Name, f)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return time.Time{}, err
	}
	if !f.UrgentOnly && !f.RepliesOnly {
		return next, nil
	}
	if _, err := ob.o.Store.NextOutboxAt(ctx, s.Name, store.DueFilter{}); errors.Is(err, store.ErrNotFound) {
		return next, nil // nothing held back
	}
	cands := []time.Time{next}
	if f.UrgentOnly {
		cands = append(cands, s.Limits.quietEnd(now))
	}
	if f.RepliesOnly {
		cands = append(cands, clock.Day(now).AddDate(0, 0, 1))
	}
	var best time.Time
	for _, c := range cands {
		if !c.IsZero() && (best.IsZero() || c.Before(best)) {
			best = c
		}
	}
	return best, nil
}

// guard returns why a row must not be sent at all: the loop guard, counted in State per account,
// recipient, content and day (shared by instances, one lookup per send). It stops messages qinqi
// starts (reminders, alerts, forwards) from looping; a reply to a person's own message is never
// held back by it, since the reply — a saved report, a refusal, a question the report waits for —
// is the only sign the person gets that their message was read.
func (ob *Outbox) guard(ctx context.Context, s *sender, row store.OutboxMessage, now time.Time) (string, error) {
	if s.Limits.LoopGuard <= 0 || row.Priority == store.PriorityReply {
		return "", nil
	}
	v, err := ob.o.State.Get(ctx, ob.sameKey(s, row, now))
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil { // the guard's counters live only in State: see localLimits
		ob.sharedFailed(s, err)
		return "", nil
	}
	if n, _ := strconv.Atoi(v); n >= s.Limits.LoopGuard {
		return fmt.Sprintf("loop guard: %d identical messages to this recipient today", n), nil
	}
	return "", nil
}

func (ob *Outbox) sameKey(s *sender, row store.OutboxMessage, now time.Time) string {
	to := "k" + row.ToKey
	if row.PersonID != nil {
		to = "p" + strconv.FormatInt(int64(*row.PersonID), 10)
	}
	sum := sha1.Sum([]byte(row.Text + "\x00" + row.FileName))
	return "outbox:same:" + s.Name + ":" + to + ":" + hex.EncodeToString(sum[:8]) + ":" + now.In(clock.Shanghai).Format("20060102")
}

func (ob *Outbox) recipient(ctx context.Context, s *sender, row store.OutboxMessage) (string, error) {
	switch {
	case row.ToKey != "":
		return row.ToKey, nil
	case row.PersonID == nil:
		return "", fmt.Errorf("outbox %d: %w", row.ID, store.ErrNotFound)
	case s.Trusted:
		p, err := ob.o.Store.PersonByID(ctx, *row.PersonID)
		return p.Code, err
	}
	return ob.o.Store.ChatKeyOfPerson(ctx, s.Messenger.Name(), s.Name, *row.PersonID)
}

func (ob *Outbox) send(ctx context.Context, s *sender, row store.OutboxMessage, to string) error {
	out := Outgoing{To: to, Text: row.Text, FileName: row.FileName, Image: row.Kind == store.OutImage, Key: row.Key}
	if row.FilePath != "" {
		f, err := os.Open(row.FilePath)
		if err != nil {
			return Permanent(fmt.Errorf("file to send: %w", err))
		}
		defer f.Close()
		out.File = f
		if out.FileName == "" {
			out.FileName = filepath.Base(row.FilePath)
		}
	}
	return s.Messenger.Send(ctx, s.Name, out)
}

// record stores the result: sent (counted towards the cap), retried with back-off, or failed.
func (ob *Outbox) record(ctx context.Context, s *sender, row store.OutboxMessage, sendErr error) error {
	now := ob.o.Clock.Now()
	if sendErr == nil {
		if err := ob.o.Store.MarkOutboxSent(ctx, row.ID, now); err != nil {
			return err
		}
		ob.countSent(ctx, s, row, now)
		return nil
	}
	if u, ok := asUnavailable(sendErr); ok {
		s.pausedUntil = now.Add(u.Wait)
		ob.log.Warn("channel unavailable, sending paused", "account", s.Name, "for", u.Wait, "err", u.Err)
		return ob.o.Store.DeferOutbox(ctx, row.ID, s.pausedUntil, "unavailable: "+u.Err.Error())
	}
	if h, ok := asHeld(sendErr); ok {
		return ob.hold(ctx, s, row, h, now)
	}
	attempts := row.Attempts + 1
	if errors.Is(sendErr, ErrPermanent) || attempts >= s.Limits.MaxAttempts {
		ob.log.Warn("outbox message failed", "outbox_id", row.ID, "account", s.Name, "attempts", attempts, "err", sendErr)
		return ob.fail(ctx, row, fmt.Sprintf("after %d attempt(s): %v", attempts, sendErr))
	}
	ob.log.Info("send failed, will retry", "outbox_id", row.ID, "account", s.Name, "attempts", attempts, "err", sendErr)
	return ob.o.Store.RetryOutbox(ctx, row.ID, now.Add(s.Limits.backoff(attempts)), sendErr.Error())
}

// fail records that a message will never be sent, after Lost has been told.
func (ob *Outbox) fail(ctx context.Context, row store.OutboxMessage, reason string) error {
	if ob.o.Lost != nil {
		row.LastError = reason
		if err := ob.o.Lost(ctx, row); err != nil {
			return fmt.Errorf("outbox %d: telling about the lost message: %w", row.ID, err)
		}
	}
	return ob.o.Store.FailOutbox(ctx, row.ID, reason)
}

// hold keeps a message the channel cannot deliver yet, until it has waited HoldMax.
func (ob *Outbox) hold(ctx context.Context, s *sender, row store.OutboxMessage, h *HeldError, now time.Time) error {
	if s.Limits.HoldMax > 0 && now.Sub(row.CreatedAt) >= s.Limits.HoldMax {
		ob.log.Warn("held message given up", "outbox_id", row.ID, "account", s.Name, "reason", h.Reason)
		return ob.fail(ctx, row, fmt.Sprintf("held for %s, given up: %s", s.Limits.HoldMax, h.Reason))
	}
	return ob.o.Store.DeferOutbox(ctx, row.ID, now.Add(max(h.Wait, time.Minute)), "held: "+h.Reason)
}

// countSent adds a send to the shared daily and loop-guard counters, or to the local count while
// they cannot be reached (the message is sent either way; see localLimits).
func (ob *Outbox) countSent(ctx context.Context, s *sender, row store.OutboxMessage, now time.Time) {
	n, err := ob.o.State.Incr(ctx, ob.capKey(s, now), 48*time.Hour)
	if err != nil {
		ob.sharedFailed(s, err)
		s.local.add(now)
		return
	}
	s.local.remember(now, n)
	if s.Limits.LoopGuard > 0 {
		if _, err := ob.o.State.Incr(ctx, ob.sameKey(s, row, now), 48*time.Hour); err != nil {
			ob.sharedFailed(s, err)
		}
	}
}

// Idle reports whether nothing is sendable right now and no send is under way.
func (ob *Outbox) Idle(ctx context.Context) (bool, error) {
	now := ob.o.Clock.Now()
	if rows, err := ob.o.Store.UnroutedOutbox(ctx, 1); err != nil || len(rows) > 0 {
		return false, err
	}
	for _, name := range ob.order {
		s := ob.accounts[name]
		f, closedUntil, err := ob.filter(ctx, s, now)
		if err != nil {
			return false, err
		}
		if closedUntil.IsZero() {
			rows, err := ob.o.Store.DueOutbox(ctx, name, now, f, 1)
			if err != nil || len(rows) > 0 {
				return false, err
			}
		}
		// Checked after the query: a row claimed meanwhile is in flight here, and a result or claim
		// not settled yet is work still to do.
		if s.busy.Load() || s.unrecorded.Load() != nil || s.unclaimed.Load() != nil {
			return false, nil
		}
	}
	return true, nil
}
