package handlers

import (
	"context"

	"qinqi/bot"
	"qinqi/store"
)

// transfer (转办 12 原因) hands a request to the coordinators of its unit and tells the household.
func (r *Router) transfer(ctx context.Context, c *Caller) []bot.Reply {
	req, reason, errReply := r.requestInScope(ctx, c)
	if errReply != nil {
		return errReply
	}
	if reason == "" {
		return say(replyNeedReason)
	}
	if req.UnitID == nil {
		return say(replyAlreadyCoord)
	}
	coords, err := r.store.CoordinatorsOfUnit(ctx, *req.UnitID)
	if err != nil {
		return r.fail(ctx, "coordinators of unit", err)
	}
	for _, co := range coords {
		if co.ID == c.ID() {
			return say(replyAlreadyCoord)
		}
	}
	if len(coords) == 0 {
		return say(replyAlreadyCoord)
	}
	hh := r.householdName(ctx, req.HouseholdID)
	now := r.now()
	saved, err := r.store.ChangeRequest(ctx, req.ID, c.ID(), store.ActTransfer, now, func(q *store.Request) error {
		if q.Status != store.StatusNew && q.Status != store.StatusAccepted {
			return store.ErrWrongState
		}
		q.Status, q.AssigneeID, q.TransferNote = store.StatusTransferred, &coords[0].ID, reason
		return nil
	}, func(q store.Request) []store.OutboxMessage {
		out := []store.OutboxMessage{r.note(c.In, q.ID, "transferred", q.PersonID, noteTransferredHH(q))}
		for _, co := range coords {
			out = append(out, r.note(c.In, q.ID, "transfer", co.ID, noteTransferredCoord(q, hh, c.Person.Name)))
		}
		return out
	})
	return r.changeReply(ctx, req, saved, err, replyTransferred)
}
