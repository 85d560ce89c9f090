package bench

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"qinqi/bot/wechat/wxfake"
	"qinqi/store"
)

// The rss suite measures the real `qinqi serve` binary, as an operator runs it, on the 100k county:
// the production configuration (MariaDB, Redis when given, the scheduler with its start-up catch-up,
// default outbox limits) with one change, wechat.test_server, which sends every WeChat request to the
// fake WeChat server (bot/wechat/wxfake) this process runs on 127.0.0.1. The bot account there has 10,000
// friends, WeChat's cap for one personal account, each remarked "qq-<code>" for a coordinator or cadre
// of the county, so the login maps 10,000 identities as a real login would. Serve runs on the real clock:
// its catch-up runs today's overdue scan over the county (whose diary, 2026-01 to 2027-12, has entries
// after today that the scan ignores). After the log says the scan is done and the login mapped the
// friends, 500 cadres ask 我的亲戚; when every one has its reply queued the suite waits --duration more
// and reads VmHWM (peak) and VmRSS (now) from /proc/PID/status, then stops serve with SIGTERM.
const (
	rssFriends  = 10_000 // WeChat's friend cap for one personal account
	rssMessages = 500    // inbound 我的亲戚 after the login
	rssTimeout  = 20 * time.Minute
)

func rssSuite() Suite {
	return Suite{Name: "scale_rss",
		What: "resident memory of the real `qinqi serve` with 100,000 pairings: start-up, catch-up overdue scan, WeChat login with 10,000 friends (fake server), 500 queries",
		Run:  runRSS}
}

func runRSS(ctx context.Context, env Env, rep *Report) error {
	env.Log = orDiscard(env.Log)
	backend := "sqlite"
	if env.MySQLDSN != "" {
		backend = "mariadb"
	}
	n := 0
	for _, s := range scaleSizes(env.Scale) {
		if s <= 100_000 {
			n = s
		}
	}
	c := scanCounty(max(n, scaleSizes(env.Scale)[0]))
	st, rows, took, release, err := c.open(ctx, env, backend)
	if err != nil {
		return err
	}
	defer release()
	if took > 0 {
		rep.Add(seededRow("scale_rss", backend, c, rows, took))
	}
	// Not pruned: serve runs on the real clock, which may be before the county's diary ends.
	if err := c.upkeep(ctx, rep, "scale_rss", backend, st, time.Time{}); err != nil {
		return err
	}
	if err := st.ClearJobOutput(ctx); err != nil { // so the catch-up runs today's scan again
		return err
	}
	bin, err := qinqiBinary(ctx, env)
	if err != nil {
		return err
	}
	acct := rssAccount(c)
	fake := wxfake.New(acct)
	defer fake.Close()
	fake.SetPollWait(25 * time.Second) // as the real synccheck long poll
	cfg, prefix, err := writeServeConfig(env, c, backend, fake.Addr())
	if err != nil {
		return err
	}
	defer dropKeys(env, prefix)
	m, err := measureServe(ctx, env, bin, cfg, st, fake, cadreKeys(acct))
	if err != nil {
		return err
	}
	rep.Add(rssRow(backend, c, rows, m))
	return nil
}

// rssAccount is the fake bot account: friends remarked for the coordinators, the admin and the cadres
// (codes as internal/seed writes them), up to rssFriends.
func rssAccount(c scaleCounty) wxfake.Account {
	var codes []string
	for i := range max(2, (c.opts.Cadres+29)/30) { // one coordinator per top-level unit of 30 cadres
		codes = append(codes, fmt.Sprintf("K%04d", i+1))
	}
	codes = append(codes, "A0001")
	for i := 0; i < c.opts.Cadres && len(codes) < rssFriends; i++ {
		codes = append(codes, fmt.Sprintf("G%06d", i+1))
	}
	a := wxfake.Account{Uin: 7001, UserName: "@bench0001", NickName: "亲戚助手"}
	for i, code := range codes {
		a.Friends = append(a.Friends, wxfake.Contact{UserName: fmt.Sprintf("@%032x", i+1), NickName: "微信" + code, RemarkName: store.RemarkPrefix + code})
	}
	return a
}

