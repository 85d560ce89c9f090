package bot_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

func TestInboxDuplicates(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		r.person("C001", "@u1")
		r.person("C002", "@u2")
		t.Run("same message id twice is handled once", func(t *testing.T) {
			r.in.Accept(r.ctx, r.msg("m1", "@u1", "走访 1"))
			r.clk.Advance(time.Minute)
			r.in.Accept(r.ctx, r.msg("m1", "@u1", "走访 1"))
			r.settle()
			if n := len(r.h.handled()); n != 1 {
				t.Fatalf("handled %d times", n)
			}
		})
		t.Run("same sender and text within 3 s is dropped, later it is new", func(t *testing.T) {
			r.in.Accept(r.ctx, r.msg("m2", "@u1", "电话 王春发"))
			r.clk.Advance(2 * time.Second)
			r.in.Accept(r.ctx, r.msg("m3", "@u1", "电话 王春发"))
			r.in.Accept(r.ctx, r.msg("m4", "@u2", "电话 王春发")) // another sender
			r.clk.Advance(2 * time.Second)
			r.in.Accept(r.ctx, r.msg("m5", "@u1", "电话 王春发"))
			r.settle()
			var got []string
			for _, c := range r.h.handled()[1:] {
				got = append(got, c.ID)
			}
			slices.Sort(got)
			if want := []string{"m2", "m4", "m5"}; !slices.Equal(got, want) {
				t.Fatalf("handled %v, want %v", got, want)
			}
		})
		t.Run("each handled message has one reply row and is done", func(t *testing.T) {
			if n := len(r.outbox()); n != 4 {
				t.Fatalf("outbox rows = %d, want 4", n)
			}
			if n := icountInbox(t, r.st, store.InDone); n != 4 {
				t.Fatalf("done rows = %d, want 4", n)
			}
		})
	})
}

// iflaky is a store whose inbox operations fail while down is set: the database "dies".
type iflaky struct {
	*store.Store
	down     atomic.Bool
	complete atomic.Bool // fail only CompleteInbound (a crash between handling and commit)
}

var ierrDown = errors.New("database unreachable")

func (f *iflaky) SaveInbound(ctx context.Context, m *store.InboxMessage) error {
	if f.down.Load() {
		return ierrDown
	}
	return f.Store.SaveInbound(ctx, m)
}

func (f *iflaky) CompleteInbound(ctx context.Context, id domain.InboxID, r store.InboxResult, now time.Time) error {
	if f.down.Load() || f.complete.Load() {
		return ierrDown
	}
	return f.Store.CompleteInbound(ctx, id, r, now)
}

func (f *iflaky) Ping(ctx context.Context) error {
	if f.down.Load() {
		return ierrDown
	}
	return f.Store.Ping(ctx)
}

func TestInboxRestartProcessesUnfinishedOnce(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		fl := &iflaky{Store: testenv.SQLite(t)}
		r.st = fl.Store
		r.start(fl)
		r.person("C001", "@u1")
		fl.complete.Store(true) // the process "crashes" before each commit
		for i, id := range iids("m", 5) {
			r.in.Accept(r.ctx, r.msg(id, "@u1", fmt.Sprint("消息", i)))
		}
		r.settle()
		if n := icountInbox(t, fl.Store, store.InNew); n != 5 {
			t.Fatalf("unfinished rows = %d, want 5", n)
		}
		fl.complete.Store(false)
		first := len(r.h.handled())
		r.start(fl) // restart
		n, err := r.in.Recover(r.ctx)
		if err != nil || n != 5 {
			t.Fatalf("recover = %d, %v", n, err)
		}
		r.settle()
		if n, _ := r.in.Recover(r.ctx); n != 0 {
			t.Fatalf("second recover queued %d", n)
		}
		r.settle()
		again := r.h.handled()[first:]
		var got []string
		for _, c := range again {
			got = append(got, c.ID)
		}
		if !slices.Equal(got, iids("m", 5)) {
			t.Fatalf("after restart handled %v", got)
		}
		if n := len(r.outbox()); n != 5 {
			t.Fatalf("reply rows = %d, want 5", n)
		}
	})
}

