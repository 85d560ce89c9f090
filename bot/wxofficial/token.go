package wxofficial

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrTokenBusy means another instance is refreshing the token and did not finish in time.
var ErrTokenBusy = errors.New("wxofficial: access token being refreshed by another instance")

// tokenMargin is how long before the platform's expiry a token stops being used, so a call never
// carries a token that expires on the way.
const tokenMargin = 5 * time.Minute

// Token returns the app's access token from the KV, or fetches one. Instances share it: one takes
// the refresh lock and fetches, the others wait for its result (both platforms limit token calls,
// and a 服务号 token fetched with the plain token call invalidates the one other instances hold).
func (c *Client) Token(ctx context.Context) (string, error) {
	if tok, ok := c.cached(ctx); ok {
		return tok, nil
	}
	lock := c.o.Key + ":lock"
	got, err := c.o.KV.Claim(ctx, lock, c.o.Instance, 30*time.Second)
	if err != nil {
		return "", &TokenError{Err: fmt.Errorf("token lock: %w", err)}
	}
	if !got {
		return c.waitForToken(ctx)
	}
	defer func() { _ = c.o.KV.Del(context.WithoutCancel(ctx), lock) }()
	if tok, ok := c.cached(ctx); ok { // refreshed between our read and the lock
		return tok, nil
	}
	tok, ttl, err := c.o.Fetch(ctx, c)
	if err != nil {
		return "", &TokenError{Err: err}
	}
	if ttl -= tokenMargin; ttl < time.Minute {
		ttl = time.Minute
	}
	if err := c.o.KV.Set(ctx, c.o.Key, tok, ttl); err != nil {
		return "", fmt.Errorf("wxofficial: keep access token: %w", err)
	}
	return tok, nil
}

func (c *Client) cached(ctx context.Context) (string, bool) {
	tok, err := c.o.KV.Get(ctx, c.o.Key)
	return tok, err == nil && tok != ""
}

// waitForToken polls the KV while another instance refreshes.
func (c *Client) waitForToken(ctx context.Context) (string, error) {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	deadline := time.NewTimer(c.o.TokenWait)
	defer deadline.Stop()
	for {
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-deadline.C:
			return "", ErrTokenBusy
		case <-t.C:
			if tok, ok := c.cached(ctx); ok {
				return tok, nil
			}
		}
	}
}

// dropToken forgets tok if it is still the shared one (another instance may have replaced it).
func (c *Client) dropToken(ctx context.Context, tok string) {
	if cur, ok := c.cached(ctx); ok && cur == tok {
		_ = c.o.KV.Del(ctx, c.o.Key)
	}
}
