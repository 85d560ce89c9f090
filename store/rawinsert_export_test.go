package store

import (
	"context"
	"fmt"
)

// InsertHandWrittenForTest writes a *CheckIn, *OutboxMessage or *InboxMessage through the hand-written INSERT the
// check-in path uses, so a test can read it back and compare every column.
func (s *Store) InsertHandWrittenForTest(ctx context.Context, v any) error {
	switch r := v.(type) {
	case *CheckIn:
		return s.insertCheckIn(ctx, r)
	case *OutboxMessage:
		return s.insertOutbox(ctx, r)
	case *InboxMessage:
		return s.SaveInbound(ctx, r)
	}
	return fmt.Errorf("no hand-written insert for %T", v)
}
