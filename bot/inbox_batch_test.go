package bot_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// gated holds the first message in the handler until the others are queued behind it, so the
// queue takes them as one batch.
func gated(r *irig, fn func(bot.Inbound) ([]bot.Reply, error)) (release func()) {
	gate := make(chan struct{})
	r.h.setFn(func(in bot.Inbound) ([]bot.Reply, error) {
		if in.Text == "开门" {
			<-gate
		}
		return fn(in)
	})
	return func() { close(gate) }
}

func echo(in bot.Inbound) ([]bot.Reply, error) {
	return []bot.Reply{{Text: "收到：" + in.Text}}, nil
}

// sortedTexts is the outbox's texts in a stable order (the redone message comes later).
func sortedTexts(r *irig) []string {
	got := r.texts()
	sort.Strings(got)
	return got
}

// holdFirst holds the message "开门" in the handler until release; entered says it is there, so the
// messages accepted after it queue behind it and the queue takes them as one batch.
func holdFirst(r *irig, fn func(context.Context, bot.Inbound) ([]bot.Reply, error)) (entered <-chan struct{}, release func()) {
	in, gate := make(chan struct{}), make(chan struct{})
	r.h.setCtxFn(func(ctx context.Context, m bot.Inbound) ([]bot.Reply, error) {
		if m.Text == "开门" {
			close(in)
			<-gate
		}
		return fn(ctx, m)
	})
	return in, func() { close(gate) }
}

// A message of a batch whose handler fails on a write the database refuses loses the batch: nothing
// of it is committed (not the failing handler's first write either), and every message goes the old
// way. Each is stored once and answered once; the failing one's try counts, it is kept for a retry
// and answered then; a message that answered a question in the lost batch finds it again.
func TestInboxBatchAFailingMessageRedoesTheBatchOneByOne(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		r.person("C001", "@u1")
		var badTries atomic.Int32
		entered, release := holdFirst(r, func(ctx context.Context, in bot.Inbound) ([]bot.Reply, error) {
			switch in.Text {
			case "开门": // asks a question
				return []bot.Reply{{Text: "几户？"}}, r.kv.Set(ctx, "question:u1", "几户", time.Hour)
			case "答":
				if _, err := r.kv.Get(ctx, "question:u1"); err != nil {
					return []bot.Reply{{Text: "没有问题"}}, nil
				}
				return []bot.Reply{{Text: "答上了"}}, r.kv.Del(ctx, "question:u1")
			case "坏":
				if badTries.Add(1) > 1 {
					break
				}
				if _, err := r.st.EnqueueOutbox(ctx, store.OutboxMessage{Key: "half", Account: "a1", ToKey: "@u1", Text: "半截", CreatedAt: ibT0}); err != nil {
					return nil, err
				}
				taken := store.InboxMessage{Transport: "fake", Account: "a1", MsgID: "m1", SenderKey: "@u1", Kind: "text", ReceivedAt: ibT0}
				return nil, r.st.SaveInbound(ctx, &taken) // refused: the batch stored m1 already
			}
			return echo(in)
		})
		r.in.Accept(r.ctx, r.msg("m0", "@u1", "开门"))
		<-entered
		for i, text := range []string{"答", "一", "坏", "二"} {
			r.in.Accept(r.ctx, r.msg(fmt.Sprint("m", i+1), "@u1", text))
		}
		release()
		r.settle()
		if got, want := r.texts(), []string{"几户？", "答上了", "收到：一", "收到：二"}; !slices.Equal(got, want) {
			t.Fatalf("replies %q, want %q (in order, the failing message kept for a retry)", got, want)
		}
		if row := r.rowOf("m3"); row.Status != store.InNew || row.Attempts != 1 {
			t.Fatalf("failing message's row %+v, want new with its try in the batch counted", row)
		}
		if _, err := r.in.ReplaySpool(r.ctx); err != nil { // the retry Maintain makes
			t.Fatal(err)
		}
		r.settle()
		if got, want := r.texts(), []string{"几户？", "答上了", "收到：一", "收到：二", "收到：坏"}; !slices.Equal(got, want) {
			t.Fatalf("after the retry replies %q, want %q", got, want)
		}
		if n := badTries.Load(); n != 2 {
			t.Errorf("failing message handled %d times, want 2 (its try in the batch and the retry)", n)
		}
		if rows := r.rows(); len(rows) != 5 || icountInbox(t, r.st, store.InDone) != 5 {
			t.Errorf("%d inbox rows, %d done; want each message stored once and done", len(rows), icountInbox(t, r.st, store.InDone))
		}
		if _, err := r.kv.Get(r.ctx, "question:u1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the answered question is still pending: %v", err)
		}
	})
}

