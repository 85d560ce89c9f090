package bot_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// timed records when (by the fake clock) each message was sent, and can fail sends.
type timed struct {
	*bot.Fake
	clk  *clock.Fake
	mu   sync.Mutex
	at   []time.Time
	to   []string
	fail func(out bot.Outgoing) error
	try  map[string][]time.Time // every attempt per recipient
}

func (m *timed) Send(ctx context.Context, account string, out bot.Outgoing) error {
	m.mu.Lock()
	m.try[out.To] = append(m.try[out.To], m.clk.Now())
	fail := m.fail
	m.mu.Unlock()
	if fail != nil {
		if err := fail(out); err != nil {
			return err
		}
	}
	m.mu.Lock()
	m.at = append(m.at, m.clk.Now())
	m.to = append(m.to, out.To)
	m.mu.Unlock()
	return m.Fake.Send(ctx, account, out)
}

type orig struct {
	t      *testing.T
	ctx    context.Context
	st     *store.Store
	clk    *clock.Fake
	msgr   *timed
	ob     *bot.Outbox
	sleeps []time.Duration
	n      int
}

func newORig(t *testing.T, kv bot.State, start time.Time, lim bot.Limits, def string) *orig {
	t.Helper()
	o := &orig{t: t, ctx: context.Background(), st: testenv.SQLite(t), clk: clock.NewFake(start)}
	o.msgr = &timed{Fake: bot.NewFake(), clk: o.clk, try: map[string][]time.Time{}}
	rng := rand.New(rand.NewPCG(1, 2))
	ob, err := bot.NewOutbox(bot.OutboxOptions{Store: o.st, State: kv, Clock: o.clk, Logger: quietLog,
		Waiter:   bot.FakeWaiter{Clock: o.clk, OnSleep: func(d time.Duration) { o.sleeps = append(o.sleeps, d) }},
		Accounts: []bot.Account{{Name: "a1", Messenger: o.msgr, Limits: lim}}, DefaultAccount: def, Rand: rng.Int64N})
	if err != nil {
		t.Fatal(err)
	}
	o.ob = ob
	return o
}

// enqueue adds a message for a chat key (or a person when to is a PersonID).
func (o *orig) enqueue(to any, text string, prio store.OutboxPriority, urgent bool) store.OutboxMessage {
	o.t.Helper()
	o.n++
	m := store.OutboxMessage{Key: fmt.Sprintf("k%d", o.n), Account: "a1", Text: text, Priority: prio, Urgent: urgent, CreatedAt: o.clk.Now()}
	switch v := to.(type) {
	case string:
		m.ToKey = v
	case domain.PersonID:
		m.PersonID, m.Account = &v, ""
	}
	row, err := o.st.EnqueueOutbox(o.ctx, m)
	if err != nil {
		o.t.Fatal(err)
	}
	return row
}

// run drives the sender with the fake clock until nothing is pending or the clock reaches until.
// sentOnce checks that the messenger got exactly one send and the row is marked sent.
func (o *orig) sentOnce(key string) {
	o.t.Helper()
	if n := len(o.msgr.at); n != 1 {
		o.t.Fatalf("sent %d times, want once", n)
	}
	if got, _ := o.st.OutboxByKey(o.ctx, key); got.Status != store.OutSent {
		o.t.Fatalf("status %s, want sent", got.Status)
	}
}

func (o *orig) run(until time.Time) {
	o.t.Helper()
	if err := o.ob.Route(o.ctx); err != nil {
		o.t.Fatal(err)
	}
	for range 200000 {
		next, err := o.ob.Step(o.ctx, "a1")
		if err != nil {
			o.t.Fatal(err)
		}
		if next.IsZero() || next.After(until) {
			if until.After(o.clk.Now()) {
				o.clk.Set(until)
			}
			return
		}
		if next.After(o.clk.Now()) {
			o.clk.Set(next)
		}
	}
	o.t.Fatal("sender did not settle")
}

func prodLimits() bot.Limits {
	return bot.Limits{Every: 3 * time.Second, Burst: 3, Jitter: 2 * time.Second, DailyCap: 400,
		QuietStart: 21 * 60, QuietEnd: 8 * 60, MaxAttempts: 3, RetryMin: 10 * time.Second, RetryMax: 5 * time.Minute, LoopGuard: 20}
}

