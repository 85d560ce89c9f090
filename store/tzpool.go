package store

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"
)

// tzPool converts every time.Time argument into one zone before SQLite sees it. SQLite stores
// times as text with their offset and compares text, so a UTC argument against +08:00 rows
// gives wrong answers (measured: a WHERE at > ? counted 2 rows instead of 1).
type tzPool struct {
	gorm.ConnPool
	loc *time.Location
}

// args moves in's times into the zone. A time already in it is passed as it is (In would give the
// same value): the check-in path's times all are, and moving them again boxed a copy of each, about
// 9 allocations a report.
func (p *tzPool) args(in []any) []any {
	for i, a := range in {
		switch v := a.(type) {
		case time.Time:
			if v.Location() != p.loc {
				in[i] = v.In(p.loc)
			}
		case *time.Time:
			if v != nil && v.Location() != p.loc {
				t := v.In(p.loc)
				in[i] = &t
			}
		}
	}
	return in
}

func (p *tzPool) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return p.ConnPool.ExecContext(ctx, q, p.args(args)...)
}

func (p *tzPool) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return p.ConnPool.QueryContext(ctx, q, p.args(args)...)
}

func (p *tzPool) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return p.ConnPool.QueryRowContext(ctx, q, p.args(args)...)
}

// BeginTx keeps the conversion inside transactions (gorm swaps the pool for the tx).
func (p *tzPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	b, ok := p.ConnPool.(gorm.TxBeginner)
	if !ok {
		return nil, gorm.ErrInvalidTransaction
	}
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &tzTx{tzPool: tzPool{ConnPool: tx, loc: p.loc}, tx: tx}, nil
}

// GetDBConn lets db.DB() find the *sql.DB behind the wrapper.
func (p *tzPool) GetDBConn() (*sql.DB, error) {
	return dbConnOf(p.ConnPool)
}

type tzTx struct {
	tzPool
	tx *sql.Tx
}

func (t *tzTx) Commit() error   { return t.tx.Commit() }
func (t *tzTx) Rollback() error { return t.tx.Rollback() }

// dbConnOf finds the *sql.DB behind a connection pool, through any wrapper that can name it.
func dbConnOf(pool gorm.ConnPool) (*sql.DB, error) {
	if db, ok := pool.(*sql.DB); ok {
		return db, nil
	}
	if c, ok := pool.(gorm.GetDBConnector); ok {
		return c.GetDBConn()
	}
	return nil, gorm.ErrInvalidDB
}
