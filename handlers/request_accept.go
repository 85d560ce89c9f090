package handlers

import (
	"context"
	"errors"

	"qinqi/bot"
	"qinqi/store"
)

// accept (受理 12) moves a new or transferred request to accepted and tells the household.
func (r *Router) accept(ctx context.Context, c *Caller) []bot.Reply {
	req, _, errReply := r.requestInScope(ctx, c)
	if errReply != nil {
		return errReply
	}
	now := r.now()
	me := c.ID()
	saved, err := r.store.ChangeRequest(ctx, req.ID, me, store.ActAccept, now, func(q *store.Request) error {
		if q.Status != store.StatusNew && q.Status != store.StatusTransferred {
			return store.ErrWrongState
		}
		q.Status, q.AcceptedAt, q.AssigneeID = store.StatusAccepted, &now, &me
		return nil
	}, func(q store.Request) []store.OutboxMessage {
		return []store.OutboxMessage{r.note(c.In, q.ID, "accepted", q.PersonID, noteAccepted(q, c.Person.Name))}
	})
	return r.changeReply(ctx, req, saved, err, replyAccepted)
}

// changeReply answers a workflow change: the wrong status gets its own reply, errors the apology.
func (r *Router) changeReply(ctx context.Context, before, after store.Request, err error, ok func(store.Request) string) []bot.Reply {
	if errors.Is(err, store.ErrWrongState) {
		return say(replyWrongState(before))
	}
	if err != nil {
		return r.fail(ctx, "change request", err)
	}
	return say(ok(after))
}
