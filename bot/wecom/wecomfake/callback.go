package wecomfake

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

// Msg is a member's message as WeCom posts it to the app's callback URL.
type Msg struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	FromUserName string   `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      string   `xml:"MsgType"`
	Content      string   `xml:"Content,omitempty"`
	MsgID        string   `xml:"MsgId,omitempty"`
	AgentID      string   `xml:"AgentID"`
	MediaID      string   `xml:"MediaId,omitempty"`
	LocationX    float64  `xml:"Location_X,omitempty"`
	LocationY    float64  `xml:"Location_Y,omitempty"`
	Label        string   `xml:"Label,omitempty"`
	Event        string   `xml:"Event,omitempty"`
}

var msgSeq atomic.Int64

// Text builds a text message from a member with a fresh MsgId.
func (s *Server) Text(from, text string) Msg {
	return Msg{ToUserName: s.app.CorpID, FromUserName: from, CreateTime: time.Now().Unix(), MsgType: "text",
		Content: text, MsgID: strconv.FormatInt(7_000_000_000_000_000_000+msgSeq.Add(1), 10), AgentID: s.app.AgentID}
}

// Post encrypts m and posts it to the callback URL as WeCom does; it returns the HTTP status.
func (s *Server) Post(callbackURL string, m Msg) (int, error) {
	plain, err := xml.Marshal(m)
	if err != nil {
		return 0, err
	}
	ts, nonce := strconv.FormatInt(time.Now().Unix(), 10), strconv.FormatInt(msgSeq.Add(1), 10)
	body, sig, err := s.crypto.SealCallback(plain, ts, nonce)
	if err != nil {
		return 0, err
	}
	q := url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {nonce}}
	return post(callbackURL+"?"+q.Encode(), body)
}

// PostRaw posts body with the given query, for forged and oversized callbacks.
func PostRaw(callbackURL string, q url.Values, body []byte) (int, error) {
	return post(callbackURL+"?"+q.Encode(), body)
}

func post(u string, body []byte) (int, error) {
	resp, err := http.Post(u, "text/xml", bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("wecomfake: post callback: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// VerifyURL does WeCom's GET check of a callback URL and returns the status and the answer.
func (s *Server) VerifyURL(callbackURL, echo string) (int, string, error) {
	enc, err := s.crypto.Encrypt([]byte(echo))
	if err != nil {
		return 0, "", err
	}
	ts, nonce := strconv.FormatInt(time.Now().Unix(), 10), "17"
	q := url.Values{"msg_signature": {s.crypto.Sign(ts, nonce, enc)}, "timestamp": {ts}, "nonce": {nonce}, "echostr": {enc}}
	resp, err := http.Get(callbackURL + "?" + q.Encode())
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}
