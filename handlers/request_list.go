package handlers

import (
	"context"
	"fmt"

	"qinqi/bot"
	"qinqi/internal/domain"
)

// requestList (诉求列表) shows the open requests the caller handles: assigned to them, or, for a
// coordinator, anywhere in their units.
func (r *Router) requestList(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	units, err := r.myUnits(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("units of coordinator: %w", err)
	}
	reqs, err := r.store.OpenRequestsFor(ctx, c.ID(), units)
	if err != nil {
		return nil, fmt.Errorf("open requests: %w", err)
	}
	names := map[domain.HouseholdID]string{}
	lines := make([]string, 0, len(reqs))
	for _, q := range reqs {
		if _, ok := names[q.HouseholdID]; !ok {
			if names[q.HouseholdID], err = r.householdName(ctx, q.HouseholdID); err != nil {
				return nil, err
			}
		}
		lines = append(lines, replyRequestLine(q, names[q.HouseholdID], r.now()))
	}
	return say(replyRequestList(lines)), nil
}