// qinqiBinary is this executable when it is qinqi; under `go test` it builds one.
func qinqiBinary(ctx context.Context, env Env) (string, error) {
	exe, err := os.Executable()
	if err == nil && !strings.HasSuffix(exe, ".test") {
		return exe, nil
	}
	out := filepath.Join(env.TempDir, "qinqi")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "qinqi")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("bench: build qinqi: %w\n%s", err, b)
	}
	return out, nil
}

// dropKeys deletes the keys the serve run wrote under its own prefix.
func dropKeys(env Env, prefix string) {
	if prefix == "" {
		return
	}
	kv, err := store.OpenKV(context.Background(), store.KVOptions{Addr: env.RedisAddr, Prefix: prefix})
	if err != nil {
		return
	}
	_ = kv.DropAll(context.Background())
	_ = kv.Close()
}

// writeServeConfig is the production configuration with the database, Redis (a fresh key prefix,
// returned so the run's keys can be dropped) and the one bot account on the fake; everything else is
// the built-in default.
func writeServeConfig(env Env, c scaleCounty, backend, wxAddr string) (path, prefix string, err error) {
	db := fmt.Sprintf("  driver: sqlite\n  path: %q\n", filepath.Join(env.TempDir, c.name+".db"))
	if backend == "mariadb" {
		db = fmt.Sprintf("  driver: mysql\n  dsn: %q\n", withDB(env.MySQLDSN, c.name))
	}
	redis := ""
	if env.RedisAddr != "" {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		prefix = "qinqi-bench-rss-" + hex.EncodeToString(b) + ":"
		redis = fmt.Sprintf("redis:\n  addr: %q\n  prefix: %q\n", env.RedisAddr, prefix)
	}
	dir := filepath.Join(env.TempDir, "serve")
	y := fmt.Sprintf("database:\n%s%swechat:\n  accounts:\n    - name: bot1\n      hot_login_file: %q\n  test_server: %q\n"+
		"inbox:\n  spool_dir: %q\noutbox:\n  file_dir: %q\nlog:\n  level: info\n",
		db, redis, filepath.Join(dir, "bot1.json"), wxAddr, filepath.Join(dir, "spool"), filepath.Join(dir, "files"))
	path = filepath.Join(env.TempDir, "serve.yaml")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	return path, prefix, os.WriteFile(path, []byte(y), 0o600)
}

// serveRun is what one serve run showed.
type serveRun struct {
	hwm, rss    float64 // MB
	scan        string  // the overdue scan's log attributes (duration, counts)
	friends     string  // the identity remap's log attributes
	replies     int     // replies queued for the 500 queries
	sent        int     // messages the fake received
	startup     time.Duration
	queriesTook time.Duration
}

// measureServe starts serve, waits for its scan and login, sends the queries, waits, reads /proc, stops.
func measureServe(ctx context.Context, env Env, bin, cfg string, st *store.Store, fake *wxfake.Server, cadres []string) (serveRun, error) {
	ctx, cancel := context.WithTimeout(ctx, rssTimeout)
	defer cancel()
	cmd := exec.Command(bin, "serve", "-config", cfg)
	cmd.Dir = env.TempDir
	cmd.Env = serveEnv()
	logs, pw := io.Pipe()
	cmd.Stderr, cmd.Stdout = pw, io.Discard
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return serveRun{}, fmt.Errorf("bench: start serve: %w", err)
	}
	w := watchLog(logs)
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); _ = pw.Close(); close(exited) }() // EOF on the log when serve ends
	defer stopServe(cmd, exited, w)
	var (
		r   serveRun
		err error
	)
	if r.scan, err = w.wait(ctx, `msg="job done" job=overdue-scan`); err != nil {
		return r, err
	}
	if r.friends, err = w.wait(ctx, `msg="wechat: identities re-mapped"`); err != nil {
		return r, err
	}
	r.startup = time.Since(began)
	sentBefore := len(fake.Sent())
	if r.replies, r.queriesTook, err = sendQueries(ctx, st, fake, cadres); err != nil {
		return r, fmt.Errorf("%w\nserve log tail:\n%s", err, w.tail())
	}
	select {
	case <-time.After(env.Duration):
	case <-ctx.Done():
		return r, ctx.Err()
	}
	pid := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	r.hwm, r.rss = statusFieldMB(pid, "VmHWM"), statusFieldMB(pid, "VmRSS")
	r.sent = len(fake.Sent()) - sentBefore
	if r.hwm == 0 {
		return r, errors.New("bench: cannot read serve's /proc status (not Linux?)")
	}
	return r, nil
}

