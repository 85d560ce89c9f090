package wxofficial

import (
	"context"
	"errors"
	"net/http"
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

// DurableWait bounds how long a callback waits for its message to be stored or spooled before it
// answers: well under the 5 s after which WeCom and the 服务号 give up and send it again.
const DurableWait = 3 * time.Second

// Deliver hands m to the receive handler and returns once the handler reports it durable
// (bot.WhenDurable), so the 200 the caller then writes is never sent for a message a crash could
// still lose. When that takes longer than wait it answers 503: the platform sends the message again,
// and its MsgId stores it once.
func Deliver(ctx context.Context, w http.ResponseWriter, r *http.Request, deliver func(context.Context, bot.Message), m bot.Message, wait time.Duration) {
	stored := make(chan struct{})
	deliver(bot.WhenDurable(ctx, func() { close(stored) }), m)
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-stored:
	case <-t.C:
		w.WriteHeader(http.StatusServiceUnavailable)
	case <-r.Context().Done():
	}
}
