package store

import (
	"context"
	"fmt"
)

// InsertFixture writes rows (pointers to models) exactly as given, in order, in one transaction.
// It exists for tests and synthetic data that need history the chat commands cannot create
// (past months of check-ins, ratings, answered call-backs); production writes go through the
// intent-named methods.
func (s *Store) InsertFixture(ctx context.Context, rows ...any) error {
	return s.Tx(ctx, func(tx *Store) error {
		for _, r := range rows {
			if err := tx.q(ctx).Create(r).Error; err != nil {
				return fmt.Errorf("store: fixture %T: %w", r, err)
			}
			if err := tx.summarizeFixture(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
}

// summarizeFixture keeps the summaries of fixture check-ins, like every other writer of check_ins.
func (s *Store) summarizeFixture(ctx context.Context, r any) error {
	switch v := r.(type) {
	case *CheckIn:
		return s.summarize(ctx, *v)
	case *[]CheckIn:
		return s.summarize(ctx, *v...)
	}
	return nil
}
