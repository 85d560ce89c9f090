package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"qinqi/bot/mp/mpfake"
	"qinqi/bot/wecom/wecomfake"
	"qinqi/internal/app"
	"qinqi/internal/clock"
	"qinqi/internal/seed"
	"qinqi/store"
)

// channelRig is `qinqi serve` with a WeCom app and a 服务号 configured against the fakes, on the
// demo county: 陈建国 (P001, WeCom userid from the sheet) is paired with 王春发's household, whose
// head (P101) follows the 服务号; 黄秀英 (P009) coordinates.
type channelRig struct {
	t      *testing.T
	dir    string
	db     string
	config string
	http   string
	wecom  *wecomfake.Server
	mp     *mpfake.Server
}

func newChannelRig(t *testing.T) *channelRig {
	t.Helper()
	r := &channelRig{t: t, dir: t.TempDir()}
	r.db = filepath.Join(r.dir, "qinqi.db")
	seedChannelDB(t, r.db)
	var err error
	if r.wecom, err = wecomfake.New(wecomfake.TestApp); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.wecom.Close)
	if r.mp, err = mpfake.New(mpfake.TestAccount); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.mp.Close)
	redis := miniredis.RunT(t)
	r.http = freeAddr(t)
	w, m := wecomfake.TestApp, mpfake.TestAccount
	y := fmt.Sprintf(`database: {driver: sqlite, path: %q}
redis: {addr: %q}
inbox: {spool_dir: %q}
outbox: {quiet_start: "00:00", quiet_end: "00:00", retry_min: 1s, retry_max: 5s, file_dir: %q}
scheduler: {enabled: false}
http: {listen: %q}
wecom: {corp_id: %q, agent_id: %q, secret: %q, token: %q, aes_key: %q, api_base: %q}
mp:
  app_id: %q
  secret: %q
  token: %q
  aes_key: %q
  api_base: %q
  templates:
    request_status: {id: TPL-REQ, fields: {thing1: text, time2: time}}
`, r.db, redis.Addr(), filepath.Join(r.dir, "spool"), filepath.Join(r.dir, "files"), r.http,
		w.CorpID, w.AgentID, w.Secret, w.Token, w.AESKey, r.wecom.URL, m.AppID, m.Secret, m.Token, m.AESKey, r.mp.URL)
	r.config = filepath.Join(r.dir, "qinqi.yaml")
	if err := os.WriteFile(r.config, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	return r
}