func countText(ins []bot.Inbound, text string) int {
	n := 0
	for _, in := range ins {
		if in.Text == text {
			n++
		}
	}
	return n
}

// A message id repeated inside a batch is dropped there; the batch commits the others. On MariaDB
// the batch's rows, first written with one INSERT, are then written one by one.
func TestInboxBatchDropsADuplicateOnce(t *testing.T) {
	ieachKV(t, dropsADuplicateOnce)
	ieachDB(t, dropsADuplicateOnce)
}

func dropsADuplicateOnce(t *testing.T, r *irig) {
	r.person("C001", "@u1")
	release := gated(r, echo)
	r.in.Accept(r.ctx, r.msg("g", "@u1", "开门"))
	r.in.Accept(r.ctx, r.msg("d1", "@u1", "甲"))
	r.in.Accept(r.ctx, r.msg("d2", "@u1", "乙"))
	r.in.Accept(r.ctx, r.msg("d1", "@u1", "甲（重发）")) // the same transport id again, in the same batch
	r.in.Accept(r.ctx, r.msg("d3", "@u1", "丙"))
	release()
	r.settle()
	want := []string{"收到：丙", "收到：乙", "收到：开门", "收到：甲"}
	slices.Sort(want)
	if got := sortedTexts(r); !slices.Equal(got, want) {
		t.Fatalf("replies %q, want %q", got, want)
	}
	if n := countText(r.h.handled(), "甲（重发）"); n != 0 {
		t.Errorf("the duplicate was handled %d times", n)
	}
	for _, text := range []string{"开门", "甲", "乙", "丙"} { // the duplicate did not lose its batch
		if n := countText(r.h.handled(), text); n != 1 {
			t.Errorf("%s handled %d times, want once", text, n)
		}
	}
	if n := icountInbox(t, r.st, store.InDone); n != 4 {
		t.Errorf("%d rows done, want 4", n)
	}
}

