package app

import (
	"context"
	"errors"
	"fmt"
	goio "io"
	"os"
	"strings"
	"time"

	"golang.org/x/text/width"

	"qinqi/bot"
	"qinqi/bot/console"
	"qinqi/internal/clock"
	"qinqi/internal/seed"
	"qinqi/scheduler"
	"qinqi/store"
)

// runDemo is the embedded default: a SQLite file, in-process Redis, the sample county and a console
// chat. Reading a script (--script, or standard input that is not a terminal), the console echoes
// each line before its replies, so the transcript reads on its own. Ctrl-C ends it at once.
//
// With --at the demo runs on a clock that stands still at that moment (a replayed script prints the
// same transcript every time) and that a console line "# advance 3d" moves; with --scheduler too,
// the jobs run as the clock passes their slots instead of on the wall clock.
func runDemo(ctx context.Context, args []string, io IO) error {
	var c common
	fs := newFlags("demo", "[--db FILE] [--script FILE] [--scheduler] [--at TIME]", io)
	c.register(fs)
	script := fs.String("script", "", "read chat lines from FILE instead of standard input")
	withJobs := fs.Bool("scheduler", false, "also run the scheduled jobs (their messages go to the console)")
	at := fs.String("at", "", `run on a demo clock standing at this Asia/Shanghai time (2027-01-20T09:00); a console line "# advance 3d" (or 2h, 30m) moves it and runs the jobs due on the way`)
	now := fs.String("now", "", "the older name of --at")
	if err := parse(fs, args); err != nil {
		return err
	}
	clk, err := demoClock(*at, *now)
	if err != nil {
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
	comp, err := buildCoreAt(ctx, cfg, newLogger(cfg, io.Err), true, clk)
	if err != nil {
		return err
	}
	defer comp.stop()
	if err := loadDemoCounty(ctx, comp, io); err != nil {
		return err
	}
	return runDemoChat(ctx, comp, *script, *withJobs, io)
}

// runDemoChat runs the console chat, with the scheduler when asked: on cron for the real clock,
// driven by "# advance" lines for the demo clock.
func runDemoChat(ctx context.Context, comp *components, script string, withJobs bool, io IO) error {
	in, interactive, closeIn, err := demoInput(script, io)
	if err != nil {
		return err
	}
	defer closeIn()
	drv := &demoDriver{}
	opts := console.Options{Clock: comp.clock, FileDir: comp.cfg.Outbox.FileDir, Echo: !interactive}
	if fake, ok := comp.clock.(*clock.Fake); ok {
		drv.clk, opts.Advance = fake, drv.advance
	}
	con := console.New(in, io.Out, opts)
	p, err := comp.pipeline([]bot.Account{{
		Name: console.Account, Messenger: con, Limits: console.Limits(comp.cfg.Outbox), Trusted: true,
	}})
	if err != nil {
		return err
	}
	drv.pipe = p
	switch {
	case withJobs && drv.clk != nil:
		if err := comp.buildRunner(); err != nil {
			return err
		}
		drv.runner = comp.runner
	case withJobs:
		if err := comp.startScheduler(ctx); err != nil {
			return err
		}
	}
	if err := printDemoBanner(ctx, comp, io.Err); err != nil {
		return err
	}
	if err := p.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// demoInput is the script file, or standard input; interactive when that is a terminal (the
// typed line is already on the screen: no echo).
func demoInput(script string, io IO) (goio.Reader, bool, func(), error) {
	if script == "" {
		stdin, isFile := io.In.(*os.File)
		return io.In, isFile && isTerminal(stdin), func() {}, nil
	}
	f, err := os.Open(script)
	if err != nil {
		return nil, false, nil, fmt.Errorf("cannot read the script: %w", err)
	}
	return f, false, func() { _ = f.Close() }, nil
}

// demoDriver moves the demo clock for the console's "# advance" lines.
type demoDriver struct {
	clk    *clock.Fake
	runner *scheduler.Runner // nil without --scheduler: the clock just moves
	pipe   *bot.Pipeline
}

// advance moves the clock by d; with the scheduler, every job due on the way runs at its moment
// and its messages are out before the next one runs, so the transcript reads in time order.
func (d *demoDriver) advance(ctx context.Context, step time.Duration) error {
	if d.runner == nil {
		d.clk.Advance(step)
		return nil
	}
	d.runner.Advance(ctx, d.clk, step, d.settle)
	return ctx.Err()
}

// settle delivers what the jobs queued so far (a cancelled context ends the wait; advance reports it).
func (d *demoDriver) settle(ctx context.Context) {
	d.pipe.Outbox().Wake("")
	_ = d.pipe.WaitIdle(ctx)
}

// demoClock is the real clock, or with --at (or its older name --now) a fake one standing at that time.
func demoClock(at, now string) (clock.Clock, error) {
	flag := "--at"
	switch {
	case at != "" && now != "" && at != now:
		return nil, fmt.Errorf("--at %q and --now %q disagree: give one of them", at, now)
	case at == "" && now == "":
		return clock.Real{}, nil
	case at == "":
		at, flag = now, "--now"
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, at, clock.Shanghai); err == nil {
			return clock.NewFake(t), nil
		}
	}
	return nil, fmt.Errorf("%s %q: want a time like 2027-01-20T09:00 (Asia/Shanghai)", flag, at)
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

// printDemoBanner shows how to type messages, quoting people of each role from the database the
// demo opened (a county's own database has other codes than the sample one).
func printDemoBanner(ctx context.Context, comp *components, w goio.Writer) error {
	ex, err := comp.store.RoleExamples(ctx, comp.clock.Now())
	if err != nil {
		return fmt.Errorf("demo banner: %w", err)
	}
	fmt.Fprint(w, demoBanner(ex))
	return nil
}

// demoBanner is the banner text; a role nobody has is left out.
func demoBanner(ex store.RoleExamples) string {
	type line struct{ msg, who string }
	var lines []line
	if ex.Cadre.ID != 0 {
		lines = append(lines, line{"@" + ex.Cadre.Code + " 我的亲戚", "干部 " + ex.Cadre.Name + " (cadre)"})
		if ex.Household != "" {
			lines = append(lines, line{"@" + ex.Cadre.Code + " 走访 " + ex.Household + " 送米面油 折合300元", "报告走访 (report a visit)"})
		}
	}
	if ex.Head.ID != 0 {
		lines = append(lines, line{"@" + ex.Head.Code + " 我的干部", "户主 " + ex.Head.Name + " (household head)"})
	}
	if ex.Coord.ID != 0 {
		lines = append(lines, line{"@" + ex.Coord.Code + " 统计", "协调员 " + ex.Coord.Name + " (coordinator)"})
	}
	if ex.Admin.ID != 0 {
		lines = append(lines, line{"@" + ex.Admin.Code + " 帮助", "管理员 " + ex.Admin.Name + " (admin)"})
	}
	var b strings.Builder
	if len(lines) == 0 {
		b.WriteString("qinqi demo — 这个数据库里还没有人员，请先导入人员表 (no people in this database: import the people sheet first).\n")
	} else {
		b.WriteString(`qinqi demo — 输入 "@<人员编号> <消息>"，例如 (type "@<person-code> <message>", e.g.):` + "\n")
	}
	col := 0
	for _, l := range lines {
		col = max(col, displayWidth(l.msg))
	}
	for _, l := range lines {
		fmt.Fprintf(&b, "  %s%s  %s\n", l.msg, strings.Repeat(" ", col-displayWidth(l.msg)), l.who)
	}
	b.WriteString("Ctrl-C 或 Ctrl-D 结束 (end).\n")
	return b.String()
}

// displayWidth counts columns on a terminal: Chinese characters take two.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
