package store

import (
	"context"
	"fmt"
	"time"

	"qinqi/internal/domain"
)

// LateRequests lists open requests past a deadline at now: not yet accepted after AckDueAt, or not
// resolved after DueAt. The deadline job reminds the assignee and then the coordinator.
func (s *Store) LateRequests(ctx context.Context, now time.Time) ([]Request, error) {
	n := now.In(s.loc)
	var rows []Request
	err := s.q(ctx).Where("resolved_at IS NULL AND status NOT IN ? AND ((status = ? AND ack_due_at < ?) OR due_at < ?)", domain.ClosedStatuses, domain.StatusNew, n, n).
		Order("id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: late requests: %w", err)
	}
	return rows, nil
}
