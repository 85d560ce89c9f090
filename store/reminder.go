package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"qinqi/internal/domain"
)

// keyChunk is how many keys go into one IN (…) lookup.
const keyChunk = 500

// ExistingReminderKeys returns which of keys already have a reminder row (a keyed read on the unique
// index, 500 keys a statement), so a planner can leave those out before it writes anything.
func (s *Store) ExistingReminderKeys(ctx context.Context, keys []string) (map[string]bool, error) {
	return existingKeys[Reminder](s, ctx, keys)
}

// ErrRemindersRaced: InsertReminders found a key that exists already, so another run planned that
// stage since the caller looked. The caller's transaction must roll back and plan again.
var ErrRemindersRaced = errors.New("store: a reminder was planned meanwhile")

// InsertReminders writes rows the caller found new (ExistingReminderKeys), outbox links included, in
// multi-row INSERTs that skip an existing key rather than fail; fewer rows written than given means
// one was planned meanwhile: ErrRemindersRaced. Hand-written: this writes a row per pairing.
func (s *Store) InsertReminders(ctx context.Context, rows []Reminder) error {
	per := s.bulkRows()
	for start := 0; start < len(rows); start += per {
		batch := rows[start:min(start+per, len(rows))]
		sql, args := s.reminderInsert(batch)
		res := s.q(ctx).Exec(sql, args...)
		if res.Error != nil {
			return fmt.Errorf("store: insert reminders: %w", res.Error)
		}
		if res.RowsAffected != int64(len(batch)) {
			return fmt.Errorf("%w (%d of %d rows new)", ErrRemindersRaced, res.RowsAffected, len(batch))
		}
	}
	return nil
}

// reminderColumns are the columns InsertReminders writes.
var reminderColumns = []string{"key", "pairing_id", "campaign_id", "cadre_id", "stage", "outbox_id", "created_at"}

// reminderInsert is one multi-row INSERT that skips existing keys.
func (s *Store) reminderInsert(rows []Reminder) (string, []any) {
	args := make([]any, 0, len(rows)*len(reminderColumns))
	for _, r := range rows {
		args = append(args, r.Key, r.PairingID, r.CampaignID, r.CadreID, r.Stage, r.OutboxID, r.CreatedAt.In(s.loc))
	}
	return s.skippingKeys(insertSQL("reminders", reminderColumns, len(rows))), args
}

// skippingKeys makes an INSERT into a table with a unique key column skip the rows whose key exists,
// on either database (not INSERT IGNORE, which would also swallow other errors).
func (s *Store) skippingKeys(insert string) string {
	if s.driver == DriverMySQL {
		return insert + " ON DUPLICATE KEY UPDATE id = id"
	}
	return insert + " ON CONFLICT (`key`) DO NOTHING"
}

// existingKeys returns which keys already have a row in T's table (its unique column is `key`).
func existingKeys[T any](s *Store, ctx context.Context, keys []string) (map[string]bool, error) {
	out := make(map[string]bool, len(keys))
	for start := 0; start < len(keys); start += keyChunk {
		var found []string
		var model T
		err := s.q(ctx).Model(&model).Where("`key` IN ?", keys[start:min(start+keyChunk, len(keys))]).Pluck("key", &found).Error
		if err != nil {
			return nil, fmt.Errorf("store: existing keys of %T: %w", model, err)
		}
		for _, k := range found {
			out[k] = true
		}
	}
	return out, nil
}

// ReminderFilter narrows Reminders; zero fields match everything.
type ReminderFilter struct {
	CampaignID *domain.CampaignID
	PairingID  domain.PairingID
	From, To   time.Time // CreatedAt in [From, To)
}

// Reminders lists reminders in id order (reports, the simulator and tests).
func (s *Store) Reminders(ctx context.Context, f ReminderFilter) ([]Reminder, error) {
	q := s.q(ctx).Model(&Reminder{})
	if f.CampaignID != nil {
		q = q.Where("campaign_id = ?", *f.CampaignID)
	}
	if f.PairingID != 0 {
		q = q.Where("pairing_id = ?", f.PairingID)
	}
	if !f.From.IsZero() {
		q = q.Where("created_at >= ?", f.From.In(s.loc))
	}
	if !f.To.IsZero() {
		q = q.Where("created_at < ?", f.To.In(s.loc))
	}
	var rows []Reminder
	if err := q.Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: reminders: %w", err)
	}
	return rows, nil
}

// OutboxWithPrefix lists outbox messages whose key starts with prefix, in id order (job tests and the
// simulator's report read what the jobs enqueued).
func (s *Store) OutboxWithPrefix(ctx context.Context, prefix string) ([]OutboxMessage, error) {
	var rows []OutboxMessage
	if err := s.q(ctx).Where("`key` LIKE ?", prefix+"%").Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: outbox by prefix: %w", err)
	}
	return rows, nil
}
