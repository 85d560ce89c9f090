package bench

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// The scaling suites share the kept counties and clear the jobs' output before each run, so two bench
// runs on one server must not use a county at the same time (one would truncate the other's outbox and
// inbox mid-run). Each county is guarded by a MariaDB named lock, GET_LOCK('qinqi_bench:<county>'),
// held on its own connection while the suite uses the county; the lock is re-entrant within this
// process (a suite opening the same county twice counts up).
var countyLocks = struct {
	sync.Mutex
	held map[string]*countyLock
}{held: map[string]*countyLock{}}

type countyLock struct {
	db   *sql.DB
	conn *sql.Conn
	refs int
}

// lockCounty takes the county's lock, waiting while another bench run holds it; release gives it back.
func lockCounty(ctx context.Context, env Env, name string) (release func(), err error) {
	countyLocks.Lock()
	defer countyLocks.Unlock()
	if l := countyLocks.held[name]; l != nil {
		l.refs++
		return func() { unlockCounty(name) }, nil
	}
	db, err := sql.Open("mysql", env.MySQLDSN)
	if err != nil {
		return nil, fmt.Errorf("bench: county lock: %w", err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("bench: county lock: %w", err)
	}
	key := "qinqi_bench:" + name
	var free sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT IS_FREE_LOCK(?)", key).Scan(&free); err == nil && free.Int64 == 0 {
		env.Log.Warn("another bench run is using this county; waiting for it", "county", name)
	}
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 7200)", key).Scan(&got); err != nil || got.Int64 != 1 {
		_ = conn.Close()
		_ = db.Close()
		return nil, fmt.Errorf("bench: county %s is in use by another bench run (waited 2 h): %v", name, err)
	}
	countyLocks.held[name] = &countyLock{db: db, conn: conn, refs: 1}
	return func() { unlockCounty(name) }, nil
}

func unlockCounty(name string) {
	countyLocks.Lock()
	defer countyLocks.Unlock()
	l := countyLocks.held[name]
	if l == nil {
		return
	}
	if l.refs--; l.refs > 0 {
		return
	}
	delete(countyLocks.held, name)
	_, _ = l.conn.ExecContext(context.Background(), "DO RELEASE_LOCK(?)", "qinqi_bench:"+name)
	_ = l.conn.Close() // closing the session would release it anyway
	_ = l.db.Close()
}
