package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"qinqi/internal/domain"

	"gorm.io/gorm"
)

// Outbox message kinds.
const (
	OutText  = "text"
	OutFile  = "file"
	OutImage = "image"
)

// OutSending is the status of a message from the moment a sender claims it until the result of
// the send is recorded. It is committed before the network call, so a sender that dies mid-send
// leaves the message in this status, and nothing sends it again: WeChat has no idempotent send,
// so after a crash nobody can tell whether it arrived, and qinqi prefers at most once (a reminder
// "is sent at most once, even across restarts and instances"). Such a message is "interrupted"
// once its lease has passed; see InterruptedOutbox and `qinqi status`.
const OutSending OutboxStatus = "sending"

// EnqueueOutbox adds one outgoing message inside the caller's transaction (use the Store that Tx
// hands you) and returns the stored row; a Key that exists already returns the existing row, so
// reminders and notifications keyed by their cause are sent at most once. The row is picked up by
// the sender only after the transaction commits. Missing fields are filled in: Status pending,
// Kind from the file fields, NextAttemptAt = CreatedAt, and Account from the recipient's Person.Account.
// CreatedAt must come from the caller's clock.
func (s *Store) EnqueueOutbox(ctx context.Context, m OutboxMessage) (OutboxMessage, error) {
	if err := checkOutbox(m); err != nil {
		return m, err
	}
	// Insert first and look the key up only when it is taken: a key is new on almost every call
	// (each reply), so the look-up before the insert was a wasted round trip per message. A
	// duplicate fails only its own statement on both databases, so an enclosing transaction goes on.
	err := s.fillOutbox(ctx, &m)
	if err == nil {
		if err = s.insertOutbox(ctx, &m); err == nil {
			return m, nil
		}
	}
	// Only a taken key (or a recipient gone, where the row may exist from before) is looked up: after
	// any other error the transaction may be dead, and nothing may run as if it went on.
	if isDuplicate(err) || errors.Is(err, ErrNotFound) {
		// A locking read: in a MariaDB transaction a plain one reads the snapshot from before the
		// other instance's row was committed, finds nothing, and the duplicate became an error.
		var old []OutboxMessage
		e := s.q(ctx).Raw(s.forUpdate("SELECT * FROM outbox_messages WHERE `key` = ?"), m.Key).Scan(&old).Error
		if e == nil && len(old) == 1 {
			return old[0], nil
		}
	}
	if errors.Is(err, ErrNotFound) {
		return m, err // fillOutbox's own message names the recipient
	}
	return m, fmt.Errorf("store: enqueue %q: %w", m.Key, err)
}

// outboxInsert writes OutboxMessage's columns but the id, in the order insertOutbox passes them
// (TestHandWrittenInsertsCoverTheModels keeps them in step with the model).
var outboxInsert = insertSQL("outbox_messages", outboxCols, 1)

var outboxCols = []string{"key", "account", "status", "priority", "next_attempt_at", "person_id", "to_key", "kind",
	"text", "file_name", "file_path", "urgent", "attempts", "last_error", "created_at", "sent_at"}

// insertOutbox writes a filled m as gorm's Create would (CreatedAt now unless set) and sets its ID:
// one hand-written statement, since every reply passes here.
func (s *Store) insertOutbox(ctx context.Context, m *OutboxMessage) error {
	id, err := s.insertRow(ctx, outboxInsert, outboxArgs(s, m)...)
	m.ID = domain.OutboxID(id)
	return err
}

// outboxArgs are a filled m's values in the order of outboxCols (CreatedAt now unless set).
func outboxArgs(s *Store, m *OutboxMessage) []any {
	if m.CreatedAt.IsZero() {
		m.CreatedAt = time.Now().In(s.loc)
	}
	return []any{m.Key, m.Account, string(m.Status), int64(m.Priority), m.NextAttemptAt,
		idArg(m.PersonID), m.ToKey, m.Kind, m.Text, m.FileName, m.FilePath, m.Urgent, int64(m.Attempts), m.LastError, m.CreatedAt, ptrArg(m.SentAt)}
}

// enqueueReply is EnqueueOutbox for a reply of CompleteInbound, whose stored row nobody reads: in an
// inbound batch it is held and written with the batch's others before its commit (batch_hold.go).
// Its key names its inbound row, new in the batch, so it is not taken; if it were, the held INSERT
// would lose the batch, and its messages, redone one by one, would find the row as EnqueueOutbox does.
func (s *Store) enqueueReply(ctx context.Context, m OutboxMessage) error {
	h := s.held(ctx)
	if h == nil {
		_, err := s.EnqueueOutbox(ctx, m)
		return err
	}
	if err := checkOutbox(m); err != nil {
		return err
	}
	if err := s.fillOutbox(ctx, &m); err != nil {
		return err
	}
	h.addOutbox(outboxArgs(s, &m)...)
	return nil
}

