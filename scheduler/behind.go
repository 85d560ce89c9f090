package scheduler

import "context"

// behind runs write over the items handed to it, in order, on one goroutine beside the caller: the
// daily scans judge the next pairings while the database writes what the last ones decided. The first
// failure of either side stops the other: the writer's cancels ctx (which the caller's work runs
// under), the caller's, given to finish, cancels the writer's. After a failure the writer takes what
// is still handed to it without writing it, so the caller never blocks on it.
type behind[T any] struct {
	ctx   context.Context // the caller's work runs under it
	stop  context.CancelCauseFunc
	items chan T
	done  chan error
}

// startBehind starts the writer; buf items may wait for it besides the one it writes.
func startBehind[T any](ctx context.Context, buf int, write func(context.Context, T) error) *behind[T] {
	ctx, stop := context.WithCancelCause(ctx)
	b := &behind[T]{ctx: ctx, stop: stop, items: make(chan T, buf), done: make(chan error, 1)}
	go func() {
		for it := range b.items {
			if err := write(ctx, it); err != nil {
				stop(err)
				for range b.items {
				}
				b.done <- err
				return
			}
		}
		b.done <- nil
	}()
	return b
}

// hand passes it to the writer, or returns why the writer has stopped.
func (b *behind[T]) hand(it T) error {
	select {
	case b.items <- it:
		return nil
	case <-b.ctx.Done():
		return context.Cause(b.ctx)
	}
}

// finish ends the hand-over with the caller's own error (nil when its work went well), waits for the
// writer, and returns the first failure of either: the cause, not the cancellation it caused. Nothing
// runs on the writer's goroutine after it returns.
func (b *behind[T]) finish(err error) error {
	if err != nil {
		b.stop(err)
	}
	close(b.items)
	werr := <-b.done
	defer b.stop(nil)
	if err != nil || werr != nil {
		return context.Cause(b.ctx)
	}
	return nil
}