func TestInboxPerSenderOrder(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		const senders, each = 6, 30
		for s := range senders {
			r.person(fmt.Sprintf("C%03d", s), fmt.Sprintf("@u%d", s))
		}
		var wg sync.WaitGroup
		for s := range senders {
			wg.Go(func() {
				for i := range each {
					r.in.Accept(r.ctx, r.msg(fmt.Sprintf("s%d-%03d", s, i), fmt.Sprintf("@u%d", s), fmt.Sprintf("第%d条", i)))
				}
			})
		}
		wg.Wait()
		r.settle()
		seq := map[string][]string{}
		for _, c := range r.h.handled() {
			seq[c.SenderKey] = append(seq[c.SenderKey], c.ID)
		}
		for s := range senders {
			got := seq[fmt.Sprintf("@u%d", s)]
			if len(got) != each || !slices.IsSorted(got) {
				t.Fatalf("sender %d handled %d messages in order %v", s, len(got), got)
			}
		}
	})
}

func TestInboxSurvivesStoreOutage(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		fl := &iflaky{Store: testenv.SQLite(t)}
		r.st = fl.Store
		r.start(fl)
		for s := range 3 {
			r.person(fmt.Sprintf("C%03d", s), fmt.Sprintf("@u%d", s))
		}
		const total = 30
		for i := range total {
			switch i {
			case 10:
				r.settle()          // Accept only queues: let the first ten reach the database
				fl.down.Store(true) // the database dies mid-stream
			case 20:
				r.settle()
				fl.down.Store(false) // back, but the spool must drain first to keep order
			}
			r.in.Accept(r.ctx, r.msg(fmt.Sprintf("m%03d", i), fmt.Sprintf("@u%d", i%3), fmt.Sprintf("报告%d", i)))
			r.clk.Advance(time.Second)
		}
		r.settle()
		if got := len(r.h.handled()); got != 10 {
			t.Fatalf("handled before replay = %d, want 10", got)
		}
		notices := 0
		for _, s := range r.fake.Sent() {
			if s.Text == "已收到您的消息，系统正忙，稍后自动保存并回复您，无需重发。" {
				notices++
			}
		}
		if notices == 0 || notices > 3 {
			t.Fatalf("spool notices = %d, want one per sender at most", notices)
		}
		n, err := r.in.ReplaySpool(r.ctx)
		if err != nil || n != 20 {
			t.Fatalf("replay = %d, %v", n, err)
		}
		r.settle()
		if _, err := os.Stat(filepath.Join(r.spool, "inbox.spool")); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("spool not truncated: %v", err)
		}
		if n, _ := r.in.ReplaySpool(r.ctx); n != 0 {
			t.Fatalf("second replay stored %d", n)
		}
		// A message whose commit failed when the database died is handled again under the same
		// InboxID (handlers are idempotent by it); what must hold is one row and one reply each.
		inboxID := map[string]int64{}
		order := map[string][]string{}
		for _, c := range r.h.handled() {
			if prev, ok := inboxID[c.ID]; ok && prev != c.InboxID {
				t.Fatalf("message %s handled under inbox ids %d and %d", c.ID, prev, c.InboxID)
			}
			if _, ok := inboxID[c.ID]; !ok {
				order[c.SenderKey] = append(order[c.SenderKey], c.ID)
			}
			inboxID[c.ID] = c.InboxID
		}
		if len(inboxID) != total {
			t.Fatalf("handled %d distinct messages, want %d", len(inboxID), total)
		}
		for k, ids := range order {
			if !slices.IsSorted(ids) {
				t.Fatalf("sender %s out of order: %v", k, ids)
			}
		}
		if n := icountInbox(t, fl.Store, store.InDone); n != total {
			t.Fatalf("done rows = %d, want %d", n, total)
		}
		if n := len(r.outbox()); n != total {
			t.Fatalf("reply rows = %d, want %d", n, total)
		}
	})
}

