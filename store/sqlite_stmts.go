package store

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"strings"
)

// SQLite compiles a statement's text before running it, and the pure-Go engine spends a large
// share of a check-in's CPU there. modernc.org/sqlite keeps a prepared statement's compiled handle
// and only resets it between runs, but database/sql prepares nothing unless asked, and the
// statements come from gorm and from the hand-written batch INSERTs alike. So each SQLite
// connection keeps its own small cache of prepared INSERT, UPDATE and DELETE statements, by text
// (stmtCacheConn): the check-in path's statements, and the batch's multi-row statements of each
// row count, are compiled once per connection. A write runs to its end inside Exec, so a cached
// statement is never in use twice at once; reads are not cached (an open cursor would hold one).
// MySQL is not wrapped.
const (
	stmtCacheSize = 64   // statements a connection keeps, least recently used dropped first
	stmtCacheText = 4096 // longer statements (imports' and scans' large multi-row writes) are not kept
)

type stmtCacheConnector struct {
	driver.Connector
}

func (k stmtCacheConnector) Connect(ctx context.Context) (driver.Conn, error) {
	c, err := k.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return newStmtCacheConn(c)
}

// stmtCacheConn forwards every optional interface modernc.org/sqlite's connections implement;
// database/sql uses one connection from one goroutine at a time, so the cache needs no lock.
type stmtCacheConn struct {
	wrappedConn
	prep  driver.ConnPrepareContext
	exec  driver.ExecerContext
	query driver.QueryerContext
	begin driver.ConnBeginTx
	lru   *list.List // of *cachedStmt, most recently used first
	byQ   map[string]*list.Element
}

type cachedStmt struct {
	q  string
	st driver.StmtExecContext
	cl driver.Stmt
}

var errSQLiteConn = errors.New("store: the SQLite driver's connection lacks an interface store needs")

func newStmtCacheConn(c driver.Conn) (driver.Conn, error) {
	prep, ok1 := c.(driver.ConnPrepareContext)
	exec, ok2 := c.(driver.ExecerContext)
	query, ok3 := c.(driver.QueryerContext)
	begin, ok4 := c.(driver.ConnBeginTx)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		_ = c.Close()
		return nil, errSQLiteConn
	}
	return &stmtCacheConn{wrappedConn: wrappedConn{c}, prep: prep, exec: exec, query: query, begin: begin,
		lru: list.New(), byQ: map[string]*list.Element{}}, nil
}

func (w *stmtCacheConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	if !cacheable(q) {
		return w.exec.ExecContext(ctx, q, args)
	}
	st, err := w.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args)
}

// stmt returns q's prepared statement, preparing and keeping it when the connection has none.
func (w *stmtCacheConn) stmt(ctx context.Context, q string) (driver.StmtExecContext, error) {
	if e, ok := w.byQ[q]; ok {
		w.lru.MoveToFront(e)
		return e.Value.(*cachedStmt).st, nil
	}
	st, err := w.prep.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	ex, ok := st.(driver.StmtExecContext)
	if !ok {
		_ = st.Close()
		return nil, errSQLiteConn
	}
	w.byQ[q] = w.lru.PushFront(&cachedStmt{q: q, st: ex, cl: st})
	if w.lru.Len() > stmtCacheSize {
		old := w.lru.Remove(w.lru.Back()).(*cachedStmt)
		delete(w.byQ, old.q)
		_ = old.cl.Close()
	}
	return ex, nil
}

// cacheable: a write short enough to keep (see stmtCacheText).
func cacheable(q string) bool {
	if len(q) > stmtCacheText || len(q) < 7 {
		return false
	}
	switch strings.ToUpper(q[:6]) {
	case "INSERT", "UPDATE", "DELETE":
		return true
	}
	return false
}

func (w *stmtCacheConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return w.query.QueryContext(ctx, q, args)
}

func (w *stmtCacheConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return w.prep.PrepareContext(ctx, q)
}

func (w *stmtCacheConn) BeginTx(ctx context.Context, o driver.TxOptions) (driver.Tx, error) {
	return w.begin.BeginTx(ctx, o)
}

// wrappedConn is a driver connection inside a wrapper of store's: it forwards the optional
// interfaces database/sql asks a connection for (Pinger, SessionResetter, Validator) and Unwrap
// (modernc.org/sqlite's Limit looks through wrappers), so a wrapper writes only what it changes.
type wrappedConn struct {
	driver.Conn
}

func (w wrappedConn) Unwrap() driver.Conn { return w.Conn }

func (w wrappedConn) Ping(ctx context.Context) error {
	if p, ok := w.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (w wrappedConn) ResetSession(ctx context.Context) error {
	if r, ok := w.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (w wrappedConn) IsValid() bool {
	v, ok := w.Conn.(driver.Validator)
	return !ok || v.IsValid()
}

// Close finalizes the kept statements before the connection.
func (w *stmtCacheConn) Close() error {
	for e := w.lru.Front(); e != nil; e = e.Next() {
		_ = e.Value.(*cachedStmt).cl.Close()
	}
	w.lru.Init()
	clear(w.byQ)
	return w.Conn.Close()
}
