package scheduler

import (
	"context"
	"errors"
	"slices"
	"testing"
)

// TestBehind: the writer writes what it is handed, in order; its failure stops the hand-over and is
// what finish returns (not the cancellation it caused), and nothing after it is written; the caller's
// failure, given to finish, cancels the writer and is what finish returns.
func TestBehind(t *testing.T) {
	errWrite, errScan := errors.New("write failed"), errors.New("scan failed")
	t.Run("in order", func(t *testing.T) {
		var got []int
		w := startBehind(context.Background(), 1, func(_ context.Context, i int) error { got = append(got, i); return nil })
		for i := range 5 {
			if err := w.hand(i); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.finish(nil); err != nil || !slices.Equal(got, []int{0, 1, 2, 3, 4}) {
			t.Fatalf("finish %v, written %v", err, got)
		}
	})
	t.Run("writer fails", func(t *testing.T) {
		var got []int
		w := startBehind(context.Background(), 0, func(_ context.Context, i int) error {
			if i == 2 {
				return errWrite
			}
			got = append(got, i)
			return nil
		})
		var err error
		for i := 0; err == nil && i < 100; i++ {
			err = w.hand(i)
		}
		if !errors.Is(err, errWrite) {
			t.Fatalf("hand after the failure = %v, want the writer's error", err)
		}
		if err := w.finish(context.Canceled); !errors.Is(err, errWrite) {
			t.Fatalf("finish = %v, want the writer's error", err)
		}
		if !slices.Equal(got, []int{0, 1}) {
			t.Fatalf("written %v, want 0 and 1 only", got)
		}
	})
	t.Run("caller fails", func(t *testing.T) {
		stopped := make(chan error, 1)
		w := startBehind(context.Background(), 0, func(ctx context.Context, _ int) error {
			<-ctx.Done()
			stopped <- context.Cause(ctx)
			return ctx.Err()
		})
		if err := w.hand(1); err != nil {
			t.Fatal(err)
		}
		if err := w.finish(errScan); !errors.Is(err, errScan) {
			t.Fatalf("finish = %v, want the caller's error", err)
		}
		if err := <-stopped; !errors.Is(err, errScan) {
			t.Fatalf("the writer was stopped by %v, want the caller's error", err)
		}
	})
}
