package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"qinqi/internal/testenv"
	"qinqi/store"
)

func TestKV(t *testing.T) {
	for _, b := range testenv.KVBackends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			kv := b.Open(t)
			if _, err := kv.Get(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("Get missing = %v, want ErrNotFound", err)
			}
			ok, err := kv.Claim(ctx, "job:a:1", "i1", time.Minute)
			if err != nil || !ok {
				t.Fatalf("first claim = %v, %v", ok, err)
			}
			ok, err = kv.Claim(ctx, "job:a:1", "i2", time.Minute)
			if err != nil || ok {
				t.Fatalf("second claim = %v, %v; want false", ok, err)
			}
			for want := int64(1); want <= 3; want++ {
				n, err := kv.Incr(ctx, "ctr", time.Hour)
				if err != nil || n != want {
					t.Fatalf("Incr = %d, %v; want %d", n, err, want)
				}
			}
			if err := kv.Set(ctx, "ttl", "v", 50*time.Millisecond); err != nil {
				t.Fatal(err)
			}
			time.Sleep(350 * time.Millisecond) // the in-process server ages TTLs every 100 ms
			if _, err := kv.Get(ctx, "ttl"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("expired key still there: %v", err)
			}
		})
	}
}

// TestKVSlidingWindow: events count in any window-long stretch, not per clock hour: ten events
// across 08:00 are all seen at 08:00:07.
func TestKVSlidingWindow(t *testing.T) {
	for _, b := range testenv.KVBackends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			kv := b.Open(t)
			t0 := time.Date(2026, 11, 23, 7, 59, 54, 0, time.UTC)
			for i := range 10 {
				n, err := kv.AddWithin(ctx, "w", t0.Add(time.Duration(i)*1300*time.Millisecond), time.Hour)
				if err != nil || n != int64(i+1) {
					t.Fatalf("event %d: count %d, %v", i, n, err)
				}
			}
			at := func(d time.Duration) int64 {
				n, err := kv.CountWithin(ctx, "w", t0.Add(d), time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			if n := at(13 * time.Second); n != 10 {
				t.Errorf("at 08:00:07: %d events, want 10", n)
			}
			if n := at(time.Hour + 2*time.Second); n != 8 {
				t.Errorf("an hour later: %d events, want 8 (two left the window)", n)
			}
			if n := at(2 * time.Hour); n != 0 {
				t.Errorf("two hours later: %d", n)
			}
			if n, _ := kv.AddWithin(ctx, "w", t0.Add(2*time.Hour), time.Hour); n != 1 {
				t.Errorf("new event after the window: count %d, want 1", n)
			}
			if n, _ := kv.CountWithin(ctx, "other", t0, time.Hour); n != 0 {
				t.Errorf("unknown key counts %d", n)
			}
		})
	}
}

// TestKVLongPipeline: a batch's read-ahead of 64 same-text checks with long keys and a few gets
// goes through in one pipeline on every backend. On the in-process server over an unbuffered pipe
// the client's writes and the server's replies blocked each other past about 20 commands, until
// the 2 s write timeout.
func TestKVLongPipeline(t *testing.T) {
	for _, b := range testenv.KVBackends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			kv := b.Open(t)
			keys, nows := make([]string, 64), make([]time.Time, 64)
			now := time.Now()
			for i := range keys {
				keys[i] = fmt.Sprintf("seen:%03d:%s", i, strings.Repeat("文", 40))
				nows[i] = now
			}
			gets := []string{"dialog:1", "dialog:2", "dialog:3"}
			for round, want := range []bool{false, true} {
				seen, _, err := kv.ReadAhead(ctx, keys, nows, time.Minute, gets)
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
				for i, s := range seen {
					if s != want {
						t.Fatalf("round %d: key %d seen %v, want %v", round, i, s, want)
					}
				}
			}
		})
	}
}
