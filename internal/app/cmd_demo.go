package app

import (
	"context"
	"errors"
	"fmt"
	"os"

	"qinqi/bot"
	"qinqi/bot/console"
	"qinqi/internal/seed"
)

// runDemo is the embedded default: a SQLite file, in-process Redis, the sample county and a console
// chat. Scripted when stdin is not a terminal or --script is given, so a session is reproducible.
func runDemo(ctx context.Context, args []string, io IO) error {
	var c common
	fs := newFlags("demo", "[--db FILE] [--script FILE] [--scheduler]", io)
	c.register(fs)
	script := fs.String("script", "", "read chat lines from FILE instead of standard input")
	withJobs := fs.Bool("scheduler", false, "also run the scheduled jobs (their messages go to the console)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := c.load()
	if err != nil {
		return err
	}
	// The demo is the embedded default whatever the environment says about production services.
	cfg.Database.Driver, cfg.Redis.Addr = "sqlite", ""
	if c.dbPath == "" {
		cfg.Database.Path = "qinqi-demo.db"
	}
	cfg.Log.Level = "warn" // the transcript on stdout stays clean; problems still reach stderr
	log := newLogger(cfg, io.Err)
	comp, err := buildCore(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer comp.stop()
	if err := loadDemoCounty(ctx, comp, io); err != nil {
		return err
	}
	in := io.In
	if *script != "" {
		f, err := os.Open(*script)
		if err != nil {
			return fmt.Errorf("cannot read the script: %w", err)
		}
		defer f.Close()
		in = f
	}
	con := console.New(in, io.Out, console.Options{Clock: comp.clock, FileDir: cfg.Outbox.FileDir})
	p, err := comp.pipeline([]bot.Account{{
		Name: console.Account, Messenger: con, Limits: console.Limits(cfg.Outbox), Trusted: true,
	}})
	if err != nil {
		return err
	}
	if *withJobs {
		if err := comp.startScheduler(ctx); err != nil {
			return err
		}
	}
	fmt.Fprint(io.Err, demoBanner)
	if err := p.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// loadDemoCounty seeds the sample county into an empty database; an existing one is kept as it is.
func loadDemoCounty(ctx context.Context, comp *components, io IO) error {
	n, err := comp.store.CountOrg(ctx)
	if err != nil {
		return err
	}
	if n.Households > 0 {
		return nil
	}
	if err := seed.Demo(ctx, comp.store, comp.clock.Now()); err != nil {
		return fmt.Errorf("loading the demo county: %w", err)
	}
	fmt.Fprintf(io.Err, "已载入示例县 (demo county loaded) into %s\n", comp.cfg.Database.Path)
	return nil
}

const demoBanner = `qinqi demo — 输入 "@<人员编号> <消息>"，例如 (type "@<person-code> <message>", e.g.):
  @P001 我的亲戚                          干部 陈建国 (cadre)
  @P001 走访 王春发 送米面油 折合300元      报告走访 (report a visit)
  @P101 我的干部                          户主 王春发 (household head)
  @P009 统计                              协调员 黄秀英 (coordinator)
  @P011 帮助                              管理员 赵磊 (admin)
Ctrl-D 结束 (end).
`
