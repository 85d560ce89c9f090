package bench

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/scheduler"
	"qinqi/store"
)

// scanAt is the slot of the measured overdue scan: 08:30 (escalation.scan_at) on the fifth day after the
// counties' diaries end, so December's reports count, January's are not yet due, and the pairings that
// went quiet (about 8%) are overdue: the scan raises their alerts and queues the digests, as it would.
var scanAt = benchUntil.AddDate(0, 0, 4).Add(8*time.Hour + 30*time.Minute)

// scanSuite times the daily overdue scan job as serve builds it (scheduler.Jobs with the default
// configuration) on a fake clock, over counties of growing size; the alerts and outbox rows it writes
// are part of the job and counted. Nothing is sent: the outbox is not running.
func scanSuite() Suite {
	return Suite{Name: "scale_scan",
		What: "daily overdue scan (the production job) over 10k, 100k and 1m pairings with ~20 check-ins each: seconds, pairings/s, peak memory",
		Run:  runScan}
}

func runScan(ctx context.Context, env Env, rep *Report) error {
	env.Log = orDiscard(env.Log)
	for _, backend := range scaleBackends(env) {
		var base *jobTiming
		for _, n := range backendSizes(env, backend) {
			t, err := scanCountyOnce(ctx, env, rep, backend, scanCounty(n), base)
			if err != nil {
				return err
			}
			if base == nil {
				base = &t
			}
		}
	}
	return nil
}

// scaleBackends: MariaDB when a DSN is given (the target backend), SQLite always at the small size.
func scaleBackends(env Env) []string {
	if env.MySQLDSN != "" {
		return []string{"sqlite", "mariadb"}
	}
	return []string{"sqlite"}
}

// backendSizes: every size up to --scale on MariaDB, the smallest on SQLite (its file lives in the run's
// temporary directory and is seeded each run).
func backendSizes(env Env, backend string) []int {
	sizes := scaleSizes(env.Scale)
	if backend == "sqlite" {
		return sizes[:1]
	}
	return sizes
}

// scanCountyOnce opens (or seeds) the county, clears the jobs' output, and times the scan twice: the
// first run of the day raises every alert, the second finds them raised and writes nothing. The 1m
// county on MariaDB is then timed again with the recommended innodb_buffer_pool_size (scale_pool.go).
func scanCountyOnce(ctx context.Context, env Env, rep *Report, backend string, c scaleCounty, base *jobTiming) (jobTiming, error) {
	st, n, took, release, err := c.open(ctx, env, backend)
	if err != nil {
		return jobTiming{}, err
	}
	defer release()
	if took > 0 {
		rep.Add(seededRow("scale_scan", backend, c, n, took))
	}
	if err := c.upkeep(ctx, rep, "scale_scan", backend, st, scanAt); err != nil {
		return jobTiming{}, err
	}
	var pool poolSizes
	note := ""
	if backend == "mariadb" {
		if pool, err = countyPool(ctx, env, c); err != nil {
			return jobTiming{}, err
		}
		note = fmt.Sprintf("innodb_buffer_pool_size %s (the server's setting; scan working set %s, recommended %s)",
			mb(pool.current), mb(pool.workingSet), mb(pool.recommended))
	}
	first, err := timeScans(ctx, env, rep, st, backend, c, n, base, "", note)
	if err != nil {
		return first, err
	}
	if backend == "mariadb" && c.label == "1m" {
		if err := scanWithRecommendedPool(ctx, env, rep, st, c, n, pool); err != nil {
			return first, err
		}
	}
	if backend == "mariadb" && base == nil { // the smallest county: where the first run's time goes
		err = countJobSQL(ctx, env, rep, "scale_scan", c, "overdue-scan", scanAt, func(r scheduler.Result) (string, int) {
			return "digests", r["messages"] // the writes go per recipient; the reads per 1,000 pairings
		})
	}
	return first, err
}

