package mp

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/bot/mp/mpfake"
	"qinqi/bot/wxofficial"
	"qinqi/internal/clock"
	"qinqi/internal/testenv"
)

type rig struct {
	t     *testing.T
	fake  *mpfake.Server
	ch    *Channel
	cb    *httptest.Server
	clock *clock.Fake

	mu  sync.Mutex
	got []bot.Message
}

var requestTemplate = Template{ID: "TPL-REQUEST", Fields: map[string]string{"thing1": "text", "time2": "time"}}

func newRig(t *testing.T) *rig {
	t.Helper()
	fake, err := mpfake.New(mpfake.TestAccount)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	clk := clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, clock.Shanghai))
	fake.SetClock(clk.Now)
	a := mpfake.TestAccount
	ch, err := New(Options{Account: "mp", AppID: a.AppID, Secret: a.Secret, Token: a.Token, AESKey: a.AESKey,
		APIBase: fake.URL, HTTP: fake.Client(), KV: testenv.KV(t), Clock: clk,
		Templates: map[string]Template{PurposeRequest: requestTemplate}})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, fake: fake, ch: ch, clock: clk}
	r.cb = httptest.NewServer(ch)
	t.Cleanup(r.cb.Close)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = ch.Receive(ctx, func(ctx context.Context, m bot.Message) {
			r.mu.Lock()
			r.got = append(r.got, m)
			r.mu.Unlock()
			bot.Durable(ctx) // the callback answers only now
		})
	}()
	t.Cleanup(func() { cancel(); <-done })
	for !ch.receiving() {
		time.Sleep(time.Millisecond)
	}
	return r
}

func (r *rig) post(m mpfake.Msg) {
	r.t.Helper()
	if status, err := r.fake.Post(r.cb.URL, m); err != nil || status != http.StatusOK {
		r.t.Fatalf("callback: %d %v", status, err)
	}
}

func (r *rig) delivered() []bot.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Message(nil), r.got...)
}

func TestURLCheck(t *testing.T) {
	r := newRig(t)
	status, body, err := r.fake.VerifyURL(r.cb.URL, "hello-echo")
	if err != nil || status != 200 || body != "hello-echo" {
		t.Fatalf("URL check: %d %q %v", status, body, err)
	}
	resp, err := http.Get(r.cb.URL + "?signature=bad&timestamp=1&nonce=2&echostr=x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("forged URL check: %d, want 403", resp.StatusCode)
	}
}

func TestCallbacks(t *testing.T) {
	r := newRig(t)
	r.post(r.fake.Scan("oHousehold1", "bind:482913", false))
	r.post(r.fake.Scan("oHousehold2", "bind:555000", true))
	r.post(r.fake.Scan("oHousehold3", "poster-7", false)) // a follow from another QR code: nothing to handle
	voice := mpfake.Msg{ToUserName: "gh", FromUserName: "oHousehold1", CreateTime: r.clock.Now().Unix(), MsgType: "voice",
		MsgID: "77", MediaID: "V1", Recognition: "我家水管坏了"}
	r.post(voice)
	r.post(r.fake.Text("oHousehold1", "诉求 屋顶漏雨"))
	got := r.delivered()
	if len(got) != 4 {
		t.Fatalf("delivered %d: %+v", len(got), got)
	}
	if got[0].Text != "绑定 482913" || got[0].Kind != bot.KindText || got[0].SenderKey != "oHousehold1" || got[1].Text != "绑定 555000" {
		t.Errorf("scans delivered as %+v / %+v", got[0], got[1])
	}
	if got[2].Kind != bot.KindVoice || got[2].Text != "我家水管坏了" || got[2].MediaRef != "V1" {
		t.Errorf("voice delivered as %+v", got[2])
	}
	if got[3].Text != "诉求 屋顶漏雨" || got[3].Transport != "mp" || got[3].Account != "mp" {
		t.Errorf("text delivered as %+v", got[3])
	}
}