// The messages a queue takes at once are checked against the same-text window in one KV round
// trip, in order (the repeat among them is dropped, the first of it handled), and the batch's
// handler is asked to preload for their senders before it handles them.
func TestInboxBatchChecksSameTextInOneRoundTripAndPreloads(t *testing.T) {
	var scripts atomic.Int64
	kv, err := store.OpenKV(context.Background(), store.KVOptions{RoundTrip: func(cmds []string) {
		if slices.ContainsFunc(cmds, func(c string) bool { return strings.HasPrefix(c, "eval") }) {
			scripts.Add(1)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = kv.Close() })
	r := newIRig(t, kv, testenv.SQLite(t))
	p1 := r.person("C001", "@u1")
	entered, release := holdFirst(r, func(_ context.Context, in bot.Inbound) ([]bot.Reply, error) { return echo(in) })
	r.in.Accept(r.ctx, r.msg("g", "@u1", "开门"))
	<-entered
	before := scripts.Load()
	for i, text := range []string{"甲", "乙", "甲", "丙"} {
		r.in.Accept(r.ctx, r.msg(fmt.Sprint("s", i), "@u1", text))
	}
	release()
	r.settle()
	if n := scripts.Load() - before; n != 1 {
		t.Errorf("%d KV round trips for the same-text checks of four queued messages, want 1", n)
	}
	for text, want := range map[string]int{"开门": 1, "甲": 1, "乙": 1, "丙": 1} {
		if n := countText(r.h.handled(), text); n != want {
			t.Errorf("%s handled %d times, want %d", text, n, want)
		}
	}
	pre := r.h.preloaded()
	if len(pre) != 2 || !slices.Equal(pre[1], []int64{int64(p1)}) {
		t.Errorf("preloads %v, want the held message's and one for the four queued messages' sender %d", pre, p1)
	}
}

// A batch makes its KV reads before its transaction in one round trip: the same-text checks, the
// sender cache's token (on Redis) and the pending dialogs of the senders the cache knows; the dialogs
// of a sender it does not know yet are read in one more inside the batch. The handlers' reads are
// then answered from what was read, after the batch's own writes, and the Redis it reaches again is
// only for the writes the batch committed.
func TestInboxBatchReadsAheadInOneRoundTrip(t *testing.T) {
	for _, b := range testenv.KVBackends() {
		t.Run(b.Name, func(t *testing.T) {
			var trips atomic.Int64
			var cmds []string
			var mu sync.Mutex
			kv := b.Counted(t, func(c []string) {
				trips.Add(1)
				mu.Lock()
				cmds = append(cmds, strings.Join(c, " "))
				mu.Unlock()
			})
			st := testenv.SQLite(t)
			r := newIRig(t, kv, st)
			dir, err := store.NewDirectory(st, kv, !kv.InProcess(), quietLog)
			if err != nil {
				t.Fatal(err)
			}
			r.dir, r.workers = dir, 1 // one queue: both senders in one batch
			r.start(st)
			p1 := r.person("C001", "@u1")
			r.person("C002", "@u2")
			entered, release := holdFirst(r, func(ctx context.Context, in bot.Inbound) ([]bot.Reply, error) {
				dialog := fmt.Sprint("dialog:", in.PersonID)
				q, err := kv.Get(ctx, dialog)
				if errors.Is(err, store.ErrNotFound) {
					q, err = "无", nil
				} else if err != nil {
					return nil, err
				}
				if in.Text == "答" {
					err = kv.Del(ctx, dialog)
				}
				return []bot.Reply{{Text: in.Text + "：" + q}}, err
			})
			r.in.Accept(r.ctx, r.msg("w", "@u1", "热身")) // fills the sender cache, and the token on Redis
			r.settle()
			dialog := fmt.Sprint("dialog:", p1)
			if err := kv.Set(r.ctx, dialog, "几户", time.Hour); err != nil {
				t.Fatal(err)
			}
			before := trips.Load()
			mu.Lock()
			cmds = nil
			mu.Unlock()
			r.in.Accept(r.ctx, r.msg("m0", "@u1", "开门"))
			<-entered
			for i, m := range [][2]string{{"@u1", "甲"}, {"@u1", "答"}, {"@u2", "乙"}, {"@u2", "丁"}, {"@u1", "丙"}} {
				r.in.Accept(r.ctx, r.msg(fmt.Sprint("m", i+1), m[0], m[1]))
			}
			release()
			r.settle()
			want := []string{"热身：无", "开门：几户", "甲：几户", "答：几户", "乙：无", "丁：无", "丙：无"}
			if got := r.texts(); !slices.Equal(got, want) {
				t.Fatalf("replies %q, want %q", got, want)
			}
			mu.Lock()
			made := slices.Clone(cmds)
			mu.Unlock()
			if n := trips.Load() - before; n != 4 {
				t.Errorf("%d KV round trips (%q), want 4: one before each of the two batches, one for the unknown sender, and the committed delete", n, made)
			}
			if _, err := kv.Get(r.ctx, dialog); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("the answered dialog is still there: %v", err)
			}
		})
	}
}

// dying is a store that dies at the third inbound row it is asked to store, in the middle of a
// batch, and answers again when revived.
type dying struct {
	*store.Store
	saves atomic.Int32
	down  atomic.Bool
}

func (d *dying) SaveInbound(ctx context.Context, m *store.InboxMessage) error {
	if d.saves.Add(1) == 3 {
		d.down.Store(true)
	}
	if d.down.Load() {
		return fmt.Errorf("store: save inbound: %w", driver.ErrBadConn)
	}
	return d.Store.SaveInbound(ctx, m)
}

func (d *dying) Ping(ctx context.Context) error {
	if d.down.Load() {
		return driver.ErrBadConn
	}
	return d.Store.Ping(ctx)
}

// The database dies in the middle of the second batch: nothing of that batch is committed, every
// message of it is spooled, and once the database answers each is stored and answered once.
func TestInboxBatchLosesNothingWhenTheDatabaseDiesMidBatch(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		d := &dying{Store: testenv.SQLite(t)}
		r.st = d.Store
		r.start(d)
		r.person("C001", "@u1")
		entered, release := holdFirst(r, func(_ context.Context, in bot.Inbound) ([]bot.Reply, error) { return echo(in) })
		texts := []string{"开门", "一", "二", "三", "四", "五"}
		r.in.Accept(r.ctx, r.msg("k0", "@u1", texts[0]))
		<-entered
		for i, text := range texts[1:] {
			r.in.Accept(r.ctx, r.msg(fmt.Sprint("k", i+1), "@u1", text))
		}
		release()
		r.settle()
		if n := icountInbox(t, d.Store, store.InDone); n != 1 {
			t.Fatalf("%d rows done before the outage, want only the first batch's", n)
		}
		if n := icountInbox(t, d.Store, store.InNew); n != 0 {
			t.Fatalf("%d rows of the lost batch committed", n)
		}
		d.down.Store(false)
		if _, err := r.in.ReplaySpool(r.ctx); err != nil {
			t.Fatal(err)
		}
		r.settle()
		var want []string
		for _, text := range texts {
			want = append(want, "收到："+text)
		}
		slices.Sort(want)
		if got := sortedTexts(r); !slices.Equal(got, want) {
			t.Fatalf("replies %q, want each message answered once: %q", got, want)
		}
		if n := icountInbox(t, d.Store, store.InDone); n != int64(len(texts)) {
			t.Errorf("%d rows done, want %d", n, len(texts))
		}
	})
}

