package mpfake

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"
)

// Msg is a household's message or event as the platform posts it.
type Msg struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	FromUserName string   `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      string   `xml:"MsgType"`
	Content      string   `xml:"Content,omitempty"`
	MsgID        string   `xml:"MsgId,omitempty"`
	MediaID      string   `xml:"MediaId,omitempty"`
	Recognition  string   `xml:"Recognition,omitempty"`
	Event        string   `xml:"Event,omitempty"`
	EventKey     string   `xml:"EventKey,omitempty"`
}

var seq atomic.Int64

// Text builds a text message from a household with a fresh MsgId, stamped with the fake's clock.
func (s *Server) Text(openid, text string) Msg {
	return Msg{ToUserName: "gh_qinqi", FromUserName: openid, CreateTime: s.clock().Unix(), MsgType: "text",
		Content: text, MsgID: strconv.FormatInt(6_000_000_000_000_000_000+seq.Add(1), 10)}
}

// Scan builds the event of a household scanning a QR code with scene (subscribe when it did not
// follow yet, SCAN when it did).
func (s *Server) Scan(openid, scene string, following bool) Msg {
	m := Msg{ToUserName: "gh_qinqi", FromUserName: openid, CreateTime: s.clock().Unix(), MsgType: "event",
		Event: "subscribe", EventKey: "qrscene_" + scene}
	if following {
		m.Event, m.EventKey = "SCAN", scene
	}
	return m
}

func (s *Server) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

// Post encrypts m, records the interaction for the 48-hour window and posts it in 安全模式.
func (s *Server) Post(callbackURL string, m Msg) (int, error) {
	plain, err := xml.Marshal(m)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	s.last[m.FromUserName] = s.now()
	ts := strconv.FormatInt(s.now().Unix(), 10)
	s.mu.Unlock()
	nonce := strconv.FormatInt(seq.Add(1), 10)
	body, sig, err := s.crypto.SealCallback(plain, ts, nonce)
	if err != nil {
		return 0, err
	}
	q := url.Values{"signature": {s.crypto.Sign(ts, nonce, "")}, "timestamp": {ts}, "nonce": {nonce},
		"openid": {m.FromUserName}, "encrypt_type": {"aes"}, "msg_signature": {sig}}
	resp, err := http.Post(callbackURL+"?"+q.Encode(), "text/xml", bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("mpfake: post callback: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// VerifyURL does the platform's GET check of the server URL.
func (s *Server) VerifyURL(callbackURL, echo string) (int, string, error) {
	ts, nonce := "1700000000", "7"
	q := url.Values{"signature": {s.crypto.Sign(ts, nonce, "")}, "timestamp": {ts}, "nonce": {nonce}, "echostr": {echo}}
	resp, err := http.Get(callbackURL + "?" + q.Encode())
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}
