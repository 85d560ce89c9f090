package faults_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"qinqi/internal/faults"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// TestRedisStops runs the pipeline with its KV on a private redis-server, kills the server
// (SIGKILL: Redis without persistence loses its state either way) and checks what still works:
// a one-line report is saved and answered (the outbox falls back to a local bucket), a question
// that needs the dialog state says it cannot be kept, and an answer to a question asked before the
// outage says the question was lost instead of "not understood". After a restart dialogs work again.
func TestRedisStops(t *testing.T) {
	rs := faults.StartRedis(t)
	ctx := context.Background()
	kv, err := store.OpenKV(ctx, store.KVOptions{Addr: rs.Addr(), Prefix: "fault:"})
	must(t, err)
	t.Cleanup(func() { _ = kv.Close() })
	st := testenv.SQLite(t)
	cs := seedCounty(t, st, 2, 2)
	pp := startPipe(t, st, kv, prodLimits(t))

	n := 0
	say := func(who cadre, text string) string {
		t.Helper()
		n++
		pp.push("r"+string(rune('a'+n)), who.key, text)
		eventually(t, "reply to "+text, 30*time.Second, func() bool { return len(pp.rec.all()) >= n })
		got := pp.rec.all()
		if len(got) != n {
			t.Fatalf("%d replies, want %d: %+v", len(got), n, got)
		}
		if got[n-1].To != who.key {
			t.Fatalf("reply went to %s, want %s", got[n-1].To, who.key)
		}
		return got[n-1].Text
	}
	contains := func(got string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Fatalf("reply %q does not contain %q", got, w)
			}
		}
	}
	lacks := func(got, bad string) {
		t.Helper()
		if strings.Contains(got, bad) {
			t.Fatalf("reply %q contains %q", got, bad)
		}
	}
	const kvDown = "记不住"

	// While Redis is up: a report without a household number asks which one and keeps the question.
	q := say(cs[1], "走访 送米20斤")
	contains(q, "回复数字", "1. ", "2. ")
	lacks(q, kvDown)

	rs.Kill()
	pp.rec.phase.Store("redis down")
	t.Run("one-line report saved and answered", func(t *testing.T) {
		contains(say(cs[0], "电话 1 问近况"), "已记录")
	})
	t.Run("a new question says it cannot be kept", func(t *testing.T) {
		contains(say(cs[0], "走访 送油一桶"), "回复数字", kvDown)
	})
	t.Run("the answer to a question asked before the outage", func(t *testing.T) {
		got := say(cs[1], "2")
		contains(got, kvDown)
		lacks(got, "没看懂")
	})

	rs.Start()
	// go-redis keeps returning the last dial error until its background re-dial (once a second)
	// succeeds; the bot recovers on its own from then on.
	eventually(t, "the KV answering again", 30*time.Second, func() bool { return kv.Ping(ctx) == nil })
	pp.rec.phase.Store("redis back")
	t.Run("dialogs work again", func(t *testing.T) {
		q := say(cs[0], "走访 送面粉")
		contains(q, "回复数字")
		lacks(q, kvDown)
		contains(say(cs[0], "1"), "已记录")
	})
	if n := countCheckIns(t, st); n != 2 {
		t.Fatalf("%d check-ins, want 2: the one-line report and the answered question", n)
	}
}

// countCheckIns adds up the check-ins of every pairing over all time.
func countCheckIns(t *testing.T, st *store.Store) int {
	t.Helper()
	ctx := context.Background()
	ps, err := st.AllPairings(ctx)
	must(t, err)
	total := 0
	for _, p := range ps {
		n, err := st.CountPairingCheckIns(ctx, p.ID, time.Time{}, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC))
		must(t, err)
		total += n
	}
	return total
}
