package app

import (
	"context"
	"errors"
	"fmt"

	"qinqi/bot"
	"qinqi/bot/wechat"
	"qinqi/internal/config"
)

// runServe is production: every configured WeChat account, the inbox and outbox, and the scheduler.
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
	if len(cfg.WeChat.Accounts) == 0 {
		return errors.New("wechat.accounts is empty: serve needs at least one WeChat account (try `qinqi demo` for the console)")
	}
	log := newLogger(cfg, io.Err)
	comp, err := buildCore(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer comp.stop()
	limits, err := bot.LimitsFromConfig(cfg.Outbox)
	if err != nil {
		return err
	}
	wo := wechatOptions(cfg, comp, io)
	if ts := cfg.WeChat.TestServer; ts != "" {
		log.Warn("wechat.test_server is set: every WeChat request goes to the test server", "addr", ts)
		wo.HTTPTransport = wechat.RedirectTransport(ts)
	}
	wx, err := wechat.New(wo)
	if err != nil {
		return err
	}
	accounts := make([]bot.Account, 0, len(cfg.WeChat.Accounts))
	for _, a := range cfg.WeChat.Accounts {
		accounts = append(accounts, bot.Account{Name: a.Name, Messenger: wx, Limits: limits})
	}
	p, err := comp.pipeline(accounts)
	if err != nil {
		return err
	}
	if cfg.SchedulerOn() && !*noScheduler {
		if err := comp.startScheduler(ctx); err != nil {
			return err
		}
	}
	log.Info("qinqi serving", "accounts", len(accounts), "driver", cfg.Database.Driver, "redis_in_process", comp.kv.InProcess())
	if err := p.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("transport stopped: %w", err)
	}
	log.Info("qinqi stopped")
	return nil
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
