package wxofficial

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"qinqi/internal/clock"
)

// KV is the shared short-lived state (*store.KV: Redis in production): tokens, their refresh
// lock, back-off marks and health reports live there so every instance sees the same ones.
type KV interface {
	Get(ctx context.Context, key string) (string, error) // an error wrapping a not-found sentinel when absent
	Set(ctx context.Context, key, val string, ttl time.Duration) error
	Claim(ctx context.Context, key, owner string, ttl time.Duration) (bool, error)
	Del(ctx context.Context, keys ...string) error
}

// FetchToken asks the platform for a new access token with the client's own HTTP client.
type FetchToken func(ctx context.Context, c *Client) (token string, expiresIn time.Duration, err error)

// ClientOptions configure a Client. Base, HTTP, KV, Key and Fetch are required.
type ClientOptions struct {
	Base     string       // https://qyapi.weixin.qq.com, a 政务微信 host, https://api.weixin.qq.com, or a fake
	HTTP     *http.Client // tests pass the fake's client; production a client with a timeout
	KV       KV
	Clock    clock.Clock
	Key      string     // KV key of the shared token, unique per app (corp id + agent id, or app id)
	Fetch    FetchToken // the platform's token call
	Instance string     // names the holder of the refresh lock
	// TokenWait bounds how long an instance waits for another instance's refresh (default 3 s).
	TokenWait time.Duration
}

// Client calls one app's API with a shared access token.
type Client struct {
	o ClientOptions
}

// NewClient checks the options.
func NewClient(o ClientOptions) (*Client, error) {
	if o.Base == "" || o.HTTP == nil || o.KV == nil || o.Key == "" || o.Fetch == nil || o.Clock == nil {
		return nil, errors.New("wxofficial: client needs Base, HTTP, KV, Clock, Key and Fetch")
	}
	if _, err := url.Parse(o.Base); err != nil {
		return nil, fmt.Errorf("wxofficial: api base %q: %w", o.Base, err)
	}
	o.Base = strings.TrimRight(o.Base, "/")
	if o.TokenWait <= 0 {
		o.TokenWait = 3 * time.Second
	}
	return &Client{o: o}, nil
}

// Base is the API host the client calls.
func (c *Client) Base() string { return c.o.Base }

// Call sends one request with the shared token and decodes the JSON answer into out (may be nil).
// A token the platform calls invalid or expired is dropped from the KV and the call is made once
// more with a fresh one. body is nil for GET; for POST it is JSON unless contentType says otherwise.
func (c *Client) Call(ctx context.Context, method, path string, q url.Values, body func() (io.Reader, string, error), out any) error {
	for attempt := 0; ; attempt++ {
		tok, err := c.Token(ctx)
		if err != nil {
			return err
		}
		err = c.callWith(ctx, tok, method, path, q, body, out)
		if attempt == 0 && tokenInvalid(Code(err)) {
			c.dropToken(ctx, tok)
			continue
		}
		return err
	}
}

func (c *Client) callWith(ctx context.Context, tok, method, path string, q url.Values, body func() (io.Reader, string, error), out any) error {
	qq := url.Values{}
	for k, v := range q {
		qq[k] = v
	}
	qq.Set("access_token", tok)
	var rd io.Reader
	ct := ""
	if body != nil {
		var err error
		if rd, ct, err = body(); err != nil {
			return err
		}
	}
	return c.Do(ctx, method, path, qq, rd, ct, out)
}

// Do sends one request without a token (the token calls themselves) and decodes the answer.
func (c *Client) Do(ctx context.Context, method, path string, q url.Values, body io.Reader, contentType string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.o.Base+"/cgi-bin/"+path+"?"+q.Encode(), body)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.o.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", path, scrubURL(err))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("%s: read answer: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d", path, resp.StatusCode)
	}
	return decode(path, b, out)
}

// decode reads {"errcode","errmsg"} and, when the call succeeded, the rest into out.
func decode(path string, b []byte, out any) error {
	var e struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		return fmt.Errorf("%s: answer is not JSON: %w", path, err)
	}
	if e.ErrCode != 0 {
		return &APIError{API: path, Code: e.ErrCode, Msg: e.ErrMsg}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// JSONBody encodes v as a request body without HTML escaping (Chinese text and "<" stay as they are).
func JSONBody(v any) func() (io.Reader, string, error) {
	return func() (io.Reader, string, error) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return nil, "", fmt.Errorf("wxofficial: encode body: %w", err)
		}
		return &buf, "application/json; charset=utf-8", nil
	}
}

// scrubURL keeps tokens and secrets out of error texts: url.Error carries the full URL.
func scrubURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		u, perr := url.Parse(ue.URL)
		if perr == nil {
			u.RawQuery = ""
			return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
		}
	}
	return err
}
