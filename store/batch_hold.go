package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"qinqi/internal/domain"
)

// A batch holds the writes of its messages that nothing later in the batch reads back — audit rows,
// summary entries, the replies CompleteInbound enqueues and the inbox rows' done marks — and sends
// them as one multi-row statement per table just before COMMIT: a report then costs its inbox row
// and its check-in as statements of its own, and shares four with the batch, where it had six of its
// own (a round trip each on MariaDB, a parse and an execution each on SQLite).
//
// Held writes are flushed first whenever the batch's connection is about to run anything that could
// see them or be changed by them: every read and every write that names one of their tables
// (namesHeld, flushesHeld), and every SAVEPOINT (so a savepoint rolled back cannot take held writes
// of earlier messages with it). So a read in the batch sees what it would have seen without the hold. A flush
// that fails loses the batch (lossTx): nothing of it is committed and its messages are redone one
// by one, which write as before, without the hold.
type heldWrites struct {
	mu     sync.Mutex
	s      *Store // the store whose batch this is (driver, zone, statement size)
	audit  []any  // the held audit rows' values, len(auditCols) a row
	outbox []any  // the held replies' values, len(outboxCols) a row
	sums   summaryAdds
	done   []doneMark
}

type doneMark struct {
	id     domain.InboxID
	status InboxStatus
	at     time.Time
	err    string
	person *domain.PersonID
}

// held is the hold of the batch ctx carries when this store's writes join it (see joined).
func (s *Store) held(ctx context.Context) *heldWrites {
	if b := s.joined(ctx); b != nil {
		return b.conn.hold
	}
	return nil
}

func (h *heldWrites) addAudit(args ...any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.audit = append(h.audit, args...)
}

func (h *heldWrites) addOutbox(args ...any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.outbox = append(h.outbox, args...)
}

func (h *heldWrites) addSummary(c CheckIn) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.sums.add(c)
}

func (h *heldWrites) addDone(m doneMark) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.done = append(h.done, m)
}

func (h *heldWrites) empty() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.audit) == 0 && len(h.outbox) == 0 && len(h.sums.ids) == 0 && len(h.done) == 0
}

// flush writes and forgets everything held, on pool (the batch's connection below lossTx).
func (h *heldWrites) flush(ctx context.Context, pool gorm.ConnPool) error {
	if err := h.s.execHeld(ctx, pool, h.take()); err != nil {
		return fmt.Errorf("store: held writes: %w", err)
	}
	return nil
}

// take forgets everything held and returns the statements that write it, in one order for every
// batch: audit rows, summaries (in pairing order, the lock order of every writer), replies, done marks.
func (h *heldWrites) take() []heldStmt {
	h.mu.Lock()
	defer h.mu.Unlock()
	per := h.s.bulkRows()
	stmts := rowStmts(nil, "audit_logs", auditCols, h.audit, per)
	stmts = h.summaryStmts(stmts, per)
	stmts = rowStmts(stmts, "outbox_messages", outboxCols, h.outbox, per)
	stmts = h.doneStmts(stmts, per)
	h.audit, h.outbox, h.sums, h.done = nil, nil, summaryAdds{}, nil
	return stmts
}

// maxPacketStmts is the most held statements sent in one packet (an inbox batch's are four).
const maxPacketStmts = 8

// heldStmt is one statement of a flush; a done marks' UPDATE must change rows rows.
type heldStmt struct {
	q    string
	args []any
	rows int
}

// execHeld runs a flush's statements. On MariaDB they go as one multi-statement packet when they
// are few (an inbox batch's: one round trip instead of four), so only the last one's affected rows
// can be read: it must be the only done marks' UPDATE. Elsewhere they go one by one.
func (s *Store) execHeld(ctx context.Context, pool gorm.ConnPool, stmts []heldStmt) error {
	if s.multi && len(stmts) > 1 && len(stmts) <= maxPacketStmts && !slices.ContainsFunc(stmts[:len(stmts)-1], func(st heldStmt) bool { return st.rows > 0 }) {
		q, args := joinStmts(stmts)
		stmts = []heldStmt{{q: q, args: args, rows: stmts[len(stmts)-1].rows}}
	}
	for _, st := range stmts {
		res, err := pool.ExecContext(ctx, st.q, st.args...)
		if err != nil {
			return err
		}
		if st.rows == 0 {
			continue
		}
		n, err := res.RowsAffected()
		if err := checkRows(n, err, st.rows); err != nil {
			return err
		}
	}
	return nil
}

