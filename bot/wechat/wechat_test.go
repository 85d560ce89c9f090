package wechat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eatmoreapple/openwechat"

	"qinqi/bot"
	"qinqi/bot/wechat"
	"qinqi/bot/wechat/wxfake"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// The bot account and its contacts as the fake WeChat server knows them.
const (
	uinA  = 1001
	uinB  = 1002
	alice = "@alice0001"
	bob   = "@bob00001"
	group = "@@group0001"
)

func accountA() wxfake.Account {
	return wxfake.Account{Uin: uinA, UserName: "@botA0001", NickName: "亲戚助手",
		Friends: []wxfake.Contact{{UserName: alice, NickName: "Alice", RemarkName: "qq-P001"}, {UserName: bob, NickName: "Bob"}},
		Groups: []wxfake.Group{{UserName: group, NickName: "结对群",
			Members: []wxfake.Contact{{UserName: bob, NickName: "Bob", DisplayName: "老王"}}}}}
}

func accountB() wxfake.Account {
	return wxfake.Account{Uin: uinB, UserName: "@botB0001", NickName: "亲戚助手二号",
		Friends: []wxfake.Contact{{UserName: "@carol001", NickName: "Carol"}}}
}

// memKV records health the transport publishes.
type memKV struct {
	mu sync.Mutex
	m  map[string]string
}

func (k *memKV) Set(_ context.Context, key, val string, _ time.Duration) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = map[string]string{}
	}
	k.m[key] = val
	return nil
}

func (k *memKV) get(key string) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.m[key]
}

// lockedBuf collects log output from many goroutines.
type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type rig struct {
	t    *testing.T
	srv  *wxfake.Server
	w    *wechat.Transport
	kv   *memKV
	logs *lockedBuf
	got  chan bot.Message
	dir  string
}

// fastOptions keeps every wait short so each test runs in about a second.
func fastOptions() wechat.Options {
	return wechat.Options{WatchdogSilence: 5 * time.Second, ReconnectMin: 20 * time.Millisecond,
		ReconnectMax: 200 * time.Millisecond, SyncErrorMin: 20 * time.Millisecond, SyncErrorMax: 200 * time.Millisecond,
		MaxSyncErrors: 5, HealthEvery: 50 * time.Millisecond}
}

// start runs a WeChat transport against a fresh fake; handle (nil: record only) runs for each
// inbound message after it was recorded.
func start(t *testing.T, o wechat.Options, handle func(context.Context, *rig, bot.Message), accounts ...wxfake.Account) *rig {
	t.Helper()
	r := &rig{t: t, srv: wxfake.New(accounts...), kv: &memKV{}, logs: &lockedBuf{}, got: make(chan bot.Message, 100), dir: t.TempDir()}
	r.srv.PollWait = 200 * time.Millisecond
	r.srv.SetManualScan(len(accounts) > 1)
	t.Cleanup(r.srv.Close)
	for _, a := range accounts {
		name := accountName(a.Uin)
		o.Accounts = append(o.Accounts, wechat.Account{Name: name, HotLoginFile: filepath.Join(r.dir, name+".json")})
	}
	o.KV, o.Clock, o.MediaDir = r.kv, clock.Real{}, filepath.Join(r.dir, "media")
	o.Logger = slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o.HTTPTransport = wxfake.Transport(r.srv)
	w, err := wechat.New(o)
	if err != nil {
		t.Fatalf("wechat.New: %v", err)
	}
	r.w = w
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- w.Receive(ctx, func(ctx context.Context, m bot.Message) {
			r.got <- m
			if handle != nil {
				handle(ctx, r, m)
			}
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Receive ended with %v, want context.Canceled", err)
		}
		if t.Failed() {
			t.Logf("transport log:\n%s", r.logs.String())
		}
	})
	return r
}

func accountName(uin int64) string {
	if uin == uinB {
		return "city-2"
	}
	return "city-1"
}