func seedChannelDB(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := seed.Demo(ctx, s, clock.Real{}.Now()); err != nil {
		t.Fatal(err)
	}
	for code, userid := range map[string]string{"P001": "chenjianguo", "P009": "huangxiuying"} {
		p, err := s.PersonByCode(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		p.WecomUserID = userid
		if err := s.UpsertPeople(ctx, []store.Person{p}, []string{"Name", "Roles", "WecomUserID"}); err != nil {
			t.Fatal(err)
		}
	}
	head, err := s.PersonByCode(ctx, "P101")
	if err != nil {
		t.Fatal(err)
	}
	ci := store.ChatIdentity{Transport: "mp", Account: "mp", ExternalKey: "oWangChunfa", PersonID: head.ID}
	if err := s.BindChatIdentity(ctx, ci, clock.Real{}.Now()); err != nil {
		t.Fatal(err)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serve runs `qinqi serve` until the test ends and waits for /healthz.
func (r *channelRig) serve() {
	ctx, cancel := context.WithCancel(context.Background())
	var logs bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- app.Main(ctx, []string{"serve", "-config", r.config}, app.IO{In: strings.NewReader(""), Out: io.Discard, Err: &syncWriter{w: &logs}})
	}()
	r.t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			r.t.Errorf("serve exited %d:\n%s", code, logs.String())
		}
	})
	r.waitFor("serve to answer /healthz", func() bool {
		resp, err := http.Get("http://" + r.http + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

func (r *channelRig) waitFor(what string, ok func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			r.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (r *channelRig) wecomTo(userid string) []wecomfake.Sent {
	var out []wecomfake.Sent
	for _, s := range r.wecom.Sent() {
		if s.To == userid {
			out = append(out, s)
		}
	}
	return out
}

// postAsPlatform sends a callback again after a 503, as WeCom and the 服务号 do: /healthz answers
// before the channels receive, and a loaded machine may take longer than DurableWait to store it.
func postAsPlatform[M any](post func(string, M) (int, error), url string, m M) (int, error) {
	for try := 1; ; try++ {
		status, err := post(url, m)
		if err != nil || status != http.StatusServiceUnavailable || try == 3 {
			return status, err
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func TestServeAnswersOnWeComAndMP(t *testing.T) {
	r := newChannelRig(t)
	r.serve()
	wecomURL, mpURL := "http://"+r.http+"/wecom/callback", "http://"+r.http+"/mp/callback"

	// A cadre's check-in, delivered three times as WeCom does when the answer is slow.
	checkin := r.wecom.Text("chenjianguo", "走访 王春发 送米面油")
	for range 3 {
		if status, err := postAsPlatform(r.wecom.Post, wecomURL, checkin); err != nil || status != http.StatusOK {
			t.Fatalf("check-in callback: %d %v", status, err)
		}
	}
	r.waitFor("the check-in's reply", func() bool { return len(r.wecomTo("chenjianguo")) > 0 })
	time.Sleep(300 * time.Millisecond) // room for a wrong second reply to show up
	if got := r.wecomTo("chenjianguo"); len(got) != 1 || !strings.Contains(got[0].Text, "王春发") {
		t.Fatalf("replies to the cadre: %+v; want one about 王春发", got)
	}
	if n := countInbox(t, r.db); n != 1 {
		t.Errorf("the check-in is stored %d times, want once", n)
	}

	// A household's 诉求 on the 服务号: answered there, and the cadre is told on WeCom.
	if status, err := postAsPlatform(r.mp.Post, mpURL, r.mp.Text("oWangChunfa", "诉求 就医 想办医疗救助卡")); err != nil || status != http.StatusOK {
		t.Fatalf("诉求 callback: %d %v", status, err)
	}
	r.waitFor("the cadre to hear of the 诉求", func() bool { return len(r.wecomTo("chenjianguo")) > 1 })
	r.waitFor("the household's answer", func() bool { return len(r.mp.Sent()) > 0 })
	if told := r.wecomTo("chenjianguo")[1]; !strings.Contains(told.Text, "医疗救助卡") {
		t.Errorf("the cadre was told %q", told.Text)
	}
	if a := r.mp.Sent()[0]; a.To != "oWangChunfa" || a.Kind != "custom" {
		t.Errorf("the household got %+v, want a customer-service message", a)
	}

	// A coordinator's 导出 arrives as a file through media/upload.
	if status, err := postAsPlatform(r.wecom.Post, wecomURL, r.wecom.Text("huangxiuying", "导出")); err != nil || status != http.StatusOK {
		t.Fatalf("导出 callback: %d %v", status, err)
	}
	r.waitFor("the ledger file", func() bool {
		for _, s := range r.wecomTo("huangxiuying") {
			if s.Type == "file" && strings.HasSuffix(s.FileName, ".xlsx") && s.Size > 0 {
				return true
			}
		}
		return false
	})

	code, status, errs := runCmd(t, "status", "-config", r.config)
	if code != 0 {
		t.Fatalf("status exited %d: %s", code, errs)
	}
	for _, want := range []string{"wecom", "mp", "127.0.0.1", " ok "} {
		if !strings.Contains(status, want) {
			t.Errorf("status lacks %q:\n%s", want, status)
		}
	}
	for _, want := range []string{`qinqi_messages_in_total{channel="wecom"} 4`, `qinqi_messages_out_total{channel="mp",status="sent"}`,
		`qinqi_http_requests_total{code="200",path="/wecom/callback"}`, "qinqi_inbox_backlog 0"} {
		// a send is counted when the channel's call returns, a moment after the fake saw it
		r.waitFor("/metrics to show "+want, func() bool { return strings.Contains(get(t, "http://"+r.http+"/metrics"), want) })
	}
}

func TestServeRefusesForgedCallbacks(t *testing.T) {
	r := newChannelRig(t)
	r.serve()
	resp, err := http.Post("http://"+r.http+"/wecom/callback?msg_signature=00&timestamp=1&nonce=1", "text/xml",
		strings.NewReader("<xml><Encrypt><![CDATA[Zm9yZ2Vk]]></Encrypt></xml>"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("forged callback: %d, want 403", resp.StatusCode)
	}
	if n := countInbox(t, r.db); n != 0 {
		t.Errorf("%d inbox rows after a forged callback", n)
	}
}

// countInbox counts the inbox rows.
func countInbox(t *testing.T, path string) int64 {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var n int64
	for _, st := range []store.InboxStatus{store.InNew, store.InDone, store.InFailed} {
		c, err := s.CountInbox(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		n += c
	}
	return n
}

// syncWriter lets serve's logger and the test's failure report share a buffer.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