// rowStmts adds the multi-row INSERTs, of at most per rows, of the rows whose values args holds,
// len(cols) a row.
func rowStmts(stmts []heldStmt, table string, cols []string, args []any, per int) []heldStmt {
	step := per * len(cols)
	for start := 0; start < len(args); start += step {
		part := args[start:min(start+step, len(args))]
		n := len(part) / len(cols)
		stmts = append(stmts, heldStmt{q: flushSQL(table, n, func() string { return insertSQL(table, cols, n) }), args: part})
	}
	return stmts
}

func (h *heldWrites) summaryStmts(stmts []heldStmt, per int) []heldStmt {
	ids := h.sums.ids
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for start := 0; start < len(ids); start += per {
		part := ids[start:min(start+per, len(ids))]
		args := make([]any, 0, 2*len(part))
		for _, id := range part {
			args = append(args, int64(id), h.sums.entries[id])
		}
		q := flushSQL("pairing_summaries "+h.s.driver, len(part), func() string { return h.s.appendSummarySQL(len(part)) })
		stmts = append(stmts, heldStmt{q: q, args: args})
	}
	return stmts
}

// doneStmts marks the held rows finished with one UPDATE per per rows; every one of them must be
// there (finishInbound's ErrNotFound). A row's status changes from new, so MariaDB counts it as
// affected too.
func (h *heldWrites) doneStmts(stmts []heldStmt, per int) []heldStmt {
	for start := 0; start < len(h.done); start += per {
		part := h.done[start:min(start+per, len(h.done))]
		q := flushSQL("done", len(part), func() string { return doneSQL(len(part)) })
		stmts = append(stmts, heldStmt{q: q, args: h.s.doneArgs(part), rows: len(part)})
	}
	return stmts
}

// flushSQLs are the flush's statements by what and row count, built once each for the row counts of
// the inbox's batches (building them was a few allocations a statement); larger ones, from a handler
// that audits many rows, are built each time, so the cache stays small.
var flushSQLs sync.Map

const flushSQLCached = 64

type flushSQLKey struct {
	what string
	n    int
}

func flushSQL(what string, n int, build func() string) string {
	if n > flushSQLCached {
		return build()
	}
	k := flushSQLKey{what, n}
	if q, ok := flushSQLs.Load(k); ok {
		return q.(string)
	}
	q, _ := flushSQLs.LoadOrStore(k, build())
	return q.(string)
}

// doneSQL is finishInbound's UPDATE for n rows at once: one CASE per column, keyed by id.
func doneSQL(n int) string {
	whens := strings.Repeat(" WHEN ? THEN ?", n)
	return "UPDATE `inbox_messages` SET `status`=CASE `id`" + whens + " END,`done_at`=CASE `id`" + whens +
		" END,`error`=CASE `id`" + whens + " END,`person_id`=COALESCE(CASE `id`" + whens + " END,`person_id`) WHERE `id` IN (" +
		strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")"
}

func (s *Store) doneArgs(marks []doneMark) []any {
	args := make([]any, 0, 9*len(marks))
	for _, m := range marks {
		args = append(args, int64(m.id), string(m.status))
	}
	for _, m := range marks {
		args = append(args, int64(m.id), m.at.In(s.loc))
	}
	for _, m := range marks {
		args = append(args, int64(m.id), clipRunes(m.err, 500))
	}
	for _, m := range marks {
		args = append(args, int64(m.id), idArg(m.person))
	}
	for _, m := range marks {
		args = append(args, int64(m.id))
	}
	return args
}

// flushesHeld reports whether write q, run in a batch, must find the held writes done first: a
// SAVEPOINT, and every statement that names a table held writes go to, but a plain INSERT … VALUES
// into inbox_messages (its held writes only mark rows already there, and an inbound row's INSERT is
// what every message starts with). A write that names none of them cannot read them (the tables
// have no foreign keys, triggers or views). Statements are written with placeholders, never values,
// so a table name inside a message cannot match.
func flushesHeld(q string) bool {
	if strings.HasPrefix(q, "SAVEPOINT") {
		return true
	}
	if rest, ok := strings.CutPrefix(q, "INSERT INTO `inbox_messages`"); ok {
		return strings.Contains(rest, "SELECT") || strings.Contains(rest, "ON ")
	}
	return namesHeld(q)
}

// namesHeld reports whether statement q names a table held writes go to; a read that names none of
// them (a report's look at the cadre's earlier check-ins, the sender's pairings) cannot see them and
// runs without a flush, which would otherwise cut the batch's shared statements into one per message.
func namesHeld(q string) bool {
	return strings.Contains(q, "audit_logs") || strings.Contains(q, "pairing_summaries") ||
		strings.Contains(q, "outbox_messages") || strings.Contains(q, "inbox_messages")
}
