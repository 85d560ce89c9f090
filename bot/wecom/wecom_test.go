package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/bot/wecom/wecomfake"
	"qinqi/bot/wxofficial"
	"qinqi/internal/clock"
	"qinqi/internal/testenv"
)

// rig is one app against the fake platform, with its callback served on 127.0.0.1.
type rig struct {
	t    *testing.T
	fake *wecomfake.Server
	ch   *Channel
	cb   *httptest.Server
	kv   wxofficial.KV

	mu  sync.Mutex
	got []bot.Message
}

func newRig(t *testing.T) *rig {
	t.Helper()
	fake, err := wecomfake.New(wecomfake.TestApp)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	r := &rig{t: t, fake: fake, kv: testenv.KV(t)}
	r.ch = r.channel(r.kv)
	r.cb = httptest.NewServer(r.ch)
	t.Cleanup(r.cb.Close)
	return r
}

func (r *rig) channel(kv wxofficial.KV) *Channel {
	a := wecomfake.TestApp
	ch, err := New(Options{Account: "wecom", CorpID: a.CorpID, AgentID: a.AgentID, Secret: a.Secret, Token: a.Token,
		AESKey: a.AESKey, APIBase: r.fake.URL, HTTP: r.fake.Client(), KV: kv, Clock: clock.Real{}})
	if err != nil {
		r.t.Fatal(err)
	}
	return ch
}

// receive runs Receive, recording what it delivers.
func (r *rig) receive() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = r.ch.Receive(ctx, func(ctx context.Context, m bot.Message) {
			r.mu.Lock()
			r.got = append(r.got, m)
			r.mu.Unlock()
			bot.Durable(ctx) // the callback answers only now
		})
	}()
	r.t.Cleanup(func() { cancel(); <-done })
	for r.ch.receiving() == false {
		time.Sleep(time.Millisecond)
	}
}

func (r *rig) delivered() []bot.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Message(nil), r.got...)
}

func (r *rig) post(m wecomfake.Msg) int {
	r.t.Helper()
	status, err := r.fake.Post(r.cb.URL, m)
	if err != nil {
		r.t.Fatal(err)
	}
	return status
}

func TestURLCheckAnswersEchostr(t *testing.T) {
	r := newRig(t)
	status, body, err := r.fake.VerifyURL(r.cb.URL, "8816140317555161061")
	if err != nil || status != http.StatusOK || body != "8816140317555161061" {
		t.Fatalf("URL check = %d %q %v", status, body, err)
	}
}

func TestCallbackDeliversMessages(t *testing.T) {
	r := newRig(t)
	r.receive()
	text := r.fake.Text("zhangwei", "走访 王春发 送米面油")
	loc := wecomfake.Msg{ToUserName: wecomfake.TestApp.CorpID, FromUserName: "zhangwei", CreateTime: 1767225600, MsgType: "location",
		MsgID: "900001", AgentID: wecomfake.TestApp.AgentID, LocationX: 27.1, LocationY: 112.9, Label: "李家村"}
	img := wecomfake.Msg{ToUserName: wecomfake.TestApp.CorpID, FromUserName: "zhangwei", CreateTime: 1767225601, MsgType: "image",
		MsgID: "900002", AgentID: wecomfake.TestApp.AgentID, MediaID: "MEDIA1"}
	for _, m := range []wecomfake.Msg{text, text, text, loc, img} { // the text retried twice, as WeCom does
		if status := r.post(m); status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
	}
	got := r.delivered()
	if len(got) != 5 {
		t.Fatalf("delivered %d messages, want 5 (the inbox drops the retries by MsgId)", len(got))
	}
	if got[0].ID != text.MsgID || got[1].ID != text.MsgID || got[0].Text != "走访 王春发 送米面油" || got[0].SenderKey != "zhangwei" ||
		got[0].Transport != "wecom" || got[0].Account != "wecom" || got[0].Kind != bot.KindText {
		t.Errorf("text delivered as %+v", got[0])
	}
	if got[3].Kind != bot.KindLocation || got[3].Lat != 27.1 || got[3].Lng != 112.9 || got[3].Label != "李家村" {
		t.Errorf("location delivered as %+v", got[3])
	}
	if got[4].Kind != bot.KindImage || got[4].MediaRef != "MEDIA1" {
		t.Errorf("image delivered as %+v", got[4])
	}
	if r.ch.Health().LastCallback.IsZero() {
		t.Error("health does not show the callback")
	}
}

