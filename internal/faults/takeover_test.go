package faults_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/bot/wechat"
	"qinqi/bot/wechat/wxfake"
	"qinqi/handlers"
	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/seed"
	"qinqi/internal/testenv"
	"qinqi/store"
)

const takeoverUin = 3001

// takeoverRig is `qinqi serve` in one process: the real WeChat transport logged in to the fake
// WeChat server, the inbox, the command router, the store and the outbox, on the demo county.
type takeoverRig struct {
	t   *testing.T
	st  *store.Store
	srv *wxfake.Server
	w   *wechat.Transport
}

func startTakeoverRig(t *testing.T, st *store.Store, friends []wxfake.Contact) *takeoverRig {
	t.Helper()
	ctx := context.Background()
	must(t, seed.Demo(ctx, st, clock.Real{}.Now()))
	srv := wxfake.New(wxfake.Account{Uin: takeoverUin, UserName: "@bot3001", NickName: "亲戚助手", Friends: friends})
	srv.SetPollWait(200 * time.Millisecond)
	t.Cleanup(srv.Close)
	logs := &logSink{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	o := wxOptions(t.TempDir())
	o.HTTPTransport, o.Directory, o.Logger = wxfake.Transport(srv), bot.WeChatDirectory{Store: st}, log
	w, err := wechat.New(o)
	must(t, err)
	kv := testenv.KV(t)
	router := handlers.New(handlers.Deps{Store: st, Dialogs: kv, Clock: clock.Real{}, Config: config.Defaults(), Logger: log, Hanzi: folder(t)})
	p, err := bot.NewPipeline(bot.PipelineOptions{
		Accounts: []bot.Account{{Name: account, Messenger: w, Limits: liftedLimits()}},
		Handler:  router, Store: st, State: kv, Clock: clock.Real{}, Logger: log, SpoolDir: t.TempDir(),
	})
	must(t, err)
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(runCtx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("pipeline: %v", err)
		}
		if t.Failed() {
			t.Logf("log (tail):\n%s", tail(logs.String(), 60))
		}
	})
	r := &takeoverRig{t: t, st: st, srv: srv, w: w}
	r.online(1)
	return r
}

func (r *takeoverRig) online(logins int) {
	r.t.Helper()
	eventually(r.t, fmt.Sprintf("login %d", logins), 30*time.Second, func() bool {
		h := r.w.Health()[0]
		return h.State == wechat.Online && h.Logins >= logins
	})
}

// say sends text from a friend and returns the bot's replies to that friend once one arrives
// that contains want.
func (r *takeoverRig) say(from, text, want string) []string {
	r.t.Helper()
	before := len(r.sentTo(from))
	r.srv.QueueText(takeoverUin, from, text)
	return r.await(from, before, fmt.Sprintf("a reply to %s %q", from, text), want)
}

// await returns what was sent to key after its first `before` messages, once it contains want.
func (r *takeoverRig) await(key string, before int, what, want string) []string {
	r.t.Helper()
	var got []string
	eventually(r.t, fmt.Sprintf("%s containing %q", what, want), 30*time.Second, func() bool {
		got = r.sentTo(key)[before:]
		return strings.Contains(strings.Join(got, "\n"), want)
	})
	return got
}

func (r *takeoverRig) sentTo(key string) []string {
	var out []string
	for _, s := range r.srv.Sent() {
		if s.To == key {
			out = append(out, s.Content)
		}
	}
	return out
}

func (r *takeoverRig) bindCode(code string) string {
	r.t.Helper()
	p, err := r.st.PersonByCode(context.Background(), code)
	must(r.t, err)
	bc, err := r.st.NewBindCode(context.Background(), p.ID, clock.Real{}.Now(), time.Hour)
	must(r.t, err)
	return bc.Code
}