func inQuiet(t time.Time) bool { h := t.In(clock.Shanghai).Hour(); return h >= 21 || h < 8 }

func TestOutboxThousandMessagesUnderTheLimiter(t *testing.T) {
	for _, b := range testenv.KVBackends() {
		t.Run(b.Name, func(t *testing.T) {
			day1 := time.Date(2026, 11, 23, 20, 0, 0, 0, clock.Shanghai)
			lim := prodLimits()
			o := newORig(t, b.Open(t), day1, lim, "")
			for i := range 1000 {
				o.enqueue(fmt.Sprintf("@p%03d", i%250), fmt.Sprintf("提醒%d", i), store.PriorityBulk, false)
			}
			o.run(day1.Add(2 * time.Hour)) // 22:00
			for i := range 5 {
				o.enqueue(fmt.Sprintf("@r%d", i), "回复", store.PriorityReply, true)
				o.enqueue(fmt.Sprintf("@a%d", i), "督办", store.PriorityAlert, false)
			}
			o.run(day1.Add(3 * time.Hour))
			o.run(day1.AddDate(0, 0, 4))

			perDay := map[string]int{}
			var firstOfDay2 []string
			for i, at := range o.msgr.at {
				to := o.msgr.to[i]
				day := at.Format("01-02")
				perDay[day]++
				if day == "11-24" && len(firstOfDay2) < 5 {
					firstOfDay2 = append(firstOfDay2, to)
				}
				if !strings.HasPrefix(to, "@r") && inQuiet(at) {
					t.Fatalf("non-urgent message to %s sent in quiet hours at %s", to, at.Format(time.DateTime))
				}
			}
			t.Run("everything is sent exactly once", func(t *testing.T) {
				if n := len(o.msgr.at); n != 1010 {
					t.Fatalf("sent %d, want 1010", n)
				}
				if failed, _ := o.st.FailedOutbox(o.ctx, 10); len(failed) != 0 {
					t.Fatalf("failures: %+v", failed)
				}
			})
			t.Run("daily cap holds, urgent replies use the reserve", func(t *testing.T) {
				want := map[string]int{"11-23": 405, "11-24": 400, "11-25": 205}
				for d, n := range want {
					if perDay[d] != n {
						t.Fatalf("sent per day %v, want %v", perDay, want)
					}
				}
			})
			t.Run("quiet hours hold alerts until 08:00 and they go before bulk", func(t *testing.T) {
				for _, to := range firstOfDay2 {
					if !strings.HasPrefix(to, "@a") {
						t.Fatalf("first sends of day 2: %v", firstOfDay2)
					}
				}
				first := o.msgr.at[405]
				if first.Before(time.Date(2026, 11, 24, 8, 0, 0, 0, clock.Shanghai)) || first.After(time.Date(2026, 11, 24, 8, 0, 2, 0, clock.Shanghai)) {
					t.Fatalf("first send of day 2 at %s", first.Format(time.DateTime))
				}
			})
			t.Run("rate: a burst of 3, then one token per 3 s", func(t *testing.T) {
				// The 400th send of day 1 needs 397 tokens after the burst: 397 × 3 s, plus at most one jitter.
				last := o.msgr.at[399]
				lo, hi := day1.Add(397*lim.Every), day1.Add(397*lim.Every+lim.Jitter)
				if last.Before(lo) || last.After(hi) {
					t.Fatalf("400th send at %s, want within [%s, %s]", last.Format(time.TimeOnly), lo.Format(time.TimeOnly), hi.Format(time.TimeOnly))
				}
				for _, w := range []time.Duration{10 * time.Second, time.Minute, 10 * time.Minute} {
					limit := lim.Burst + int((w+lim.Jitter+lim.Every-1)/lim.Every)
					for i, a := range o.msgr.at {
						n := 0
						for _, b := range o.msgr.at[i:] {
							if b.Sub(a) < w {
								n++
							}
						}
						if n > limit {
							t.Fatalf("%d sends within %s from %s, limit %d", n, w, a.Format(time.DateTime), limit)
						}
					}
				}
			})
			t.Run("jitter stays within 0..Jitter and is spread", func(t *testing.T) {
				if len(o.sleeps) != 1010 {
					t.Fatalf("jitter sleeps = %d", len(o.sleeps))
				}
				lo, hi := lim.Jitter, time.Duration(0)
				for _, d := range o.sleeps {
					if d < 0 || d > lim.Jitter {
						t.Fatalf("jitter %s out of bounds", d)
					}
					lo, hi = min(lo, d), max(hi, d)
				}
				if lo > lim.Jitter/10 || hi < lim.Jitter*9/10 {
					t.Fatalf("jitter range [%s, %s] too narrow", lo, hi)
				}
			})
		})
	}
}

