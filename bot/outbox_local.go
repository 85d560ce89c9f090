package bot

import (
	"sync"
	"time"

	"qinqi/internal/clock"
)

// localLimits is what one account's sender uses while the shared State (Redis) fails, so replies
// keep going out during a Redis outage under the same bucket and daily cap, counted in this process:
//
//   - the bucket runs the same GCRA locally, from an empty bucket;
//   - the daily count continues from the last value read from Redis, plus this process's sends;
//   - the loop guard is not applied (its per-recipient counters live only in Redis); the bucket
//     still bounds any loop.
//
// With several instances sending for one account during an outage, each applies the bucket and
// cap on its own, so the account may briefly send up to instances × the configured rate. When
// Redis answers again the shared state takes over; sends made meanwhile are not added to it.
type localLimits struct {
	mu   sync.Mutex
	down bool      // the last shared call failed
	tat  time.Time // GCRA theoretical arrival time of the local bucket
	day  string    // Shanghai day that sent counts
	sent int64
}

// failed records a failed shared call and reports whether the outage just began (log it once).
func (l *localLimits) failed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	began := !l.down
	l.down = true
	return began
}

// answered records a working shared call and reports whether an outage just ended.
func (l *localLimits) answered() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	ended := l.down
	l.down = false
	l.tat = time.Time{}
	return ended
}

// take is the GCRA of store.KV.TakeToken: 0 when a token was taken, else how long to wait.
func (l *localLimits) take(now time.Time, every time.Duration, burst int) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	burst = max(burst, 1)
	tat := l.tat
	if tat.Before(now) {
		tat = now
	}
	if ahead := tat.Sub(now) - time.Duration(burst-1)*every; ahead > 0 {
		return ahead
	}
	l.tat = tat.Add(every)
	return 0
}

// remember keeps the shared daily count as the base for an outage.
func (l *localLimits) remember(now time.Time, n int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.day, l.sent = dayKey(now), n
}

// count is the daily count to use while the shared one cannot be read.
func (l *localLimits) count(now time.Time) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.day != dayKey(now) {
		return 0
	}
	return l.sent
}

// add counts one send made while the shared counter could not be incremented.
func (l *localLimits) add(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if d := dayKey(now); l.day != d {
		l.day, l.sent = d, 0
	}
	l.sent++
}

func dayKey(t time.Time) string { return t.In(clock.Shanghai).Format("20060102") }

// sharedFailed notes a failed shared call of account s, logging only the start of an outage.
func (ob *Outbox) sharedFailed(s *sender, err error) {
	if s.local.failed() {
		ob.log.Warn("shared send limits unreachable; this instance applies them alone until they answer",
			"account", s.Name, "err", err)
	}
}

// sharedAnswered notes a working shared call, logging the end of an outage.
func (ob *Outbox) sharedAnswered(s *sender) {
	if s.local.answered() {
		ob.log.Info("shared send limits reachable again", "account", s.Name)
	}
}
