package bench

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// closedLoop runs op from workers goroutines back to back (each starts its next call when the previous
// returned) until d has passed, and returns the successful calls and the wall time until the last
// worker stopped. The first error stops every worker.
func closedLoop(ctx context.Context, workers int, d time.Duration, op func(ctx context.Context, worker int) error) (int64, time.Duration, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		n     atomic.Int64
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	start := time.Now()
	deadline := start.Add(d)
	for w := range workers {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(deadline) {
				if err := op(ctx, w); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	if first != nil {
		return n.Load(), time.Since(start), first
	}
	return n.Load(), time.Since(start), ctx.Err()
}

// warmup is the untimed run before each timed case: pools filled, caches and pages warm.
func warmup(d time.Duration) time.Duration { return min(d/10, time.Second) }

// latencies collects durations from many goroutines.
type latencies struct {
	mu sync.Mutex
	ds []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.ds = append(l.ds, d)
	l.mu.Unlock()
}

// quantile returns the q-quantile (0 < q ≤ 1) by the nearest-rank method, or 0 without samples.
func (l *latencies) quantile(q float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ds) == 0 {
		return 0
	}
	slices.Sort(l.ds)
	i := int(q*float64(len(l.ds))+0.5) - 1
	return l.ds[max(0, min(i, len(l.ds)-1))]
}

func (l *latencies) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.ds)
}

// summary is "p50 1.2 ms, p99 8.4 ms".
func (l *latencies) summary() string {
	return fmt.Sprintf("p50 %s, p99 %s", millis(l.quantile(0.50)), millis(l.quantile(0.99)))
}

func millis(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

func perSecond(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// nOf is "1 writer", "8 writers".
func nOf(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// cpuMeter measures the process CPU time used between start and used.
type cpuMeter struct {
	at time.Duration
	ok bool
}

func startCPU() cpuMeter {
	at, ok := processCPU()
	return cpuMeter{at, ok}
}

// used returns the CPU time since startCPU, or false where it cannot be measured.
func (m cpuMeter) used() (time.Duration, bool) {
	now, ok := processCPU()
	return now - m.at, ok && m.ok
}
