package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// KV is the shared short-lived state: dialog state, dedup keys, rate-limit buckets, job claims and locks.
// It always talks through go-redis; without an address it runs an in-process miniredis, so the
// embedded default and production share one code path (and Lua-based locks work on both).
type KV struct {
	rdb    *redis.Client
	mini   *miniredis.Miniredis
	stop   chan struct{}
	done   chan struct{}
	closed sync.Once
	prefix string
}

// expireEvery is how often the in-process server ages TTLs. miniredis's ClockTTL would do it on every
// command by sorting every key, which made the year simulation spend 6 % of its time there.
const expireEvery = 100 * time.Millisecond

// KVOptions say which Redis to use; an empty Addr means in-process.
type KVOptions struct {
	Addr     string
	Password string
	DB       int
	Prefix   string // prepended to every key, so several deployments or tests can share one Redis
	// RoundTrip, when set, is told of each round trip to Redis with the names of the commands it
	// carried (one, or a pipeline's), before it is made: the bench counts them per report.
	RoundTrip func(commands []string)
}

// roundTripHook reports each command, and each pipeline as one round trip, to KVOptions.RoundTrip.
type roundTripHook func(commands []string)

func (h roundTripHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h roundTripHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h([]string{cmd.Name()})
		return next(ctx, cmd)
	}
}

func (h roundTripHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		names := make([]string, len(cmds))
		for i, c := range cmds {
			names[i] = c.Name()
		}
		h(names)
		return next(ctx, cmds)
	}
}

// quietRedis keeps go-redis's own pool logging (a process-wide setting of the library) off stderr;
// connection failures reach the operator once, through the error OpenKV and callers return.
var quietRedis sync.Once

type discardLogger struct{}

func (discardLogger) Printf(context.Context, string, ...any) {}

// OpenKV connects and pings.
func OpenKV(ctx context.Context, o KVOptions) (*KV, error) {
	quietRedis.Do(func() { redis.SetLogger(discardLogger{}) })
	k := &KV{prefix: o.Prefix}
	opts := &redis.Options{Addr: o.Addr, Password: o.Password, DB: o.DB,
		DialTimeout: 2 * time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second,
		MaxRetries: 1}
	if o.Addr == "" {
		k.mini = miniredis.NewMiniRedis()
		if err := k.mini.Start(); err != nil {
			return nil, fmt.Errorf("kv: start in-process redis: %w", err)
		}
		k.stop, k.done = make(chan struct{}), make(chan struct{})
		go k.age()
		// Through the server's own loopback listener, not miniredis's Dial: that is an unbuffered
		// net.Pipe, on which a pipeline longer than the server's read buffer (a batch's 16 or more
		// same-text checks) blocks the client's writes against the server's replies until the write
		// timeout. A socket has the kernel's buffers.
		opts.Addr = k.mini.Addr()
	}
	k.rdb = redis.NewClient(opts)
	if o.RoundTrip != nil {
		k.rdb.AddHook(roundTripHook(o.RoundTrip))
	}
	if err := k.Ping(ctx); err != nil {
		_ = k.Close()
		return nil, err
	}
	return k, nil
}

// InProcess reports whether this is the embedded miniredis.
func (k *KV) InProcess() bool { return k.mini != nil }

// key applies the prefix.
func (k *KV) key(s string) string { return k.prefix + s }

// Ping checks Redis with a short budget.
func (k *KV) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := k.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("kv: redis unreachable: %w", err)
	}
	return nil
}

// age moves the in-process server's TTLs on with the wall clock (without it they never elapse).
// A pass sorts every key under the server's lock (miniredis's FastForward), so its cost grows with
// the keys held: at a few hundred reports a second, a minute of same-text keys (tens of thousands)
// took more CPU than the inbox's own Go code in the check-in bench's profile. The next pass waits
// agingShare times as long as the last one took, never less than expireEvery: with few keys TTLs
// elapse every 100 ms as before, with many they elapse a little later (qinqi's TTLs are seconds to
// days, and the same-text check compares the times it stored, not the key's presence).
func (k *KV) age() {
	defer close(k.done)
	t := time.NewTimer(expireEvery)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-k.stop:
			return
		case <-t.C:
			now := time.Now()
			k.mini.FastForward(now.Sub(last))
			last = now
			t.Reset(max(expireEvery, agingShare*time.Since(now)))
		}
	}
}

