package bot_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// A push transport answers the platform only once the inbox reports the message durable: stored
// in the database, or in the spool while the database is down — never while it is only queued.
func TestAcceptReportsWhenTheMessageIsDurable(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		fl := &iflaky{Store: testenv.SQLite(t)}
		r.st = fl.Store
		r.start(fl)
		r.person("C001", "@u1")
		accept := func(id, text string) {
			t.Helper()
			done := make(chan struct{})
			r.in.Accept(bot.WhenDurable(r.ctx, func() { close(done) }), r.msg(id, "@u1", text))
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("message %s never reported durable", id)
			}
		}
		accept("m1", "走访 王春发")
		stored := icountInbox(t, fl.Store, store.InNew) + icountInbox(t, fl.Store, store.InDone)
		if stored != 1 {
			t.Fatalf("reported durable with %d rows stored, want 1", stored)
		}
		accept("m1", "走访 王春发") // a platform's retry: a duplicate is durable too
		r.settle()
		fl.down.Store(true)
		accept("m2", "电话 李桂兰")
		if fi, err := os.Stat(filepath.Join(r.spool, "inbox.spool")); err != nil || fi.Size() == 0 {
			t.Fatalf("reported durable while the database is down, but the spool is empty: %v", err)
		}
		r.settle()
	})
}

// Durable without WhenDurable, or twice, is harmless.
func TestDurableIsSafeToCallAnywhere(t *testing.T) {
	bot.Durable(context.Background())
	n := 0
	ctx := bot.WhenDurable(context.Background(), func() { n++ })
	bot.Durable(ctx)
	bot.Durable(ctx)
	if n != 1 {
		t.Errorf("done called %d times, want once", n)
	}
}
