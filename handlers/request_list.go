package handlers

import (
	"context"
	"fmt"

	"qinqi/bot"
	"qinqi/internal/domain"
)

// requestListMax bounds 诉求列表 to what a phone screen can hold; the reply says how many it left out.
const requestListMax = 50

// requestList (诉求列表) shows the open requests the caller handles: assigned to them, or, for a
// coordinator, anywhere in their units; grouped by state, those nobody has taken on yet first.
func (r *Router) requestList(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	units, err := r.myUnits(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("units of coordinator: %w", err)
	}
	open, err := r.store.OpenRequestsFor(ctx, c.ID(), units, requestListMax)
	if err != nil {
		return nil, fmt.Errorf("open requests: %w", err)
	}
	names := map[domain.HouseholdID]string{}
	groups := map[domain.RequestStatus][]string{}
	for _, q := range open.Rows {
		if _, ok := names[q.HouseholdID]; !ok {
			if names[q.HouseholdID], err = r.householdName(ctx, q.HouseholdID); err != nil {
				return nil, err
			}
		}
		groups[q.Status] = append(groups[q.Status], replyRequestLine(q, names[q.HouseholdID], r.now()))
	}
	return say(replyRequestList(groups, open.Count, len(open.Rows))), nil
}
