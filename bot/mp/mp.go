// Package mp is the 服务号 (verified WeChat official account) channel for households: they follow
// the county's 服务号, bind by scanning the QR code on the contact card the cadre leaves, and write
// to it like to a person. The platform allows customer-service messages only within 48 hours of
// the household's last message; outside that window only approved template messages, one per
// purpose, may be sent, and anything else is held until the household writes again. The fake
// platform is in mpfake.
package mp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"qinqi/bot"
	"qinqi/bot/wxofficial"
	"qinqi/internal/clock"
)

// Transport is the Message.Transport of this channel.
const Transport = "mp"

// DefaultAPIBase is the official accounts' API host.
const DefaultAPIBase = "https://api.weixin.qq.com"

// Window is how long after a household's last message customer-service messages may be sent.
const Window = 48 * time.Hour

// windowMargin keeps qinqi's view of the window a little shorter than the platform's, so a message
// sent at the edge does not arrive just after it closed.
const windowMargin = 10 * time.Minute

// Template is an approved template message for one purpose: its id and which of its keywords
// carries what ("text": the message, clipped to MaxRunes; "time": when it was sent).
type Template struct {
	ID       string
	Fields   map[string]string
	MaxRunes int // default 20, the platform's limit for a "thing" keyword
}

// Options configure one 服务号.
type Options struct {
	Account   string // the bot account name rows are keyed by (e.g. "mp")
	AppID     string
	Secret    string
	Token     string              // 服务器配置 → 令牌(Token)
	AESKey    string              // 服务器配置 → 消息加解密密钥 (安全模式)
	APIBase   string              // default DefaultAPIBase
	Templates map[string]Template // purpose (PurposeRequest …) → template
	HoldWait  time.Duration       // how often a held message is looked at again (default 15 min)
	HTTP      *http.Client
	KV        wxofficial.KV
	Clock     clock.Clock
	Logger    *slog.Logger
	Instance  string
}

// Channel is one 服务号 as a bot.Messenger plus its callback handler.
type Channel struct {
	o      Options
	log    *slog.Logger
	crypto *wxofficial.Crypto
	api    *wxofficial.Client
	health *wxofficial.Monitor
	types  wxofficial.OnceSet

	mu      sync.Mutex
	deliver func(context.Context, bot.Message)
	ctx     context.Context
}

// New checks the options.
func New(o Options) (*Channel, error) {
	if o.Account == "" || o.AppID == "" || o.Secret == "" {
		return nil, errors.New("mp: account, app_id and secret are required")
	}
	if o.KV == nil || o.Clock == nil {
		return nil, errors.New("mp: KV and Clock are required")
	}
	for purpose, t := range o.Templates {
		if t.ID == "" || len(t.Fields) == 0 {
			return nil, fmt.Errorf("mp: template for %q needs an id and fields", purpose)
		}
	}
	if o.APIBase == "" {
		o.APIBase = DefaultAPIBase
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 20 * time.Second}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.HoldWait <= 0 {
		o.HoldWait = 15 * time.Minute
	}
	cr, err := wxofficial.NewCrypto(o.Token, o.AESKey, o.AppID)
	if err != nil {
		return nil, fmt.Errorf("mp: callback settings: %w", err)
	}
	c := &Channel{o: o, log: o.Logger.With("channel", Transport, "account", o.Account), crypto: cr}
	c.api, err = wxofficial.NewClient(wxofficial.ClientOptions{Base: o.APIBase, HTTP: o.HTTP, KV: o.KV, Clock: o.Clock,
		Key: "mp:token:" + o.AppID, Fetch: c.fetchToken, Instance: o.Instance})
	if err != nil {
		return nil, fmt.Errorf("mp: %w", err)
	}
	c.health = wxofficial.NewMonitor(o.KV, o.Clock, Transport, o.Account, o.APIBase)
	return c, nil
}

// Name is "mp".
func (c *Channel) Name() string { return Transport }

// Account is the bot account name of this 服务号.
func (c *Channel) Account() string { return c.o.Account }

// Health is the account's current state (also published to the KV).
func (c *Channel) Health() wxofficial.Health { return c.health.Snapshot() }

// Receive hands verified callbacks to h until ctx ends, and keeps the health report fresh.
func (c *Channel) Receive(ctx context.Context, h func(context.Context, bot.Message)) error {
	c.mu.Lock()
	c.deliver, c.ctx = h, ctx
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.deliver, c.ctx = nil, nil
		c.mu.Unlock()
	}()
	c.health.Publish(ctx)
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			c.health.Publish(ctx)
		}
	}
}

func (c *Channel) receiving() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.deliver != nil
}

// AcceptFriend: following a 服务号 needs no acceptance.
func (c *Channel) AcceptFriend(context.Context, bot.Message) error {
	return errors.New("mp: no friend requests on this channel")
}

// fetchToken is POST /cgi-bin/stable_token: unlike the plain token call it does not invalidate
// the token other instances hold.
func (c *Channel) fetchToken(ctx context.Context, api *wxofficial.Client) (string, time.Duration, error) {
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	body, ct, err := wxofficial.JSONBody(map[string]any{"grant_type": "client_credential", "appid": c.o.AppID,
		"secret": c.o.Secret, "force_refresh": false})()
	if err != nil {
		return "", 0, err
	}
	if err := api.Do(ctx, http.MethodPost, "stable_token", nil, body, ct, &out); err != nil {
		return "", 0, err
	}
	if out.AccessToken == "" {
		return "", 0, errors.New("stable_token: empty token")
	}
	return out.AccessToken, time.Duration(out.ExpiresIn) * time.Second, nil
}

// windowKey holds the time of a household's last message (Unix seconds); the value is compared
// with the clock, the TTL only cleans up.
func (c *Channel) windowKey(openid string) string { return "mp:window:" + c.o.Account + ":" + openid }

// touch opens (or extends) a household's 48-hour window.
func (c *Channel) touch(ctx context.Context, openid string, at time.Time) {
	if err := c.o.KV.Set(ctx, c.windowKey(openid), strconv.FormatInt(at.Unix(), 10), Window+time.Hour); err != nil {
		c.log.Warn("48-hour window not recorded; messages to this household use templates", "err", err)
	}
}

// inWindow reports whether a customer-service message may reach openid now.
func (c *Channel) inWindow(ctx context.Context, openid string) bool {
	v, err := c.o.KV.Get(ctx, c.windowKey(openid))
	if err != nil {
		return false
	}
	sec, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return false
	}
	return c.o.Clock.Now().Sub(time.Unix(sec, 0)) < Window-windowMargin
}
