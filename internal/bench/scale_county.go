package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"qinqi/internal/clock"
	"qinqi/internal/seed"
	"qinqi/store"
)

// The scaling suites (scan, plan, rss) run on seeded synthetic counties. A million pairings with twenty
// million check-ins take about twenty minutes to seed on two cores, so a MariaDB county is kept between
// runs in its own database, qinqi_bench_scan_<size>, and recognised by the comment written on the
// database once seeding completed (its spec plus the row counts). A missing or unfinished county is
// seeded (an interrupted seed resumes). SQLite counties live in the run's temporary directory.
//
// The same county, by hand:
//
//	mysql -e "CREATE DATABASE qinqi_bench_scan_1m CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
//	QINQI_MYSQL_DSN='root@tcp(127.0.0.1:3306)/qinqi_bench_scan_1m' qinqi seed --households 900000 \
//	    --cadres 100000 --seed 1 --history 20 --start 2026-01-01 --until 2028-01-01
//
// (the bench then adds the comment after checking the load is complete, which costs one more pass).

// benchStart and benchUntil bound every county's diary; the jobs run on a fake clock a few days after.
var (
	benchStart = clock.Date(2026, time.January, 1)
	benchUntil = clock.Date(2028, time.January, 1)
)

// scaleCounty is one seeded database of the scaling suites.
type scaleCounty struct {
	name  string // MariaDB database, or SQLite file stem
	label string // 10k, 100k, 1m
	opts  seed.Options
}

// countyRows are what a seeded county holds.
type countyRows struct {
	Pairings, CheckIns, Cadres int64
	Resumed                    bool // the seed found a diary already there (an earlier, unmarked or interrupted load)
}

// scanCounty is the county with about n pairings: 0.9 n households (second cadres and relays make 1.11
// pairings per household), a cadre per ten pairings, and a diary of about twenty check-ins each.
func scanCounty(n int) scaleCounty {
	return scaleCounty{
		name:  "qinqi_bench_scan_" + sizeLabel(n),
		label: sizeLabel(n),
		opts: seed.Options{Households: max(1, n*9/10), Cadres: max(1, n/10), Seed: 1, History: 20,
			Start: benchStart, Until: benchUntil, Workers: 2},
	}
}

// scaleSizes are the county sizes up to scale: 10k, 100k, 1m, or scale itself when it is below 10k.
func scaleSizes(scale int) []int {
	if scale <= 0 {
		scale = 1_000_000
	}
	var out []int
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		if n <= scale {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		out = []int{scale}
	}
	return out
}

func sizeLabel(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dm", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// spec names the seed options; a county whose comment starts with it is complete.
func (c scaleCounty) spec() string {
	o := c.opts
	return fmt.Sprintf("qinqi bench county v1: households=%d cadres=%d seed=%d history=%d start=%s until=%s",
		o.Households, o.Cadres, o.Seed, o.History, o.Start.Format(time.DateOnly), o.Until.Format(time.DateOnly))
}

// openMySQL takes the county's lock (see lockCounty) and opens its database, seeding it first when it is
// missing or unfinished; took is the seeding time (zero when the county was reused). release closes the
// store and gives the lock back.
func (c scaleCounty) openMySQL(ctx context.Context, env Env) (st *store.Store, n countyRows, took time.Duration, release func(), err error) {
	unlock, err := lockCounty(ctx, env, c.name)
	if err != nil {
		return nil, n, 0, nil, err
	}
	st, n, took, err = c.openLockedMySQL(ctx, env)
	if err != nil {
		unlock()
		return nil, n, 0, nil, err
	}
	return st, n, took, func() { _ = st.Close(); unlock() }, nil
}

func (c scaleCounty) openLockedMySQL(ctx context.Context, env Env) (st *store.Store, n countyRows, took time.Duration, err error) {
	admin, err := sql.Open("mysql", env.MySQLDSN)
	if err != nil {
		return nil, n, 0, fmt.Errorf("bench: mysql admin: %w", err)
	}
	defer admin.Close()
	var comment string
	err = admin.QueryRowContext(ctx, "SELECT SCHEMA_COMMENT FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", c.name).Scan(&comment)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = admin.ExecContext(ctx, "CREATE DATABASE "+c.name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
	case err == nil && comment != "" && !strings.HasPrefix(comment, c.spec()):
		// seeded with other options: start again rather than mix two counties
		if _, err = admin.ExecContext(ctx, "DROP DATABASE "+c.name); err == nil {
			comment = ""
			_, err = admin.ExecContext(ctx, "CREATE DATABASE "+c.name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
		}
	}
	if err != nil {
		return nil, n, 0, fmt.Errorf("bench: county %s: %w", c.name, err)
	}
	st, err = store.Open(ctx, store.Options{Driver: store.DriverMySQL, DSN: withDB(env.MySQLDSN, c.name),
		Logger: env.Log, MaxOpen: 20})
	if err != nil {
		return nil, n, 0, err
	}
	if rest, ok := strings.CutPrefix(comment, c.spec()+" | "); ok {
		if _, err := fmt.Sscanf(rest, "pairings=%d check-ins=%d", &n.Pairings, &n.CheckIns); err == nil {
			n.Cadres = int64(c.opts.Cadres)
			return st, n, 0, nil
		}
	}
	began := time.Now()
	if n, err = c.seed(ctx, env, st); err != nil {
		_ = st.Close()
		return nil, n, 0, err
	}
	mark := fmt.Sprintf("%s | pairings=%d check-ins=%d", c.spec(), n.Pairings, n.CheckIns)
	if _, err := admin.ExecContext(ctx, "ALTER DATABASE "+c.name+" COMMENT = '"+mark+"'"); err != nil { // our own text, no quotes
		_ = st.Close()
		return nil, n, 0, fmt.Errorf("bench: mark county %s: %w", c.name, err)
	}
	return st, n, time.Since(began), nil
}

// openSQLite seeds the county into the run's temporary directory, once per run.
func (c scaleCounty) openSQLite(ctx context.Context, env Env) (st *store.Store, n countyRows, took time.Duration, err error) {
	path := filepath.Join(env.TempDir, c.name+".db")
	mark := path + ".seeded"
	st, err = store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: path, Logger: env.Log})
	if err != nil {
		return nil, n, 0, err
	}
	if b, err := os.ReadFile(mark); err == nil {
		if _, err := fmt.Sscanf(string(b), "pairings=%d check-ins=%d", &n.Pairings, &n.CheckIns); err == nil {
			n.Cadres = int64(c.opts.Cadres)
			return st, n, 0, nil
		}
	}
	began := time.Now()
	if n, err = c.seed(ctx, env, st); err != nil {
		_ = st.Close()
		return nil, n, 0, err
	}
	if err := os.WriteFile(mark, fmt.Appendf(nil, "pairings=%d check-ins=%d", n.Pairings, n.CheckIns), 0o644); err != nil {
		_ = st.Close()
		return nil, n, 0, err
	}
	return st, n, time.Since(began), nil
}