// timeScans clears the jobs' output and times the first run of the day and a second run.
func timeScans(ctx context.Context, env Env, rep *Report, st *store.Store, backend string, c scaleCounty, n countyRows,
	base *jobTiming, suffix, note string) (jobTiming, error) {
	if err := st.ClearJobOutput(ctx); err != nil {
		return jobTiming{}, err
	}
	job, err := productionJob(st, scanAt, "overdue-scan", env.Log)
	if err != nil {
		return jobTiming{}, err
	}
	first, err := timeJob(ctx, job, scanAt)
	if err != nil {
		return first, fmt.Errorf("bench: overdue scan on %s: %w", c.name, err)
	}
	rep.Add(withNote(scanRow(backend, c, n, first, base, "first run of the day"+suffix), note))
	again, err := timeJob(ctx, job, scanAt)
	if err != nil {
		return first, fmt.Errorf("bench: overdue scan again on %s: %w", c.name, err)
	}
	rep.Add(withNote(scanRow(backend, c, n, again, nil, "again, alerts already raised"+suffix), note))
	return first, nil
}

// scanWithRecommendedPool times the 1m scan once more with the buffer pool the README recommends
// (after one untimed run that loads the working set, as on a server that has been up for a day), then
// puts the server's own setting back. A server already at or above it is not touched.
func scanWithRecommendedPool(ctx context.Context, env Env, rep *Report, st *store.Store, c scaleCounty, n countyRows, pool poolSizes) error {
	if pool.current >= pool.recommended {
		rep.Add(Row{Suite: "scale_scan", Case: fmt.Sprintf("overdue scan %s, recommended buffer pool", c.label), Backend: "mariadb",
			Value: float64(pool.current) / (1 << 20), Unit: "MB",
			Extra: fmt.Sprintf("not measured again: innodb_buffer_pool_size %s is already at least the recommended %s", mb(pool.current), mb(pool.recommended))})
		return nil
	}
	admin, err := sql.Open("mysql", env.MySQLDSN)
	if err != nil {
		return fmt.Errorf("bench: mysql admin: %w", err)
	}
	defer admin.Close()
	return withPoolSize(ctx, admin, pool.current, pool.recommended, func() error {
		job, err := productionJob(st, scanAt, "overdue-scan", env.Log)
		if err != nil {
			return err
		}
		if _, err := job.Run(ctx, scanAt); err != nil { // warm-up, untimed
			return fmt.Errorf("bench: warm-up scan on %s: %w", c.name, err)
		}
		note := fmt.Sprintf("innodb_buffer_pool_size %s, the recommended size (scan working set %s × %.2f), set for this row and "+
			"then put back to %s; after one untimed warm-up scan", mb(pool.recommended), mb(pool.workingSet), poolHeadroom, mb(pool.current))
		_, err = timeScans(ctx, env, rep, st, "mariadb", c, n, nil, ", recommended buffer pool", note)
		return err
	})
}

func withNote(r Row, note string) Row {
	if note != "" {
		r.Extra += "; " + note
	}
	return r
}

func mb(bytes int64) string { return fmt.Sprintf("%.0f MB", float64(bytes)/(1<<20)) }

func scanRow(backend string, c scaleCounty, n countyRows, t jobTiming, base *jobTiming, what string) Row {
	secs := t.took.Seconds()
	pairings := t.res["pairings"]
	alerts := 0
	for k, v := range t.res {
		if strings.HasPrefix(k, "alerts_") {
			alerts += v
		}
	}
	extra := fmt.Sprintf("%d active pairings, %.0f/s, %.1f µs each; %d check-ins in the county; %d overdue, %d alerts and %d outbox rows written; %s",
		pairings, float64(pairings)/max(secs, 1e-9), 1e6*secs/float64(max(pairings, 1)), n.CheckIns, t.res["overdue"], alerts, t.res["messages"], t.mem)
	if base != nil && base.res["pairings"] > 0 {
		extra += fmt.Sprintf("; ×%.1f the time of the smallest county for ×%.1f the pairings", secs/max(base.took.Seconds(), 1e-9),
			float64(pairings)/float64(base.res["pairings"]))
	}
	row := Row{Suite: "scale_scan", Case: fmt.Sprintf("overdue scan %s, %s", c.label, what), Backend: backend, Value: secs, Unit: "s", Extra: extra}
	if c.label == "1m" { // issue 14: both the first day and a normal day, with either buffer pool
		row.Target = "< 10 s and < 300 MB"
		row.Met = Met(secs < 10 && t.mem.PeakRSS < 300)
	}
	return row
}

