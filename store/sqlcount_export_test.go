package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"sync"
)

// SQLCounts counts what SQLite's driver compiles: each Prepare is one compiled statement, and so is
// each Exec or Query made on the connection without one (modernc.org/sqlite prepares, runs and
// finalizes it). Runs counts executions of statements prepared before.
type SQLCounts struct {
	mu       sync.Mutex
	Compiled int
	Runs     int
	ByText   map[string]int // compilations per statement text
}

func (c *SQLCounts) compile(q string) {
	c.mu.Lock()
	c.Compiled++
	if c.ByText == nil {
		c.ByText = map[string]int{}
	}
	c.ByText[q]++
	c.mu.Unlock()
}

func (c *SQLCounts) run() {
	c.mu.Lock()
	c.Runs++
	c.mu.Unlock()
}

// Reset zeroes the counts.
func (c *SQLCounts) Reset() {
	c.mu.Lock()
	c.Compiled, c.Runs, c.ByText = 0, 0, nil
	c.mu.Unlock()
}

// Snapshot returns the compilations and the runs of prepared statements so far.
func (c *SQLCounts) Snapshot() (compiled, runs int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Compiled, c.Runs
}

// WithSQLCountsForTest makes a SQLite Options count its driver's statement compilations into c.
func WithSQLCountsForTest(o Options, c *SQLCounts) Options {
	o.sqliteConnector = func(base driver.Connector) driver.Connector { return countConnector{base, c} }
	return o
}

type countConnector struct {
	driver.Connector
	c *SQLCounts
}

func (k countConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := k.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &countConn{wrappedConn: wrappedConn{conn}, c: k.c}, nil
}

// countConn forwards every optional interface modernc.org/sqlite's connections implement.
type countConn struct {
	wrappedConn
	c *SQLCounts
}

var errNoInterface = errors.New("store: the wrapped connection lacks an interface")

func (w *countConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	w.c.compile(q)
	st, err := w.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	return &countStmt{Stmt: st, c: w.c}, nil
}

func (w *countConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	w.c.compile(q)
	return w.Conn.(driver.ExecerContext).ExecContext(ctx, q, args)
}

func (w *countConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	w.c.compile(q)
	return w.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
}

func (w *countConn) BeginTx(ctx context.Context, o driver.TxOptions) (driver.Tx, error) {
	return w.Conn.(driver.ConnBeginTx).BeginTx(ctx, o)
}

type countStmt struct {
	driver.Stmt
	c *SQLCounts
}

func (s *countStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.c.run()
	e, ok := s.Stmt.(driver.StmtExecContext)
	if !ok {
		return nil, errNoInterface
	}
	return e.ExecContext(ctx, args)
}

func (s *countStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.c.run()
	q, ok := s.Stmt.(driver.StmtQueryContext)
	if !ok {
		return nil, errNoInterface
	}
	return q.QueryContext(ctx, args)
}

// StmtCacheSizeForTest is how many statements a SQLite connection keeps prepared.
const StmtCacheSizeForTest = stmtCacheSize
