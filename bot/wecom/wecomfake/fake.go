// Package wecomfake is a fake WeCom API on 127.0.0.1 for tests and for trying `qinqi serve`
// offline: gettoken, message/send and media/upload as the real platform answers them, plus the
// platform's side of the callback (it encrypts and posts members' messages to the app's URL).
package wecomfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"

	"qinqi/bot/wxofficial"
)

// App is the self-built app the fake knows.
type App struct {
	CorpID, AgentID, Secret, Token, AESKey string
}

// TestApp is a made-up app for tests (its EncodingAESKey is WeCom's documented sample key).
var TestApp = App{CorpID: "ww0qinqitest0corp", AgentID: "1000002", Secret: "test-secret-not-real",
	Token: "QDG6eK", AESKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"}

// Sent is one message the fake accepted through message/send.
type Sent struct {
	To, Type, Text string
	MediaID        string
	FileName       string // of the uploaded medium
	Size           int
}

// Server is the fake platform.
type Server struct {
	*httptest.Server
	app    App
	crypto *wxofficial.Crypto

	mu         sync.Mutex
	tokens     map[string]bool // issued tokens → still valid
	tokenCalls int
	sent       []Sent
	media      map[string]Sent
	failNext   []int // errcodes message/send answers next, in order
	tokenFail  int   // errcode gettoken answers while set
	tokenDown  bool  // gettoken answers HTTP 503
	invisible  map[string]bool
	onSend     func(Sent)
}

// New starts the fake for app.
func New(app App) (*Server, error) {
	cr, err := wxofficial.NewCrypto(app.Token, app.AESKey, app.CorpID)
	if err != nil {
		return nil, err
	}
	s := &Server{app: app, crypto: cr, tokens: map[string]bool{}, media: map[string]Sent{}, invisible: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cgi-bin/gettoken", s.getToken)
	mux.HandleFunc("POST /cgi-bin/message/send", s.withToken(s.messageSend))
	mux.HandleFunc("POST /cgi-bin/media/upload", s.withToken(s.mediaUpload))
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

func (s *Server) getToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenCalls++
	q := r.URL.Query()
	switch {
	case s.tokenDown:
		w.WriteHeader(http.StatusServiceUnavailable)
	case s.tokenFail != 0:
		fail(w, s.tokenFail, "refused by the fake")
	case q.Get("corpid") != s.app.CorpID:
		fail(w, wxofficial.CodeBadAppID, "invalid corpid")
	case q.Get("corpsecret") != s.app.Secret:
		fail(w, wxofficial.CodeBadSecret, "invalid credential")
	default:
		tok := fmt.Sprintf("fake-wecom-token-%d", s.tokenCalls)
		s.tokens[tok] = true
		answer(w, map[string]any{"errcode": 0, "errmsg": "ok", "access_token": tok, "expires_in": 7200})
	}
}

// withToken answers 40014/42001 for unknown or expired tokens, as WeCom does.
func (s *Server) withToken(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		valid, known := s.tokens[r.URL.Query().Get("access_token")]
		s.mu.Unlock()
		switch {
		case !known:
			fail(w, wxofficial.CodeBadToken, "invalid access_token")
		case !valid:
			fail(w, wxofficial.CodeTokenExpired, "access_token expired")
		default:
			h(w, r)
		}
	}
}

func (s *Server) messageSend(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ToUser  string `json:"touser"`
		AgentID int    `json:"agentid"`
		MsgType string `json:"msgtype"`
		Text    struct {
			Content string `json:"content"`
		} `json:"text"`
		Image struct {
			MediaID string `json:"media_id"`
		} `json:"image"`
		File struct {
			MediaID string `json:"media_id"`
		} `json:"file"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
		fail(w, 40058, "bad json")
		return
	}
	s.mu.Lock()
	if len(s.failNext) > 0 {
		code := s.failNext[0]
		s.failNext = s.failNext[1:]
		if code != 0 {
			s.mu.Unlock()
			fail(w, code, "failed by the fake")
			return
		}
	}
	if fmt.Sprint(req.AgentID) != s.app.AgentID {
		s.mu.Unlock()
		fail(w, 40056, "invalid agentid")
		return
	}
	if s.invisible[req.ToUser] {
		s.mu.Unlock()
		answer(w, map[string]any{"errcode": 0, "errmsg": "ok", "invaliduser": req.ToUser})
		return
	}
	sent := Sent{To: req.ToUser, Type: req.MsgType, Text: req.Text.Content}
	if id := req.Image.MediaID + req.File.MediaID; id != "" {
		m, ok := s.media[id]
		if !ok {
			s.mu.Unlock()
			fail(w, 40007, "invalid media_id")
			return
		}
		sent.MediaID, sent.FileName, sent.Size = id, m.FileName, m.Size
	}
	s.sent = append(s.sent, sent)
	msgID := fmt.Sprintf("m%d", len(s.sent))
	onSend := s.onSend
	s.mu.Unlock()
	if onSend != nil {
		onSend(sent)
	}
	answer(w, map[string]any{"errcode": 0, "errmsg": "ok", "msgid": msgID})
}

func (s *Server) mediaUpload(w http.ResponseWriter, r *http.Request) {
	f, hdr, err := r.FormFile("media")
	if err != nil {
		fail(w, 41005, "media data missing")
		return
	}
	defer f.Close()
	n, _ := io.Copy(io.Discard, f)
	s.mu.Lock()
	id := fmt.Sprintf("media-%s-%d", r.URL.Query().Get("type"), len(s.media)+1)
	s.media[id] = Sent{FileName: hdr.Filename, Size: int(n), Type: r.URL.Query().Get("type")}
	s.mu.Unlock()
	answer(w, map[string]any{"errcode": 0, "errmsg": "ok", "type": r.URL.Query().Get("type"), "media_id": id})
}
