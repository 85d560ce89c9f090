package store

import (
	"context"
	"fmt"
)

// PendingOutboxFiles lists the files of messages not sent yet (pending or being sent): the cleanup
// job must never delete them, however old.
func (s *Store) PendingOutboxFiles(ctx context.Context) (map[string]bool, error) {
	var paths []string
	err := s.q(ctx).Model(&OutboxMessage{}).Where("status IN ? AND file_path <> ''", []OutboxStatus{OutPending, OutSending}).
		Pluck("file_path", &paths).Error
	if err != nil {
		return nil, fmt.Errorf("store: pending outbox files: %w", err)
	}
	out := make(map[string]bool, len(paths))
	for _, p := range paths {
		out[p] = true
	}
	return out, nil
}
