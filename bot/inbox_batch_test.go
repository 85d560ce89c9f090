package bot_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync/atomic"
	"testing"

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

func TestInboxBatchOneFailingMessageCommitsTheOthers(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		r.person("C001", "@u1")
		var poisonTries atomic.Int32
		release := gated(r, func(in bot.Inbound) ([]bot.Reply, error) {
			if in.Text == "三" && poisonTries.Add(1) == 1 {
				return nil, errors.New("something odd, once")
			}
			return echo(in)
		})
		r.in.Accept(r.ctx, r.msg("g", "@u1", "开门"))
		for i, text := range []string{"一", "二", "三", "四", "五"} {
			r.in.Accept(r.ctx, r.msg(fmt.Sprint("b", i), "@u1", text))
		}
		release()
		r.settle()
		want := []string{"收到：一", "收到：二", "收到：四", "收到：五", "收到：开门"}
		slices.Sort(want)
		if got := sortedTexts(r); !slices.Equal(got, want) {
			t.Fatalf("replies %q, want %q (the failing message kept for a retry)", got, want)
		}
		if row := r.rowOf("b2"); row.Status != store.InNew || row.Attempts != 1 {
			t.Fatalf("failing message's row %+v, want new with one counted try", row)
		}
		if _, err := r.in.ReplaySpool(r.ctx); err != nil { // the retry Maintain makes
			t.Fatal(err)
		}
		r.settle()
		want = []string{"收到：一", "收到：三", "收到：二", "收到：五", "收到：四", "收到：开门"}
		slices.Sort(want)
		if got := sortedTexts(r); !slices.Equal(got, want) {
			t.Fatalf("after the retry replies %q, want %q", got, want)
		}
		if n := poisonTries.Load(); n != 2 {
			t.Errorf("failing message handled %d times, want 2 (its try in the batch and the retry)", n)
		}
		if n := icountInbox(t, r.st, store.InDone); n != 6 {
			t.Errorf("%d rows done, want 6", n)
		}
		for _, text := range []string{"一", "二", "四", "五"} {
			if n := countText(r.h.handled(), text); n != 1 {
				t.Errorf("%s handled %d times, want once", text, n)
			}
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

func TestInboxBatchDropsADuplicateOnce(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
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
		if n := icountInbox(t, r.st, store.InDone); n != 4 {
			t.Errorf("%d rows done, want 4", n)
		}
	})
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

func TestInboxBatchLosesNothingWhenTheDatabaseDiesMidBatch(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		d := &dying{Store: testenv.SQLite(t)}
		r.st = d.Store
		r.start(d)
		r.person("C001", "@u1")
		release := gated(r, echo)
		texts := []string{"开门", "一", "二", "三", "四", "五"}
		for i, text := range texts {
			r.in.Accept(r.ctx, r.msg(fmt.Sprint("k", i), "@u1", text))
		}
		release()
		r.settle()
		if n := icountInbox(t, d.Store, store.InDone); n != 2 {
			t.Fatalf("%d rows done before the outage, want 2", n)
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
		for _, text := range texts {
			if n := countText(r.h.handled(), text); n != 1 {
				t.Errorf("%s handled %d times, want once", text, n)
			}
		}
		if n := icountInbox(t, d.Store, store.InDone); n != int64(len(texts)) {
			t.Errorf("%d rows done, want %d", n, len(texts))
		}
	})
}
