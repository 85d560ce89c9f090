package clock_test

import (
	"sync"
	"testing"
	"time"

	"qinqi/internal/clock"
)

func TestShanghaiOnAUTCHost(t *testing.T) {
	// 2026-02-16 20:30 UTC is 04:30 on Spring Festival day in Shanghai.
	utc := time.Date(2026, 2, 16, 20, 30, 0, 0, time.UTC)
	cases := []struct {
		name string
		got  time.Time
		want string
	}{
		{"Day is midnight of the Shanghai day", clock.Day(utc), "2026-02-17 00:00 +0800"},
		{"Date builds Shanghai midnight", clock.Date(2026, 2, 17), "2026-02-17 00:00 +0800"},
		{"fake clock reports Shanghai", clock.NewFake(utc).Now(), "2026-02-17 04:30 +0800"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if s := c.got.Format("2006-01-02 15:04 -0700"); s != c.want {
				t.Errorf("got %s, want %s", s, c.want)
			}
		})
	}
	if got := (clock.Real{}).Now().Location(); got != clock.Shanghai {
		t.Errorf("Real.Now is in %v, want Asia/Shanghai", got)
	}
}

func TestFakeAdvanceAndSetAreSafeTogether(t *testing.T) {
	f := clock.NewFake(clock.Date(2026, 1, 1))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				f.Advance(time.Minute)
				_ = f.Now()
			}
		})
	}
	wg.Wait()
	if got, want := f.Now(), clock.Date(2026, 1, 1).Add(800*time.Minute); !got.Equal(want) {
		t.Errorf("after 800 one-minute steps: %v, want %v", got, want)
	}
	f.Set(clock.Date(2027, 6, 9))
	if got := f.Now(); !got.Equal(clock.Date(2027, 6, 9)) {
		t.Errorf("Set: %v", got)
	}
}
