package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// A channel that is down for the whole account (token endpoint, secret, frequency limit) pauses
// the account and keeps its messages, without spending their attempts.
func TestUnavailableChannelPausesWithoutSpendingAttempts(t *testing.T) {
	o := newORig(t, testenv.KV(t), ibT0, bot.Limits{MaxAttempts: 2, RetryMin: time.Second}, "")
	down := 5
	o.msgr.fail = func(bot.Outgoing) error {
		if down > 0 {
			down--
			return bot.Unavailable(time.Minute, errors.New("gettoken: HTTP 503"))
		}
		return nil
	}
	row := o.enqueue("zhangwei", "走访已记录", store.PriorityReply, true)
	o.run(ibT0.Add(time.Hour))
	o.sentOnce(row.Key)
	tries := o.msgr.try["zhangwei"]
	if len(tries) != 6 {
		t.Fatalf("tried %d times, want 6 (5 unavailable, then sent)", len(tries))
	}
	for i := 1; i < len(tries); i++ {
		if gap := tries[i].Sub(tries[i-1]); gap < time.Minute {
			t.Errorf("try %d came %s after the last; the account should pause a minute", i, gap)
		}
	}
	if got, _ := o.st.OutboxByKey(o.ctx, row.Key); got.Attempts != 1 {
		t.Errorf("attempts %d, want 1: pauses are not attempts", got.Attempts)
	}
}

// A held message waits without attempts, goes out once the channel can send it, and fails only
// after HoldMax.
func TestHeldMessages(t *testing.T) {
	o := newORig(t, testenv.KV(t), ibT0, bot.Limits{MaxAttempts: 1, HoldMax: 72 * time.Hour}, "")
	open := ibT0.Add(30 * time.Hour)
	o.msgr.fail = func(out bot.Outgoing) error {
		if out.To == "oWang" && o.clk.Now().Before(open) {
			return bot.Held(15*time.Minute, "household has not written within 48 hours")
		}
		if out.To == "oLi" {
			return bot.Held(15*time.Minute, "household has not written within 48 hours")
		}
		return nil
	}
	wang := o.enqueue("oWang", "中秋快乐", store.PriorityBulk, false)
	li := o.enqueue("oLi", "中秋快乐", store.PriorityBulk, false)
	o.run(ibT0.Add(10 * time.Hour))
	held, err := o.st.HeldOutbox(o.ctx, 10)
	if err != nil || len(held) != 2 || !strings.HasPrefix(held[0].LastError, "held: household") {
		t.Fatalf("held after 10 h: %+v, %v", held, err)
	}
	o.run(ibT0.Add(100 * time.Hour))
	if got, _ := o.st.OutboxByKey(o.ctx, wang.Key); got.Status != store.OutSent || got.SentAt.Before(open) {
		t.Errorf("wang: %s at %v, want sent once the window opened", got.Status, got.SentAt)
	}
	got, _ := o.st.OutboxByKey(o.ctx, li.Key)
	if got.Status != store.OutFailed || !strings.Contains(got.LastError, "given up") {
		t.Errorf("li: %s %q, want failed after 72 h held", got.Status, got.LastError)
	}
}

// The per-recipient bucket keeps one WeCom member below 30 a minute while others are not held up.
func TestMemberLimit(t *testing.T) {
	o := newORig(t, testenv.KV(t), ibT0, bot.Limits{MaxAttempts: 1, MemberEvery: 4 * time.Second, MemberBurst: 10}, "")
	for range 60 {
		o.enqueue("busy", "提醒", store.PriorityBulk, false)
	}
	o.enqueue("other", "提醒", store.PriorityBulk, false)
	o.run(ibT0.Add(time.Hour))
	var perMinute = map[int64]int{}
	sentOther := false
	for i, at := range o.msgr.at {
		if o.msgr.to[i] == "busy" {
			perMinute[at.Sub(ibT0).Milliseconds()/60000]++
		} else {
			sentOther = sentOther || at.Sub(ibT0) < 5*time.Second
		}
	}
	for m, n := range perMinute {
		if n >= 30 {
			t.Errorf("minute %d: %d messages to one member", m, n)
		}
	}
	if len(o.msgr.at) != 61 || !sentOther {
		t.Errorf("sent %d; the other recipient early: %v", len(o.msgr.at), sentOther)
	}
}

