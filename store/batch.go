package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"

	"gorm.io/gorm"
)

// A batch is one transaction that several inbound messages share (group commit): the batch commits
// once, and it commits all of its messages or none. A message takes no savepoint of its own: on
// SQLite a savepoint sends every page the message then touches through the statement journal, and
// on MariaDB it is a round trip, for every message, against a failure that is rare (a handler's
// user errors become replies; a message fails on a database error, a lost connection, a panic).
// When anything in the batch fails, the batch is lost as a whole: its transaction is rolled back,
// its held KV writes are dropped (batch_kv.go), directory rows the sender cache read from it are
// forgotten, and the caller redoes its messages one by one. The transaction travels in the context;
// every store call made with that context joins it (see q), so the handlers' writes need not know
// about it.

type batchKey struct{}

type batch struct {
	tx    *gorm.DB
	watch *dirWatch
	conn  *lossTx
	kv    *kvOverlay
	dir   atomic.Pointer[dirView] // the sender cache's token, read once for the batch (Directory.Begin)
}

// ErrBatchLost says the batch's transaction is gone (the database rolled it back, the connection
// died, or its held writes could not be written, batch_hold.go): nothing of it may be committed, and every message of it must be redone on its own.
var ErrBatchLost = errors.New("store: batch transaction lost")

// Batch runs fn in one transaction carried by the context fn gets, and commits it when fn returns
// nil. When fn fails, nothing is committed and its error is returned. A lost transaction (deadlock,
// lock wait timeout, outage) is reported as ErrBatchLost even if fn swallowed the statement's error,
// and nothing is committed then. A ReadAhead under ctx (WithReadAhead) answers the batch's Gets of
// the keys it read.
func (s *Store) Batch(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if s.inTx || inBatch(ctx) {
		return errors.New("store: batch inside a transaction")
	}
	b := &batch{watch: s.watch, kv: newKVOverlay()}
	if a, ok := ctx.Value(readAheadKey{}).(*ReadAhead); ok {
		b.kv.kv, b.kv.read = a.kv, a.read
	}
	if err := s.beginBatch(ctx, b); err != nil {
		return err
	}
	committing := false
	defer func() {
		if !committing {
			_ = b.conn.Rollback()
			b.forgetUncommitted()
		}
	}()
	err = fn(context.WithValue(ctx, batchKey{}, b))
	if lerr := b.conn.lost.Load(); lerr != nil {
		if err == nil { // fn swallowed it
			err = *lerr
		}
		return fmt.Errorf("%w: %w", ErrBatchLost, err)
	}
	if err != nil {
		return err
	}
	if err = b.conn.flushForCommit(ctx); err != nil {
		return err // ErrBatchLost: some held writes may be in the transaction, which is rolled back
	}
	committing = true
	if err = b.conn.Commit(); err != nil {
		b.forgetUncommitted()
		return fmt.Errorf("%w: commit: %w", ErrBatchLost, err)
	}
	b.kv.apply(ctx, cmp.Or(s.log, slog.Default()))
	return nil
}

// beginBatch starts b's transaction; on MariaDB its START TRANSACTION goes with its first
// statement (batch_packet.go).
func (s *Store) beginBatch(ctx context.Context, b *batch) error {
	if s.multi {
		return s.beginPacketBatch(ctx, b)
	}
	tx := s.db.WithContext(ctx).Begin()
	if tx.Error != nil {
		return fmt.Errorf("store: begin batch: %w", tx.Error)
	}
	b.conn = &lossTx{ConnPool: tx.Statement.ConnPool, hold: &heldWrites{s: s}}
	tx.Statement.ConnPool = b.conn
	b.tx = tx
	return nil
}

// beginPacketBatch is beginBatch on a packetTx, watched for directory writes as the pool's
// transactions are (watchPool.BeginTx).
func (s *Store) beginPacketBatch(ctx context.Context, b *batch) error {
	p, err := s.beginPacketTx(ctx)
	if err != nil {
		return fmt.Errorf("store: begin batch: %w", err)
	}
	tx := s.db.WithContext(ctx) // a Statement of its own (WithContext clones it), whose pool is set below
	b.conn = &lossTx{ConnPool: &watchTx{ConnPool: p, w: s.watch, ctx: ctx}, hold: &heldWrites{s: s}, packet: p}
	tx.Statement.ConnPool = b.conn
	b.tx = tx
	return nil
}

