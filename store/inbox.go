package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"qinqi/internal/domain"

	"gorm.io/gorm"
)

// SaveInbound writes an inbound message before any handling and sets m.ID. A message whose
// (transport, account, msg id) is already stored returns ErrDuplicate and m.ID of the stored row.
func (s *Store) SaveInbound(ctx context.Context, m *InboxMessage) error {
	// One hand-written INSERT, no look-up first and no transaction around it: this runs for every
	// message. A message replayed after a reconnect fails on the unique (transport, account, msg_id) key.
	id, err := s.insertRow(ctx, inboxInsert, s.inboxArgs(nil, m)...)
	if err == nil {
		m.ID = domain.InboxID(id)
		return nil
	}
	if !isDuplicate(err) {
		return fmt.Errorf("store: save inbound: %w", err)
	}
	m.ID, _ = s.inboxIDOf(ctx, m)
	return ErrDuplicate
}

// inboxCols are InboxMessage's columns but the id, in the order inboxArgs passes them
// (TestHandWrittenInsertsCoverTheModels keeps them in step with the model).
var inboxCols = []string{"transport", "account", "msg_id", "sender_key", "person_id",
	"kind", "text", "payload", "status", "received_at", "done_at", "error", "attempts"}

var inboxInsert = insertSQL("inbox_messages", inboxCols, 1)

// inboxArgs appends m's values for inboxCols, once m is made fit to store (status new by default,
// the store's zone, the text cut to its column).
func (s *Store) inboxArgs(args []any, m *InboxMessage) []any {
	if m.Status == "" {
		m.Status = InNew
	}
	m.ReceivedAt = m.ReceivedAt.In(s.loc)
	m.Text = clipRunes(m.Text, 4000)
	return append(args, m.Transport, m.Account, m.MsgID, m.SenderKey, idArg(m.PersonID), m.Kind,
		m.Text, m.Payload, string(m.Status), m.ReceivedAt, ptrArg(m.DoneAt), m.Error, int64(m.Attempts))
}

// ErrNotBatched: SaveInboundAll wrote nothing, and each row is to be saved with SaveInbound.
var ErrNotBatched = errors.New("store: rows not saved at once")

// SavesInboundAll reports whether SaveInboundAll can write rows under ctx: in a batch, on MariaDB.
func (s *Store) SavesInboundAll(ctx context.Context) bool { return s.multi && s.joined(ctx) != nil }

// SaveInboundAll writes the inbound rows of an inbox batch on MariaDB with one multi-row INSERT,
// which goes in the packet that opens the batch's transaction (batch_packet.go), and sets their
// IDs: a batch of n messages starts with one round trip instead of n. A statement fails as a whole,
// so on any error (a message id repeated among them or stored before, a value the database
// refuses) none of them is written, and the caller saves each with SaveInbound, which tells which
// one failed how. Elsewhere (SQLite, outside a batch, one row) it returns ErrNotBatched.
func (s *Store) SaveInboundAll(ctx context.Context, ms []*InboxMessage) error {
	if !s.SavesInboundAll(ctx) || len(ms) < 2 || len(ms) > flushSQLCached {
		return ErrNotBatched
	}
	args := make([]any, 0, len(ms)*len(inboxCols))
	for _, m := range ms {
		args = s.inboxArgs(args, m)
	}
	q := flushSQL("inbox_messages", len(ms), func() string { return insertSQL("inbox_messages", inboxCols, len(ms)) })
	first, err := s.insertRow(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: save inbound rows: %w", err)
	}
	for i, m := range ms { // consecutive: checkAutoIncrement
		m.ID = domain.InboxID(first + int64(i))
	}
	return nil
}

func (s *Store) inboxIDOf(ctx context.Context, m *InboxMessage) (domain.InboxID, error) {
	var old InboxMessage
	err := s.q(ctx).Select("id").Where("transport = ? AND account = ? AND msg_id = ?", m.Transport, m.Account, m.MsgID).Take(&old).Error
	return old.ID, notFound(err)
}

// UnfinishedInbox lists messages not yet handled (status new), oldest first, for re-processing on start.
func (s *Store) UnfinishedInbox(ctx context.Context, limit int) ([]InboxMessage, error) {
	var rows []InboxMessage
	if err := s.q(ctx).Where("status = ?", InNew).Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: unfinished inbox: %w", err)
	}
	return rows, nil
}

// InboxByID returns one inbound message or ErrNotFound.
func (s *Store) InboxByID(ctx context.Context, id domain.InboxID) (InboxMessage, error) {
	return one[InboxMessage](s, ctx, "id = ?", id)
}

// InboxResult is how handling of one inbound message ended.
type InboxResult struct {
	Status   InboxStatus
	PersonID domain.PersonID // 0 when the sender stayed unbound
	Error    string          // why it was dropped or failed; never message text
	Replies  []OutboxMessage
	// Account is the bot account the message came to; when the sender cache already shows it as
	// the person's account, the account is not written again. Empty: always checked by the database.
	Account string
}