// Messages qinqi starts go to the account the person last used; a person who never wrote gets
// the first preferred transport that knows them.
func TestRoutingByLastUseAndPreference(t *testing.T) {
	ctx := context.Background()
	st := testenv.SQLite(t)
	people := []store.Person{{Code: "C1", Name: "张伟", Roles: domain.MakeRoles(domain.RoleCadre), WecomUserID: "zhangwei"},
		{Code: "H1", Name: "王春发", Roles: domain.MakeRoles(domain.RoleHousehold)}}
	if err := st.UpsertPeople(ctx, people, []string{"Name", "Roles", "WecomUserID"}); err != nil {
		t.Fatal(err)
	}
	c1, _ := st.PersonByCode(ctx, "C1")
	h1, _ := st.PersonByCode(ctx, "H1")
	for _, ci := range []store.ChatIdentity{{Transport: "mp", Account: "mp", ExternalKey: "oH1", PersonID: h1.ID},
		{Transport: "wechat", Account: "wx", ExternalKey: "@c1", PersonID: c1.ID}} {
		if err := st.BindChatIdentity(ctx, ci, ibT0); err != nil {
			t.Fatal(err)
		}
	}
	// C1 bound on WeChat (so wx is their account), then wrote on WeCom: WeCom wins now.
	in := store.InboxMessage{Transport: "wecom", Account: "wecom", MsgID: "1", SenderKey: "zhangwei", Kind: "text", Status: store.InNew, ReceivedAt: ibT0}
	_ = st.SaveInbound(ctx, &in)
	if err := st.CompleteInbound(ctx, in.ID, store.InboxResult{Status: store.InDone, PersonID: c1.ID}, ibT0); err != nil {
		t.Fatal(err)
	}
	ob, err := bot.NewOutbox(bot.OutboxOptions{Store: st, State: testenv.KV(t), Clock: clock.NewFake(ibT0), Logger: quietLog,
		Accounts: []bot.Account{{Name: "wecom", Messenger: namedFake{bot.NewFake(), "wecom"}},
			{Name: "mp", Messenger: namedFake{bot.NewFake(), "mp"}}},
		Prefer: []string{"wecom", "mp"}})
	if err != nil {
		t.Fatal(err)
	}
	enq := func(key string, p domain.PersonID) store.OutboxMessage {
		row, err := st.EnqueueOutbox(ctx, store.OutboxMessage{Key: key, PersonID: &p, Text: "x", CreatedAt: ibT0})
		if err != nil {
			t.Fatal(err)
		}
		return row
	}
	if row := enq("to-c1", c1.ID); row.Account != "wecom" {
		t.Errorf("C1's message routed to %q, want wecom (last used)", row.Account)
	}
	if err := st.UpsertPeople(ctx, []store.Person{{Code: "P9", Name: "李强", Roles: domain.MakeRoles(domain.RoleCadre), WecomUserID: "liqiang"}},
		[]string{"Name", "Roles", "WecomUserID"}); err != nil {
		t.Fatal(err)
	}
	p9, _ := st.PersonByCode(ctx, "P9")
	enq("to-p9", p9.ID)
	if err := ob.Route(ctx); err != nil {
		t.Fatal(err)
	}
	if row, _ := st.OutboxByKey(ctx, "to-p9"); row.Account != "wecom" {
		t.Errorf("P9 (never wrote, WeCom userid in the sheet) routed to %q, want wecom", row.Account)
	}
}

type namedFake struct {
	*bot.Fake
	name string
}

func (f namedFake) Name() string { return f.name }