func inBatch(ctx context.Context) bool {
	_, ok := ctx.Value(batchKey{}).(*batch)
	return ok
}

// DirectoryWritten reports whether the context's batch has written directory rows not yet
// committed: reads of the sender cache must then not be trusted (nor filled) until it commits.
func DirectoryWritten(ctx context.Context) bool {
	b, ok := ctx.Value(batchKey{}).(*batch)
	return ok && b.dirty()
}

func (b *batch) dirty() bool {
	w, ok := b.conn.ConnPool.(*watchTx)
	return ok && w.dirty
}

// forgetUncommitted drops cached directory rows a rolled-back batch may have read from itself.
func (b *batch) forgetUncommitted() {
	if b.dirty() {
		b.watch.after()
	}
}

// lossTx notes an error after which the transaction cannot be trusted to hold all its statements:
// MySQL rolls the whole transaction back on a deadlock (and, configured so, on a lock wait timeout)
// and runs the next statements in autocommit; a dead connection holds nothing. From then on every
// statement fails, so nothing of a lost batch is written outside it. It also keeps the batch's held
// writes (batch_hold.go) and flushes them before any statement that must see them.
type lossTx struct {
	gorm.ConnPool
	lost   atomic.Pointer[error]
	hold   *heldWrites
	packet *packetTx // the transaction below, when it sends COMMIT in one packet with the held writes
}

func (t *lossTx) lose(err error) { t.lost.CompareAndSwap(nil, &err) }

func (t *lossTx) check(err error) {
	if err != nil && (IsOutage(err) || errors.Is(err, sql.ErrTxDone)) {
		t.lose(err)
	}
}

func (t *lossTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if lerr := t.lost.Load(); lerr != nil {
		return nil, fmt.Errorf("%w: %w", ErrBatchLost, *lerr)
	}
	if flushesHeld(q) {
		if err := t.flush(ctx); err != nil {
			return nil, err
		}
	}
	res, err := t.ConnPool.ExecContext(ctx, q, args...)
	t.check(err)
	return res, err
}

func (t *lossTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if lerr := t.lost.Load(); lerr != nil {
		return nil, fmt.Errorf("%w: %w", ErrBatchLost, *lerr)
	}
	if namesHeld(q) {
		if err := t.flush(ctx); err != nil {
			return nil, err
		}
	}
	rows, err := t.ConnPool.QueryContext(ctx, q, args...)
	t.check(err)
	return rows, err
}

// QueryRowContext cannot return a failed flush; the flush loses the batch, so nothing of it commits.
func (t *lossTx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if namesHeld(q) {
		_ = t.flush(ctx)
	}
	return t.ConnPool.QueryRowContext(ctx, q, args...)
}

// flush writes the held writes; a failure loses the batch (some of them may be written, and the
// statement that needed them must not run without them).
func (t *lossTx) flush(ctx context.Context) error {
	if t.hold == nil || t.hold.empty() {
		return nil
	}
	if lerr := t.lost.Load(); lerr != nil {
		return fmt.Errorf("%w: %w", ErrBatchLost, *lerr)
	}
	if err := t.hold.flush(ctx, t.ConnPool); err != nil {
		t.lose(err)
		return fmt.Errorf("%w: %w", ErrBatchLost, err)
	}
	return nil
}

// flushForCommit leaves the held writes to COMMIT's packet when there is one and they are few, and
// writes them now otherwise.
func (t *lossTx) flushForCommit(ctx context.Context) error {
	if t.packet == nil || t.hold == nil {
		return t.flush(ctx)
	}
	if lerr := t.lost.Load(); lerr != nil {
		return fmt.Errorf("%w: %w", ErrBatchLost, *lerr)
	}
	stmts := t.hold.take()
	if len(stmts) > maxPacketStmts {
		if err := t.hold.s.execHeld(ctx, t.ConnPool, stmts); err != nil {
			t.lose(err)
			return fmt.Errorf("%w: store: held writes: %w", ErrBatchLost, err)
		}
		return nil
	}
	t.packet.carry(stmts)
	return nil
}

func (t *lossTx) Commit() error {
	c, ok := t.ConnPool.(gorm.TxCommitter)
	if !ok {
		return gorm.ErrInvalidTransaction
	}
	return c.Commit()
}

func (t *lossTx) Rollback() error {
	c, ok := t.ConnPool.(gorm.TxCommitter)
	if !ok {
		return gorm.ErrInvalidTransaction
	}
	return c.Rollback()
}
