package bench

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/store"
)

// Backends as printed in the rows.
const (
	backendSQLite  = "sqlite"
	backendMariaDB = "mariadb"
	backendRedis   = "redis"
)

// ceilingWriters and redisClients are the concurrency levels of the ceilings; the check-in suite
// compares its 1, 8 and 64 senders with the INSERT rows of the same level.
var (
	ceilingWriters = []int{1, 8, 64}
	redisClients   = []int{1, 64}
)

// ceilingSuite measures what the databases allow before qinqi adds anything: single-row INSERTs into
// the real check_ins table (its schema and indexes from store.Migrate) through database/sql with the
// same driver, DSN parameters, durability settings and pool size as store.Open (on SQLite its very
// handle, store.SQLiteDB, whose connections keep the INSERT prepared as qinqi's do), one row per
// autocommitted statement; and the Redis round trip.
func ceilingSuite() Suite {
	return Suite{Name: "ceiling", What: "raw single-row INSERT rate at 1, 8, 64 writers; Redis PING at 1, 64 clients", Run: runCeiling}
}

func runCeiling(ctx context.Context, env Env, rep *Report) error {
	backends := []string{backendSQLite}
	if env.MySQLDSN != "" {
		backends = append(backends, backendMariaDB)
	}
	for _, b := range backends {
		if err := insertCeilings(ctx, env, rep, b, ceilingWriters); err != nil {
			return err
		}
	}
	if env.RedisAddr == "" {
		return nil
	}
	for _, n := range redisClients {
		if err := redisCeiling(ctx, env, rep, n); err != nil {
			return err
		}
	}
	return nil
}

func insertCase(writers int) string { return "INSERT check_ins, " + nOf(writers, "writer") }

// insertCeiling returns the INSERT ceiling of backend at writers from an earlier row, or measures it
// now (adding its row), so `qinqi bench --suite checkin` prints ratios on its own.
func insertCeiling(ctx context.Context, env Env, rep *Report, backend string, writers int) (float64, error) {
	if v := rep.Ceiling("ceiling", insertCase(writers), backend); v > 0 {
		return v, nil
	}
	if err := insertCeilings(ctx, env, rep, backend, []int{writers}); err != nil {
		return 0, err
	}
	return rep.Ceiling("ceiling", insertCase(writers), backend), nil
}

// insertCeilings opens one fresh database of backend and measures each concurrency level in it.
func insertCeilings(ctx context.Context, env Env, rep *Report, backend string, levels []int) error {
	raw, err := openRaw(ctx, env, backend)
	if err != nil {
		return err
	}
	defer raw.close()
	for _, w := range levels {
		n, took, err := insertLoad(ctx, raw.db, w, env.Duration)
		if err != nil {
			return fmt.Errorf("bench: %s inserts at %d writers: %w", backend, w, err)
		}
		rep.Add(Row{Suite: "ceiling", Case: insertCase(w), Backend: backend, Value: perSecond(n, took), Unit: "rows/s",
			Extra: fmt.Sprintf("%d rows, autocommit, %s", n, raw.settings)})
	}
	return nil
}

// rawDB is a database/sql handle on a migrated scratch database.
type rawDB struct {
	db       *sql.DB
	settings string
	close    func()
}

func openRaw(ctx context.Context, env Env, backend string) (*rawDB, error) {
	if backend == backendMariaDB {
		return openRawMySQL(ctx, env)
	}
	return openRawSQLite(ctx, env)
}

func openRawSQLite(ctx context.Context, env Env) (*rawDB, error) {
	path := filepath.Join(env.TempDir, "ceiling-"+strconv.FormatInt(time.Now().UnixNano(), 36)+".db")
	if err := migrateScratch(ctx, env, store.DriverSQLite, path); err != nil {
		return nil, err
	}
	db, err := store.SQLiteDB(path)
	if err != nil {
		return nil, fmt.Errorf("bench: open sqlite: %w", err)
	}
	var journal string
	var syncMode, busy int
	err = db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&journal)
	if err == nil {
		err = db.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&syncMode)
	}
	if err == nil {
		err = db.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy)
	}
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("bench: read sqlite pragmas: %w", err)
	}
	settings := fmt.Sprintf("journal_mode=%s, synchronous=%d (1=NORMAL), busy_timeout=%d ms, _txlock=immediate, pool %d and prepared writes as store.Open",
		journal, syncMode, busy, store.SQLitePool)
	return &rawDB{db: db, settings: settings, close: func() { _ = db.Close() }}, nil
}

