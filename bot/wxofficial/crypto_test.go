package wxofficial

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// WeCom's published example for its callback crypto (企业内部开发 → 加解密方案说明): the app's
// Token, EncodingAESKey and corp id, and a callback and a URL check made with them.
const (
	vecToken  = "QDG6eK"
	vecKey    = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	vecCorpID = "wx5823bf96d3bd56c7"

	vecPostSig   = "477715d11cdb4164915debcba66cb864d751f3e6"
	vecPostTS    = "1409659813"
	vecPostNonce = "1372623149"
	vecPostEnc   = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="

	vecVerifySig   = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
	vecVerifyTS    = "1409659589"
	vecVerifyNonce = "263014780"
	vecVerifyEcho  = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
)

func vecCrypto(t *testing.T) *Crypto {
	t.Helper()
	c, err := NewCrypto(vecToken, vecKey, vecCorpID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPublishedVector(t *testing.T) {
	c := vecCrypto(t)
	if err := c.Verify(vecPostSig, vecPostTS, vecPostNonce, vecPostEnc); err != nil {
		t.Fatalf("published callback signature: %v", err)
	}
	plain, err := c.Decrypt(vecPostEnc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<FromUserName><![CDATA[mycreate]]>", "<Content><![CDATA[hello]]>", "<MsgId>4561255354251345929</MsgId>", "<AgentID>218</AgentID>"} {
		if !strings.Contains(string(plain), want) {
			t.Errorf("decrypted callback lacks %s:\n%s", want, plain)
		}
	}
	if err := c.Verify(vecVerifySig, vecVerifyTS, vecVerifyNonce, vecVerifyEcho); err != nil {
		t.Fatalf("published URL check signature: %v", err)
	}
	echo, err := c.Decrypt(vecVerifyEcho)
	if err != nil || string(echo) != "1616140317555161061" {
		t.Fatalf("echostr = %q, %v; want the documented 1616140317555161061", echo, err)
	}
}

func TestWrongReceiverOrKeyRefused(t *testing.T) {
	other, err := NewCrypto(vecToken, vecKey, "ww-another-corp")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Decrypt(vecPostEnc); err == nil {
		t.Error("a payload made for another corp id decrypted")
	}
	if err := vecCrypto(t).Verify(vecPostSig, vecPostTS, "1", vecPostEnc); !errors.Is(err, ErrSignature) {
		t.Errorf("changed nonce: err = %v, want ErrSignature", err)
	}
	for _, key := range []string{"short", strings.Repeat("!", 43)} {
		if _, err := NewCrypto(vecToken, key, vecCorpID); err == nil {
			t.Errorf("EncodingAESKey %q accepted", key)
		}
	}
}

func TestSealOpenRoundTrip(t *testing.T) {
	c := vecCrypto(t)
	msg := []byte("<xml><Content><![CDATA[走访 王春发 送米面油]]></Content></xml>")
	body, sig, err := c.SealCallback(msg, "1700000000", "42")
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"msg_signature": {sig}, "timestamp": {"1700000000"}, "nonce": {"42"}}
	open := func(q url.Values, body []byte) ([]byte, error) {
		r := httptest.NewRequest(http.MethodPost, "/cb?"+q.Encode(), bytes.NewReader(body))
		return c.OpenCallback(httptest.NewRecorder(), r)
	}
	got, err := open(q, body)
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("open = %q, %v", got, err)
	}
	q.Set("msg_signature", strings.Repeat("0", 40))
	if _, err := open(q, body); statusOf(err) != http.StatusForbidden {
		t.Errorf("forged signature: %v, want 403", err)
	}
	if _, err := open(q, bytes.Repeat([]byte("x"), MaxCallbackBody+1)); statusOf(err) != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %v, want 413", err)
	}
}

func statusOf(err error) int {
	var ce *CallbackError
	if errors.As(err, &ce) {
		return ce.Status
	}
	return 0
}
