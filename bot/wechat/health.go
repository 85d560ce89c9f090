package wechat

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"time"
)

// Account states shown by `qinqi status`.
const (
	LoggingIn    = "logging_in"   // trying the hot-login file or waiting for a QR scan
	Online       = "online"       // logged in and syncing
	Reconnecting = "reconnecting" // the last login ended or failed; waiting to try again
	Down         = "down"         // the transport is stopped
)

// Health is one account's state, kept in memory and published to the KV for `qinqi status`.
type Health struct {
	Account   string    `json:"account"`
	State     string    `json:"state"`
	Since     time.Time `json:"since"`               // when State was entered
	LastSync  time.Time `json:"last_sync,omitempty"` // last synccheck answer
	Logins    int       `json:"logins"`              // successful logins since the process started
	LastError string    `json:"last_error,omitempty"`
	QRURL     string    `json:"qr_url,omitempty"` // set while a QR code waits to be scanned
	UpdatedAt time.Time `json:"updated_at"`
}

// HealthKey is the KV key of an account's health.
func HealthKey(account string) string { return "health:wechat:" + account }

func (s *session) health() Health {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hl
}

func (s *session) setState(ctx context.Context, state string, err error) {
	now := s.w.opt.Clock.Now()
	s.mu.Lock()
	if s.hl.State != state {
		s.hl.State, s.hl.Since = state, now
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		s.hl.LastError = scrub(err)
	}
	s.mu.Unlock()
	s.publish(ctx)
}

// noteSync and noteError run on the sync goroutine; they only touch memory.
func (s *session) noteSync() {
	now := s.w.opt.Clock.Now()
	s.mu.Lock()
	s.hl.LastSync = now
	s.mu.Unlock()
}

func (s *session) noteError(err error) {
	msg := scrub(err)
	s.mu.Lock()
	s.hl.LastError = msg
	s.mu.Unlock()
}

// publish writes the health to the KV with a TTL, so a dead process shows as "no report".
func (s *session) publish(ctx context.Context) {
	kv := s.w.opt.KV
	if kv == nil {
		return
	}
	h := s.health()
	h.UpdatedAt = s.w.opt.Clock.Now()
	b, err := json.Marshal(h)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := kv.Set(ctx, HealthKey(s.acct.Name), string(b), 3*s.w.opt.HealthEvery); err != nil {
		s.log.Warn("wechat: health not published", "err", err)
	}
}

// queryRe matches URL query strings, which carry session keys (skey, sid, pass_ticket).
var queryRe = regexp.MustCompile(`\?[^\s"]*`)

// scrub renders an error for logs and health without the session keys in request URLs.
func scrub(err error) string {
	if err == nil {
		return ""
	}
	return queryRe.ReplaceAllString(err.Error(), "?…")
}

// scrubbedErr keeps the cause for errors.Is while its text hides session keys.
type scrubbedErr struct{ err error }

func (e scrubbedErr) Error() string { return scrub(e.err) }
func (e scrubbedErr) Unwrap() error { return e.err }