// eventually polls cond; the deadline only guards against a hang, it is not a timing assertion.
func (r *rig) eventually(what string, cond func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			r.t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (r *rig) online(account string, logins int) {
	r.t.Helper()
	r.eventually(account+" online", func() bool {
		for _, h := range r.w.Health() {
			if h.Account == account && h.State == wechat.Online && h.Logins >= logins {
				return true
			}
		}
		return false
	})
}

func (r *rig) next() bot.Message {
	r.t.Helper()
	select {
	case m := <-r.got:
		return m
	case <-time.After(15 * time.Second):
		r.t.Fatal("no inbound message")
		return bot.Message{}
	}
}

func (r *rig) sentTo(to, text string) bool {
	for _, s := range r.srv.Sent() {
		if s.To == to && strings.Contains(s.Content, text) {
			return true
		}
	}
	return false
}

// replyPong answers "ping" with "pong" to whoever wrote, and mentions group senders by name.
func replyPong(ctx context.Context, r *rig, m bot.Message) {
	if !strings.Contains(m.Text, "ping") {
		return
	}
	out := bot.Outgoing{To: m.SenderKey, Text: "pong"}
	if m.Group {
		out = bot.Outgoing{To: m.GroupKey, Text: "@" + m.SenderName + " pong"}
	}
	// Like the outbox, retry while the account is between logins.
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		err := r.w.Send(ctx, m.Account, out)
		if err == nil || ctx.Err() != nil {
			return
		}
		if !errors.Is(err, wechat.ErrOffline) || time.Now().After(deadline) {
			r.t.Errorf("reply: %v", err)
			return
		}
	}
}

func TestWeChatQRLoginThenTextReply(t *testing.T) {
	r := start(t, fastOptions(), replyPong, accountA())
	r.online("city-1", 1)
	r.srv.QueueSelfText(uinA, alice, "typed on the owner's phone")
	r.srv.QueueText(uinA, alice, "ping")
	m := r.next()
	t.Run("inbound text", func(t *testing.T) {
		if m.Kind != bot.KindText || m.Text != "ping" || m.SenderKey != alice || m.Group || m.Account != "city-1" ||
			m.Transport != "wechat" || m.ID == "" || m.SenderName != "Alice" {
			t.Fatalf("got %+v", m)
		}
	})
	t.Run("reply reaches the server", func(t *testing.T) {
		r.eventually("pong sent", func() bool { return r.sentTo(alice, "pong") })
		if s := r.srv.Sent()[0]; s.From != "@botA0001" || s.Endpoint != "webwxsendmsg" {
			t.Fatalf("sent %+v", s)
		}
	})
	t.Run("own phone message ignored", func(t *testing.T) {
		r.srv.QueueText(uinA, alice, "second")
		if m := r.next(); m.Text != "second" {
			t.Fatalf("next message %q, want the owner's own message skipped", m.Text)
		}
	})
	t.Run("QR login once, hot-login file private", func(t *testing.T) {
		if n := r.srv.Count("jslogin"); n != 1 {
			t.Fatalf("jslogin called %d times", n)
		}
		st, err := os.Stat(filepath.Join(r.dir, "city-1.json"))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("hot-login file: %v %v", st, err)
		}
	})
	t.Run("health published", func(t *testing.T) {
		r.eventually("health in KV", func() bool { return r.kv.get(wechat.HealthKey("city-1")) != "" })
		var h wechat.Health
		if err := json.Unmarshal([]byte(r.kv.get(wechat.HealthKey("city-1"))), &h); err != nil {
			t.Fatal(err)
		}
		if h.State != wechat.Online || h.Logins != 1 || h.LastSync.IsZero() {
			t.Fatalf("health %+v", h)
		}
	})
}

