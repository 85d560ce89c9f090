package wxofficial

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// MaxCallbackBody is the largest callback body accepted; the platforms send a few kilobytes.
const MaxCallbackBody = 1 << 20

// CallbackError carries the HTTP status a refused callback gets.
type CallbackError struct {
	Status int
	Err    error
}

func (e *CallbackError) Error() string {
	return fmt.Sprintf("callback refused (%d): %v", e.Status, e.Err)
}
func (e *CallbackError) Unwrap() error { return e.Err }

func refuse(status int, err error) error { return &CallbackError{Status: status, Err: err} }

// envelope is the outer XML of an encrypted callback.
type envelope struct {
	ToUserName string `xml:"ToUserName"`
	AgentID    string `xml:"AgentID"`
	Encrypt    string `xml:"Encrypt"`
}

// OpenCallback reads an encrypted POST callback, checks its msg_signature and decrypts it. A body
// over MaxCallbackBody is refused with 413; a wrong signature or a payload that does not decrypt
// for this receiver with 403, before anything is parsed or stored.
func (c *Crypto) OpenCallback(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxCallbackBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, refuse(http.StatusRequestEntityTooLarge, err)
	}
	if err != nil {
		return nil, refuse(http.StatusBadRequest, err)
	}
	var env envelope
	if err := xml.Unmarshal(body, &env); err != nil || env.Encrypt == "" {
		return nil, refuse(http.StatusForbidden, errors.New("no encrypted payload (is 安全模式 / encryption switched on?)"))
	}
	q := r.URL.Query()
	if err := c.Verify(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), env.Encrypt); err != nil {
		return nil, refuse(http.StatusForbidden, err)
	}
	plain, err := c.Decrypt(env.Encrypt)
	if err != nil {
		return nil, refuse(http.StatusForbidden, err)
	}
	return plain, nil
}

// SealCallback builds the body and query of an encrypted callback, as the platform sends it
// (the fakes use it).
func (c *Crypto) SealCallback(plain []byte, timestamp, nonce string) (body []byte, sig string, err error) {
	enc, err := c.Encrypt(plain)
	if err != nil {
		return nil, "", err
	}
	env := envelope{ToUserName: c.receiverID, Encrypt: enc}
	body, err = xml.Marshal(struct {
		XMLName xml.Name `xml:"xml"`
		envelope
	}{envelope: env})
	if err != nil {
		return nil, "", fmt.Errorf("wxofficial: envelope: %w", err)
	}
	return body, c.Sign(timestamp, nonce, enc), nil
}

// Refused writes a refused callback's status; the body says nothing about why.
func Refused(w http.ResponseWriter, err error) int {
	status := http.StatusForbidden
	var ce *CallbackError
	if errors.As(err, &ce) {
		status = ce.Status
	}
	w.WriteHeader(status)
	return status
}

// OnceSet remembers which unknown message types were logged already, so each is logged once.
type OnceSet struct {
	mu   sync.Mutex
	seen map[string]bool
}

// First reports whether key is seen for the first time.
func (s *OnceSet) First(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	if s.seen[key] || len(s.seen) > 1000 {
		return false
	}
	s.seen[key] = true
	return true
}