func TestOutboxPriorityOrder(t *testing.T) {
	o := newORig(t, testenv.KV(t), ibT0, bot.Limits{MaxAttempts: 1}, "")
	for i := range 3 {
		o.enqueue(fmt.Sprintf("@bulk%d", i), "b", store.PriorityBulk, false)
		o.enqueue(fmt.Sprintf("@alert%d", i), "a", store.PriorityAlert, false)
		o.enqueue(fmt.Sprintf("@reply%d", i), "r", store.PriorityReply, true)
	}
	o.run(ibT0.Add(time.Hour))
	want := []string{"@reply0", "@reply1", "@reply2", "@alert0", "@alert1", "@alert2", "@bulk0", "@bulk1", "@bulk2"}
	if strings.Join(o.msgr.to, " ") != strings.Join(want, " ") {
		t.Fatalf("order %v, want %v", o.msgr.to, want)
	}
}

func TestOutboxRetriesAndFailures(t *testing.T) {
	lim := bot.Limits{MaxAttempts: 4, RetryMin: 10 * time.Second, RetryMax: 25 * time.Second}
	o := newORig(t, testenv.KV(t), ibT0, lim, "")
	calls := map[string]int{}
	o.msgr.fail = func(out bot.Outgoing) error {
		calls[out.To]++
		switch {
		case out.To == "@flaky" && calls[out.To] <= 2:
			return errors.New("timeout")
		case out.To == "@down":
			return errors.New("connection reset")
		case out.To == "@gone":
			return fmt.Errorf("wechat: %w", bot.ErrPermanent)
		}
		return nil
	}
	p := addPerson(t, o.st, "C009") // never bound
	flaky := o.enqueue("@flaky", "f", store.PriorityBulk, false)
	down := o.enqueue("@down", "d", store.PriorityBulk, false)
	gone := o.enqueue("@gone", "g", store.PriorityBulk, false)
	unbound := o.enqueue(p, "u", store.PriorityBulk, false)
	_ = o.st.SetOutboxAccount(o.ctx, unbound.ID, "a1")
	o.run(ibT0.Add(time.Hour))

	gaps := func(key string) []time.Duration {
		var out []time.Duration
		ts := o.msgr.try[key]
		for i := 1; i < len(ts); i++ {
			out = append(out, ts[i].Sub(ts[i-1]))
		}
		return out
	}
	t.Run("transient failures back off exponentially and then succeed", func(t *testing.T) {
		if got := fmt.Sprint(gaps("@flaky")); got != "[10s 20s]" {
			t.Fatalf("gaps %s", got)
		}
		row, _ := o.st.OutboxByKey(o.ctx, flaky.Key)
		if row.Status != store.OutSent || row.Attempts != 3 {
			t.Fatalf("row %+v", row)
		}
	})
	t.Run("back-off is capped and attempts are limited", func(t *testing.T) {
		if got := fmt.Sprint(gaps("@down")); got != "[10s 20s 25s]" {
			t.Fatalf("gaps %s", got)
		}
		row, _ := o.st.OutboxByKey(o.ctx, down.Key)
		if row.Status != store.OutFailed || row.Attempts != 4 || !strings.Contains(row.LastError, "connection reset") {
			t.Fatalf("row %+v", row)
		}
	})
	t.Run("permanent errors and unknown recipients fail at once, visible to admins", func(t *testing.T) {
		if n := len(o.msgr.try["@gone"]); n != 1 {
			t.Fatalf("permanent failure tried %d times", n)
		}
		failed, _ := o.st.FailedOutbox(o.ctx, 10)
		byKey := map[string]string{}
		for _, f := range failed {
			byKey[f.Key] = f.LastError
		}
		if len(failed) != 3 || !strings.Contains(byKey[gone.Key], "permanent") || !strings.Contains(byKey[unbound.Key], "unknown recipient") || byKey[down.Key] == "" {
			t.Fatalf("failed %v", byKey)
		}
	})
}