func TestBadCallbacksRefused(t *testing.T) {
	r := newRig(t)
	r.receive()
	good := r.fake.Text("zhangwei", "走访 王春发")
	forged := url.Values{"msg_signature": {strings.Repeat("a", 40)}, "timestamp": {"1"}, "nonce": {"2"}}
	body := []byte("<xml><ToUserName>x</ToUserName><Encrypt><![CDATA[bm90IGVuY3J5cHRlZA==]]></Encrypt></xml>")
	if status, _ := wecomfake.PostRaw(r.cb.URL, forged, body); status != http.StatusForbidden {
		t.Errorf("forged callback: %d, want 403", status)
	}
	// signed with the right token but not encrypted with the app's key
	wrongKey, _ := wxofficial.NewCrypto(wecomfake.TestApp.Token, "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", wecomfake.TestApp.CorpID)
	sealed, sig, _ := wrongKey.SealCallback([]byte("<xml/>"), "1", "2")
	if status, _ := wecomfake.PostRaw(r.cb.URL, url.Values{"msg_signature": {sig}, "timestamp": {"1"}, "nonce": {"2"}}, sealed); status != http.StatusForbidden {
		t.Errorf("undecryptable callback: %d, want 403", status)
	}
	huge := bytes.Repeat([]byte("<x/>"), wxofficial.MaxCallbackBody/4+1)
	if status, _ := wecomfake.PostRaw(r.cb.URL, forged, huge); status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized callback: %d, want 413", status)
	}
	odd := good
	odd.MsgType = "hologram"
	for range 2 {
		if status := r.post(odd); status != http.StatusOK {
			t.Errorf("unknown type: %d, want 200", status)
		}
	}
	enter := good
	enter.MsgType, enter.Event, enter.MsgID = "event", "enter_agent", ""
	r.post(enter)
	if got := r.delivered(); len(got) != 0 {
		t.Errorf("delivered %+v, want nothing", got)
	}
}

func TestCallbackWhileNotReceivingAsksForRetry(t *testing.T) {
	r := newRig(t)
	if status := r.post(r.fake.Text("zhangwei", "走访")); status != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503 so WeCom retries", status)
	}
}

func TestSendTextAndFile(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	long := strings.Repeat("王春发户 已走访。\n", 200) // ~5 KB: three parts
	if err := r.ch.Send(ctx, "wecom", bot.Outgoing{To: "zhangwei", Text: long}); err != nil {
		t.Fatal(err)
	}
	ledger := bytes.Repeat([]byte("PK"), 5000)
	if err := r.ch.Send(ctx, "wecom", bot.Outgoing{To: "liuxia", FileName: "走访台账.xlsx", File: bytes.NewReader(ledger)}); err != nil {
		t.Fatal(err)
	}
	sent := r.fake.Sent()
	if len(sent) != 4 {
		t.Fatalf("sent %d messages, want 3 text parts and a file: %+v", len(sent), sent)
	}
	var parts []string
	for _, s := range sent[:3] {
		if len(s.Text) > 2048 || s.Type != "text" {
			t.Errorf("part %q of %d bytes", s.Type, len(s.Text))
		}
		parts = append(parts, s.Text)
	}
	if strings.Join(parts, "\n") != long {
		t.Error("the parts do not add up to the text")
	}
	if f := sent[3]; f.Type != "file" || f.To != "liuxia" || f.FileName != "走访台账.xlsx" || f.Size != len(ledger) {
		t.Errorf("file sent as %+v", f)
	}
	if r.fake.Uploads() != 1 || r.fake.TokenCalls() != 1 {
		t.Errorf("uploads %d, token calls %d; want 1 and 1", r.fake.Uploads(), r.fake.TokenCalls())
	}
}

// A long text goes in parts; when a part fails, the outbox retries the message and only the parts
// not yet delivered go, from whichever instance retries.
func TestRetryOfALongTextSendsOnlyTheRest(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	long := strings.Repeat("王春发户 已走访。\n", 200) // three parts
	out := bot.Outgoing{To: "zhangwei", Text: long, Key: "report:monthly:2026-11:to:7"}
	r.fake.FailSends(0, -1) // the first part goes, the second meets "system busy"
	if err := r.ch.Send(ctx, "wecom", out); err == nil {
		t.Fatal("a failed part must fail the send, so the outbox retries it")
	}
	if n := len(r.fake.Sent()); n != 1 {
		t.Fatalf("sent %d parts before the failure, want 1", n)
	}
	other := r.channel(r.kv) // the retry may come from another instance
	if err := other.Send(ctx, "wecom", out); err != nil {
		t.Fatal(err)
	}
	sent := r.fake.Sent()
	var parts []string
	for _, s := range sent {
		parts = append(parts, s.Text)
	}
	if len(sent) != 3 || strings.Join(parts, "\n") != long {
		t.Fatalf("the member got %d parts, want each of the 3 once, in order", len(sent))
	}
	if err := r.ch.Send(ctx, "wecom", out); err != nil || len(r.fake.Sent()) != 6 {
		t.Errorf("a new send of the same text after success: err %v, %d parts in all, want all 3 again", err, len(r.fake.Sent()))
	}
}