// checkInsFrom counts the reports filed since t by the person with the given code.
func (r *takeoverRig) checkInsFrom(code string, since time.Time) int {
	r.t.Helper()
	n := 0
	now := clock.Real{}.Now()
	must(r.t, r.st.EachCheckIn(context.Background(), since.AddDate(0, 0, -1), now.AddDate(0, 0, 1), func(c store.CheckInRecord) error {
		if c.CadreCode == code && !c.ReportedAt.Before(since) {
			n++
		}
		return nil
	}))
	return n
}

// TestIdentityTakeoverAfterRelogin is the attack of issue 15: cadre P001 (陈建国) is bound on the
// bot's WeChat account with the nickname 老陈 and no remark. He changes his nickname; the attacker,
// another friend of the bot account, takes the name 老陈; the bot account logs in again. Re-mapping
// by nickname used to give the attacker P001's identity: his households, and a visit with 500元 in
// P001's name. Now a nickname proves nothing: the attacker is asked to bind and gets nothing,
// P001 is unbound with an audit row, and since no other channel reaches him, his coordinator
// (黄秀英, placed by her qq-P009 remark) is told to issue him a new code or set his remark. He binds
// again and works.
func TestIdentityTakeoverAfterRelogin(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st := b.Open(t)
			coord := wxfake.Contact{UserName: "@coord01", NickName: "黄秀英", RemarkName: "qq-P009"}
			r := startTakeoverRig(t, st, []wxfake.Contact{
				coord,
				{UserName: "@victim01", NickName: "老陈"},
				{UserName: "@attack01", NickName: "赵六"},
			})
			r.say("@victim01", "绑定 "+r.bindCode("P001"), "绑定成功")
			r.say("@victim01", "我的亲戚", "您的结对户")

			r.srv.SetFriends(takeoverUin, []wxfake.Contact{
				{UserName: "@coord02", NickName: coord.NickName, RemarkName: coord.RemarkName},
				{UserName: "@victim02", NickName: "陈建国"}, // the victim renamed himself
				{UserName: "@attack02", NickName: "老陈"},  // the attacker took the old name
			})
			relogin := clock.Real{}.Now()
			r.srv.Kick(takeoverUin)
			r.online(2)

			r.srv.QueueText(takeoverUin, "@attack02", "走访 1 送现金500元 看望老人")
			r.say("@attack02", "我的亲戚", "请先绑定身份")
			eventually(t, "both messages handled", 30*time.Second, func() bool {
				n, err := st.CountInbox(context.Background(), store.InNew)
				return err == nil && n == 0
			})
			for _, text := range r.sentTo("@attack02") {
				if strings.Contains(text, "结对户") || strings.Contains(text, "已记录") || strings.Contains(text, "王春发") {
					t.Fatalf("the attacker got the victim's data: %q", text)
				}
			}
			if n := r.checkInsFrom("P001", relogin); n != 0 {
				t.Fatalf("%d reports filed in P001's name after the re-login", n)
			}

			notice := strings.Join(r.await("@coord02", 0, "the coordinator's notice", "陈建国（P001）"), "\n")
			if !strings.Contains(notice, "【需重新绑定】") || !strings.Contains(notice, "qq-P001") || regexp.MustCompile(`\d{6}`).MatchString(notice) {
				t.Fatalf("coordinator notice %q: want the remark hint and no code", notice)
			}
			p, err := st.PersonByCode(context.Background(), "P001")
			must(t, err)
			if rows, err := st.IdentityAudit(context.Background(), p.ID); err != nil || len(rows) != 2 ||
				rows[1].Action != store.ActUnbind || !strings.Contains(rows[1].Detail, "not placed") {
				t.Fatalf("identity audit of P001: %+v %v; want the bind and the unbind", rows, err)
			}

			r.say("@victim02", "帮助", "请先绑定身份")
			r.say("@victim02", "绑定 "+r.bindCode("P001"), "绑定成功")
			r.say("@victim02", "我的亲戚", "您的结对户")
		})
	}
}
