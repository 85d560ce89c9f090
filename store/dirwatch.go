package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync/atomic"

	"gorm.io/gorm"
)

// The directory is what a message's sender resolves to: chat identities, people, households and
// pairings. Every statement of every qinqi process passes through watchPool, which spots the writes
// to those tables and moves the generation row (DirectoryGeneration) in the same transaction, just
// before COMMIT (so the transaction holding that row lock waits for nothing else), or right after an
// autocommit statement. After the commit it calls the store's change hook (Directory.changed), which
// invalidates this process's cache and tells the other instances through the KV.

// directoryTables are the tables whose rows the sender caches hold.
var directoryTables = []string{"people", "households", "pairings", "chat_identities"}

const bumpGeneration = "UPDATE directory_generations SET n = n + 1 WHERE id = 1"

// dirWatch is shared by a store and every transaction it opens.
type dirWatch struct {
	ready   atomic.Bool // the generation table exists (false while migrating an older schema)
	changed atomic.Pointer[func()]
}

// after runs the change hook once a change is committed.
func (w *dirWatch) after() {
	if fn := w.changed.Load(); fn != nil {
		(*fn)()
	}
}

type watchPool struct {
	gorm.ConnPool
	w *dirWatch
}

func (p *watchPool) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	res, err := p.ConnPool.ExecContext(ctx, q, args...)
	if err != nil || !p.w.ready.Load() || !writesDirectory(q) || !affected(res) {
		return res, err
	}
	if _, err := p.ConnPool.ExecContext(ctx, bumpGeneration); err != nil {
		return res, fmt.Errorf("store: directory generation: %w", err)
	}
	p.w.after()
	return res, nil
}

// QueryContext: a write that returns rows outside a transaction (INSERT … RETURNING without gorm's
// default transaction) is counted when the call returns; qinqi makes none (gorm wraps its writes).
func (p *watchPool) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	rows, err := p.ConnPool.QueryContext(ctx, q, args...)
	if err == nil && p.w.ready.Load() && writesDirectory(q) {
		if _, berr := p.ConnPool.ExecContext(ctx, bumpGeneration); berr != nil {
			_ = rows.Close()
			return nil, fmt.Errorf("store: directory generation: %w", berr)
		}
		p.w.after()
	}
	return rows, err
}

// BeginTx watches the transaction's statements too.
func (p *watchPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	var (
		tx  gorm.ConnPool
		err error
	)
	switch b := p.ConnPool.(type) {
	case gorm.ConnPoolBeginner:
		tx, err = b.BeginTx(ctx, opts)
	case gorm.TxBeginner:
		tx, err = b.BeginTx(ctx, opts)
	default:
		return nil, gorm.ErrInvalidTransaction
	}
	if err != nil {
		return nil, err
	}
	return &watchTx{ConnPool: tx, w: p.w, ctx: ctx}, nil
}

// GetDBConn lets db.DB() find the *sql.DB behind the wrapper.
func (p *watchPool) GetDBConn() (*sql.DB, error) {
	return dbConnOf(p.ConnPool)
}

type watchTx struct {
	gorm.ConnPool
	w     *dirWatch
	ctx   context.Context
	dirty bool // only the transaction's own goroutine touches it
}

func (t *watchTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	res, err := t.ConnPool.ExecContext(ctx, q, args...)
	if err == nil && !t.dirty && writesDirectory(q) && affected(res) {
		t.dirty = true
	}
	return res, err
}

func (t *watchTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if !t.dirty && writesDirectory(q) {
		t.dirty = true
	}
	return t.ConnPool.QueryContext(ctx, q, args...)
}

// Commit moves the generation in the transaction when it wrote the directory, then commits.
func (t *watchTx) Commit() error {
	c, ok := t.ConnPool.(gorm.TxCommitter)
	if !ok {
		return gorm.ErrInvalidTransaction
	}
	bumped := t.dirty && t.w.ready.Load()
	if bumped {
		if _, err := t.ConnPool.ExecContext(t.ctx, bumpGeneration); err != nil {
			_ = c.Rollback()
			return fmt.Errorf("store: directory generation: %w", err)
		}
	}
	if err := c.Commit(); err != nil {
		return err
	}
	if bumped {
		t.w.after()
	}
	return nil
}

func (t *watchTx) Rollback() error {
	c, ok := t.ConnPool.(gorm.TxCommitter)
	if !ok {
		return gorm.ErrInvalidTransaction
	}
	return c.Rollback()
}

// affected is false only when the statement surely changed no row.
func affected(res sql.Result) bool {
	n, err := res.RowsAffected()
	return err != nil || n > 0
}

// writesDirectory reports whether q is an INSERT, UPDATE, DELETE or REPLACE that names one of the
// directory tables (anywhere: a write to another table that reads one of them counts too, which
// only costs an extra invalidation). Statements carry placeholders, never values, so a name in a
// message cannot match.
func writesDirectory(q string) bool {
	verb := strings.TrimLeft(q, " \t\r\n(")
	if len(verb) < 6 {
		return false
	}
	switch strings.ToUpper(verb[:6]) {
	case "INSERT", "UPDATE", "DELETE", "REPLAC":
	default:
		return false
	}
	for _, t := range directoryTables {
		if namesTable(q, t) {
			return true
		}
	}
	return false
}

// namesTable finds t as a whole identifier (bare, `quoted` or "quoted") in q.
func namesTable(q, t string) bool {
	for i := 0; ; {
		j := strings.Index(q[i:], t)
		if j < 0 {
			return false
		}
		at, end := i+j, i+j+len(t)
		if (at == 0 || !identByte(q[at-1])) && (end == len(q) || !identByte(q[end])) {
			return true
		}
		i = end
	}
}

func identByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