func openRawMySQL(ctx context.Context, env Env) (*rawDB, error) {
	dsn, drop, err := scratchDatabase(ctx, env.MySQLDSN, "ceiling")
	if err != nil {
		return nil, err
	}
	if err := migrateScratch(ctx, env, store.DriverMySQL, dsn); err != nil {
		drop()
		return nil, err
	}
	full, err := store.MySQLDSN(dsn)
	if err != nil {
		drop()
		return nil, err
	}
	db, err := sql.Open("mysql", full)
	if err != nil {
		drop()
		return nil, fmt.Errorf("bench: open mysql: %w", err)
	}
	pool := config.Defaults().Database.MaxOpen
	db.SetMaxOpenConns(pool) // as store.Open with the default database.max_open
	db.SetMaxIdleConns(pool / 2)
	settings, err := mysqlDurability(ctx, db)
	if err != nil {
		_ = db.Close()
		drop()
		return nil, err
	}
	return &rawDB{db: db, settings: fmt.Sprintf("%s, pool %d as store.Open", settings, pool), close: func() { _ = db.Close(); drop() }}, nil
}

// migrateScratch gives a scratch database qinqi's schema, so the ceiling writes the real table.
func migrateScratch(ctx context.Context, env Env, driver, dsn string) error {
	st, err := store.Open(ctx, store.Options{Driver: driver, DSN: dsn, Logger: env.Log})
	if err != nil {
		return err
	}
	defer st.Close()
	return st.Migrate(ctx)
}

const insertCheckIn = "INSERT INTO check_ins (pairing_id, cadre_id, household_id, kind, mode, occurred_at, reported_at, " +
	"text, items, value_fen, far, source_msg_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

// insertLoad writes check-in-shaped rows, one autocommitted statement each, from writers goroutines:
// a warm-up first, then d timed.
func insertLoad(ctx context.Context, db *sql.DB, writers int, d time.Duration) (int64, time.Duration, error) {
	seq := make([]int, writers)
	tag := strconv.FormatInt(time.Now().UnixNano(), 36)
	op := func(ctx context.Context, w int) error {
		seq[w]++
		i := seq[w]
		now := time.Now().In(clock.Shanghai)
		_, err := db.ExecContext(ctx, insertCheckIn, 1+i%2000, 1+w, 1+(i*7+w)%2000, "visit", "in_person", now, now,
			"看了看住房和身体，老人精神不错", "", 0, false, fmt.Sprintf("bench:%s:%d:%d", tag, w, i), now, now)
		return err
	}
	if _, _, err := closedLoop(ctx, writers, warmup(d), op); err != nil {
		return 0, 0, err
	}
	return closedLoop(ctx, writers, d, op)
}

// redisCeiling is the PING round trip at clients concurrent connections.
func redisCeiling(ctx context.Context, env Env, rep *Report, clients int) error {
	c := redis.NewClient(&redis.Options{Addr: env.RedisAddr, PoolSize: max(clients, 10), MinIdleConns: clients})
	defer c.Close()
	op := func(ctx context.Context, _ int) error { return c.Ping(ctx).Err() }
	if _, _, err := closedLoop(ctx, clients, warmup(env.Duration), op); err != nil {
		return fmt.Errorf("bench: redis ping: %w", err)
	}
	n, took, err := closedLoop(ctx, clients, env.Duration, op)
	if err != nil {
		return fmt.Errorf("bench: redis ping: %w", err)
	}
	rep.Add(Row{Suite: "ceiling", Case: "PING, " + nOf(clients, "client"), Backend: backendRedis, Value: perSecond(n, took),
		Unit: "ops/s", Extra: fmt.Sprintf("%d round trips, go-redis pool %d", n, max(clients, 10))})
	return nil
}