// agingShare bounds the aging's CPU to about 1/agingShare of a core.
const agingShare = 50

// DropAll deletes every key under this KV's prefix: for a run that made its own prefix (the bench)
// and leaves nothing behind, not for a deployment's shared one.
func (k *KV) DropAll(ctx context.Context) error {
	if k.prefix == "" {
		return errors.New("kv: drop all: no prefix, refusing to empty the whole server")
	}
	iter := k.rdb.Scan(ctx, 0, k.prefix+"*", 1000).Iterator()
	var batch []string
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := k.rdb.Unlink(ctx, batch...).Err()
		batch = batch[:0]
		return err
	}
	for iter.Next(ctx) {
		if batch = append(batch, iter.Val()); len(batch) == 1000 {
			if err := flush(); err != nil {
				return fmt.Errorf("kv: drop all: %w", err)
			}
		}
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("kv: drop all: %w", err)
	}
	if err := flush(); err != nil {
		return fmt.Errorf("kv: drop all: %w", err)
	}
	return nil
}

// Close closes the client and the embedded server.
func (k *KV) Close() error {
	err := k.rdb.Close()
	if k.mini != nil {
		k.closed.Do(func() {
			close(k.stop)
			<-k.done
			k.mini.Close()
		})
	}
	return err
}

// Get returns the value or ErrNotFound.
func (k *KV) Get(ctx context.Context, key string) (string, error) {
	if o := overlayOf(ctx, k); o != nil {
		if v, found, ok := o.get(key); ok {
			return v, found
		}
	}
	return k.stored(ctx, key)
}

// stored is Get from Redis, past what a batch holds or read ahead.
func (k *KV) stored(ctx context.Context, key string) (string, error) {
	v, err := k.rdb.Get(ctx, k.key(key)).Result()
	if errors.Is(err, redis.Nil) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("kv: get: %w", err)
	}
	return v, nil
}

// Set stores a value with a TTL (0 = no expiry).
func (k *KV) Set(ctx context.Context, key, val string, ttl time.Duration) error {
	if o := overlayOf(ctx, k); o != nil {
		// Held until the batch commits; a KV that does not answer now fails the write now, so the
		// caller knows the state cannot be kept, as without a batch.
		if err := k.rdb.Ping(ctx).Err(); err != nil {
			return fmt.Errorf("kv: set: %w", err)
		}
		o.put(key, kvOp{val: val, ttl: ttl})
		return nil
	}
	if err := k.rdb.Set(ctx, k.key(key), val, ttl).Err(); err != nil {
		return fmt.Errorf("kv: set: %w", err)
	}
	return nil
}

// Claim sets key only if absent; true means this caller owns it until the TTL ends.
func (k *KV) Claim(ctx context.Context, key, owner string, ttl time.Duration) (bool, error) {
	ok, err := k.rdb.SetNX(ctx, k.key(key), owner, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("kv: claim: %w", err)
	}
	return ok, nil
}

// Del removes keys.
func (k *KV) Del(ctx context.Context, keys ...string) error {
	if o := overlayOf(ctx, k); o != nil {
		for _, key := range keys {
			o.put(key, kvOp{del: true})
		}
		return nil
	}
	full := make([]string, len(keys))
	for i, key := range keys {
		full[i] = k.key(key)
	}
	if err := k.rdb.Del(ctx, full...).Err(); err != nil {
		return fmt.Errorf("kv: del: %w", err)
	}
	return nil
}

// Incr increments a counter, setting the TTL when the counter is new; returns the new value.
func (k *KV) Incr(ctx context.Context, key string, ttl time.Duration) (int64, error) {
	pipe := k.rdb.TxPipeline()
	n := pipe.Incr(ctx, k.key(key))
	pipe.ExpireNX(ctx, k.key(key), ttl)
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, fmt.Errorf("kv: incr: %w", err)
	}
	return n.Val(), nil
}
