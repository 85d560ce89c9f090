package wxofficial

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"qinqi/internal/clock"
)

// Channel states shown by `qinqi status`.
const (
	StateStarting = "starting" // no API call made yet
	StateOK       = "ok"       // the last API call worked
	StateBackoff  = "backoff"  // frequency limit: sending paused until BackoffUntil
	StateError    = "error"    // the last API call failed; Fix says what to do when an admin must act
)

// Health is one official account's state, published to the KV for `qinqi status` and /healthz.
type Health struct {
	Channel      string    `json:"channel"` // wecom | mp
	Account      string    `json:"account"`
	Host         string    `json:"host"` // the API host in use (a 政务微信 host shows here)
	State        string    `json:"state"`
	Since        time.Time `json:"since"`
	LastOK       time.Time `json:"last_ok,omitzero"`
	LastCallback time.Time `json:"last_callback,omitzero"`
	LastCode     int       `json:"last_code,omitempty"`
	LastError    string    `json:"last_error,omitempty"`
	Fix          string    `json:"fix,omitempty"`
	BackoffUntil time.Time `json:"backoff_until,omitzero"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// HealthKey is the KV key of an official account's health report.
func HealthKey(account string) string { return "health:channel:" + account }

// publishEvery bounds how often an unchanged report is rewritten; healthTTL lets a report of a
// stopped server vanish, so status says "no report" instead of showing a stale "ok".
const (
	publishEvery = 30 * time.Second
	healthTTL    = 10 * time.Minute
)

// Monitor keeps one account's Health and publishes it.
type Monitor struct {
	kv    KV
	clock clock.Clock
	mu    sync.Mutex
	h     Health
	sent  time.Time // last publish
}

// NewMonitor starts a report in state "starting".
func NewMonitor(kv KV, clk clock.Clock, channel, account, base string) *Monitor {
	host := base
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	now := clk.Now()
	return &Monitor{kv: kv, clock: clk, h: Health{Channel: channel, Account: account, Host: host, State: StateStarting, Since: now}}
}

// Snapshot returns the current report.
func (m *Monitor) Snapshot() Health {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.h
}

// OK records a working API call.
func (m *Monitor) OK(ctx context.Context) {
	m.update(ctx, func(h *Health, now time.Time) {
		h.LastOK = now
		m.enter(h, StateOK, now)
	})
}

// Callback records a verified callback from the platform.
func (m *Monitor) Callback(ctx context.Context) {
	m.update(ctx, func(h *Health, now time.Time) { h.LastCallback = now })
}

// Failed records a failed API call: its code, text and the administrator's fix, if any.
func (m *Monitor) Failed(ctx context.Context, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	m.update(ctx, func(h *Health, now time.Time) {
		h.LastCode, h.LastError, h.Fix = Code(err), clip(err.Error(), 300), AdminFix(Code(err))
		m.enter(h, StateError, now)
	})
}

// Backoff records a pause after the frequency limit.
func (m *Monitor) Backoff(ctx context.Context, until time.Time, err error) {
	m.update(ctx, func(h *Health, now time.Time) {
		h.LastCode, h.LastError, h.Fix, h.BackoffUntil = Code(err), clip(err.Error(), 300), AdminFix(Code(err)), until
		m.enter(h, StateBackoff, now)
	})
}

// Publish rewrites the report now (serve calls it periodically so a live server's report stays).
func (m *Monitor) Publish(ctx context.Context) {
	m.mu.Lock()
	m.h.UpdatedAt = m.clock.Now()
	h := m.h
	m.sent = h.UpdatedAt
	m.mu.Unlock()
	b, err := json.Marshal(h)
	if err == nil {
		_ = m.kv.Set(ctx, HealthKey(h.Account), string(b), healthTTL)
	}
}

func (m *Monitor) enter(h *Health, state string, now time.Time) {
	if h.State != state {
		h.State, h.Since = state, now
	}
}

// update applies f and publishes when the state changed or the last publish is old.
func (m *Monitor) update(ctx context.Context, f func(h *Health, now time.Time)) {
	now := m.clock.Now()
	m.mu.Lock()
	before := m.h.State
	f(&m.h, now)
	due := m.h.State != before || now.Sub(m.sent) >= publishEvery
	m.mu.Unlock()
	if due {
		m.Publish(ctx)
	}
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
