package bot

import (
	"context"
	"sync"
)

// A push transport (an HTTP callback: WeCom, the 服务号) must not acknowledge a message it has
// only queued: the platform does not send it again after a 200, so a crash between the answer
// and the database write would lose it. The callback passes a context made by WhenDurable to the
// receive handler and answers once Durable has been called for it.

type durableKey struct{}

// WhenDurable returns a context under which the receive handler (Inbox.Accept) calls done, once,
// when the message is safe: stored in the database, kept in the spool, or found to be a duplicate
// or one that no column can hold (then its sender has been told).
func WhenDurable(ctx context.Context, done func()) context.Context {
	return context.WithValue(ctx, durableKey{}, sync.OnceFunc(done))
}

// Durable reports that the message received under ctx is safe; without WhenDurable it does nothing.
func Durable(ctx context.Context) {
	if ctx == nil {
		return
	}
	if done, ok := ctx.Value(durableKey{}).(func()); ok {
		done()
	}
}
