// Package clock gives handlers, jobs and the outbox an injectable notion of "now",
// so a whole year can be simulated in seconds.
package clock

import (
	"sync"
	"time"
	_ "time/tzdata" // Asia/Shanghai must load on machines without zoneinfo
)

// Shanghai is the zone every programme rule is written in; CI machines run in UTC.
var Shanghai = mustLoad("Asia/Shanghai")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("clock: embedded tzdata lacks " + name) // cannot happen with time/tzdata imported
	}
	return loc
}

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// Real is the wall clock, reported in Asia/Shanghai.
type Real struct{}

// Now returns the current time in Asia/Shanghai.
func (Real) Now() time.Time { return time.Now().In(Shanghai) }

// Fake is a settable clock for tests and the simulator; safe for concurrent use.
type Fake struct {
	mu sync.Mutex
	t  time.Time
}

// NewFake starts a fake clock at t.
func NewFake(t time.Time) *Fake { return &Fake{t: t.In(Shanghai)} }

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

// Set moves the clock to t.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	f.t = t.In(Shanghai)
	f.mu.Unlock()
}

// Advance moves the clock forward by d.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

// Date is midnight of the given day in Asia/Shanghai.
func Date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, Shanghai) }

// Day truncates t to midnight of its Asia/Shanghai day.
func Day(t time.Time) time.Time {
	y, m, d := t.In(Shanghai).Date() // one calendar computation, not three: the scans call this millions of times
	return time.Date(y, m, d, 0, 0, 0, 0, Shanghai)
}

// InQuiet reports whether t falls in the quiet hours from start to end (minutes after midnight,
// Asia/Shanghai); the range may wrap midnight, and start == end means no quiet hours.
func InQuiet(t time.Time, start, end int) bool {
	t = t.In(Shanghai)
	m := t.Hour()*60 + t.Minute()
	switch {
	case start == end:
		return false
	case start < end:
		return m >= start && m < end
	}
	return m >= start || m < end
}