func addPerson(t *testing.T, s *store.Store, code string) domain.PersonID {
	t.Helper()
	ctx := context.Background()
	if err := s.UpsertPeople(ctx, []store.Person{{Code: code, Name: "人" + code, Roles: domain.MakeRoles(domain.RoleCadre)}}, nil); err != nil {
		t.Fatal(err)
	}
	p, err := s.PersonByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// TestOutboxLoopGuard: identical messages qinqi starts stop at the guard; replies to a person's own
// messages never do (the county replay lost 75 reports when the same question went to a cadre 20 times).
func TestOutboxLoopGuard(t *testing.T) {
	o := newORig(t, testenv.KV(t), ibT0, bot.Limits{MaxAttempts: 1, LoopGuard: 20}, "")
	for range 25 {
		o.enqueue("@bot2", "【逾期提醒】王春发已超过30天未联系", store.PriorityAlert, true)
	}
	for range 25 {
		o.enqueue("@bot2", "报的是哪一户？回复数字：", store.PriorityReply, true)
	}
	o.run(ibT0.Add(time.Hour))
	if n := len(o.msgr.at); n != 45 {
		t.Fatalf("sent %d, want 20 identical alerts + 25 replies", n)
	}
	failed, _ := o.st.FailedOutbox(o.ctx, 100)
	if len(failed) != 5 || !strings.HasPrefix(failed[0].LastError, "loop guard") || failed[0].Priority != store.PriorityAlert {
		t.Fatalf("failed %d: %+v", len(failed), failed)
	}
	o.clk.Set(ibT0.AddDate(0, 0, 1))
	o.enqueue("@bot2", "【逾期提醒】王春发已超过30天未联系", store.PriorityAlert, true)
	o.run(ibT0.AddDate(0, 0, 1).Add(time.Hour))
	if n := len(o.msgr.at); n != 46 {
		t.Fatalf("next day sent %d, want 46", n)
	}
}

func TestOutboxPersonsFilesAndRouting(t *testing.T) {
	o := newORig(t, testenv.KV(t), ibT0, bot.Limits{MaxAttempts: 1}, "a1")
	bound := addPerson(t, o.st, "C001")
	if err := o.st.BindChatIdentity(o.ctx, store.ChatIdentity{Transport: "fake", Account: "a1", ExternalKey: "@c1", PersonID: bound}, ibT0); err != nil {
		t.Fatal(err)
	}
	newcomer := addPerson(t, o.st, "H001") // no account yet: routed to the default
	path := filepath.Join(t.TempDir(), "台账.xlsx")
	if err := os.WriteFile(path, []byte("0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	o.enqueue(bound, "你好", store.PriorityReply, true)
	file, err := o.st.EnqueueOutbox(o.ctx, store.OutboxMessage{Key: "file", PersonID: &bound, FilePath: path, FileName: "11月台账.xlsx", CreatedAt: ibT0})
	if err != nil {
		t.Fatal(err)
	}
	missing, _ := o.st.EnqueueOutbox(o.ctx, store.OutboxMessage{Key: "missing", ToKey: "@c1", FilePath: path + ".gone", Account: "a1", CreatedAt: ibT0})
	o.enqueue(newcomer, "欢迎", store.PriorityAlert, false)
	o.run(ibT0.Add(time.Hour))
	sent := o.msgr.Sent()
	if len(sent) != 2 || sent[0].To != "@c1" || sent[0].Text != "你好" || sent[1].FileName != "11月台账.xlsx" || sent[1].Size != 10 {
		t.Fatalf("sent %+v", sent)
	}
	if row, _ := o.st.OutboxByKey(o.ctx, file.Key); row.Kind != store.OutFile || row.Status != store.OutSent {
		t.Fatalf("file row %+v", row)
	}
	if row, _ := o.st.OutboxByKey(o.ctx, missing.Key); row.Status != store.OutFailed {
		t.Fatalf("missing file row %+v", row)
	}
	// The newcomer was routed to a1 but has no key there: a permanent, visible failure.
	failed, _ := o.st.FailedOutbox(o.ctx, 10)
	if len(failed) != 2 || failed[0].Account != "a1" || !strings.Contains(failed[0].LastError, "unknown recipient") {
		t.Fatalf("failed %+v", failed)
	}
}

// flakyState is a State that fails every call while down is set, as Redis does when it stops.
type flakyState struct {
	bot.State
	down atomic.Bool
}

var errRedisDown = errors.New("kv: redis unreachable")

func (f *flakyState) Get(ctx context.Context, key string) (string, error) {
	if f.down.Load() {
		return "", errRedisDown
	}
	return f.State.Get(ctx, key)
}

func (f *flakyState) Incr(ctx context.Context, key string, ttl time.Duration) (int64, error) {
	if f.down.Load() {
		return 0, errRedisDown
	}
	return f.State.Incr(ctx, key, ttl)
}

func (f *flakyState) TakeToken(ctx context.Context, key string, now time.Time, every time.Duration, burst int) (time.Duration, error) {
	if f.down.Load() {
		return 0, errRedisDown
	}
	return f.State.TakeToken(ctx, key, now, every, burst)
}

func TestOutboxKeepsSendingUnderLocalLimitsWhileStateFails(t *testing.T) {
	st := &flakyState{State: testenv.KV(t)}
	lim := bot.Limits{Every: 3 * time.Second, Burst: 3, DailyCap: 10, MaxAttempts: 3, RetryMin: time.Second, LoopGuard: 1}
	o := newORig(t, st, ibT0, lim, "")
	for i := range 4 {
		o.enqueue(fmt.Sprintf("@p%d", i), "提醒", store.PriorityBulk, false)
	}
	o.run(ibT0.Add(time.Minute))
	if len(o.msgr.at) != 4 {
		t.Fatalf("sent %d before the outage, want 4", len(o.msgr.at))
	}
	st.down.Store(true)
	from := o.clk.Now()
	for i := range 20 {
		o.enqueue(fmt.Sprintf("@q%d", i), "提醒", store.PriorityBulk, false)
	}
	o.enqueue("@p0", "提醒", store.PriorityBulk, false) // the loop guard (1 a day) would stop this one
	o.run(from.Add(time.Hour))
	during := o.msgr.at[4:]
	t.Run("the daily cap continues from the last shared count", func(t *testing.T) {
		if len(during) != 6 {
			t.Fatalf("sent %d during the outage, want 6 (cap 10, 4 sent before)", len(during))
		}
	})
	t.Run("the local bucket: a burst of 3, then one per 3 s", func(t *testing.T) {
		// The sender may still hold one shared token taken before the outage: 1 + 3 at once.
		for i, at := range during {
			if earliest := from.Add(time.Duration(max(i-3, 0)) * lim.Every); at.Before(earliest) {
				t.Fatalf("send %d of the outage at +%s, earliest +%s", i, at.Sub(from), earliest.Sub(from))
			}
		}
	})
	t.Run("the shared state takes over again", func(t *testing.T) {
		st.down.Store(false)
		o.run(o.clk.Now().Add(time.Hour))
		// The shared count missed the outage's 6 sends: 4 + 6 more = 10.
		if n := len(o.msgr.at); n != 16 {
			t.Fatalf("sent %d in all, want 16", n)
		}
	})
}

// markFails is a store whose MarkOutboxSent fails while down is set: the database dies right after
// a send went out.
type markFails struct {
	*store.Store
	down atomic.Bool
}

func (m *markFails) MarkOutboxSent(ctx context.Context, id domain.OutboxID, now time.Time) error {
	if m.down.Load() {
		return errors.New("store: invalid connection")
	}
	return m.Store.MarkOutboxSent(ctx, id, now)
}

func TestOutboxResultRecordedAfterTheDatabaseReturns(t *testing.T) {
	o := newORig(t, testenv.KV(t), ibT0, bot.Limits{MaxAttempts: 3}, "")
	mf := &markFails{Store: o.st}
	ob, err := bot.NewOutbox(bot.OutboxOptions{Store: mf, State: testenv.KV(t), Clock: o.clk, Logger: quietLog,
		Waiter: bot.FakeWaiter{Clock: o.clk}, Accounts: []bot.Account{{Name: "a1", Messenger: o.msgr, Limits: bot.Limits{MaxAttempts: 3}}}})
	if err != nil {
		t.Fatal(err)
	}
	row := o.enqueue("@p1", "提醒", store.PriorityBulk, false)
	mf.down.Store(true)
	if _, err := ob.Step(o.ctx, "a1"); err == nil {
		t.Fatal("step recorded a send while the database was down")
	}
	if idle, _ := ob.Idle(o.ctx); idle {
		t.Fatal("idle with a result not recorded")
	}
	o.clk.Advance(10 * time.Minute) // far past the lease: nothing may send it again
	for range 3 {
		_, _ = ob.Step(o.ctx, "a1")
	}
	mf.down.Store(false)
	o.clk.Advance(time.Minute)
	for range 3 {
		if _, err := ob.Step(o.ctx, "a1"); err != nil {
			t.Fatal(err)
		}
	}
	o.sentOnce(row.Key)
}

// stuck is a messenger whose send of one text never returns: the process "dies" in the middle of
// that network call, after WeChat got the message.
type stuck struct {
	*timed
	text    string
	reached chan struct{}
	release chan struct{}
}

func (s *stuck) Send(ctx context.Context, account string, out bot.Outgoing) error {
	err := s.timed.Send(ctx, account, out)
	if out.Text == s.text {
		close(s.reached)
		<-s.release
	}
	return err
}

func TestOutboxSenderKilledMidSendDoesNotResend(t *testing.T) {
	o := newORig(t, testenv.KV(t), ibT0, bot.Limits{MaxAttempts: 3}, "")
	for i := range 5 {
		o.enqueue(fmt.Sprintf("@p%d", i), fmt.Sprintf("提醒%d", i), store.PriorityBulk, false)
	}
	first := &stuck{timed: o.msgr, text: "提醒2", reached: make(chan struct{}), release: make(chan struct{})}
	dead, err := bot.NewOutbox(bot.OutboxOptions{Store: o.st, State: testenv.KV(t), Clock: o.clk, Logger: quietLog,
		Waiter: bot.FakeWaiter{Clock: o.clk}, Accounts: []bot.Account{{Name: "a1", Messenger: first, Limits: bot.Limits{MaxAttempts: 3}}}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 3 {
			_, _ = dead.Step(o.ctx, "a1")
		}
	}()
	<-first.reached
	t.Cleanup(func() { close(first.release); <-done })

	o.clk.Advance(time.Hour) // the restarted process comes up long after the lease
	o.run(o.clk.Now().Add(time.Hour))
	if strings.Join(o.msgr.to, " ") != "@p0 @p1 @p2 @p3 @p4" {
		t.Fatalf("sent to %v, want each once", o.msgr.to)
	}
	got, err := o.st.InterruptedOutbox(o.ctx, o.clk.Now(), 10)
	if err != nil || len(got) != 1 || got[0].Text != "提醒2" || got[0].Status != store.OutSending {
		t.Fatalf("interrupted %+v, %v; want the one in flight", got, err)
	}
}

// claimLost is a store whose next ClaimOutbox commits and then reports a dropped connection.
type claimLost struct {
	*store.Store
	armed atomic.Bool
}

func (c *claimLost) ClaimOutbox(ctx context.Context, id domain.OutboxID, now, until time.Time) (bool, error) {
	ok, err := c.Store.ClaimOutbox(ctx, id, now, until)
	if err == nil && c.armed.CompareAndSwap(true, false) {
		return false, errors.New("store: claim outbox: invalid connection")
	}
	return ok, err
}

func TestOutboxClaimCommittedButNotAcknowledged(t *testing.T) {
	o := newORig(t, testenv.KV(t), ibT0, bot.Limits{MaxAttempts: 3}, "")
	cl := &claimLost{Store: o.st}
	cl.armed.Store(true)
	ob, err := bot.NewOutbox(bot.OutboxOptions{Store: cl, State: testenv.KV(t), Clock: o.clk, Logger: quietLog,
		Waiter: bot.FakeWaiter{Clock: o.clk}, Accounts: []bot.Account{{Name: "a1", Messenger: o.msgr, Limits: bot.Limits{MaxAttempts: 3}}}})
	if err != nil {
		t.Fatal(err)
	}
	row := o.enqueue("@p1", "提醒", store.PriorityBulk, false)
	if _, err := ob.Step(o.ctx, "a1"); err == nil {
		t.Fatal("the lost claim was not reported")
	}
	if idle, _ := ob.Idle(o.ctx); idle {
		t.Fatal("idle with a claim to undo")
	}
	for range 3 {
		if _, err := ob.Step(o.ctx, "a1"); err != nil {
			t.Fatal(err)
		}
	}
	o.sentOnce(row.Key)
}