func TestInboxHandlerPanic(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		r.person("C001", "@u1")
		r.h.setFn(func(in bot.Inbound) ([]bot.Reply, error) {
			if in.Text == "boom" {
				panic("handler bug")
			}
			return []bot.Reply{{Text: "ok"}}, nil
		})
		r.in.Accept(r.ctx, r.msg("m1", "@u1", "boom"))
		r.in.Accept(r.ctx, r.msg("m2", "@u1", "next"))
		r.settle()
		if got, want := r.texts(), []string{"抱歉，处理这条消息时出了问题，已记录。请稍后再发一次，或发送“帮助”。", "ok"}; !slices.Equal(got, want) {
			t.Fatalf("replies %q, want %q", got, want)
		}
		if n := icountInbox(t, r.st, store.InFailed); n != 1 {
			t.Fatalf("failed rows = %d", n)
		}
	})
}

func TestInboxReplyRouting(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		c1 := r.person("C001", "@u1")
		h1 := r.person("H001", "@h1")
		r.h.setFn(func(in bot.Inbound) ([]bot.Reply, error) {
			return []bot.Reply{{Text: "给你"}, {To: int64(h1), Text: "干部来过了"}}, nil
		})
		m := r.msg("m1", "@u1", "走访 1")
		r.in.Accept(r.ctx, m)
		g := r.msg("m2", "@u1", "@机器人 我的亲戚")
		g.Group, g.GroupKey, g.AtBot = true, "@@g1", true
		r.in.Accept(r.ctx, g)
		quiet := r.msg("m3", "@u1", "群里闲聊")
		quiet.Group, quiet.GroupKey = true, "@@g1"
		r.in.Accept(r.ctx, quiet)
		r.settle()
		rows := r.outbox()
		if len(rows) != 4 {
			t.Fatalf("rows = %d, want 4 (the unaddressed group message gets none)", len(rows))
		}
		for _, o := range rows {
			switch o.Text {
			case "给你":
				if o.PersonID == nil {
					if o.ToKey != "@@g1" || o.Priority != store.PriorityReply || !o.Urgent {
						t.Fatalf("group reply %+v", o)
					}
				} else if *o.PersonID != c1 || o.Priority != store.PriorityReply || !o.Urgent {
					t.Fatalf("own reply %+v", o)
				}
			case "干部来过了":
				if o.PersonID == nil || *o.PersonID != h1 || o.Priority != store.PriorityAlert || o.Urgent || o.Account != "a1" {
					t.Fatalf("notification %+v", o)
				}
			}
		}
	})
}

// A handler error (a store failure in the middle of a command) keeps the message: it is not marked
// done, nothing is answered but the one "received, will answer" notice, and the retry answers it
// exactly once while the sender's other messages go on.
func TestInboxHandlerErrorKeepsTheMessage(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		r.person("C001", "@u1")
		var down atomic.Bool
		down.Store(true)
		r.h.setFn(func(in bot.Inbound) ([]bot.Reply, error) {
			if in.Text == "走访 1" && down.Load() {
				return []bot.Reply{{Text: "done"}}, fmt.Errorf("create check-in: %w", ierrDown)
			}
			return []bot.Reply{{Text: "收到：" + in.Text}}, nil
		})
		r.in.Accept(r.ctx, r.msg("m1", "@u1", "走访 1"))
		r.settle()
		r.clk.Advance(time.Minute)
		r.in.Accept(r.ctx, r.msg("m2", "@u1", "走访 1")) // a second failure: one notice is enough
		r.clk.Advance(time.Minute)
		r.in.Accept(r.ctx, r.msg("m3", "@u1", "我的亲戚"))
		r.settle()
		if n := icountInbox(t, r.st, store.InNew); n != 2 {
			t.Fatalf("rows kept for a retry = %d, want 2", n)
		}
		if got, want := r.texts(), []string{"收到：我的亲戚"}; !slices.Equal(got, want) {
			t.Fatalf("queued replies %q, want %q (the failed messages get none)", got, want)
		}
		if got := r.fake.Sent(); len(got) != 1 || got[0].Text != "已收到您的消息，系统正忙，稍后自动保存并回复您，无需重发。" || got[0].To != "@u1" {
			t.Fatalf("sent directly %+v, want one notice to @u1", got)
		}
		down.Store(false)
		if _, err := r.in.ReplaySpool(r.ctx); err != nil { // what Maintain does once the database answers
			t.Fatal(err)
		}
		r.settle()
		if n := icountInbox(t, r.st, store.InDone); n != 3 {
			t.Fatalf("done rows = %d, want 3", n)
		}
		if got, want := r.texts(), []string{"收到：我的亲戚", "收到：走访 1", "收到：走访 1"}; !slices.Equal(got, want) {
			t.Fatalf("queued replies %q, want %q", got, want)
		}
		if n, _ := r.in.Recover(r.ctx); n != 0 {
			t.Fatalf("a second recovery queued %d messages", n)
		}
	})
}

