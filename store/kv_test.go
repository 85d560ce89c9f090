package store_test

import (
	"context"
	"errors"
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