// productionJob builds the scheduler's jobs as serve does (scheduler.Jobs, default configuration for
// st's database) on a fake clock standing at `at`, and returns the one named.
func productionJob(st *store.Store, at time.Time, name string, log *slog.Logger) (scheduler.Job, error) {
	cfg := config.Defaults()
	cfg.Database.Driver = st.Driver()
	jobs, err := scheduler.Jobs(scheduler.Deps{Store: st, Clock: clock.NewFake(at), Config: cfg, Log: log})
	if err != nil {
		return nil, err
	}
	for _, j := range jobs {
		if j.Name() == name {
			return j, nil
		}
	}
	return nil, fmt.Errorf("bench: no scheduler job %q", name)
}

// jobTiming is one run of a job: wall time, its counts and the process memory meanwhile.
type jobTiming struct {
	took time.Duration
	res  scheduler.Result
	mem  memPeak
}

func timeJob(ctx context.Context, job scheduler.Job, at time.Time) (jobTiming, error) {
	w := watchMemory()
	began := time.Now()
	res, err := job.Run(ctx, at)
	t := jobTiming{took: time.Since(began), res: res}
	t.mem = w.end()
	if t.res == nil {
		t.res = scheduler.Result{}
	}
	return t, err
}

func orDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// countJobSQL runs the job once more on a connection pool that goes through the counting relay (after
// clearing the jobs' output, so it does the first run's writes again) and reports the statements it sent:
// untimed, it says where a run's time goes. per names the unit the breakdown divides by.
func countJobSQL(ctx context.Context, env Env, rep *Report, suite string, c scaleCounty, name string, at time.Time,
	per func(scheduler.Result) (string, int)) error {
	_, _, _, release, err := c.openMySQL(ctx, env) // seeds the county when this suite runs alone; holds its lock
	if err != nil {
		return err
	}
	defer release()
	cfg, err := mysql.ParseDSN(withDB(env.MySQLDSN, c.name))
	if err != nil {
		return err
	}
	ctr, err := startSQLCounter(cfg.Addr)
	if err != nil {
		return err
	}
	defer ctr.close()
	cfg.Addr, cfg.TLSConfig, cfg.TLS = ctr.addr(), "false", nil // the relay reads plain packets
	st, err := store.Open(ctx, store.Options{Driver: store.DriverMySQL, DSN: cfg.FormatDSN(), Logger: env.Log, MaxOpen: 20})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.ClearJobOutput(ctx); err != nil {
		return err
	}
	job, err := productionJob(st, at, name, env.Log)
	if err != nil {
		return err
	}
	before := ctr.snapshot()
	res, err := job.Run(ctx, at)
	if err != nil {
		return fmt.Errorf("bench: counting pass of %s: %w", name, err)
	}
	after := ctr.snapshot()
	unit, n := per(res)
	d := func(k string) int64 { return after[k] - before[k] }
	rep.Add(Row{Suite: suite, Case: fmt.Sprintf("SQL of one %s run, %s (counting relay)", name, c.label), Backend: "mariadb",
		Value: float64(d("statements")), Unit: "stmt",
		Extra: fmt.Sprintf("%d round trips, %d transactions, %d prepares; %d %s; per %s: %s",
			d("round trips"), d("BEGIN"), d("prepares"), n, unit, strings.TrimSuffix(unit, "s"), breakdown(before, after, max(n, 1)))})
	return nil
}