// A follow-up question is keyed so the burden meter can count it.
func TestInboxMarksQuestions(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		r.person("C001", "@u1")
		r.h.setFn(func(in bot.Inbound) ([]bot.Reply, error) {
			return []bot.Reply{{Text: "报的是哪一户？", Question: true}}, nil
		})
		r.in.Accept(r.ctx, r.msg("m1", "@u1", "走访 王"))
		r.settle()
		rows := r.outbox()
		if len(rows) != 1 || !strings.HasSuffix(rows[0].Key, store.QuestionKeySuffix) {
			t.Fatalf("rows %+v", rows)
		}
	})
}

// TestInboxReplayKeepsAQueuedMessageBehindIt: a message already queued behind a busy one when a
// replay stores the spool and queues the spooled messages (they came before it, and now stand behind
// it in the queue) does not overtake them: it goes to the spool too and is handled after them.
func TestInboxReplayKeepsAQueuedMessageBehindIt(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		// One message at a time (no group commit), so m1's held handler holds no write lock on SQLite.
		r.start(struct{ bot.InboxStore }{r.st})
		r.person("C001", "@u1")
		release := make(chan struct{})
		var once sync.Once
		t.Cleanup(func() { once.Do(func() { close(release) }) })
		r.h.setFn(func(in bot.Inbound) ([]bot.Reply, error) {
			if in.ID == "m1" {
				<-release
			}
			return []bot.Reply{{Text: "收到：" + in.Text}}, nil
		})
		r.in.Accept(r.ctx, r.msg("m1", "@u1", "走访 1"))
		for len(r.h.handled()) == 0 { // m1 holds the sender's queue
			time.Sleep(time.Millisecond)
		}
		r.in.Accept(r.ctx, r.msg("m3", "@u1", "讲政策 1"))
		// m2 came before m3 and waits in the spool (the outage that put it there is over).
		other, err := bot.OpenSpool(r.spool)
		if err != nil {
			t.Fatal(err)
		}
		if err := other.Append(r.msg("m2", "@u1", "电话 1")); err != nil {
			t.Fatal(err)
		}
		if n, err := r.in.ReplaySpool(r.ctx); n != 1 || err != nil {
			t.Fatalf("replay stored %d, %v; want m2", n, err)
		}
		once.Do(func() { close(release) })
		r.settle()
		if _, err := r.in.ReplaySpool(r.ctx); err != nil { // what Maintain does a moment later
			t.Fatal(err)
		}
		r.settle()
		var got []string
		for _, c := range r.h.handled() {
			got = append(got, c.ID)
		}
		if want := []string{"m1", "m2", "m3"}; !slices.Equal(got, want) {
			t.Fatalf("handled %v, want %v", got, want)
		}
		if got, want := r.texts(), []string{"收到：走访 1", "收到：电话 1", "收到：讲政策 1"}; !slices.Equal(got, want) {
			t.Fatalf("replies %q, want %q", got, want)
		}
	})
}
