package handlers

import (
	"context"
	"errors"
	"fmt"

	"qinqi/bot"
	"qinqi/internal/domain"
	"qinqi/store"
)

// accept (受理 12) moves a new or transferred request to accepted and tells the household.
func (r *Router) accept(ctx context.Context, c *Caller) ([]bot.Reply, error) {
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