func TestTokenExpiresMidRun(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if err := r.ch.Send(ctx, "wecom", bot.Outgoing{To: "zhangwei", Text: "一"}); err != nil {
		t.Fatal(err)
	}
	r.fake.ExpireTokens()
	if err := r.ch.Send(ctx, "wecom", bot.Outgoing{To: "zhangwei", Text: "二"}); err != nil {
		t.Fatalf("send after expiry: %v", err)
	}
	if n := r.fake.TokenCalls(); n != 2 {
		t.Errorf("token calls %d, want 2 (one refresh on 42001)", n)
	}
	if n := len(r.fake.Sent()); n != 2 {
		t.Errorf("sent %d, want 2", n)
	}
}

func TestFrequencyLimitPausesEveryInstance(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.fake.FailSends(wxofficial.CodeFrequency)
	err := r.ch.Send(ctx, "wecom", bot.Outgoing{To: "zhangwei", Text: "一"})
	var u *bot.UnavailableError
	if !errors.As(err, &u) || u.Wait != wxofficial.FrequencyPause {
		t.Fatalf("45009: err = %v, want Unavailable for %s", err, wxofficial.FrequencyPause)
	}
	other := r.channel(r.kv) // a second instance sharing the KV
	if err := other.Send(ctx, "wecom", bot.Outgoing{To: "zhangwei", Text: "二"}); !errors.As(err, &u) {
		t.Fatalf("second instance during the pause: %v, want Unavailable", err)
	}
	if n := len(r.fake.Sent()); n != 0 {
		t.Errorf("the fake got %d messages during the pause", n)
	}
	if h := r.ch.Health(); h.State != wxofficial.StateBackoff || h.LastCode != wxofficial.CodeFrequency {
		t.Errorf("health %+v", h)
	}
}

func TestAdminErrorsReachStatus(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.fake.FailToken(wxofficial.CodeUntrustedIP)
	err := r.ch.Send(ctx, "wecom", bot.Outgoing{To: "zhangwei", Text: "一"})
	if _, ok := errors.AsType[*bot.UnavailableError](err); !ok {
		t.Fatalf("60020: %v, want Unavailable (kept queued)", err)
	}
	raw, err := r.kv.Get(ctx, wxofficial.HealthKey("wecom"))
	if err != nil {
		t.Fatal(err)
	}
	var h wxofficial.Health
	if err := json.Unmarshal([]byte(raw), &h); err != nil {
		t.Fatal(err)
	}
	if h.State != wxofficial.StateError || h.LastCode != 60020 || !strings.Contains(h.Fix, "企业可信IP") {
		t.Errorf("published health %+v", h)
	}
	r.fake.FailToken(0)
	r.fake.Invisible("wangwu")
	err = r.ch.Send(ctx, "wecom", bot.Outgoing{To: "wangwu", Text: "二"})
	if !errors.Is(err, bot.ErrPermanent) || wxofficial.Code(err) != wxofficial.CodeInvisibleUser {
		t.Errorf("member outside the visible range: %v, want permanent 81013", err)
	}
	if h := r.ch.Health(); !strings.Contains(h.Fix, "可见范围") {
		t.Errorf("health fix %q", h.Fix)
	}
}

func TestTokenEndpointDownKeepsMessagesQueued(t *testing.T) {
	r := newRig(t)
	r.fake.TokenDown(true)
	err := r.ch.Send(context.Background(), "wecom", bot.Outgoing{To: "zhangwei", Text: "一"})
	if _, ok := errors.AsType[*bot.UnavailableError](err); !ok || errors.Is(err, bot.ErrPermanent) {
		t.Fatalf("token endpoint down: %v, want Unavailable", err)
	}
	r.fake.TokenDown(false)
	if err := r.ch.Send(context.Background(), "wecom", bot.Outgoing{To: "zhangwei", Text: "一"}); err != nil {
		t.Fatal(err)
	}
}

func TestInstancesShareOneToken(t *testing.T) {
	for _, b := range testenv.KVBackends() {
		t.Run(b.Name, func(t *testing.T) {
			r := newRig(t)
			kv := b.Open(t)
			a, c := r.channel(kv), r.channel(kv)
			var wg sync.WaitGroup
			for i := range 8 {
				ch := a
				if i%2 == 1 {
					ch = c
				}
				wg.Go(func() {
					if err := ch.Send(context.Background(), "wecom", bot.Outgoing{To: "zhangwei", Text: "并发"}); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if n := r.fake.TokenCalls(); n != 1 {
				t.Errorf("token calls %d, want 1 shared by both instances", n)
			}
		})
	}
}
