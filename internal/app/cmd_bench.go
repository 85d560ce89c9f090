package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"qinqi/internal/bench"
)

// runBench measures qinqi against the machine's ceilings and prints one row per figure.
func runBench(ctx context.Context, args []string, io IO) error {
	fs := newFlags("bench", "[--suite a,b] [--mysql DSN] [--redis ADDR] [--duration 10s] [--scale N]", io)
	var names []string
	for _, s := range bench.Suites() {
		names = append(names, s.Name)
	}
	suites := fs.String("suite", "", "comma-separated suites to run (default all): "+strings.Join(names, ", "))
	env := bench.Env{}
	fs.StringVar(&env.MySQLDSN, "mysql", "", "also measure MariaDB/MySQL through this server-level DSN, e.g. root@tcp(127.0.0.1:3306)/ (qinqi_bench_* databases are created and dropped, except the scan counties qinqi_bench_scan_10k/100k/1m, kept for the next run: drop them to reclaim the space)")
	fs.StringVar(&env.RedisAddr, "redis", "", "also measure Redis at this address, e.g. 127.0.0.1:6379 (keys under a qinqi-bench- prefix)")
	fs.DurationVar(&env.Duration, "duration", 10*time.Second, "how long each timed case runs")
	fs.IntVar(&env.Scale, "scale", 1_000_000, "largest pairing count for the scaling suites")
	fs.IntVar(&env.Households, "households", 2000, "households in the county the check-in suite seeds")
	fs.Float64Var(&env.Rate, "rate", 500, "messages per second of the check-in suite's open-loop run")
	fs.IntVar(&env.InboxWorkers, "inbox-workers", 0, "inbox serial queues in the check-in suite (0: what serve uses by default on each database, 1 on SQLite and 4 on MariaDB)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to FILE (go tool pprof; samples carry suite, backend and senders labels)")
	if err := parse(fs, args); err != nil {
		return err
	}
	run, err := pickSuites(*suites)
	if err != nil {
		fmt.Fprintln(io.Err, err)
		return errUsage
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	dir, err := os.MkdirTemp("", "qinqi-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	env.TempDir = dir
	env.Log = slog.New(slog.NewTextHandler(io.Err, &slog.HandlerOptions{Level: slog.LevelWarn, ReplaceAttr: beijingTime}))
	return runSuites(ctx, env, run, io)
}

// pickSuites resolves --suite against the table; empty means every suite.
func pickSuites(list string) ([]bench.Suite, error) {
	all := bench.Suites()
	if strings.TrimSpace(list) == "" {
		return all, nil
	}
	var out []bench.Suite
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		found := false
		for _, s := range all {
			if s.Name == name {
				out, found = append(out, s), true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown suite %q", name)
		}
	}
	return out, nil
}

// runSuites prints the header and every suite's rows; a failing suite does not stop the others,
// but the command then exits non-zero.
func runSuites(ctx context.Context, env bench.Env, suites []bench.Suite, io IO) error {
	bench.Header(io.Out, time.Now())
	fmt.Fprintf(io.Out, "each timed case runs %s; sqlite always%s%s\n", env.Duration, optional(", mariadb", env.MySQLDSN), optional(", redis", env.RedisAddr))
	rep := bench.NewReport(io.Out)
	var failed []string
	for _, s := range suites {
		start := time.Now()
		var err error
		// labels let `go tool pprof -tagfocus=suite:checkin,backend:mariadb,senders:8$` cut one case out of a --cpuprofile
		pprof.Do(ctx, pprof.Labels("suite", s.Name), func(ctx context.Context) { err = s.Run(ctx, env, rep) })
		if err != nil {
			failed = append(failed, s.Name)
			fmt.Fprintf(io.Out, "%-9s | FAILED after %s: %v\n", s.Name, time.Since(start).Round(time.Second), err)
			if ctx.Err() != nil {
				break
			}
			continue
		}
		fmt.Fprintf(io.Out, "%-9s | done in %s\n", s.Name, time.Since(start).Round(100*time.Millisecond))
	}
	rep.Summary(io.Out)
	if len(failed) > 0 {
		return errors.New("failed suites: " + strings.Join(failed, ", "))
	}
	return nil
}

func optional(label, value string) string {
	if value == "" {
		return ""
	}
	return label
}
