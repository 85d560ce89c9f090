package bot

import (
	"context"
	"fmt"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/store"
)

// State is the short-lived shared state of the transport layer (dedup windows, bind-try counters,
// token buckets, daily send counters). *store.KV implements it on Redis, or on the in-process
// replacement in the embedded default, so several instances share buckets and counters.
// Every method takes "now" from the caller's clock; Redis TTLs only clean up.
type State interface {
	Get(ctx context.Context, key string) (string, error) // store.ErrNotFound when absent
	Incr(ctx context.Context, key string, ttl time.Duration) (int64, error)
	TakeToken(ctx context.Context, key string, now time.Time, every time.Duration, burst int) (time.Duration, error)
	SeenWithin(ctx context.Context, key string, now time.Time, window time.Duration) (bool, error)
	// ReadAhead is SeenWithin for keys[i] at nows[i], in order, and the values of gets for the batch
	// run under store.WithReadAhead(ctx, ahead), all in one round trip (see store.KV.ReadAhead).
	ReadAhead(ctx context.Context, keys []string, nows []time.Time, window time.Duration, gets []string) (seen []bool, ahead *store.ReadAhead, err error)
	// AddWithin records an event and CountWithin counts them, in the window ending at now (bind tries).
	AddWithin(ctx context.Context, key string, now time.Time, window time.Duration) (int64, error)
	CountWithin(ctx context.Context, key string, now time.Time, window time.Duration) (int64, error)
}

// Limits is the sending policy of one bot account. WeChat bans personal accounts that burst, so
// the defaults are far below one message per second.
type Limits struct {
	Every       time.Duration // one token per Every; 0 disables the bucket (console only)
	Burst       int           // tokens saved up at most
	Jitter      time.Duration // random extra delay 0..Jitter before each send
	DailyCap    int           // messages per account and day; replies get a reserve of DailyCap/10 on top; 0 = no cap
	QuietStart  int           // minutes after midnight; quiet hours hold non-urgent messages
	QuietEnd    int           // equal to QuietStart means no quiet hours
	MaxAttempts int
	RetryMin    time.Duration
	RetryMax    time.Duration
	LoopGuard   int // identical messages to one recipient per day; 0 = no guard
	// MemberEvery and MemberBurst are a bucket per recipient (0 = none): WeCom silently drops
	// messages beyond 30 a minute and 1,000 an hour to one member. 4 s with a burst of 10 allows at
	// most 25 a minute and 910 an hour.
	MemberEvery time.Duration
	MemberBurst int
	// HoldMax is how long a message a channel holds (bot.Held) waits before it fails (0 = forever).
	HoldMax time.Duration
}

// LimitsFromConfig is the production policy from the outbox section.
func LimitsFromConfig(o config.Outbox) (Limits, error) {
	qs, err := config.ClockTime(o.QuietStart)
	if err != nil {
		return Limits{}, fmt.Errorf("outbox.quiet_start: %w", err)
	}
	qe, err := config.ClockTime(o.QuietEnd)
	if err != nil {
		return Limits{}, fmt.Errorf("outbox.quiet_end: %w", err)
	}
	return Limits{Every: o.Every, Burst: o.Burst, Jitter: o.Jitter, DailyCap: o.DailyCap, QuietStart: qs, QuietEnd: qe,
		MaxAttempts: o.MaxAttempts, RetryMin: o.RetryMin, RetryMax: o.RetryMax, LoopGuard: o.LoopGuard}, nil
}

// ChannelLimitsFromConfig is an official channel's policy: the outbox section with the channel's
// own non-zero settings on top, and its per-recipient bucket.
func ChannelLimitsFromConfig(o config.Outbox, c config.ChannelLimits, holdMax time.Duration) (Limits, error) {
	if c.Every > 0 {
		o.Every, o.Jitter = c.Every, 0 // the official APIs do not ban bursts; no jitter needed
	}
	if c.Burst > 0 {
		o.Burst = c.Burst
	}
	if c.DailyCap > 0 {
		o.DailyCap = c.DailyCap
	}
	if c.QuietStart != "" {
		o.QuietStart = c.QuietStart
	}
	if c.QuietEnd != "" {
		o.QuietEnd = c.QuietEnd
	}
	l, err := LimitsFromConfig(o)
	l.MemberEvery, l.MemberBurst, l.HoldMax = c.MemberEvery, c.MemberBurst, holdMax
	return l, err
}

// quiet reports whether t falls in the quiet hours (the range may wrap midnight).
func (l Limits) quiet(t time.Time) bool { return clock.InQuiet(t, l.QuietStart, l.QuietEnd) }

// quietEnd is the first moment after t when the quiet hours are over.
func (l Limits) quietEnd(t time.Time) time.Time {
	day := clock.Day(t)
	end := day.Add(time.Duration(l.QuietEnd) * time.Minute)
	if !end.After(t) {
		end = clock.Day(day.AddDate(0, 0, 1)).Add(time.Duration(l.QuietEnd) * time.Minute)
	}
	return end
}

// backoff is the wait after the n-th failed attempt (n from 1): RetryMin doubling up to RetryMax.
func (l Limits) backoff(n int) time.Duration {
	d := max(l.RetryMin, time.Second)
	for i := 1; i < n && d < l.RetryMax; i++ {
		d *= 2
	}
	if l.RetryMax > 0 && d > l.RetryMax {
		d = l.RetryMax
	}
	return d
}

// Waiter is how the outbox and inbox wait, so tests and the simulator never sleep for real.
type Waiter interface {
	// Sleep waits d (the jitter before a send).
	Sleep(ctx context.Context, d time.Duration) error
	// Wait waits up to d, returning early when wake fires (new work was enqueued).
	Wait(ctx context.Context, d time.Duration, wake <-chan struct{}) error
}

// RealWaiter waits on the wall clock.
type RealWaiter struct{}

// Sleep waits d or until ctx ends.
func (RealWaiter) Sleep(ctx context.Context, d time.Duration) error {
	return RealWaiter{}.Wait(ctx, d, nil)
}

// Wait waits d, until wake fires, or until ctx ends.
func (RealWaiter) Wait(ctx context.Context, d time.Duration, wake <-chan struct{}) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
	case <-wake:
	}
	return nil
}

// FakeWaiter advances a fake clock instead of sleeping; for tests and the simulator.
type FakeWaiter struct {
	Clock *clock.Fake
	// OnSleep, when set, sees every jitter sleep (tests assert its bounds).
	OnSleep func(d time.Duration)
}

// Sleep advances the clock by d.
func (w FakeWaiter) Sleep(ctx context.Context, d time.Duration) error {
	if w.OnSleep != nil {
		w.OnSleep(d)
	}
	w.Clock.Advance(d)
	return ctx.Err()
}

// Wait advances the clock by d.
func (w FakeWaiter) Wait(ctx context.Context, d time.Duration, _ <-chan struct{}) error {
	if d > 0 {
		w.Clock.Advance(d)
	}
	return ctx.Err()
}
