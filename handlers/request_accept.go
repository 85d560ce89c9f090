package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"qinqi/bot"
	"qinqi/internal/domain"
	"qinqi/store"
)

// accept (受理 12) moves a new or transferred request to accepted and tells the household. 受理
// alone takes the one request waiting for the caller, when there is exactly one.
func (r *Router) accept(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	if trimSeps(c.Args) == "" {
		id, err := r.onlyWaiting(ctx, c)
		if err != nil {
			return nil, err
		}
		c.Args = strconv.FormatInt(int64(id), 10)
	}
	req, _, err := r.requestInScope(ctx, c)
	if err != nil {
		return nil, err
	}
	now := r.now()
	me := c.ID()
	saved, err := r.store.ChangeRequest(ctx, req.ID, me, store.ActAccept, now, func(q *store.Request) error {
		if q.Status != domain.StatusNew && q.Status != domain.StatusTransferred {
			return store.ErrWrongState
		}
		q.Status, q.AcceptedAt, q.AssigneeID = domain.StatusAccepted, &now, &me
		return nil
	}, func(q store.Request) []store.OutboxMessage {
		return []store.OutboxMessage{r.note(c.In, q.ID, "accepted", q.PersonID, noteAccepted(q, c.Person.Name))}
	})
	return changeReply(req, saved, err, replyAccepted)
}

// onlyWaiting is the one request waiting for the caller to accept; with none or several the
// caller is asked for the number.
func (r *Router) onlyWaiting(ctx context.Context, c *Caller) (domain.RequestID, error) {
	units, err := r.myUnits(ctx, c)
	if err != nil {
		return 0, fmt.Errorf("units of coordinator: %w", err)
	}
	open, err := r.store.OpenRequestsFor(ctx, c.ID(), units, requestListMax)
	if err != nil {
		return 0, fmt.Errorf("open requests: %w", err)
	}
	var waiting []domain.RequestID
	for _, q := range open.Rows {
		if q.Status == domain.StatusNew || q.Status == domain.StatusTransferred {
			waiting = append(waiting, q.ID)
		}
	}
	switch len(waiting) {
	case 0:
		return 0, refuse(replyNoneWaiting)
	case 1:
		return waiting[0], nil
	}
	return 0, refuse(replyNeedNumber)
}

// changeReply answers a workflow change: the wrong status is refused with its own reply.
func changeReply(before, after store.Request, err error, ok func(store.Request) string) ([]bot.Reply, error) {
	if errors.Is(err, store.ErrWrongState) {
		return nil, refuse(replyWrongState(before))
	}
	if err != nil {
		return nil, fmt.Errorf("change request: %w", err)
	}
	return say(ok(after)), nil
}
