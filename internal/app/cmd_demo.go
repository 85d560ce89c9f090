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
	"qinqi/store"
)

// runDemo is the embedded default: a SQLite file, in-process Redis, the sample county and a console
// chat. Reading a script (--script, or standard input that is not a terminal), the console echoes
// each line before its replies, so the transcript reads on its own. Ctrl-C ends it at once.
func runDemo(ctx context.Context, args []string, io IO) error {
	var c common
	fs := newFlags("demo", "[--db FILE] [--script FILE] [--scheduler] [--now TIME]", io)
	c.register(fs)
	script := fs.String("script", "", "read chat lines from FILE instead of standard input")
	withJobs := fs.Bool("scheduler", false, "also run the scheduled jobs (their messages go to the console)")
	now := fs.String("now", "", "run at this Asia/Shanghai time (2026-11-23T10:00) on a clock that stands still, so a replayed script prints the same transcript every time")
	if err := parse(fs, args); err != nil {
		return err
	}
	clk, err := demoClock(*now)
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
	log := newLogger(cfg, io.Err)
	comp, err := buildCoreAt(ctx, cfg, log, true, clk)
	if err != nil {
		return err
	}
	defer comp.stop()
	if err := loadDemoCounty(ctx, comp, io); err != nil {
		return err
	}
	// on a terminal the typed line is already on the screen: no echo
	stdin, isFile := io.In.(*os.File)
	in, interactive := io.In, *script == "" && isFile && isTerminal(stdin)
	if *script != "" {
		f, err := os.Open(*script)
		if err != nil {
			return fmt.Errorf("cannot read the script: %w", err)
		}
		defer f.Close()
		in = f
	}
	con := console.New(in, io.Out, console.Options{Clock: comp.clock, FileDir: cfg.Outbox.FileDir, Echo: !interactive})
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
	if err := printDemoBanner(ctx, comp, io.Err); err != nil {
		return err
	}
	if err := p.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// demoClock is the real clock, or with --now a fake one standing at that time.
func demoClock(now string) (clock.Clock, error) {
	if now == "" {
		return clock.Real{}, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, now, clock.Shanghai); err == nil {
			return clock.NewFake(t), nil
		}
	}
	return nil, fmt.Errorf("--now %q: want a time like 2026-11-23T10:00 (Asia/Shanghai)", now)
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