func (c scaleCounty) seed(ctx context.Context, env Env, st *store.Store) (countyRows, error) {
	env.Log.Warn("seeding a bench county (kept for later runs on MariaDB); a million pairings take about 20 minutes",
		"county", c.name, "households", c.opts.Households, "cadres", c.opts.Cadres, "history", c.opts.History)
	if err := st.Migrate(ctx); err != nil {
		return countyRows{}, err
	}
	resumed, err := st.HasCheckIns(ctx)
	if err != nil {
		return countyRows{}, err
	}
	org, err := seed.Generate(ctx, st, c.opts)
	if err != nil {
		return countyRows{}, err
	}
	cis, err := st.CountCheckIns(ctx)
	if err != nil {
		return countyRows{}, err
	}
	return countyRows{Pairings: org.Pairings, CheckIns: cis, Cadres: int64(c.opts.Cadres), Resumed: resumed}, nil
}

// open picks the backend; release closes the store (and gives a MariaDB county's lock back).
func (c scaleCounty) open(ctx context.Context, env Env, backend string) (*store.Store, countyRows, time.Duration, func(), error) {
	if backend == "mariadb" {
		return c.openMySQL(ctx, env)
	}
	st, n, took, err := c.openSQLite(ctx, env)
	if err != nil {
		return nil, n, 0, nil, err
	}
	return st, n, took, func() { _ = st.Close() }, nil
}

// seededRow reports a county that had to be seeded in this run.
func seededRow(suite, backend string, c scaleCounty, n countyRows, took time.Duration) Row {
	row := Row{Suite: suite, Case: fmt.Sprintf("seed county %s (once, then reused)", c.label), Backend: backend,
		Value: took.Seconds(), Unit: "s",
		Extra: fmt.Sprintf("%d pairings, %d cadres, %d check-ins, %.0f check-ins/s overall (seed --history %d, 2 writers)",
			n.Pairings, n.Cadres, n.CheckIns, float64(n.CheckIns)/max(took.Seconds(), 1e-9), c.opts.History)}
	if n.Resumed {
		row.Case = fmt.Sprintf("finish county %s (diary found, resumed)", c.label)
		row.Extra = fmt.Sprintf("%d pairings, %d cadres, %d check-ins; the organisation upserted again and every page of pairings checked, "+
			"missing diaries written (not a loading rate)", n.Pairings, n.Cadres, n.CheckIns)
	}
	return row
}

// upkeep brings a reused county to the current schema (a county seeded by an older qinqi gets its
// summaries built by the migration) and prunes its summaries as the weekly summary-prune job would
// have by at (zero: no pruning), reporting each step that did any work with its time.
func (c scaleCounty) upkeep(ctx context.Context, rep *Report, suite, backend string, st *store.Store, at time.Time) error {
	pending, err := st.PendingMigrations(ctx)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		began := time.Now()
		if err := st.Migrate(ctx); err != nil {
			return err
		}
		rep.Add(Row{Suite: suite, Case: fmt.Sprintf("migrate county %s (once)", c.label), Backend: backend,
			Value: time.Since(began).Seconds(), Unit: "s", Extra: "applied " + strings.Join(pending, ", ")})
	}
	if at.IsZero() {
		return nil
	}
	began := time.Now()
	n, err := st.PruneSummaries(ctx, at.Add(-store.SummaryHorizon))
	if err != nil {
		return err
	}
	if n > 0 {
		rep.Add(Row{Suite: suite, Case: fmt.Sprintf("prune summaries %s (weekly job)", c.label), Backend: backend,
			Value: time.Since(began).Seconds(), Unit: "s",
			Extra: fmt.Sprintf("%d rows rewritten without the entries before %s", n, at.Add(-store.SummaryHorizon).Format(time.DateOnly))})
	}
	return nil
}

// withDB replaces the database name in a go-sql-driver DSN.
func withDB(dsn, db string) string {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return dsn
	}
	cfg.DBName = db
	return cfg.FormatDSN()
}
