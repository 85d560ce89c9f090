package store_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"qinqi/internal/testenv"
	"qinqi/store"
)

// countedKVs opens the KV of each backend with its round trips counted.
func countedKVs(t *testing.T, f func(t *testing.T, kv *store.KV, trips *atomic.Int64)) {
	addrs := map[string]string{"inprocess": ""}
	if a := os.Getenv(testenv.EnvRedis); a != "" {
		addrs["redis"] = a
	}
	for name, addr := range addrs {
		t.Run(name, func(t *testing.T) {
			var trips atomic.Int64
			kv, err := store.OpenKV(context.Background(), store.KVOptions{Addr: addr, Prefix: "qinqitest:rt:" + time.Now().Format("150405.000000") + ":",
				RoundTrip: func([]string) { trips.Add(1) }})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = kv.Close() })
			f(t, kv, &trips)
		})
	}
}

// SeenAllWithin judges several events in one round trip and in order: the second of two equal keys
// is seen; a server that lost its scripts (a restart) is answered all the same.
func TestSeenAllWithinIsOneRoundTrip(t *testing.T) {
	countedKVs(t, func(t *testing.T, kv *store.KV, trips *atomic.Int64) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		at := []time.Time{now, now, now.Add(time.Second)}
		warm := []time.Time{now, now}
		if _, err := kv.SeenAllWithin(ctx, []string{"w1", "w2"}, warm, time.Second); err != nil { // connects, caches the script
			t.Fatal(err)
		}
		before := trips.Load()
		seen, err := kv.SeenAllWithin(ctx, []string{"a", "b", "a"}, at, 3*time.Second)
		if err != nil || !slices.Equal(seen, []bool{false, false, true}) {
			t.Fatalf("first = %v, %v; want [false false true]", seen, err)
		}
		if n := trips.Load() - before; n != 1 {
			t.Errorf("%d round trips for three events, want 1", n)
		}
		if err := kv.FlushScripts(ctx); err != nil {
			t.Fatal(err)
		}
		seen, err = kv.SeenAllWithin(ctx, []string{"b", "c"}, []time.Time{now.Add(2 * time.Second), now}, 3*time.Second)
		if err != nil || !slices.Equal(seen, []bool{true, false}) {
			t.Fatalf("after the scripts were flushed = %v, %v; want [true false]", seen, err)
		}
		seen, err = kv.SeenAllWithin(ctx, []string{"a", "b"}, []time.Time{now.Add(5 * time.Second), now.Add(5 * time.Second)}, 3*time.Second)
		if err != nil || !slices.Equal(seen, []bool{false, false}) {
			t.Fatalf("after the window = %v, %v; want [false false]", seen, err)
		}
	})
}

// Preload reads a batch's keys in one round trip; the batch's Gets are then answered from it, its
// own writes first, and outside a batch it reads nothing.
func TestPreloadAnswersTheBatchsGets(t *testing.T) {
	st := testenv.SQLite(t)
	countedKVs(t, func(t *testing.T, kv *store.KV, trips *atomic.Int64) {
		ctx := context.Background()
		if err := kv.Set(ctx, "dialog:1", "q1", time.Minute); err != nil { // connects
			t.Fatal(err)
		}
		before := trips.Load()
		if err := kv.Preload(ctx, "dialog:1"); err != nil || trips.Load() != before {
			t.Fatalf("outside a batch: %v, %d round trips", err, trips.Load()-before)
		}
		err := st.Batch(ctx, func(bctx context.Context) error {
			before := trips.Load()
			if err := kv.Preload(bctx, "dialog:1", "dialog:2"); err != nil {
				return err
			}
			v1, err1 := kv.Get(bctx, "dialog:1")
			_, err2 := kv.Get(bctx, "dialog:2")
			if v1 != "q1" || err1 != nil || !errors.Is(err2, store.ErrNotFound) {
				t.Errorf("preloaded Gets = %q %v, %v; want q1, ErrNotFound", v1, err1, err2)
			}
			if n := trips.Load() - before; n != 1 {
				t.Errorf("%d round trips for a preload and two Gets, want 1", n)
			}
			if err := kv.Del(bctx, "dialog:1"); err != nil {
				return err
			}
			if _, err := kv.Get(bctx, "dialog:1"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("the batch's own delete is not seen over the preload: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := kv.Get(ctx, "dialog:1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the committed delete is not applied: %v", err)
		}
	})
}

// DropAll deletes the keys of its own prefix only, and refuses to run without one.
func TestKVDropAllKeepsOtherPrefixes(t *testing.T) {
	addr := os.Getenv(testenv.EnvRedis)
	if addr == "" {
		t.Skip("needs a real Redis: the in-process one is never shared")
	}
	ctx := context.Background()
	tag := time.Now().Format("150405.000000")
	open := func(prefix string) *store.KV {
		kv, err := store.OpenKV(ctx, store.KVOptions{Addr: addr, Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = kv.Close() })
		return kv
	}
	mine, other := open("qinqitest:drop:"+tag+":a:"), open("qinqitest:drop:"+tag+":b:")
	for i := range 2500 { // more than one SCAN page and one UNLINK batch
		if err := mine.Set(ctx, "k"+strconv.Itoa(i), "v", time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if err := other.Set(ctx, "k0", "v", time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := mine.DropAll(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := mine.Get(ctx, "k2499"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a key of the dropped prefix: %v, want ErrNotFound", err)
	}
	if v, err := other.Get(ctx, "k0"); err != nil || v != "v" {
		t.Fatalf("the other prefix's key = %q, %v", v, err)
	}
	if err := other.DropAll(ctx); err != nil {
		t.Fatal(err)
	}
	if err := open("").DropAll(ctx); err == nil {
		t.Fatal("DropAll without a prefix emptied the server")
	}
}
