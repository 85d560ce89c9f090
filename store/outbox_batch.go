package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"qinqi/internal/domain"
)

// EnqueueOutboxBatch is EnqueueOutbox for many messages in a few statements: one key look-up and
// one recipient-account look-up per 500 messages, then multi-row inserts. The festival reminders
// queue one digest per cadre, 100,000 of them in a large county; four statements each were most
// of that job's time. It returns the stored rows in the order given; existing keys return their row.
func (s *Store) EnqueueOutboxBatch(ctx context.Context, ms []OutboxMessage) ([]OutboxMessage, error) {
	return s.enqueueBatch(ctx, ms, s.insertOutboxRows)
}

// enqueueBatch is EnqueueOutboxBatch writing the new rows with insert, which sets their IDs (a test
// compares the hand-written insert with gorm's).
func (s *Store) enqueueBatch(ctx context.Context, ms []OutboxMessage, insert func(context.Context, []OutboxMessage) error) ([]OutboxMessage, error) {
	out := make([]OutboxMessage, len(ms))
	for start := 0; start < len(ms); start += keyChunk {
		end := min(start+keyChunk, len(ms))
		if err := s.enqueueChunk(ctx, ms[start:end], out[start:end], insert); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) enqueueChunk(ctx context.Context, ms, out []OutboxMessage, insert func(context.Context, []OutboxMessage) error) error {
	keys := make([]string, len(ms))
	for i, m := range ms {
		if err := checkOutbox(m); err != nil {
			return err
		}
		keys[i] = m.Key
	}
	var old []OutboxMessage
	if err := s.q(ctx).Where("`key` IN ?", keys).Find(&old).Error; err != nil {
		return fmt.Errorf("store: outbox key lookup: %w", err)
	}
	have := make(map[string]OutboxMessage, len(old))
	for _, o := range old {
		have[o.Key] = o
	}
	accounts, err := s.recipientAccounts(ctx, ms, have)
	if err != nil {
		return err
	}
	var fresh []OutboxMessage
	var at []int
	for i, m := range ms {
		if o, ok := have[m.Key]; ok {
			out[i] = o
			continue
		}
		if m.Account == "" && m.PersonID != nil {
			// recipientAccounts read it (or failed); an empty account stays empty without asking
			// again, which cost one SELECT per digest when recipients had not bound a chat account
			m.Account = accounts[*m.PersonID]
		}
		s.fillOutboxDefaults(&m)
		fresh, at = append(fresh, m), append(at, i)
	}
	if len(fresh) == 0 {
		return nil
	}
	if err := insert(ctx, fresh); err != nil {
		if isDuplicate(err) { // another instance queued one of them meanwhile: one by one, which tolerates it
			return s.enqueueEach(ctx, ms, out)
		}
		return fmt.Errorf("store: enqueue %d messages: %w", len(fresh), err)
	}
	for j, i := range at {
		out[i] = fresh[j]
	}
	return nil
}

// insertOutboxRows writes filled messages with hand-written multi-row INSERTs (bulkRows rows each) and
// sets their IDs: the first day's overdue scan queues about 60,000 digests in a million-pairing county,
// and gorm's reflection over their sixteen columns was a fifth of its writer's CPU. A statement's rows
// take consecutive ids, as gorm's own batches assume: MySQL reports the first (with
// auto_increment_increment 1), SQLite the last. A taken key fails the statement, whose rows are then
// not written.
func (s *Store) insertOutboxRows(ctx context.Context, rows []OutboxMessage) error {
	for start := 0; start < len(rows); start += s.bulkRows() {
		part := rows[start:min(start+s.bulkRows(), len(rows))]
		args := make([]any, 0, len(part)*len(outboxCols))
		for i := range part {
			args = append(args, outboxArgs(s, &part[i])...)
		}
		res, err := s.exec(ctx, insertSQL("outbox_messages", outboxCols, len(part)), args...)
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if s.driver == DriverSQLite {
			id -= int64(len(part) - 1)
		}
		for i := range part {
			part[i].ID = domain.OutboxID(id + int64(i))
		}
	}
	return nil
}

func (s *Store) enqueueEach(ctx context.Context, ms, out []OutboxMessage) error {
	for i, m := range ms {
		o, err := s.EnqueueOutbox(ctx, m)
		if err != nil {
			return err
		}
		out[i] = o
	}
	return nil
}

// recipientAccounts reads the bot account of every new message's recipient in one query.
func (s *Store) recipientAccounts(ctx context.Context, ms []OutboxMessage, have map[string]OutboxMessage) (map[domain.PersonID]string, error) {
	var ids []domain.PersonID
	for _, m := range ms {
		if _, ok := have[m.Key]; !ok && m.Account == "" && m.PersonID != nil {
			ids = append(ids, *m.PersonID)
		}
	}
	out := map[domain.PersonID]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var ps []Person
	if err := s.q(ctx).Select("id, account").Where("id IN ?", ids).Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("store: outbox recipients: %w", err)
	}
	for _, p := range ps {
		out[p.ID] = p.Account
	}
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			return nil, fmt.Errorf("store: outbox recipient %d: %w", id, ErrNotFound)
		}
	}
	return out, nil
}

// linkOutbox sets table.outbox_id of each group of rows to the message that carried it, in one
// UPDATE … CASE per keyChunk rows (literal integers, as in sqlInts).
func linkOutbox[ID ~int64](s *Store, ctx context.Context, table string, byOutbox map[domain.OutboxID][]ID) error {
	var ids []ID
	owner := map[ID]domain.OutboxID{}
	for out, rs := range byOutbox {
		for _, id := range rs {
			ids, owner[id] = append(ids, id), out
		}
	}
	slices.Sort(ids)
	for start := 0; start < len(ids); start += keyChunk {
		chunk := ids[start:min(start+keyChunk, len(ids))]
		var cases strings.Builder
		for _, id := range chunk {
			fmt.Fprintf(&cases, " WHEN %d THEN %d", id, owner[id])
		}
		q := "UPDATE " + table + " SET outbox_id = CASE id" + cases.String() + " END WHERE id IN (" + sqlInts(chunk) + ")"
		if err := s.q(ctx).Exec(q).Error; err != nil {
			return fmt.Errorf("store: link %s: %w", table, err)
		}
	}
	return nil
}

// checkOutbox is what EnqueueOutbox requires of a message before it touches the database.
func checkOutbox(m OutboxMessage) error {
	switch {
	case m.Key == "":
		return errors.New("store: outbox message needs a key")
	case m.PersonID == nil && m.ToKey == "":
		return fmt.Errorf("store: outbox message %q has no recipient", m.Key)
	case m.CreatedAt.IsZero():
		return fmt.Errorf("store: outbox message %q needs CreatedAt from the caller's clock", m.Key)
	}
	return nil
}