// fillOutboxDefaults sets a new message's status, kind, first attempt and bounded text.
// maxOutboxText is how much of a message's text is stored and sent (the column's size).
const maxOutboxText = 4000

func (s *Store) fillOutboxDefaults(m *OutboxMessage) {
	m.CreatedAt = m.CreatedAt.In(s.loc)
	if m.Status == "" {
		m.Status = OutPending
	}
	if m.Kind == "" {
		m.Kind = OutText
		if m.FilePath != "" {
			m.Kind = OutFile
		}
	}
	if m.NextAttemptAt.IsZero() {
		m.NextAttemptAt = m.CreatedAt
	}
	m.NextAttemptAt = m.NextAttemptAt.In(s.loc)
	m.Text = clipRunes(m.Text, maxOutboxText)
}

// fillOutbox is fillOutboxDefaults plus the recipient's account, looked up when not given.
func (s *Store) fillOutbox(ctx context.Context, m *OutboxMessage) error {
	s.fillOutboxDefaults(m)
	if m.Account == "" && m.PersonID != nil {
		var p Person
		if err := s.q(ctx).Select("account").Where("id = ?", *m.PersonID).Take(&p).Error; err != nil {
			return fmt.Errorf("store: outbox recipient %d: %w", *m.PersonID, notFound(err))
		}
		m.Account = p.Account
	}
	return nil
}

// DueFilter narrows what the sender may pick now.
type DueFilter struct {
	UrgentOnly  bool // quiet hours: only urgent messages
	RepliesOnly bool // daily cap reached for everything but replies
}

func (s *Store) pending(ctx context.Context, account string, f DueFilter) *gorm.DB {
	q := s.q(ctx).Model(&OutboxMessage{}).Where("account = ? AND status = ?", account, OutPending)
	if f.UrgentOnly {
		q = q.Where("urgent = ?", true)
	}
	if f.RepliesOnly {
		q = q.Where("priority = ?", PriorityReply)
	}
	return q
}

// DueOutbox lists pending messages of one account whose time has come: replies before alerts
// before bulk reminders, earliest due first within a priority (the order of idx_outbox_due, so the
// first row is found without a sort).
func (s *Store) DueOutbox(ctx context.Context, account string, now time.Time, f DueFilter, limit int) ([]OutboxMessage, error) {
	var rows []OutboxMessage
	err := s.pending(ctx, account, f).Where("next_attempt_at <= ?", now.In(s.loc)).
		Order("priority, next_attempt_at, id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: due outbox: %w", err)
	}
	return rows, nil
}

// NextOutboxAt is the earliest NextAttemptAt of a pending message of the account, or ErrNotFound.
func (s *Store) NextOutboxAt(ctx context.Context, account string, f DueFilter) (time.Time, error) {
	var row OutboxMessage
	err := s.pending(ctx, account, f).Select("next_attempt_at").Order("next_attempt_at").Take(&row).Error
	if err != nil {
		return time.Time{}, fmt.Errorf("store: next outbox: %w", notFound(err))
	}
	return row.NextAttemptAt.In(s.loc), nil
}

