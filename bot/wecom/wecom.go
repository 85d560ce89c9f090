// Package wecom is the WeCom (企业微信) channel, and with api_base set to the province's host the
// 政务微信 channel: a self-built app receives its members' messages on an HTTP callback and answers
// through message/send. Cadres, coordinators and unit heads use it, from the WeCom app or from
// personal WeChat through the organisation's 微信插件. The fake platform is in wecomfake.
package wecom

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"qinqi/bot"
	"qinqi/bot/wxofficial"
	"qinqi/internal/clock"
)

// Transport is the Message.Transport of this channel; chat identities are stored under it.
const Transport = "wecom"

// DefaultAPIBase is the public WeCom host; 政务微信 deployments set their province's host.
const DefaultAPIBase = "https://qyapi.weixin.qq.com"

// Options configure one self-built app.
type Options struct {
	Account  string // the bot account name rows are keyed by (e.g. "wecom")
	CorpID   string // 企业ID
	AgentID  string // the app's AgentId
	Secret   string // the app's Secret
	Token    string // 接收消息 → Token
	AESKey   string // 接收消息 → EncodingAESKey
	APIBase  string // default DefaultAPIBase
	HTTP     *http.Client
	KV       wxofficial.KV
	Clock    clock.Clock
	Logger   *slog.Logger
	Instance string // names this process in the token lock
}

// Channel is one WeCom app as a bot.Messenger plus its callback handler.
type Channel struct {
	o      Options
	log    *slog.Logger
	crypto *wxofficial.Crypto
	api    *wxofficial.Client
	health *wxofficial.Monitor
	agent  int
	types  wxofficial.OnceSet

	mu      sync.Mutex
	deliver func(context.Context, bot.Message) // set while Receive runs
	ctx     context.Context
}

// New checks the options; nothing is fetched until the first send.
func New(o Options) (*Channel, error) {
	if o.Account == "" || o.CorpID == "" || o.AgentID == "" || o.Secret == "" {
		return nil, errors.New("wecom: account, corp_id, agent_id and secret are required")
	}
	if o.KV == nil || o.Clock == nil {
		return nil, errors.New("wecom: KV and Clock are required")
	}
	agent, err := parseAgent(o.AgentID)
	if err != nil {
		return nil, err
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
	cr, err := wxofficial.NewCrypto(o.Token, o.AESKey, o.CorpID)
	if err != nil {
		return nil, fmt.Errorf("wecom: callback settings: %w", err)
	}
	c := &Channel{o: o, log: o.Logger.With("channel", Transport, "account", o.Account), crypto: cr, agent: agent}
	c.api, err = wxofficial.NewClient(wxofficial.ClientOptions{Base: o.APIBase, HTTP: o.HTTP, KV: o.KV, Clock: o.Clock,
		Key: "wecom:token:" + o.CorpID + ":" + o.AgentID, Fetch: c.fetchToken, Instance: o.Instance})
	if err != nil {
		return nil, fmt.Errorf("wecom: %w", err)
	}
	c.health = wxofficial.NewMonitor(o.KV, o.Clock, Transport, o.Account, o.APIBase)
	return c, nil
}

func parseAgent(s string) (int, error) {
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil || n <= 0 {
		return 0, fmt.Errorf("wecom: agent_id %q is not a positive number", s)
	}
	return n, nil
}

// Name is "wecom".
func (c *Channel) Name() string { return Transport }

// Account is the bot account name of this app.
func (c *Channel) Account() string { return c.o.Account }

// Health is the app's current state (also published to the KV).
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

// AcceptFriend: WeCom members are the organisation's staff; there are no friend requests.
func (c *Channel) AcceptFriend(context.Context, bot.Message) error {
	return errors.New("wecom: no friend requests on this channel")
}

// fetchToken is GET /cgi-bin/gettoken.
func (c *Channel) fetchToken(ctx context.Context, api *wxofficial.Client) (string, time.Duration, error) {
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	q := map[string][]string{"corpid": {c.o.CorpID}, "corpsecret": {c.o.Secret}}
	if err := api.Do(ctx, http.MethodGet, "gettoken", q, nil, "", &out); err != nil {
		return "", 0, err
	}
	if out.AccessToken == "" {
		return "", 0, errors.New("gettoken: empty token")
	}
	return out.AccessToken, time.Duration(out.ExpiresIn) * time.Second, nil
}

// receiving reports whether Receive is running (tests wait for it).
func (c *Channel) receiving() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.deliver != nil
}
