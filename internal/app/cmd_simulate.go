package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/sim"
	"qinqi/store"
)

// runSimulate runs a synthetic county through the calendar on a fake clock and prints the month-by-month report.
func runSimulate(ctx context.Context, args []string, io IO) error {
	fs := newFlags("simulate", "[flags]", io)
	var c common
	c.register(fs)
	from := fs.String("from", "2026-01-01", "first simulated day (YYYY-MM-DD)")
	to := fs.String("to", "2026-12-31", "last simulated day")
	hh := fs.Int("households", 2000, "households in the synthetic county")
	cadres := fs.Int("cadres", 1200, "cadres in the synthetic county")
	seedN := fs.Int64("seed", 1, "random seed: the same seed gives the same report")
	mysqlDSN := fs.String("mysql", "", "run against this MySQL/MariaDB database (must be empty) instead of a temporary SQLite file")
	liars := fs.Float64("liars", 0.03, "share of cadres who log visits that did not happen")
	report := fs.Float64("report-prob", 0.92, "share of real contacts the cadres report")
	late := fs.Float64("late", 0.25, "share of reports sent one to five days late")
	chat := fs.Float64("chat-share", 0.3, "share of households whose head is on chat; the rest are phoned from the call-back list")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to FILE (go tool pprof)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	start, err1 := time.ParseInLocation(time.DateOnly, *from, clock.Shanghai)
	end, err2 := time.ParseInLocation(time.DateOnly, *to, clock.Shanghai)
	if err1 != nil || err2 != nil || end.Before(start) {
		return fmt.Errorf("--from and --to must be dates as YYYY-MM-DD, --from not after --to")
	}
	if *chat <= 0 || *chat > 1 {
		return fmt.Errorf("--chat-share must be more than 0 and at most 1 (got %g)", *chat)
	}
	cfg, err := c.load()
	if err != nil {
		return err
	}
	opts := store.Options{Driver: store.DriverSQLite, Logger: newLogger(cfg, io.Err)}
	if *mysqlDSN != "" {
		opts.Driver, opts.DSN = store.DriverMySQL, *mysqlDSN
	} else {
		dir, err := os.MkdirTemp("", "qinqi-sim-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		opts.DSN = filepath.Join(dir, "sim.db")
	}
	st, err := store.Open(ctx, opts)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	kv, err := store.OpenKV(ctx, store.KVOptions{})
	if err != nil {
		return err
	}
	defer kv.Close()
	rep, err := sim.Run(ctx, st, kv, sim.Options{From: start, To: end, Households: *hh, Cadres: *cadres, Seed: *seedN,
		LiarShare: *liars, ReportProb: *report, LateShare: *late, ChatShare: *chat, Config: &cfg})
	if err != nil {
		return err
	}
	rep.Format(io.Out)
	if *mysqlDSN != "" {
		at := cfg
		at.Database.Driver, at.Database.DSN = store.DriverMySQL, *mysqlDSN
		fmt.Fprintf(io.Err, "写入 (wrote to) %s\n", dbLabel(at))
	}
	return nil
}
