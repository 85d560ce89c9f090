package store

import (
	"context"
	"fmt"
	"time"

	"qinqi/internal/domain"
)

// Audit actions written by the conversation handlers.
const (
	ActCreate   = "create"
	ActUndo     = "undo"
	ActAttach   = "attach"
	ActAccept   = "accept"
	ActResolve  = "resolve"
	ActTransfer = "transfer"
	ActRate     = "rate"
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

// Audit writes one audit row; call it inside the transaction of the change it describes.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	row := AuditLog{Action: e.Action, Entity: e.Entity, EntityID: e.EntityID, Detail: clipRunes(e.Detail, 1000), At: e.At.In(s.loc)}
	if e.Actor != 0 {
		actor := e.Actor
		row.ActorID = &actor
	}
	if err := s.q(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store: audit %s %s: %w", e.Action, e.Entity, err)
	}
	return nil
}

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
