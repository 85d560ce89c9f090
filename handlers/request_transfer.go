package handlers

import (
	"context"
	"fmt"

	"qinqi/bot"
	"qinqi/internal/domain"
	"qinqi/store"
)

// transfer (转办 12 原因) hands a request to the coordinators of its unit and tells the household.
func (r *Router) transfer(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	req, reason, err := r.requestInScope(ctx, c)
	if err != nil {
		return nil, err
	}
	if reason == "" {
		return nil, refuse(replyNeedReason)
	}
	if err := fits(reason, maxNoteChars); err != nil {
		return nil, err
	}
	if req.UnitID == nil {
		return nil, refuse(replyAlreadyCoord)
	}
	coords, err := r.store.CoordinatorsOfUnit(ctx, *req.UnitID)
	if err != nil {
		return nil, fmt.Errorf("coordinators of unit: %w", err)
	}
	for _, co := range coords {
		if co.ID == c.ID() {
			return nil, refuse(replyAlreadyCoord)
		}
	}
	if len(coords) == 0 {
		return nil, refuse(replyAlreadyCoord)
	}
	hh, err := r.householdName(ctx, req.HouseholdID)
	if err != nil {
		return nil, err
	}
	now := r.now()
	saved, err := r.store.ChangeRequest(ctx, req.ID, c.ID(), store.ActTransfer, now, func(q *store.Request) error {
		if q.Status != domain.StatusNew && q.Status != domain.StatusAccepted {
			return store.ErrWrongState
		}
		q.Status, q.AssigneeID, q.TransferNote = domain.StatusTransferred, &coords[0].ID, reason
		return nil
	}, func(q store.Request) []store.OutboxMessage {
		out := []store.OutboxMessage{r.note(c.In, q.ID, "transferred", q.PersonID, noteTransferredHH(q))}
		for _, co := range coords {
			out = append(out, r.note(c.In, q.ID, "transfer", co.ID, noteTransferredCoord(q, hh, c.Person.Name)))
		}
		return out
	})
	return changeReply(req, saved, err, replyTransferred)
}
