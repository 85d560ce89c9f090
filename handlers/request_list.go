package handlers

import (
	"context"

	"qinqi/bot"
	"qinqi/store"
)

// requestList (诉求列表) shows the open requests the caller handles: assigned to them, or, for a
// coordinator, anywhere in their units.
func (r *Router) requestList(ctx context.Context, c *Caller) []bot.Reply {
	units, err := r.myUnits(ctx, c)
	if err != nil {
		return r.fail(ctx, "units of coordinator", err)
	}
	reqs, err := r.store.OpenRequestsFor(ctx, c.ID(), units)
	if err != nil {
		return r.fail(ctx, "open requests", err)
	}
	names := map[store.HouseholdID]string{}
	lines := make([]string, 0, len(reqs))
	for _, q := range reqs {
		if _, ok := names[q.HouseholdID]; !ok {
			names[q.HouseholdID] = r.householdName(ctx, q.HouseholdID)
		}
		lines = append(lines, replyRequestLine(q, names[q.HouseholdID], r.now()))
	}
	return say(replyRequestList(lines))
}
