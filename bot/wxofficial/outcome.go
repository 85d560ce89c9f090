package wxofficial

import (
	"context"
	"errors"
	"strconv"
	"time"

	"qinqi/bot"
)

// Pauses after account-wide failures. The frequency limit resets within the minute; an error an
// administrator must fix (secret, IP) is retried every few minutes so sending resumes soon after.
const (
	FrequencyPause = time.Minute
	AdminPause     = 5 * time.Minute
	NetworkPause   = 30 * time.Second
)

// TokenError is a failure to get an access token: nothing was sent.
type TokenError struct{ Err error }

func (e *TokenError) Error() string { return "get access token: " + e.Err.Error() }
func (e *TokenError) Unwrap() error { return e.Err }

// Paused returns how long sending stays paused after a frequency limit seen by any instance.
func (c *Client) Paused(ctx context.Context) time.Duration {
	v, err := c.o.KV.Get(ctx, c.o.Key+":pause")
	if err != nil {
		return 0
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0
	}
	return time.UnixMilli(ms).Sub(c.o.Clock.Now())
}

// Pause stops this app's sends on every instance for d.
func (c *Client) Pause(ctx context.Context, d time.Duration) {
	until := c.o.Clock.Now().Add(d)
	_ = c.o.KV.Set(ctx, c.o.Key+":pause", strconv.FormatInt(until.UnixMilli(), 10), d+time.Second)
}

// SendOutcome records a send's result in the monitor and turns it into what the outbox needs:
// nil, a message-level permanent failure, an account-wide pause (bot.Unavailable), or a plain
// error that is retried with the message's back-off.
func SendOutcome(ctx context.Context, c *Client, m *Monitor, err error) error {
	if err == nil {
		m.OK(ctx)
		return nil
	}
	var te *TokenError
	switch code := Code(err); {
	case code == CodeFrequency:
		c.Pause(ctx, FrequencyPause)
		m.Backoff(ctx, c.o.Clock.Now().Add(FrequencyPause), err)
		return bot.Unavailable(FrequencyPause, err)
	case code == CodeBadSecret, code == CodeBadAppID, code == CodeBadAppSecret, code == CodeUntrustedIP, code == CodeIPNotAllowed, code == CodeTemplateBad:
		m.Failed(ctx, err)
		return bot.Unavailable(AdminPause, err)
	case code == CodeInvisibleUser, code == CodeUserNotFound, code == CodeBadOpenID, code == CodeNotSubscribed,
		code == CodeMediaTooLarge, code == CodeMediaBadFormat:
		m.Failed(ctx, err)
		return bot.Permanent(err)
	case errors.As(err, &te), errors.Is(err, ErrTokenBusy):
		m.Failed(ctx, err)
		return bot.Unavailable(NetworkPause, err)
	}
	m.Failed(ctx, err)
	return err
}