func TestWeChatGroupMentionReplyNamesSender(t *testing.T) {
	r := start(t, fastOptions(), replyPong, accountA())
	r.online("city-1", 1)
	r.srv.QueueGroupText(uinA, group, bob, "签到 ping 今天走访", true)
	m := r.next()
	if !m.Group || m.GroupKey != group || m.SenderKey != bob || !m.AtBot || m.Text != "签到 ping 今天走访" || m.SenderName != "老王" {
		t.Fatalf("got %+v", m)
	}
	r.eventually("group reply", func() bool { return r.sentTo(group, "@老王 pong") })

	t.Run("without mention", func(t *testing.T) {
		r.srv.QueueGroupText(uinA, group, bob, "大家好", false)
		if m := r.next(); m.AtBot || m.Text != "大家好" {
			t.Fatalf("got %+v", m)
		}
	})
	t.Run("unknown member dropped", func(t *testing.T) {
		r.srv.QueueGroupText(uinA, group, "@stranger01", "我是谁", true)
		r.srv.QueueGroupText(uinA, group, bob, "after", false)
		if m := r.next(); m.Text != "after" {
			t.Fatalf("got %q, want the unknown member's message dropped", m.Text)
		}
	})
	t.Run("logs carry no names or texts", func(t *testing.T) {
		for _, s := range []string{"老王", "签到", "Bob", "大家好", "@crypt_"} {
			if strings.Contains(r.logs.String(), s) {
				t.Fatalf("log contains %q", s)
			}
		}
	})
}

func TestWeChatFriendRequestAccept(t *testing.T) {
	r := start(t, fastOptions(), nil, accountA())
	r.online("city-1", 1)
	r.srv.QueueFriendRequest(uinA, "@newcarol1", "Carol", "绑定 482913", "ticket-1")
	m := r.next()
	if m.Kind != bot.KindFriendRequest || m.Text != "绑定 482913" || m.SenderKey != "@newcarol1" || m.SenderName != "Carol" {
		t.Fatalf("got %+v", m)
	}
	ctx := context.Background()
	if err := r.w.AcceptFriend(ctx, m); err != nil {
		t.Fatalf("AcceptFriend: %v", err)
	}
	v := r.srv.Verifies()
	if len(v) != 1 || v[0].UserName != "@newcarol1" || v[0].Ticket != "ticket-1" {
		t.Fatalf("verifies %+v", v)
	}
	for name, bad := range map[string]bot.Message{
		"not a request": {Account: "city-1", Kind: bot.KindText, ID: m.ID},
		"unknown id":    {Account: "city-1", Kind: bot.KindFriendRequest, ID: "424242"},
	} {
		t.Run(name, func(t *testing.T) {
			if err := r.w.AcceptFriend(ctx, bad); !errors.Is(err, bot.ErrPermanent) {
				t.Fatalf("err %v, want a permanent error", err)
			}
		})
	}
}

func TestWeChatLocationImageVoice(t *testing.T) {
	r := start(t, fastOptions(), nil, accountA())
	r.online("city-1", 1)
	t.Run("location", func(t *testing.T) {
		r.srv.QueueLocation(uinA, alice, 30.507234, 114.412345, "湖北省武汉市洪山区关山村")
		m := r.next()
		if m.Kind != bot.KindLocation || math.Abs(m.Lat-30.507234) > 1e-6 || math.Abs(m.Lng-114.412345) > 1e-6 || m.Label != "湖北省武汉市洪山区关山村" {
			t.Fatalf("got %+v", m)
		}
	})
	for _, tc := range []struct {
		name  string
		kind  bot.Kind
		queue func([]byte) string
	}{
		{"image", bot.KindImage, func(b []byte) string { return r.srv.QueueImage(uinA, alice, b) }},
		{"voice", bot.KindVoice, func(b []byte) string { return r.srv.QueueVoice(uinA, alice, b) }},
		{"file", bot.KindFile, func(b []byte) string { return r.srv.QueueFile(uinA, alice, "走访记录.docx", b) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte("\xff\xd8\xff" + tc.name + " bytes")
			tc.queue(data)
			m := r.next()
			if m.Kind != tc.kind || m.MediaRef == "" || (tc.kind == bot.KindFile && (m.Text != "走访记录.docx" || !strings.HasSuffix(m.MediaRef, "走访记录.docx"))) {
				t.Fatalf("got %+v", m)
			}
			got, err := os.ReadFile(m.MediaRef)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("media file %q: %v, %q", m.MediaRef, err, got)
			}
		})
	}
}

