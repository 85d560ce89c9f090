// Package wxofficial is what WeChat's two official platforms share: WeCom (企业微信, and 政务微信
// on its own host) and the 服务号 (official account). Both sign and encrypt their callbacks the
// same way, both hand out an access token that several instances must share, and both answer
// API calls with {"errcode", "errmsg"}. The channels bot/wecom and bot/mp build on it.
//
// Library: the callback crypto comes from github.com/silenceper/wechat/v2 (its util package),
// the only package that imports it. Its HTTP calls are not used: the SDK reaches the platforms
// through package globals (util.DefaultHTTPClient, util.SetURIModifier) and hard-coded hosts, so
// a 政务微信 host or a test server could only be set for the whole process, and its calls carry no
// context and never refresh a token on 40014/42001. Client below is written by hand for that.
package wxofficial

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/silenceper/wechat/v2/util"
)

// Crypto signs, verifies, encrypts and decrypts callback bodies (the platforms' "安全模式").
type Crypto struct {
	token      string
	aesKey     string
	receiverID string // WeCom: the corp id; 服务号: the app id
}

// ErrSignature means a callback's signature does not match: it did not come from the platform.
var ErrSignature = errors.New("wxofficial: bad signature")

// NewCrypto checks the EncodingAESKey (43 characters, base64 of 32 bytes) and the token.
func NewCrypto(token, encodingAESKey, receiverID string) (*Crypto, error) {
	if token == "" || receiverID == "" {
		return nil, errors.New("wxofficial: callback token and receiver id are required")
	}
	if len(encodingAESKey) != 43 {
		return nil, fmt.Errorf("wxofficial: EncodingAESKey must be 43 characters, got %d", len(encodingAESKey))
	}
	if k, err := base64.StdEncoding.DecodeString(encodingAESKey + "="); err != nil || len(k) != 32 {
		return nil, errors.New("wxofficial: EncodingAESKey is not the base64 of a 32-byte key")
	}
	return &Crypto{token: token, aesKey: encodingAESKey, receiverID: receiverID}, nil
}

// Sign is the msg_signature of an encrypted payload: SHA-1 of the sorted token, timestamp, nonce
// and payload. With payload "" it is the plain signature the 服务号 puts on every callback.
func (c *Crypto) Sign(timestamp, nonce, payload string) string {
	if payload == "" {
		return util.Signature(c.token, timestamp, nonce)
	}
	return util.Signature(c.token, timestamp, nonce, payload)
}

// Verify checks a signature in constant time.
func (c *Crypto) Verify(signature, timestamp, nonce, payload string) error {
	want := c.Sign(timestamp, nonce, payload)
	if subtle.ConstantTimeCompare([]byte(want), []byte(signature)) != 1 {
		return ErrSignature
	}
	return nil
}

// Decrypt opens an encrypted payload and checks that it was made for this receiver.
func (c *Crypto) Decrypt(payload string) ([]byte, error) {
	_, plain, err := util.DecryptMsg(c.receiverID, payload, c.aesKey)
	if err != nil {
		return nil, fmt.Errorf("wxofficial: decrypt: %w", err)
	}
	return plain, nil
}

// Encrypt seals plain for this receiver with a fresh random prefix (the fakes use it to build
// callbacks, exactly as the platform does).
func (c *Crypto) Encrypt(plain []byte) (string, error) {
	random := make([]byte, 16)
	if _, err := rand.Read(random); err != nil {
		return "", fmt.Errorf("wxofficial: random: %w", err)
	}
	b, err := util.EncryptMsg(random, plain, c.receiverID, c.aesKey)
	if err != nil {
		return "", fmt.Errorf("wxofficial: encrypt: %w", err)
	}
	return string(b), nil
}
