package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"gorm.io/gorm"

	"qinqi/internal/domain"
)

// Audit actions written by the conversation handlers.
const (
	ActCreate   = "create"
	ActUndo     = "undo"
	ActAttach   = "attach"
	ActAmend    = "amend"
	ActAccept   = "accept"
	ActResolve  = "resolve"
	ActTransfer = "transfer"
	ActRate     = "rate"
	ActChase    = "chase"    // a household pressed for a request
	ActWithdraw = "withdraw" // a household took back its request or complaint
	ActReroute  = "reroute"  // a household moved its complaint to its cadre as a request
	ActUpsert   = "upsert"
	// ActFullText: free text was shown with its phone and ID numbers unmasked (an auditor's export).
	ActFullText = "full_text"
)

// AuditEntry is one change to record; Detail holds ids and codes, never names or phone numbers.
type AuditEntry struct {
	Actor    domain.PersonID
	Action   string
	Entity   string
	EntityID int64
	Detail   string
	At       time.Time
}

// Audit writes one audit row; call it inside the transaction of the change it describes. In an
// inbound batch the row is held and written with the batch's others before its commit (batch_hold.go).
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	var actor any
	if e.Actor != 0 {
		actor = int64(e.Actor)
	}
	detail, at := clipRunes(e.Detail, 1000), e.At.In(s.loc)
	if h := s.held(ctx); h != nil {
		h.addAudit(actor, e.Action, e.Entity, e.EntityID, detail, at)
		return nil
	}
	if _, err := s.insertRow(ctx, auditInsert, actor, e.Action, e.Entity, e.EntityID, detail, at); err != nil {
		return fmt.Errorf("store: audit %s %s: %w", e.Action, e.Entity, err)
	}
	return nil
}

// auditCols are AuditLog's columns but the id, in the order Audit passes them.
var auditCols = []string{"actor_id", "action", "entity", "entity_id", "detail", "at"}

var auditInsert = insertSQL("audit_logs", auditCols, 1)

// AuditOf lists the audit rows of one entity, oldest first (tests and the admin view).
func (s *Store) AuditOf(ctx context.Context, entity string, id int64) ([]AuditLog, error) {
	var rows []AuditLog
	if err := s.q(ctx).Where("entity = ? AND entity_id = ?", entity, id).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: audit of %s %d: %w", entity, id, err)
	}
	return rows, nil
}

// enqueueAll adds notifications inside the caller's transaction.
func (s *Store) enqueueAll(ctx context.Context, notes []OutboxMessage) error {
	for _, n := range notes {
		if _, err := s.EnqueueOutbox(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

// insertRow runs one hand-written INSERT (built once by insertSQL) on the connection q picks (the
// transaction's inside Tx, the inbound batch's when ctx carries one) and returns the new row's id.
// The check-in path writes four rows per report; gorm's Create spends more CPU on reflection and
// callbacks than the driver does on the statement, so those four go through here. The args are in
// the order of the statement's columns.
func (s *Store) insertRow(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := s.exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// exec runs one hand-written statement where q(ctx) would, without the gorm session q builds;
// errors are translated as gorm's are, so a duplicate key is still ErrDuplicatedKey.
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	pool := s.db.Statement.ConnPool
	if b := s.joined(ctx); b != nil {
		pool = b.tx.Statement.ConnPool
	}
	res, err := pool.ExecContext(ctx, query, args...)
	if err != nil {
		if t, ok := s.db.Dialector.(gorm.ErrorTranslator); ok {
			err = t.Translate(err)
		}
		return nil, err
	}
	return res, nil
}
