package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// The transport layer's rate state lives in Redis so several instances share it, but its notion of
// time is the caller's clock (a fake one in tests and the simulator), never Redis's: the scripts take
// "now" as an argument and Redis TTLs only garbage-collect keys long after they matter.

// kvStateTTL keeps bucket and window keys well past any window they describe.
const kvStateTTL = 48 * time.Hour

// gcraScript is the generic cell rate algorithm: the key holds the theoretical arrival time (ms);
// a request is allowed when it is at most (burst-1) intervals ahead of now. Returns 0 when a
// token was taken, else the milliseconds to wait (nothing is consumed then).
var gcraScript = redis.NewScript(`
local now = tonumber(ARGV[1])
local every = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local ahead = tat - now - (burst - 1) * every
if ahead > 0 then return ahead end
redis.call('SET', KEYS[1], tostring(tat + every), 'PX', ARGV[4])
return 0
`)

// TakeToken takes one token from the bucket at key (one token per every, up to burst saved)
// and returns 0, or how long to wait before a token will be there.
func (k *KV) TakeToken(ctx context.Context, key string, now time.Time, every time.Duration, burst int) (time.Duration, error) {
	if burst < 1 {
		burst = 1
	}
	ms, err := gcraScript.Run(ctx, k.rdb, []string{k.key(key)},
		now.UnixMilli(), every.Milliseconds(), burst, kvStateTTL.Milliseconds()).Int64()
	if err != nil {
		return 0, fmt.Errorf("kv: take token: %w", err)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// seenScript returns 1 when the key was marked less than window ago, else marks it now and returns 0.
var seenScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v and tonumber(ARGV[1]) - tonumber(v) < tonumber(ARGV[2]) then return 1 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 0
`)

// SeenWithin reports whether key was seen less than window before now (by the caller's clock),
// and marks it seen now when it was not: the first of a burst of identical events passes. Inside an
// inbound batch the mark is held until the batch commits, like the batch's other KV writes: a message
// redone after its batch was lost is then judged as the first time (an unbound sender still gets the
// whole bind prompt, not "ask again" for a prompt nobody sent). Two instances may then both pass the
// same event in one instant; a prompt twice beats a prompt lost.
func (k *KV) SeenWithin(ctx context.Context, key string, now time.Time, window time.Duration) (bool, error) {
	ttl := max(window*2, time.Minute)
	if o := overlayOf(ctx, k); o != nil {
		return k.seenHeld(ctx, o, key, now, window, ttl)
	}
	n, err := seenScript.Run(ctx, k.rdb, []string{k.key(key)}, now.UnixMilli(), window.Milliseconds(), ttl.Milliseconds()).Int64()
	if err != nil {
		return false, fmt.Errorf("kv: seen within: %w", err)
	}
	return n == 1, nil
}

// ReadAhead is what an inbound batch read from the KV before its transaction (KV.ReadAhead). Given to
// Batch through WithReadAhead, it answers the batch's Gets of its keys, after the batch's own writes,
// as if they had been read when the batch began: its messages are handled within milliseconds and
// commit together, as with the directory token they share (Directory.Begin).
type ReadAhead struct {
	kv   *KV
	read map[string]kvOp // del: absent
}

type readAheadKey struct{}

// WithReadAhead gives a the Batch run under the returned context; nil gives nothing.
func WithReadAhead(ctx context.Context, a *ReadAhead) context.Context {
	if a == nil {
		return ctx
	}
	return context.WithValue(ctx, readAheadKey{}, a)
}

// ReadAhead makes a batch's reads before its transaction in one pipelined round trip: the
// same-text checks, SeenWithin for keys[i] at nows[i] in order (a key that comes twice is seen by
// its second coming), and the values of gets. seen and err are the checks'; ahead is nil when gets
// is empty or could not be read (each Get then asks Redis on its own, and fails on its own). Inside
// a batch each check is held as SeenWithin holds it, and gets are read into the batch itself (its
// Gets of them are answered from what was read, after its own writes), ahead then nil.
func (k *KV) ReadAhead(ctx context.Context, keys []string, nows []time.Time, window time.Duration, gets []string) (seen []bool, ahead *ReadAhead, err error) {
	seen = make([]bool, len(keys))
	if o := overlayOf(ctx, k); o != nil {
		for i, key := range keys {
			if seen[i], err = k.SeenWithin(ctx, key, nows[i], window); err != nil {
				return nil, nil, err
			}
		}
		if len(gets) > 0 {
			if _, mget := k.seenPipelined(ctx, nil, nil, 0, nil, gets); mget.Err() == nil {
				o.mu.Lock()
				readInto(o.read, gets, mget.Val())
				o.mu.Unlock()
			}
		}
		return seen, nil, nil
	}
	if len(keys) == 0 && len(gets) == 0 {
		return seen, nil, nil
	}
	cmds, mget := k.seenPipelined(ctx, keys, nows, window, seenScript.EvalSha, gets)
	// The server lost its script cache (a restart). Only the commands refused are sent again: the
	// others ran and marked their keys (another client's EVAL may have cached the script meanwhile),
	// and the reads were answered.
	var again []int
	for i, c := range cmds {
		if redis.HasErrorPrefix(c.Err(), "NOSCRIPT") {
			again = append(again, i)
		}
	}
	if len(again) > 0 {
		redo, _ := k.seenPipelined(ctx, pick(keys, again), pick(nows, again), window, seenScript.Eval, nil)
		for n, i := range again {
			cmds[i] = redo[n]
		}
	}
	if mget != nil && mget.Err() == nil {
		ahead = &ReadAhead{kv: k, read: make(map[string]kvOp, len(gets))}
		readInto(ahead.read, gets, mget.Val())
	}
	for i, c := range cmds {
		if err := c.Err(); err != nil {
			return nil, ahead, fmt.Errorf("kv: seen within: %w", err)
		}
		seen[i] = c.Val() == int64(1)
	}
	return seen, ahead, nil
}

// readInto keeps what an MGET of keys answered (del: absent).
func readInto(read map[string]kvOp, keys []string, vals []any) {
	for i, v := range vals {
		s, ok := v.(string)
		read[keys[i]] = kvOp{val: s, del: !ok}
	}
}

func pick[T any](all []T, at []int) []T {
	out := make([]T, len(at))
	for n, i := range at {
		out[n] = all[i]
	}
	return out
}

// seenPipelined sends the seen script once per key through eval (EVALSHA or EVAL), and an MGET of
// gets when there are any, in one pipeline; each command carries its own result or error.
func (k *KV) seenPipelined(ctx context.Context, keys []string, nows []time.Time, window time.Duration,
	eval func(context.Context, redis.Scripter, []string, ...any) *redis.Cmd, gets []string) ([]*redis.Cmd, *redis.SliceCmd) {
	ttl := max(window*2, time.Minute)
	cmds := make([]*redis.Cmd, len(keys))
	var mget *redis.SliceCmd
	_, _ = k.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, key := range keys {
			cmds[i] = eval(ctx, p, []string{k.key(key)}, nows[i].UnixMilli(), window.Milliseconds(), ttl.Milliseconds())
		}
		if len(gets) > 0 {
			full := make([]string, len(gets))
			for i, key := range gets {
				full[i] = k.key(key)
			}
			mget = p.MGet(ctx, full...)
		}
		return nil
	})
	return cmds, mget
}

// seenHeld is SeenWithin inside a batch: the batch's own mark, else the stored one, is read; a new
// mark is held in o.
func (k *KV) seenHeld(ctx context.Context, o *kvOverlay, key string, now time.Time, window, ttl time.Duration) (bool, error) {
	v, err := k.Get(ctx, key) // the batch's held mark first
	switch {
	case err == nil:
		if ms, perr := strconv.ParseInt(v, 10, 64); perr == nil && now.UnixMilli()-ms < window.Milliseconds() {
			return true, nil
		}
	case !errors.Is(err, ErrNotFound):
		return false, fmt.Errorf("kv: seen within: %w", err)
	}
	o.put(key, kvOp{val: strconv.FormatInt(now.UnixMilli(), 10), ttl: ttl})
	return false, nil
}

// Sliding windows: each event is a member of a sorted set scored by its time (ms). Counting looks at
// the last window before now; adding drops what is older first. So "5 an hour" means 5 in any 60
// minutes, not 5 per clock hour (which lets 10 through across the turn of the hour).
var windowAddScript = redis.NewScript(`
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return redis.call('ZCOUNT', KEYS[1], '(' .. (now - tonumber(ARGV[2])), '+inf')
`)

// AddWithin records one event under key at now and returns how many events fall in the window
// ending at now, this one included.
func (k *KV) AddWithin(ctx context.Context, key string, now time.Time, window time.Duration) (int64, error) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	member := fmt.Sprintf("%d:%x", now.UnixMilli(), b)
	ttl := window*2 + time.Minute
	n, err := windowAddScript.Run(ctx, k.rdb, []string{k.key(key)}, now.UnixMilli(), window.Milliseconds(), member, ttl.Milliseconds()).Int64()
	if err != nil {
		return 0, fmt.Errorf("kv: add within: %w", err)
	}
	return n, nil
}

// CountWithin returns how many events were recorded under key in the window ending at now.
func (k *KV) CountWithin(ctx context.Context, key string, now time.Time, window time.Duration) (int64, error) {
	from := now.Add(-window).UnixMilli()
	n, err := k.rdb.ZCount(ctx, k.key(key), fmt.Sprintf("(%d", from), "+inf").Result()
	if err != nil {
		return 0, fmt.Errorf("kv: count within: %w", err)
	}
	return n, nil
}
