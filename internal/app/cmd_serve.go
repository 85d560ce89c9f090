package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"qinqi/bot"
	"qinqi/bot/wechat"
	"qinqi/internal/config"
	"qinqi/internal/server"
	"qinqi/scheduler"
)

// runServe is production: the configured channels (WeCom / 政务微信, 服务号, WeChat accounts), the
// HTTP server for their callbacks, /healthz and /metrics, the inbox and outbox, and the scheduler.
func runServe(ctx context.Context, args []string, io IO) error {
	var c common
	fs := newFlags("serve", "-config FILE", io)
	c.register(fs)
	noScheduler := fs.Bool("no-scheduler", false, "do not run scheduled jobs in this instance")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := c.load()
	if err != nil {
		return err
	}
	if len(cfg.WeChat.Accounts) == 0 && !cfg.WeCom.On() && !cfg.MP.On() {
		return errors.New("no channel configured: set wecom.corp_id, mp.app_id or wechat.accounts (try `qinqi demo` for the console)")
	}
	log := newLogger(cfg, io.Err)
	comp, err := buildCore(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer comp.stop()
	met := server.NewMetrics(backlog(comp.store))
	comp.onJob = func(job string, at time.Time, res scheduler.Result, err error) { met.Job(job, at, res, err) }
	accounts, chans, err := officialAccounts(cfg, comp, met)
	if err != nil {
		return err
	}
	wxAccounts, err := wechatAccounts(cfg, comp, io, met)
	if err != nil {
		return err
	}
	accounts = append(accounts, wxAccounts...)
	p, err := comp.pipeline(accounts)
	if err != nil {
		return err
	}
	srv, err := startHTTP(cfg, comp, chans, met)
	if err != nil {
		return err
	}
	// Callbacks stop before the inbox does: one arriving later gets 503 and the platform retries.
	stopped := context.AfterFunc(ctx, func() { shutdownHTTP(srv, log) })
	defer func() {
		if stopped() {
			shutdownHTTP(srv, log)
		}
	}()
	if cfg.SchedulerOn() && !*noScheduler {
		if err := comp.startScheduler(ctx); err != nil {
			return err
		}
	}
	log.Info("qinqi serving", "accounts", len(accounts), "http", srv.Addr(), "driver", cfg.Database.Driver, "redis_in_process", comp.kv.InProcess())
	if err := p.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("transport stopped: %w", err)
	}
	log.Info("qinqi stopped")
	return nil
}

func shutdownHTTP(srv *server.Server, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		log.Warn("http server did not stop cleanly", "err", err)
	}
}

// wechatAccounts builds the personal WeChat accounts of the config, if any.
func wechatAccounts(cfg config.Config, comp *components, io IO, met *server.Metrics) ([]bot.Account, error) {
	if len(cfg.WeChat.Accounts) == 0 {
		return nil, nil
	}
	limits, err := bot.LimitsFromConfig(cfg.Outbox)
	if err != nil {
		return nil, err
	}
	log := comp.log
	wo := wechatOptions(cfg, comp, io)
	if ts := cfg.WeChat.TestServer; ts != "" {
		log.Warn("wechat.test_server is set: every WeChat request goes to the test server", "addr", ts)
		wo.HTTPTransport = wechat.RedirectTransport(ts)
	}
	wx, err := wechat.New(wo)
	if err != nil {
		return nil, err
	}
	counted := met.Messenger(wx)
	accounts := make([]bot.Account, 0, len(cfg.WeChat.Accounts))
	for _, a := range cfg.WeChat.Accounts {
		accounts = append(accounts, bot.Account{Name: a.Name, Messenger: counted, Limits: limits})
	}
	return accounts, nil
}

func wechatOptions(cfg config.Config, comp *components, io IO) wechat.Options {
	accts := make([]wechat.Account, 0, len(cfg.WeChat.Accounts))
	for _, a := range cfg.WeChat.Accounts {
		accts = append(accts, wechat.Account{Name: a.Name, HotLoginFile: a.HotLoginFile})
	}
	return wechat.Options{
		Accounts: accts, Directory: bot.WeChatDirectory{Store: comp.store}, KV: comp.kv, Clock: comp.clock, Logger: comp.log,
		WatchdogSilence: cfg.WeChat.WatchdogSilence,
		ReconnectMin:    cfg.WeChat.ReconnectMin, ReconnectMax: cfg.WeChat.ReconnectMax,
		QRWriter: io.Err,
	}
}