func TestForgedCallbackRefused(t *testing.T) {
	r := newRig(t)
	resp, err := http.Post(r.cb.URL+"?msg_signature=0000&timestamp=1&nonce=1&encrypt_type=aes", "text/xml",
		strings.NewReader("<xml><Encrypt><![CDATA[AAAA]]></Encrypt></xml>"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || len(r.delivered()) != 0 {
		t.Errorf("forged: %d, delivered %d", resp.StatusCode, len(r.delivered()))
	}
}

func TestWindowThenTemplateThenHeld(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.post(r.fake.Text("oWang", "诉求 屋顶漏雨"))
	ack := bot.Outgoing{To: "oWang", Text: "您的诉求已受理，包村干部张伟会在3天内联系您。", Key: "req-cadre:request:5:ack:to:9"}
	if err := r.ch.Send(ctx, "mp", ack); err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(49 * time.Hour)
	if err := r.ch.Send(ctx, "mp", ack); err != nil {
		t.Fatalf("after 49 h: %v", err)
	}
	sent := r.fake.Sent()
	if len(sent) != 2 || sent[0].Kind != "custom" || sent[1].Kind != "template" {
		t.Fatalf("sent %+v; want a customer-service message, then a template", sent)
	}
	if tpl := sent[1]; tpl.Template != "TPL-REQUEST" || tpl.Data["thing1"] != "您的诉求已受理，包村干部张伟会在3天内…" || tpl.Data["time2"] == "" {
		t.Errorf("template %+v", tpl)
	}
	err := r.ch.Send(ctx, "mp", bot.Outgoing{To: "oWang", Text: "中秋快乐", Key: "remind:mid:1:9"})
	var held *bot.HeldError
	if !errors.As(err, &held) || !strings.Contains(held.Reason, "48 hours") {
		t.Fatalf("no template for the purpose: %v, want held", err)
	}
	if len(r.fake.Sent()) != 2 {
		t.Error("a held message reached the platform")
	}
	r.post(r.fake.Text("oWang", "好的"))
	if err := r.ch.Send(ctx, "mp", bot.Outgoing{To: "oWang", Text: "中秋快乐", Key: "remind:mid:1:9"}); err != nil {
		t.Fatalf("after the household wrote again: %v", err)
	}
}

func TestPlatformClosedWindowFallsBackToTemplate(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.post(r.fake.Text("oLi", "你好"))
	r.fake.FailCalls(wxofficial.CodeOutOfWindow)
	if err := r.ch.Send(ctx, "mp", bot.Outgoing{To: "oLi", Text: "诉求已办结", Key: "request:3:resolved:household:4"}); err != nil {
		t.Fatal(err)
	}
	if s := r.fake.Sent(); len(s) != 1 || s[0].Kind != "template" {
		t.Errorf("sent %+v, want one template", s)
	}
}

func TestFilesAndUnfollowedHouseholds(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if err := r.ch.Send(ctx, "mp", bot.Outgoing{To: "oX", FileName: "台账.xlsx", File: strings.NewReader("PK")}); !errors.Is(err, bot.ErrPermanent) {
		t.Errorf("file: %v, want permanent", err)
	}
	r.post(r.fake.Text("oY", "你好"))
	r.fake.FailCalls(wxofficial.CodeNotSubscribed)
	if err := r.ch.Send(ctx, "mp", bot.Outgoing{To: "oY", Text: "收到"}); !errors.Is(err, bot.ErrPermanent) {
		t.Errorf("unfollowed: %v, want permanent", err)
	}
}

func TestBindQR(t *testing.T) {
	r := newRig(t)
	u, err := r.ch.BindQR(context.Background(), "482913", 72*time.Hour)
	if err != nil || !strings.HasPrefix(u, "http://weixin.qq.com/q/") {
		t.Fatalf("BindQR = %q, %v", u, err)
	}
	if sc := r.fake.Scenes(); len(sc) != 1 || sc[0] != "bind:482913" {
		t.Errorf("scenes %v", sc)
	}
}

func TestPurposeOf(t *testing.T) {
	for key, want := range map[string]string{
		"req-cadre:request:12:ack:to:7": PurposeRequest, "request:12:overdue:cadre:3": PurposeRequest,
		"spot:2026-11:7:ask": PurposeCallback, "confirm:checkin:88": PurposeConfirm,
		"reply:5:0": "", "remind:spring:open:3": "",
	} {
		if got := PurposeOf(key); got != want {
			t.Errorf("PurposeOf(%q) = %q, want %q", key, got, want)
		}
	}
}
