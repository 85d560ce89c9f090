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
	for _, b := range testenv.KVBackends() {
		t.Run(b.Name, func(t *testing.T) {
			var trips atomic.Int64
			f(t, b.Counted(t, func([]string) { trips.Add(1) }), &trips)
		})
	}
}

// ReadAhead judges several events in one round trip and in order (the second of two equal keys is
// seen) and reads the batch's keys in the same trip; a server that lost its scripts (a restart) is
// answered all the same, its keys marked once and its reads not made again.
func TestReadAheadIsOneRoundTrip(t *testing.T) {
	countedKVs(t, func(t *testing.T, kv *store.KV, trips *atomic.Int64) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		at := []time.Time{now, now, now.Add(time.Second)}
		warm := []time.Time{now, now}
		if _, _, err := kv.ReadAhead(ctx, []string{"w1", "w2"}, warm, time.Second, nil); err != nil { // connects, caches the script
			t.Fatal(err)
		}
		if err := kv.Set(ctx, "dialog:1", "q1", time.Minute); err != nil {
			t.Fatal(err)
		}
		before := trips.Load()
		seen, ahead, err := kv.ReadAhead(ctx, []string{"a", "b", "a"}, at, 3*time.Second, []string{"dialog:1", "dialog:2"})
		if err != nil || !slices.Equal(seen, []bool{false, false, true}) || ahead == nil {
			t.Fatalf("first = %v, %v, %v; want [false false true] and the reads", seen, ahead, err)
		}
		if n := trips.Load() - before; n != 1 {
			t.Errorf("%d round trips for three events and two reads, want 1", n)
		}
		if err := kv.FlushScripts(ctx); err != nil {
			t.Fatal(err)
		}
		before = trips.Load()
		seen, ahead, err = kv.ReadAhead(ctx, []string{"b", "c"}, []time.Time{now.Add(2 * time.Second), now}, 3*time.Second, []string{"dialog:1"})
		if err != nil || !slices.Equal(seen, []bool{true, false}) || ahead == nil {
			t.Fatalf("after the scripts were flushed = %v, %v, %v; want [true false] and the read", seen, ahead, err)
		}
		if n := trips.Load() - before; n != 2 {
			t.Errorf("%d round trips after the scripts were flushed, want 2 (the refused checks once more)", n)
		}
		// the redo marked c at now
		seen, _, err = kv.ReadAhead(ctx, []string{"c"}, []time.Time{now.Add(2900 * time.Millisecond)}, 3*time.Second, nil)
		if err != nil || !slices.Equal(seen, []bool{true}) {
			t.Fatalf("c within the window = %v, %v; want [true]", seen, err)
		}
		seen, _, err = kv.ReadAhead(ctx, []string{"a", "b"}, []time.Time{now.Add(5 * time.Second), now.Add(5 * time.Second)}, 3*time.Second, nil)
		if err != nil || !slices.Equal(seen, []bool{false, false}) {
			t.Fatalf("after the window = %v, %v; want [false false]", seen, err)
		}
	})
}

// What a batch read ahead answers its Gets of those keys, its own writes first, as the keys were when
// they were read; outside a batch it answers nothing.
func TestReadAheadAnswersTheBatchsGets(t *testing.T) {
	st := testenv.SQLite(t)
	countedKVs(t, func(t *testing.T, kv *store.KV, trips *atomic.Int64) {
		ctx := context.Background()
		if err := kv.Set(ctx, "dialog:1", "q1", time.Minute); err != nil { // connects
			t.Fatal(err)
		}
		_, ahead, err := kv.ReadAhead(ctx, nil, nil, 0, []string{"dialog:1", "dialog:2"})
		if err != nil || ahead == nil {
			t.Fatalf("read ahead: %v, %v", ahead, err)
		}
		if err := kv.Set(ctx, "dialog:2", "q2", time.Minute); err != nil { // after the read
			t.Fatal(err)
		}
		if v, err := kv.Get(store.WithReadAhead(ctx, ahead), "dialog:2"); v != "q2" || err != nil {
			t.Errorf("outside a batch Get = %q, %v; want Redis's q2", v, err)
		}
		err = st.Batch(store.WithReadAhead(ctx, ahead), func(bctx context.Context) error {
			before := trips.Load()
			v1, err1 := kv.Get(bctx, "dialog:1")
			_, err2 := kv.Get(bctx, "dialog:2")
			if v1 != "q1" || err1 != nil || !errors.Is(err2, store.ErrNotFound) {
				t.Errorf("Gets read ahead = %q %v, %v; want q1, ErrNotFound", v1, err1, err2)
			}
			if n := trips.Load() - before; n != 0 {
				t.Errorf("%d round trips for two Gets read ahead, want 0", n)
			}
			if err := kv.Del(bctx, "dialog:1"); err != nil {
				return err
			}
			if _, err := kv.Get(bctx, "dialog:1"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("the batch's own delete is not seen over the read: %v", err)
			}
			// inside the batch, what is read goes into the batch itself
			before = trips.Load()
			if _, a, err := kv.ReadAhead(bctx, nil, nil, 0, []string{"dialog:3"}); err != nil || a != nil {
				t.Errorf("read inside the batch: %v, %v; want it kept in the batch", a, err)
			}
			if err := kv.Set(ctx, "dialog:3", "q3", time.Minute); err != nil { // after the read
				return err
			}
			if _, err := kv.Get(bctx, "dialog:3"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Get of a key read inside the batch = %v, want ErrNotFound as it was read", err)
			}
			if n := trips.Load() - before; n != 2 {
				t.Errorf("%d round trips for a read inside the batch, a write outside it and a Get, want 2", n)
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