// ClaimOutbox marks a due message as sending (see OutSending) with a lease until the given time;
// false means another instance took it first. Call it right before the network call; record the
// result with MarkOutboxSent, RetryOutbox or FailOutbox. A claim is never taken back by time:
// when the lease passes without a result the message is interrupted, not sent again.
//
// The lease end is kept to the millisecond (what MySQL's DATETIME(3) holds), so it also names this
// claim for ReleaseOutbox.
func (s *Store) ClaimOutbox(ctx context.Context, id domain.OutboxID, now, until time.Time) (bool, error) {
	res := s.q(ctx).Model(&OutboxMessage{}).
		Where("id = ? AND status = ? AND next_attempt_at <= ?", id, OutPending, now.In(s.loc)).
		Updates(map[string]any{"status": OutSending, "next_attempt_at": until.Truncate(time.Millisecond).In(s.loc)})
	if res.Error != nil {
		return false, fmt.Errorf("store: claim outbox %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// ReleaseOutbox makes a message pending again (due at claimedAt) after a ClaimOutbox whose answer
// was lost: the database may have committed the claim while the connection died, and the sender
// knows it sent nothing. Only that claim is undone: a row another sender has claimed since carries
// another lease end and is left alone.
func (s *Store) ReleaseOutbox(ctx context.Context, id domain.OutboxID, claimedAt, until time.Time) error {
	err := s.q(ctx).Model(&OutboxMessage{}).
		Where("id = ? AND status = ? AND next_attempt_at = ?", id, OutSending, until.Truncate(time.Millisecond).In(s.loc)).
		Updates(map[string]any{"status": OutPending, "next_attempt_at": claimedAt.In(s.loc)}).Error
	if err != nil {
		return fmt.Errorf("store: release outbox %d: %w", id, err)
	}
	return nil
}

// MarkOutboxSent records a delivery.
func (s *Store) MarkOutboxSent(ctx context.Context, id domain.OutboxID, now time.Time) error {
	return s.updateOutbox(ctx, id, map[string]any{"status": OutSent, "sent_at": now.In(s.loc), "last_error": ""}, true)
}

// RetryOutbox records a transient failure and when to try again (the message is pending again).
func (s *Store) RetryOutbox(ctx context.Context, id domain.OutboxID, next time.Time, reason string) error {
	return s.updateOutbox(ctx, id, map[string]any{"status": OutPending, "next_attempt_at": next.In(s.loc),
		"last_error": clipRunes(reason, 500)}, true)
}

// FailOutbox records a permanent failure; admins see it in FailedOutbox.
func (s *Store) FailOutbox(ctx context.Context, id domain.OutboxID, reason string) error {
	return s.updateOutbox(ctx, id, map[string]any{"status": OutFailed, "last_error": clipRunes(reason, 500)}, true)
}

// DeferOutbox puts a message back to pending, due at next, without counting an attempt: the
// channel was unavailable for the whole account, the recipient's own rate limit was reached, or
// the channel holds the message (reason "held: …", shown by `qinqi status`).
func (s *Store) DeferOutbox(ctx context.Context, id domain.OutboxID, next time.Time, reason string) error {
	return s.updateOutbox(ctx, id, map[string]any{"status": OutPending, "next_attempt_at": next.In(s.loc),
		"last_error": clipRunes(reason, 500)}, false)
}

// HeldOutbox lists pending messages a channel holds (see DeferOutbox), oldest first.
func (s *Store) HeldOutbox(ctx context.Context, limit int) ([]OutboxMessage, error) {
	var rows []OutboxMessage
	err := s.q(ctx).Where("status = ? AND last_error LIKE ?", OutPending, "held:%").Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: held outbox: %w", err)
	}
	return rows, nil
}

// SetOutboxAccount routes a message that had no bot account yet.
func (s *Store) SetOutboxAccount(ctx context.Context, id domain.OutboxID, account string) error {
	return s.updateOutbox(ctx, id, map[string]any{"account": account}, false)
}

func (s *Store) updateOutbox(ctx context.Context, id domain.OutboxID, upd map[string]any, attempt bool) error {
	q := s.q(ctx).Model(&OutboxMessage{}).Where("id = ?", id)
	if attempt {
		upd["attempts"] = gorm.Expr("attempts + 1")
	}
	res := q.Updates(upd)
	if res.Error != nil {
		return fmt.Errorf("store: update outbox %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: update outbox %d: %w", id, ErrNotFound)
	}
	return nil
}

// UnroutedOutbox lists pending messages without a bot account (their recipient had none when
// they were enqueued), oldest first.
func (s *Store) UnroutedOutbox(ctx context.Context, limit int) ([]OutboxMessage, error) {
	var rows []OutboxMessage
	err := s.q(ctx).Where("account = ? AND status = ?", "", OutPending).Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: unrouted outbox: %w", err)
	}
	return rows, nil
}

// InterruptedOutbox lists messages whose sender stopped between the claim and the result (still
// sending after their lease), oldest first: each may or may not have arrived, and none is sent
// again by itself. At most one per account and stopped instance: a sender sends one at a time.
func (s *Store) InterruptedOutbox(ctx context.Context, now time.Time, limit int) ([]OutboxMessage, error) {
	var rows []OutboxMessage
	err := s.q(ctx).Where("status = ? AND next_attempt_at < ?", OutSending, now.In(s.loc)).
		Order("next_attempt_at, id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: interrupted outbox: %w", err)
	}
	return rows, nil
}

// FailedOutbox lists permanent failures, newest first, for admins.
func (s *Store) FailedOutbox(ctx context.Context, limit int) ([]OutboxMessage, error) {
	var rows []OutboxMessage
	if err := s.q(ctx).Where("status = ?", OutFailed).Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: failed outbox: %w", err)
	}
	return rows, nil
}

// OutboxCount is the number of messages of one account in one status.
type OutboxCount struct {
	Account string
	Status  OutboxStatus
	N       int64
}

// OutboxCounts groups the outbox by account and status (for status and the admin view).
func (s *Store) OutboxCounts(ctx context.Context) ([]OutboxCount, error) {
	var rows []OutboxCount
	err := s.q(ctx).Model(&OutboxMessage{}).Select("account, status, COUNT(*) AS n").
		Group("account, status").Order("account, status").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: outbox counts: %w", err)
	}
	return rows, nil
}

// OutboxByKey returns one message by its idempotency key, or ErrNotFound.
func (s *Store) OutboxByKey(ctx context.Context, key string) (OutboxMessage, error) {
	return one[OutboxMessage](s, ctx, "`key` = ?", key)
}