// A queue's batch never waits for messages in flight on other queues: they cannot join it. With
// the wait made endless, a message on a second queue is answered while the first queue's message is
// held in its KV round trip (the old rule waited as long as any message was in flight anywhere).
func TestInboxBatchDoesNotWaitForOtherQueues(t *testing.T) {
	defer bot.SetBatchWaitForTest(time.Hour)()
	var armed atomic.Bool
	entered, gate := make(chan struct{}), make(chan struct{})
	kv, err := store.OpenKV(context.Background(), store.KVOptions{RoundTrip: func([]string) {
		if armed.CompareAndSwap(true, false) { // the first message's read ahead
			close(entered)
			<-gate
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = kv.Close() })
	r := newIRig(t, kv, testenv.SQLite(t)) // four queues
	r.person("C001", "@u1")
	other := ""
	for i := range 64 {
		if key := fmt.Sprintf("@v%d", i); r.in.ShardForTest(key) != r.in.ShardForTest("@u1") {
			other = key
			break
		}
	}
	r.person("C002", other)
	armed.Store(true)
	r.in.Accept(r.ctx, r.msg("g", "@u1", "开门"))
	<-entered
	r.in.Accept(r.ctx, r.msg("o", other, "别的队"))
	deadline := time.Now().Add(20 * time.Second) // a bound for a hang, not a timing: it is answered at once
	for !slices.Contains(r.texts(), "收到：别的队") {
		if time.Now().After(deadline) {
			close(gate)
			t.Fatal("the other queue's message waited for the held one")
		}
		time.Sleep(time.Millisecond)
	}
	close(gate)
	r.settle()
	if got, want := sortedTexts(r), []string{"收到：别的队", "收到：开门"}; !slices.Equal(got, want) {
		t.Fatalf("replies %q, want %q", got, want)
	}
}

// batchCounter counts the batches (transactions) the inbox runs on its store.
type batchCounter struct {
	*store.Store
	n atomic.Int32
}

func (c *batchCounter) Batch(ctx context.Context, fn func(ctx context.Context) error) error {
	c.n.Add(1)
	return c.Store.Batch(ctx, fn)
}

// One queue (SQLite's default) puts up to 64 messages in a transaction, several queues up to 16:
// 32 messages of one sender queued behind a held one commit in one batch on one queue and in two
// on four. Each is stored once and answered once, in order.
func TestInboxBatchSizeByQueues(t *testing.T) {
	cases := []struct {
		name    string
		workers int
		batches int32 // the held message's and those of the 32 behind it
	}{
		{"one queue", 1, 1 + 1},
		{"four queues", 4, 1 + 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			kv, err := store.OpenKV(context.Background(), store.KVOptions{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = kv.Close() })
			st := testenv.SQLite(t)
			r := newIRig(t, kv, st)
			r.person("C001", "@u1")
			counted := &batchCounter{Store: st}
			r.workers = tc.workers
			r.start(counted)
			entered, release := holdFirst(r, func(_ context.Context, in bot.Inbound) ([]bot.Reply, error) { return echo(in) })
			r.in.Accept(r.ctx, r.msg("m0", "@u1", "开门"))
			<-entered
			want := []string{"收到：开门"}
			for i := 1; i <= 32; i++ {
				text := fmt.Sprint("第", i, "次")
				r.in.Accept(r.ctx, r.msg(fmt.Sprint("m", i), "@u1", text))
				want = append(want, "收到："+text)
			}
			release()
			r.settle()
			if got := r.texts(); !slices.Equal(got, want) {
				t.Fatalf("replies %q, want %q", got, want)
			}
			if n := counted.n.Load(); n != tc.batches {
				t.Errorf("%d batches, want %d", n, tc.batches)
			}
			if n := icountInbox(t, st, store.InDone); n != 33 {
				t.Errorf("%d inbox rows done, want 33", n)
			}
		})
	}
}

// On one queue (SQLite's default) a batch of 32 messages whose 30th fails on a write the database
// refuses commits nothing, and every message of it goes the old way, in order: each is stored once
// and answered once, the failing one kept for its retry with its try in the batch counted.
func TestInboxLargeBatchAFailingMessageRedoesItInOrder(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		r.workers = 1
		r.person("C001", "@u1")
		counted := &batchCounter{Store: r.st}
		r.start(counted)
		var badTries atomic.Int32
		entered, release := holdFirst(r, func(ctx context.Context, in bot.Inbound) ([]bot.Reply, error) {
			if in.Text == "坏" && badTries.Add(1) == 1 {
				taken := store.InboxMessage{Transport: "fake", Account: "a1", MsgID: "m1", SenderKey: "@u1", Kind: "text", ReceivedAt: ibT0}
				return nil, r.st.SaveInbound(ctx, &taken) // refused: the batch stored m1 already
			}
			return echo(in)
		})
		r.in.Accept(r.ctx, r.msg("m0", "@u1", "开门"))
		<-entered
		want := []string{"收到：开门"}
		for i := 1; i <= 32; i++ {
			text := fmt.Sprint("第", i, "次")
			if i == 30 {
				text = "坏"
			} else {
				want = append(want, "收到："+text)
			}
			r.in.Accept(r.ctx, r.msg(fmt.Sprint("m", i), "@u1", text))
		}
		release()
		r.settle()
		if got := r.texts(); !slices.Equal(got, want) {
			t.Fatalf("replies %q, want %q (in order, the failing message kept for a retry)", got, want)
		}
		if n := counted.n.Load(); n != 2 {
			t.Errorf("%d batches, want 2: the held message's and the 32 behind it", n)
		}
		if row := r.rowOf("m30"); row.Status != store.InNew || row.Attempts != 1 {
			t.Fatalf("failing message's row %+v, want new with its try in the batch counted", row)
		}
		if _, err := r.in.ReplaySpool(r.ctx); err != nil { // the retry Maintain makes
			t.Fatal(err)
		}
		r.settle()
		if got := r.texts(); len(got) != 33 || got[32] != "收到：坏" {
			t.Fatalf("after the retry replies %q, want the failing message answered last", got)
		}
		if n := icountInbox(t, r.st, store.InDone); n != 33 || len(r.rows()) != 33 {
			t.Errorf("%d inbox rows, %d done; want each message stored once and done", len(r.rows()), n)
		}
	})
}
