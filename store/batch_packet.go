package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
)

// On MariaDB (multiStatements) a batch's transaction is opened and closed in the packets of other
// statements: START TRANSACTION goes in front of its first statement, and COMMIT behind the writes
// the batch held (batch_hold.go). database/sql's Tx sends BEGIN and COMMIT each on its own, a round
// trip each; a batch of one message (one sender, or eight senders on eight queues) then cost five
// round trips, and costs three. The batch keeps one pooled connection (sql.Conn) for its
// transaction and ends the transaction itself: a connection whose transaction could not be ended
// is closed, never put back in the pool inside a transaction.
type packetTx struct {
	conn    *sql.Conn
	ctx     context.Context // for COMMIT and ROLLBACK, which must run even after the batch's ctx ends
	pending []heldStmt      // sent in front of the next statement, in its packet
	begun   bool            // START TRANSACTION has been sent
	done    bool
	bad     bool // the connection's state is unknown: close it instead of pooling it
}

const startTx = "START TRANSACTION"

// beginPacketTx takes a connection for a batch; nothing is sent yet.
func (s *Store) beginPacketTx(ctx context.Context) (*packetTx, error) {
	db, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return &packetTx{conn: conn, ctx: context.WithoutCancel(ctx), pending: []heldStmt{{q: startTx}}}, nil
}

// ExecContext sends q behind the pending statements, in one packet; the result is q's.
func (t *packetTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if t.done {
		return nil, sql.ErrTxDone
	}
	if len(t.pending) == 0 {
		return t.conn.ExecContext(ctx, q, args...)
	}
	stmts := append(t.pending, heldStmt{q: q, args: args})
	t.pending, t.begun = nil, true
	return t.execPacket(ctx, stmts)
}

// sendPending sends the pending statements on their own, before a statement that cannot carry them
// (a query, a prepare).
func (t *packetTx) sendPending(ctx context.Context) error {
	if t.done {
		return sql.ErrTxDone
	}
	if len(t.pending) == 0 {
		return nil
	}
	stmts := t.pending
	t.pending, t.begun = nil, true
	_, err := t.execPacket(ctx, stmts)
	return err
}

func (t *packetTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if err := t.sendPending(ctx); err != nil {
		return nil, err
	}
	return t.conn.QueryContext(ctx, q, args...)
}

// QueryRowContext cannot return a failed START TRANSACTION: the query then runs under a cancelled
// context, so it fails too instead of running outside the transaction.
func (t *packetTx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if err := t.sendPending(ctx); err != nil {
		dead, cancel := context.WithCancel(ctx)
		cancel()
		ctx = dead
	}
	return t.conn.QueryRowContext(ctx, q, args...)
}

func (t *packetTx) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	if err := t.sendPending(ctx); err != nil {
		return nil, err
	}
	return t.conn.PrepareContext(ctx, q)
}

// carry holds stmts for the next statement's packet (the held writes for the COMMIT's).
func (t *packetTx) carry(stmts []heldStmt) { t.pending = append(t.pending, stmts...) }

// Commit sends COMMIT behind whatever is pending. When the packet fails, the statements after the
// failing one did not run: the transaction is rolled back, and nothing of it is committed.
func (t *packetTx) Commit() error {
	if t.done {
		return sql.ErrTxDone
	}
	defer t.release()
	if !t.begun && len(t.pending) == 1 { // only START TRANSACTION: nothing was ever sent
		t.done = true
		return nil
	}
	_, err := t.ExecContext(t.ctx, "COMMIT")
	t.done = true
	if err != nil {
		t.rollback()
	}
	return err
}

func (t *packetTx) Rollback() error {
	if t.done {
		return sql.ErrTxDone
	}
	defer t.release()
	t.done, t.pending = true, nil
	if !t.begun {
		return nil
	}
	return t.rollback()
}

func (t *packetTx) rollback() error {
	if _, err := t.conn.ExecContext(t.ctx, "ROLLBACK"); err != nil {
		t.bad = true
		return err
	}
	return nil
}

// release gives the connection back to the pool, or closes it when its transaction may be open.
func (t *packetTx) release() {
	if t.bad {
		_ = t.conn.Raw(func(any) error { return driver.ErrBadConn }) // closes it
	}
	_ = t.conn.Close()
}

// execPacket sends stmts as one multi-statement packet. Only the last statement's affected rows
// reach database/sql's result, so when an earlier one must change a number of rows (the held done
// marks before COMMIT) the packet goes to the driver directly, whose result has them all.
func (t *packetTx) execPacket(ctx context.Context, stmts []heldStmt) (sql.Result, error) {
	q, args := joinStmts(stmts)
	last := stmts[len(stmts)-1]
	if !slices.ContainsFunc(stmts[:len(stmts)-1], func(st heldStmt) bool { return st.rows > 0 }) {
		res, err := t.conn.ExecContext(ctx, q, args...)
		if err == nil && last.rows > 0 {
			n, rerr := res.RowsAffected()
			err = checkRows(n, rerr, last.rows)
		}
		return res, err
	}
	var res driver.Result
	err := t.conn.Raw(func(dc any) error {
		var err error
		res, err = rawExec(ctx, dc, q, args)
		return err
	})
	if err != nil {
		return nil, err
	}
	all, ok := res.(mysql.Result)
	if !ok {
		return nil, errors.New("store: the driver does not report each statement's rows")
	}
	n := all.AllRowsAffected()
	if len(n) != len(stmts) {
		return nil, fmt.Errorf("store: %d results for %d statements", len(n), len(stmts))
	}
	for i, st := range stmts {
		if st.rows == 0 {
			continue
		}
		if err := checkRows(n[i], nil, st.rows); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// rawExec runs q on the driver's connection, with the arguments converted as database/sql would.
func rawExec(ctx context.Context, dc any, q string, args []any) (driver.Result, error) {
	ex, ok := dc.(driver.ExecerContext)
	if !ok {
		return nil, errors.New("store: the driver cannot run a statement directly")
	}
	check, _ := dc.(driver.NamedValueChecker)
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
		if check == nil {
			continue
		}
		if err := check.CheckNamedValue(&named[i]); err != nil {
			return nil, err
		}
	}
	return ex.ExecContext(ctx, q, named)
}

func joinStmts(stmts []heldStmt) (string, []any) {
	if len(stmts) == 1 {
		return stmts[0].q, stmts[0].args
	}
	n, nargs := 0, 0
	for _, st := range stmts {
		n += len(st.q) + 1
		nargs += len(st.args)
	}
	var b strings.Builder
	b.Grow(n)
	args := make([]any, 0, nargs)
	for i, st := range stmts {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(st.q)
		args = append(args, st.args...)
	}
	return b.String(), args
}

// checkRows is the held done marks' check: their UPDATE found every one of its want rows.
func checkRows(n int64, err error, want int) error {
	if err != nil || n != int64(want) {
		return errors.Join(err, fmt.Errorf("done marks: %w: %d of %d inbox rows", ErrNotFound, n, want))
	}
	return nil
}

var _ gorm.TxCommitter = (*packetTx)(nil)
