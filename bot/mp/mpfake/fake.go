// Package mpfake is a fake 服务号 API on 127.0.0.1 for tests and for trying `qinqi serve` offline:
// stable_token, customer-service and template messages (with the 48-hour window enforced as the
// platform does), media/upload and qrcode/create, plus the platform's side of the callback.
package mpfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"qinqi/bot/wxofficial"
)

// Account is the 服务号 the fake knows.
type Account struct {
	AppID, Secret, Token, AESKey string
}

// TestAccount is a made-up account for tests.
var TestAccount = Account{AppID: "wx0qinqitest0mp00", Secret: "test-mp-secret-not-real", Token: "qinqimp",
	AESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}

// Sent is one message the fake accepted.
type Sent struct {
	To       string
	Kind     string // custom (customer-service) or template
	Type     string // text or image for custom messages
	Text     string
	Template string            // template id
	Data     map[string]string // template keywords
	MediaID  string
}

// Server is the fake platform.
type Server struct {
	*httptest.Server
	acct   Account
	crypto *wxofficial.Crypto

	mu         sync.Mutex
	now        func() time.Time
	tokens     map[string]bool
	tokenCalls int
	sent       []Sent
	last       map[string]time.Time // openid → last interaction, for the 48-hour window
	scenes     []string
	uploads    int
	failNext   []int
	onSend     func(Sent)
}

// New starts the fake.
func New(acct Account) (*Server, error) {
	cr, err := wxofficial.NewCrypto(acct.Token, acct.AESKey, acct.AppID)
	if err != nil {
		return nil, err
	}
	s := &Server{acct: acct, crypto: cr, now: time.Now, tokens: map[string]bool{}, last: map[string]time.Time{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /cgi-bin/stable_token", s.stableToken)
	mux.HandleFunc("POST /cgi-bin/message/custom/send", s.withToken(s.custom))
	mux.HandleFunc("POST /cgi-bin/message/template/send", s.withToken(s.template))
	mux.HandleFunc("POST /cgi-bin/media/upload", s.withToken(s.upload))
	mux.HandleFunc("POST /cgi-bin/qrcode/create", s.withToken(s.qrcode))
	s.Server = httptest.NewServer(mux)
	return s, nil
}

func answer(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, code int, msg string) {
	answer(w, map[string]any{"errcode": code, "errmsg": msg})
}

func (s *Server) stableToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		AppID  string `json:"appid"`
		Secret string `json:"secret"`
	}
	_ = json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenCalls++
	if req.AppID != s.acct.AppID || req.Secret != s.acct.Secret {
		fail(w, wxofficial.CodeBadAppSecret, "invalid appsecret")
		return
	}
	tok := fmt.Sprintf("fake-mp-token-%d", s.tokenCalls)
	s.tokens[tok] = true
	answer(w, map[string]any{"access_token": tok, "expires_in": 7200})
}

func (s *Server) withToken(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		valid, known := s.tokens[r.URL.Query().Get("access_token")]
		code := 0
		if len(s.failNext) > 0 {
			code, s.failNext = s.failNext[0], s.failNext[1:]
		}
		s.mu.Unlock()
		switch {
		case !known:
			fail(w, wxofficial.CodeBadToken, "invalid access_token")
		case !valid:
			fail(w, wxofficial.CodeTokenExpired, "access_token expired")
		case code != 0:
			fail(w, code, "failed by the fake")
		default:
			h(w, r)
		}
	}
}

func (s *Server) custom(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ToUser  string `json:"touser"`
		MsgType string `json:"msgtype"`
		Text    struct {
			Content string `json:"content"`
		} `json:"text"`
		Image struct {
			MediaID string `json:"media_id"`
		} `json:"image"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
		fail(w, 47001, "bad json")
		return
	}
	s.mu.Lock()
	last, ok := s.last[req.ToUser]
	if !ok || s.now().Sub(last) >= 48*time.Hour {
		s.mu.Unlock()
		fail(w, wxofficial.CodeOutOfWindow, "response out of time limit or subscription is canceled")
		return
	}
	s.record(Sent{To: req.ToUser, Kind: "custom", Type: req.MsgType, Text: req.Text.Content, MediaID: req.Image.MediaID})
	answer(w, map[string]any{"errcode": 0, "errmsg": "ok"})
}

func (s *Server) template(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ToUser     string                       `json:"touser"`
		TemplateID string                       `json:"template_id"`
		Data       map[string]map[string]string `json:"data"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil || req.TemplateID == "" {
		fail(w, wxofficial.CodeTemplateBad, "invalid template_id")
		return
	}
	data := map[string]string{}
	for k, v := range req.Data {
		data[k] = v["value"]
	}
	s.mu.Lock()
	n := s.record(Sent{To: req.ToUser, Kind: "template", Template: req.TemplateID, Data: data})
	answer(w, map[string]any{"errcode": 0, "errmsg": "ok", "msgid": n})
}

// record appends a sent message and returns how many were sent; called with s.mu held, it
// releases it.
func (s *Server) record(m Sent) int {
	s.sent = append(s.sent, m)
	n := len(s.sent)
	onSend := s.onSend
	s.mu.Unlock()
	if onSend != nil {
		onSend(m)
	}
	return n
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	if _, _, err := r.FormFile("media"); err != nil {
		fail(w, 41005, "media data missing")
		return
	}
	s.mu.Lock()
	s.uploads++
	id := fmt.Sprintf("mp-media-%d", s.uploads)
	s.mu.Unlock()
	answer(w, map[string]any{"type": "image", "media_id": id})
}

func (s *Server) qrcode(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ActionInfo struct {
			Scene struct {
				SceneStr string `json:"scene_str"`
			} `json:"scene"`
		} `json:"action_info"`
	}
	_ = json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req)
	s.mu.Lock()
	s.scenes = append(s.scenes, req.ActionInfo.Scene.SceneStr)
	n := len(s.scenes)
	s.mu.Unlock()
	answer(w, map[string]any{"ticket": fmt.Sprintf("fake-ticket-%d", n), "expire_seconds": 2592000,
		"url": fmt.Sprintf("http://weixin.qq.com/q/fake%d", n)})
}