func TestWeChatSendsNamedFileAndImage(t *testing.T) {
	r := start(t, fastOptions(), nil, accountA())
	r.online("city-1", 1)
	ctx := context.Background()
	if err := r.w.Send(ctx, "city-1", bot.Outgoing{To: alice, FileName: "../11月台账.xlsx", File: strings.NewReader("xlsx bytes")}); err != nil {
		t.Fatalf("send file: %v", err)
	}
	if err := r.w.Send(ctx, "city-1", bot.Outgoing{To: group, FileName: "chart.png", File: strings.NewReader("\x89PNG chart"), Image: true}); err != nil {
		t.Fatalf("send image: %v", err)
	}
	up := r.srv.Uploads()
	if len(up) != 2 || up[0].Name != "11月台账.xlsx" || string(up[0].Data) != "xlsx bytes" || !up[0].HadTicket {
		t.Fatalf("uploads %+v", up)
	}
	var eps []string
	for _, s := range r.srv.Sent() {
		eps = append(eps, s.Endpoint+"→"+s.To+":"+s.Title)
	}
	want := []string{"webwxsendappmsg→" + alice + ":11月台账.xlsx", "webwxsendmsgimg→" + group + ":"}
	if strings.Join(eps, "|") != strings.Join(want, "|") {
		t.Fatalf("sent %v, want %v", eps, want)
	}
}