// CompleteInbound enqueues the replies and marks the inbound message finished in one transaction,
// so a crash never loses a reply nor sends it twice: re-processing finds the row done or, if the
// transaction did not commit, handles it again under the same reply keys.
func (s *Store) CompleteInbound(ctx context.Context, id domain.InboxID, r InboxResult, now time.Time) error {
	noted := r.PersonID == 0 || s.accountKnown(ctx, r.PersonID, r.Account)
	return s.atomic(ctx, func(tx *Store) error {
		for _, o := range r.Replies {
			if err := tx.enqueueReply(ctx, o); err != nil {
				return err
			}
		}
		if err := tx.finishInbound(ctx, id, r, now); err != nil {
			return fmt.Errorf("store: finish inbound %d: %w", id, err)
		}
		if !noted {
			return tx.noteLastUsed(ctx, id, r.PersonID, r.Account, now)
		}
		return nil
	})
}

// finishInbound marks the row finished: one hand-written UPDATE, since every message passes here,
// held in an inbound batch and written with the batch's others before its commit (batch_hold.go).
// A result without a person keeps the person the row has.
func (s *Store) finishInbound(ctx context.Context, id domain.InboxID, r InboxResult, now time.Time) error {
	var person *domain.PersonID
	if r.PersonID != 0 {
		person = &r.PersonID
	}
	if h := s.held(ctx); h != nil {
		h.addDone(doneMark{id: id, status: r.Status, at: now, err: r.Error, person: person})
		return nil
	}
	res, err := s.exec(ctx, "UPDATE `inbox_messages` SET `status`=?,`done_at`=?,`error`=?,`person_id`=COALESCE(?,`person_id`) WHERE `id`=?",
		r.Status, now.In(s.loc), clipRunes(r.Error, 500), person, id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return cmp.Or(err, ErrNotFound)
	}
	return nil
}

// accountKnown reports whether the message's sender cache (see Directory) holds the person with
// account already: then noteLastUsed's UPDATE would change nothing. A cache miss reads the person.
func (s *Store) accountKnown(ctx context.Context, person domain.PersonID, account string) bool {
	v := s.view(ctx)
	if v == nil || account == "" || DirectoryWritten(ctx) {
		return false
	}
	p, err := s.cachedPersonByID(v, ctx, person)
	return err == nil && p.Account == account
}

// atomic runs fn in a transaction, or right in the batch of ctx: a failed call fails its message,
// and with it the whole batch, which is then rolled back (see Batch), so a savepoint would only be a
// round trip more.
func (s *Store) atomic(ctx context.Context, fn func(tx *Store) error) error {
	if !s.inTx && inBatch(ctx) {
		return fn(s)
	}
	return s.Tx(ctx, fn)
}

// noteLastUsed makes the account a person just wrote from the one that reaches them (messages qinqi
// starts go to the channel the person last used). Only a change writes the row. The account is the
// result's when it names it, else the inbound row's: then the UPDATE reads inbox_messages, and in a
// batch the held writes are flushed before it (batch_hold.go).
func (s *Store) noteLastUsed(ctx context.Context, id domain.InboxID, person domain.PersonID, account string, now time.Time) error {
	var acct any = account
	if account == "" {
		acct = s.q(ctx).Model(&InboxMessage{}).Select("account").Where("id = ?", id)
	}
	err := s.q(ctx).Model(&Person{}).Where("id = ? AND account <> (?)", person, acct).
		Updates(map[string]any{"account": acct, "updated_at": now.In(s.loc)}).Error
	if err != nil {
		return fmt.Errorf("store: note last used account: %w", err)
	}
	return nil
}

// FailInboundTry records a failed try to handle an inbound message, which stays new for the next
// try, and returns how many tries have failed so far.
func (s *Store) FailInboundTry(ctx context.Context, id domain.InboxID, reason string) (int, error) {
	var n int
	err := s.Tx(ctx, func(tx *Store) error {
		res := tx.q(ctx).Model(&InboxMessage{}).Where("id = ? AND status = ?", id, InNew).
			Updates(map[string]any{"attempts": gorm.Expr("attempts + 1"), "error": clipRunes(reason, 500)})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		return tx.q(ctx).Model(&InboxMessage{}).Select("attempts").Where("id = ?", id).Scan(&n).Error
	})
	if err != nil {
		return 0, fmt.Errorf("store: inbound %d try: %w", id, err)
	}
	return n, nil
}

// FailedInbox lists quarantined inbound messages (status failed), newest first.
func (s *Store) FailedInbox(ctx context.Context, limit int) ([]InboxMessage, error) {
	var rows []InboxMessage
	err := s.q(ctx).Select("id", "transport", "account", "msg_id", "person_id", "kind", "status", "received_at", "done_at", "error", "attempts").
		Where("status = ?", InFailed).Order("id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: failed inbox: %w", err)
	}
	return rows, nil
}

// CountInbox counts inbound messages in one status.
func (s *Store) CountInbox(ctx context.Context, status InboxStatus) (int64, error) {
	var n int64
	if err := s.q(ctx).Model(&InboxMessage{}).Where("status = ?", status).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("store: count inbox: %w", err)
	}
	return n, nil
}

// clipRunes cuts s to at most n runes so an over-long message never fails an insert. Counting first
// spares the rune slice of every string that fits: the first day's overdue scan clips each of its
// 200,000 alert reasons twice.
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