// serveEnv drops QINQI_* variables, which would override the written configuration.
func serveEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "QINQI_") {
			out = append(out, kv)
		}
	}
	return out
}

// sendQueries has the first rssMessages cadre friends ask 我的亲戚 and waits until each has a reply queued.
func sendQueries(ctx context.Context, st *store.Store, fake *wxfake.Server, cadres []string) (int, time.Duration, error) {
	before, err := replyCount(ctx, st)
	if err != nil {
		return 0, 0, err
	}
	began := time.Now()
	want := min(rssMessages, len(cadres))
	for _, key := range cadres[:want] {
		fake.QueueText(7001, key, "我的亲戚")
	}
	for {
		n, err := replyCount(ctx, st)
		if err != nil {
			return 0, 0, err
		}
		if n-before >= want {
			return n - before, time.Since(began), nil
		}
		select {
		case <-ctx.Done():
			return n - before, 0, fmt.Errorf("bench: %d of %d queries answered before the deadline", n-before, want)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// cadreKeys are the user names of the cadre friends (remark qq-G…), in order.
func cadreKeys(a wxfake.Account) []string {
	var out []string
	for _, f := range a.Friends {
		if strings.HasPrefix(f.RemarkName, store.RemarkPrefix+"G") {
			out = append(out, f.UserName)
		}
	}
	return out
}

// replyCount counts queued replies (the outbox rows of priority reply).
func replyCount(ctx context.Context, st *store.Store) (int, error) {
	n, err := st.CountOutboxReplies(ctx)
	return int(n), err
}

func rssRow(backend string, c scaleCounty, n countyRows, r serveRun) Row {
	return Row{Suite: "scale_rss", Case: fmt.Sprintf("qinqi serve peak RSS, %s county", c.label), Backend: backend,
		Value: r.hwm, Unit: "MB", Target: "< 200 MB", Met: Met(r.hwm < 200),
		Extra: fmt.Sprintf("VmHWM of the serve process (its lifetime peak); VmRSS %.0f MB at the end; %d pairings, %d check-ins; "+
			"catch-up overdue scan [%s]; login [%s]; ready after %s; %d queries answered in %s; %d messages reached the fake WeChat",
			r.rss, n.Pairings, n.CheckIns, r.scan, r.friends, r.startup.Round(time.Second), r.replies, r.queriesTook.Round(100*time.Millisecond), r.sent)}
}

// logWatch reads serve's log lines and lets the suite wait for one.
type logWatch struct {
	mu    sync.Mutex
	lines []string
	more  chan struct{}
	done  chan struct{}
}

func watchLog(r io.Reader) *logWatch {
	w := &logWatch{more: make(chan struct{}, 1), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			w.mu.Lock()
			w.lines = append(w.lines, sc.Text())
			w.mu.Unlock()
			select {
			case w.more <- struct{}{}:
			default:
			}
		}
	}()
	return w
}

var logAttr = regexp.MustCompile(`(duration|counts|friends|kept|by_remark|unknown)=("[^"]*"|\S+)`)

// wait returns the interesting attributes of the first line containing marker; a failed job or an
// exited serve ends the wait with the log's tail.
func (w *logWatch) wait(ctx context.Context, marker string) (string, error) {
	for {
		w.mu.Lock()
		for _, l := range w.lines {
			if strings.Contains(l, marker) {
				w.mu.Unlock()
				return strings.Join(logAttr.FindAllString(l, -1), " "), nil
			}
			if strings.Contains(l, `msg="job failed"`) {
				w.mu.Unlock()
				return "", fmt.Errorf("bench: serve logged an error:\n%s", w.tail())
			}
		}
		w.mu.Unlock()
		select {
		case <-w.more:
		case <-w.done:
			return "", fmt.Errorf("bench: serve exited before %s:\n%s", marker, w.tail())
		case <-ctx.Done():
			return "", fmt.Errorf("bench: no %s before the deadline:\n%s", marker, w.tail())
		}
	}
}

func (w *logWatch) tail() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.lines[max(0, len(w.lines)-30):], "\n")
}

// stopServe asks serve to stop (SIGTERM), kills it after 30 s, and waits for the end of its log.
func stopServe(cmd *exec.Cmd, exited <-chan struct{}, w *logWatch) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
	<-w.done
}