func TestWeChatSendErrors(t *testing.T) {
	w, err := wechat.New(wechat.Options{Accounts: []wechat.Account{{Name: "city-1", HotLoginFile: filepath.Join(t.TempDir(), "x.json")}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		account string
		out     bot.Outgoing
		want    error
	}{
		{"not logged in yet", "city-1", bot.Outgoing{To: alice, Text: "hi"}, wechat.ErrOffline},
		{"unknown account", "nowhere", bot.Outgoing{To: alice, Text: "hi"}, bot.ErrPermanent},
		{"no recipient", "city-1", bot.Outgoing{Text: "hi"}, bot.ErrPermanent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := w.Send(ctx, tc.account, tc.out); !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("bad options", func(t *testing.T) {
		for _, o := range []wechat.Options{{}, {Accounts: []wechat.Account{{Name: "a"}}},
			{Accounts: []wechat.Account{{Name: "a", HotLoginFile: "f"}, {Name: "a", HotLoginFile: "g"}}}} {
			if _, err := wechat.New(o); err == nil {
				t.Fatalf("wechat.New(%+v) accepted", o)
			}
		}
	})
}

func TestWeChatKickLogsInAgainFromHotFile(t *testing.T) {
	r := start(t, fastOptions(), replyPong, accountA())
	r.online("city-1", 1)
	r.srv.Kick(uinA)
	r.online("city-1", 2)
	if n := r.srv.Count("jslogin"); n != 1 {
		t.Fatalf("jslogin called %d times; the second login should use the hot-login file", n)
	}
	r.srv.QueueText(uinA, alice, "ping after kick")
	if m := r.next(); m.Text != "ping after kick" {
		t.Fatalf("got %+v", m)
	}
	r.eventually("reply after kick", func() bool { return r.sentTo(alice, "pong") })
	t.Run("file upload still has its cookie after a hot login", func(t *testing.T) {
		r.srv.Kick(uinA) // a third login reads the dump the second one wrote
		r.online("city-1", 3)
		if err := r.w.Send(context.Background(), "city-1", bot.Outgoing{To: alice, FileName: "a.txt", File: strings.NewReader("x")}); err != nil {
			t.Fatalf("send file: %v", err)
		}
		if up := r.srv.Uploads(); len(up) != 1 || !up[0].HadTicket {
			t.Fatalf("uploads %+v", up)
		}
	})
}

// rateOver counts requests at the fake during window and fails above ceiling per second.
func rateOver(t *testing.T, r *rig, window time.Duration, ceiling float64) {
	t.Helper()
	from := time.Now()
	time.Sleep(window)
	n := r.srv.Total(from)
	rate := float64(n) / window.Seconds()
	t.Logf("%d requests in %s (%.1f/s)", n, window, rate)
	if rate >= ceiling {
		t.Fatalf("%d requests in %s = %.0f/s, want < %.0f/s", n, window, rate, ceiling)
	}
}

func slowerOptions() wechat.Options {
	o := fastOptions()
	o.SyncErrorMin, o.SyncErrorMax = 50*time.Millisecond, 400*time.Millisecond
	o.ReconnectMin, o.ReconnectMax = 100*time.Millisecond, 500*time.Millisecond
	return o
}

func TestWeChatRequestRateBounded(t *testing.T) {
	t.Run("synccheck answers 1205", func(t *testing.T) {
		r := start(t, slowerOptions(), replyPong, accountA())
		r.online("city-1", 1)
		r.srv.SetSyncRet(uinA, "1205")
		rateOver(t, r, 2*time.Second, 20) // the bare library makes thousands per second
		r.srv.SetSyncRet(uinA, "")
		r.srv.QueueText(uinA, alice, "ping again")
		if m := r.next(); m.Text != "ping again" {
			t.Fatalf("got %+v", m)
		}
		r.eventually("reply after 1205", func() bool { return r.sentTo(alice, "pong") })
	})
	t.Run("network down", func(t *testing.T) {
		r := start(t, slowerOptions(), replyPong, accountA())
		r.online("city-1", 1)
		r.srv.SetDown(true)
		rateOver(t, r, 2*time.Second, 20)
		r.srv.SetDown(false)
		r.srv.QueueText(uinA, alice, "ping back up")
		if m := r.next(); m.Text != "ping back up" {
			t.Fatalf("got %+v", m)
		}
		r.eventually("reply after outage", func() bool { return r.sentTo(alice, "pong") })
	})
}

func TestWeChatPanickingHandlerDoesNotStopTheBot(t *testing.T) {
	r := start(t, fastOptions(), func(ctx context.Context, r *rig, m bot.Message) {
		if m.Text == "boom" {
			panic("handler bug")
		}
		replyPong(ctx, r, m)
	}, accountA())
	r.online("city-1", 1)
	r.srv.QueueText(uinA, alice, "boom")
	r.next()
	r.srv.QueueText(uinA, alice, "ping")
	r.next()
	r.eventually("reply after panic", func() bool { return r.sentTo(alice, "pong") })
	if !strings.Contains(r.logs.String(), "panicked") {
		t.Fatal("the panic was not logged")
	}
}

// scanQR scans the QR code shown for account (other than the skipped ones) with the phone of uin,
// as an operator would, and returns the code's URL.
func (r *rig) scanQR(account string, uin int64, skip ...string) string {
	r.t.Helper()
	var qr string
	r.eventually("QR code for "+account, func() bool {
		for _, h := range r.w.Health() {
			if h.Account == account {
				qr = h.QRURL
			}
		}
		return qr != "" && !slices.Contains(skip, qr)
	})
	r.srv.Scan(qr[strings.LastIndex(qr, "/")+1:], uin)
	return qr
}

func TestWeChatSeveralAccounts(t *testing.T) {
	r := start(t, fastOptions(), replyPong, accountA(), accountB())
	r.scanQR("city-2", uinB)
	r.scanQR("city-1", uinA)
	r.online("city-1", 1)
	r.online("city-2", 1)
	r.srv.QueueText(uinB, "@carol001", "ping from carol")
	r.srv.QueueText(uinA, alice, "ping from alice")
	seen := map[string]string{}
	for range 2 {
		m := r.next()
		seen[m.Account] = m.SenderKey
	}
	if seen["city-1"] != alice || seen["city-2"] != "@carol001" {
		t.Fatalf("seen %v", seen)
	}
	r.eventually("both replies", func() bool { return r.sentTo(alice, "pong") && r.sentTo("@carol001", "pong") })
	for _, s := range r.srv.Sent() {
		if (s.To == alice) != (s.Uin == uinA) {
			t.Fatalf("reply %+v went out through the wrong account", s)
		}
	}
}

func TestWeChatWatchdogRestartsSilentSession(t *testing.T) {
	o := fastOptions()
	o.WatchdogSilence = 300 * time.Millisecond
	r := start(t, o, nil, accountA())
	r.srv.SetPollWait(2 * time.Second) // synccheck hangs longer than the watchdog allows
	r.online("city-1", 2)
	if n := r.srv.Count("jslogin"); n != 1 {
		t.Fatalf("jslogin called %d times", n)
	}
}

func TestWeChatRemapsIdentitiesAfterEachLogin(t *testing.T) {
	ctx := context.Background()
	st := testenv.SQLite(t)
	if err := st.UpsertPeople(ctx, []store.Person{{Code: "P001", Name: "张三", Roles: domain.MakeRoles(domain.RoleHousehold)},
		{Code: "P002", Name: "李四", Roles: domain.MakeRoles(domain.RoleCadre)}}, nil); err != nil {
		t.Fatal(err)
	}
	p1, _ := st.PersonByCode(ctx, "P001")
	p2, _ := st.PersonByCode(ctx, "P002")
	// Keys of the previous login: the remark finds P001; the nickname "Bob" proves nothing (anyone can
	// call themselves Bob), so P002 is unbound until they bind again.
	for key, p := range map[string]domain.PersonID{"@oldalice": p1.ID, "@oldbob": p2.ID} {
		nick := map[string]string{"@oldalice": "Alice", "@oldbob": "Bob"}[key]
		if err := st.BindChatIdentity(ctx, store.ChatIdentity{Transport: "wechat", Account: "city-1", ExternalKey: key,
			PersonID: p, NickName: nick}, clock.Date(2026, 11, 1)); err != nil {
			t.Fatal(err)
		}
	}
	o := fastOptions()
	o.Directory = bot.WeChatDirectory{Store: st}
	r := start(t, o, nil, accountA())
	r.online("city-1", 1)
	for key, want := range map[string]domain.PersonID{alice: p1.ID, bob: 0, "@oldalice": 0, "@oldbob": 0} {
		got, err := st.PersonByChatKey(ctx, "wechat", "city-1", key)
		if (want == 0) != errors.Is(err, store.ErrNotFound) || (want != 0 && got != want) {
			t.Fatalf("%s → %d, %v; want %d", key, got, err, want)
		}
	}
	t.Run("again after a kick", func(t *testing.T) {
		r.srv.SetFriends(uinA, []wxfake.Contact{{UserName: "@alice0002", NickName: "Alice", RemarkName: "qq-P001"}})
		r.srv.Kick(uinA)
		r.online("city-1", 2)
		if got, err := st.PersonByChatKey(ctx, "wechat", "city-1", "@alice0002"); err != nil || got != p1.ID {
			t.Fatalf("new key → %d, %v", got, err)
		}
		if _, err := st.PersonByChatKey(ctx, "wechat", "city-1", alice); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("stale key still bound: %v", err)
		}
	})
}

// The bare library against the same fake floods it on 1205, so the ceiling above is meaningful.
func TestWxFakeReproducesRawLibraryFlood(t *testing.T) {
	srv := wxfake.New(accountA())
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := openwechat.DefaultBot(openwechat.Desktop, openwechat.WithContextOption(ctx))
	b.UUIDCallback, b.ScanCallBack, b.LoginCallBack, b.SyncCheckCallback = nil, nil, nil, nil
	b.Caller.Client.HTTPClient().Transport = wxfake.Transport(srv)
	if err := b.Login(); err != nil {
		t.Fatalf("login: %v", err)
	}
	srv.SetSyncRet(uinA, "1205")
	from := time.Now()
	time.Sleep(time.Second) // the floor below is far under what the library does even on a loaded -race run
	n := srv.Total(from)
	t.Logf("the bare library made %d requests in a second of 1205 answers", n)
	if n < 100 {
		t.Fatalf("raw library made only %d requests in a second; the fake no longer reproduces the flood", n)
	}
}

func TestWeChatRefusesTheSamePhoneForTwoAccounts(t *testing.T) {
	r := start(t, fastOptions(), nil, accountA(), accountB())
	r.scanQR("city-1", uinA)
	r.online("city-1", 1)
	wrong := r.scanQR("city-2", uinA) // the operator picks up the wrong phone
	r.eventually("refusal", func() bool {
		h := r.w.Health()[1]
		return strings.Contains(h.LastError, `already logged in as account "city-1"`)
	})
	r.scanQR("city-2", uinB, wrong)
	r.online("city-2", 1)
	if h := r.w.Health()[0]; h.State != wechat.Online || h.Logins != 1 {
		t.Fatalf("city-1 disturbed: %+v", h)
	}
}
