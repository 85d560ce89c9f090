package app

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"qinqi/bot"
	"qinqi/bot/mp"
	"qinqi/bot/wecom"
	"qinqi/bot/wxofficial"
	"qinqi/internal/config"
	"qinqi/internal/server"
	"qinqi/store"
)

// official is a channel on an official platform: a messenger with a callback URL and a health report.
type official interface {
	bot.Messenger
	http.Handler
	Account() string
	Health() wxofficial.Health
}

// officialRoute is where each official channel's platform posts its callbacks.
var officialRoute = map[string]string{wecom.Transport: "/wecom/callback", mp.Transport: "/mp/callback"}

func instanceName() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s:%d", host, os.Getpid())
}

// newWeCom builds the WeCom / 政务微信 app of the config.
func newWeCom(cfg config.Config, comp *components) (*wecom.Channel, error) {
	w := cfg.WeCom
	return wecom.New(wecom.Options{Account: w.Name, CorpID: w.CorpID, AgentID: w.AgentID, Secret: w.Secret,
		Token: w.Token, AESKey: w.AESKey, APIBase: w.APIBase, KV: comp.kv, Clock: comp.clock, Logger: comp.log,
		Instance: instanceName()})
}

// newMP builds the 服务号 of the config.
func newMP(cfg config.Config, kv wxofficial.KV, comp *components) (*mp.Channel, error) {
	m := cfg.MP
	tpl := map[string]mp.Template{}
	for purpose, t := range m.Templates {
		tpl[purpose] = mp.Template{ID: t.ID, Fields: t.Fields, MaxRunes: t.MaxRunes}
	}
	return mp.New(mp.Options{Account: m.Name, AppID: m.AppID, Secret: m.Secret, Token: m.Token, AESKey: m.AESKey,
		APIBase: m.APIBase, Templates: tpl, KV: kv, Clock: comp.clock, Logger: comp.log, Instance: instanceName()})
}

// officialAccounts builds the configured official channels as outbox accounts, each counted by
// the metrics, with its own limits.
func officialAccounts(cfg config.Config, comp *components, met *server.Metrics) ([]bot.Account, []official, error) {
	var accts []bot.Account
	var chans []official
	if cfg.WeCom.On() {
		ch, err := newWeCom(cfg, comp)
		if err != nil {
			return nil, nil, err
		}
		lim, err := bot.ChannelLimitsFromConfig(cfg.Outbox, cfg.WeCom.Limits, 0)
		if err != nil {
			return nil, nil, fmt.Errorf("wecom.limits: %w", err)
		}
		accts, chans = append(accts, bot.Account{Name: ch.Account(), Messenger: met.Messenger(ch), Limits: lim}), append(chans, ch)
	}
	if cfg.MP.On() {
		ch, err := newMP(cfg, comp.kv, comp)
		if err != nil {
			return nil, nil, err
		}
		lim, err := bot.ChannelLimitsFromConfig(cfg.Outbox, cfg.MP.Limits, cfg.MP.HoldMax)
		if err != nil {
			return nil, nil, fmt.Errorf("mp.limits: %w", err)
		}
		accts, chans = append(accts, bot.Account{Name: ch.Account(), Messenger: met.Messenger(ch), Limits: lim}), append(chans, ch)
	}
	return accts, chans, nil
}

// startHTTP serves the callbacks, /healthz and /metrics.
func startHTTP(cfg config.Config, comp *components, chans []official, met *server.Metrics) (*server.Server, error) {
	routes := map[string]http.Handler{}
	for _, ch := range chans {
		routes[officialRoute[ch.Name()]] = ch
	}
	return server.Start(server.Options{Listen: cfg.HTTP.Listen, Logger: comp.log, Routes: routes, Metrics: met,
		Checks: []server.Check{{Name: "database", Ping: comp.store.Ping}, {Name: "redis", Ping: comp.kv.Ping}},
		Channels: func() []any {
			out := make([]any, 0, len(chans))
			for _, ch := range chans {
				out = append(out, ch.Health())
			}
			return out
		}})
}

// backlog is what /metrics reports as waiting.
func backlog(s *store.Store) server.Backlog {
	return func(ctx context.Context) (int64, map[string]int64, error) {
		in, err := s.CountInbox(ctx, store.InNew)
		if err != nil {
			return 0, nil, err
		}
		counts, err := s.OutboxCounts(ctx)
		if err != nil {
			return 0, nil, err
		}
		out := map[string]int64{}
		for _, c := range counts {
			if c.Status == store.OutPending {
				out[c.Account] += c.N
			}
		}
		return in, out, nil
	}
}
