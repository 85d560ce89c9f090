package store

import (
	"context"
	"fmt"
	"sync/atomic"

	"gorm.io/gorm"
)

// CountQueriesForTest counts the gorm reads on table from now on; the returned func reads the count.
// Tests use it to pin how many statements a batched path sends.
func (s *Store) CountQueriesForTest(table string) func() int64 {
	var n atomic.Int64
	name := fmt.Sprintf("test:count:%s:%p", table, &n)
	_ = s.db.Callback().Query().After("gorm:query").Register(name, func(db *gorm.DB) {
		if db.Statement.Table == table {
			n.Add(1)
		}
	})
	return n.Load
}

// EnqueueOutboxBatchWithGormForTest is EnqueueOutboxBatch writing the new rows as it did before the
// hand-written insert, with gorm's CreateInBatches of 100, so a test can compare the rows.
func (s *Store) EnqueueOutboxBatchWithGormForTest(ctx context.Context, ms []OutboxMessage) ([]OutboxMessage, error) {
	return s.enqueueBatch(ctx, ms, func(ctx context.Context, rows []OutboxMessage) error {
		return s.q(ctx).CreateInBatches(&rows, 100).Error
	})
}
