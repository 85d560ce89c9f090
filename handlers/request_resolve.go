package handlers

import (
	"context"

	"qinqi/bot"
	"qinqi/internal/domain"
	"qinqi/store"
)

// resolve (办结 12 结果) closes a request, tells the household the result and asks for a 1–5 score.
func (r *Router) resolve(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	req, result, err := r.requestInScope(ctx, c)
	if err != nil {
		return nil, err
	}
	if result == "" {
		return nil, refuse(replyNeedResult)
	}
	if err := fits(result, maxResultChars); err != nil {
		return nil, err
	}
	now := r.now()
	saved, err := r.store.ChangeRequest(ctx, req.ID, c.ID(), store.ActResolve, now, func(q *store.Request) error {
		if !q.Status.Open() { // resolved, or withdrawn by the household
			return store.ErrWrongState
		}
		q.Status, q.ResolvedAt, q.Result = domain.StatusResolved, &now, result
		if q.AcceptedAt == nil {
			q.AcceptedAt = &now
		}
		return nil
	}, func(q store.Request) []store.OutboxMessage {
		return []store.OutboxMessage{r.note(c.In, q.ID, "resolved", q.PersonID, noteResolved(q))}
	})
	return changeReply(req, saved, err, replyResolved)
}

// inHand tells whether request id is open and assigned to the caller: a number said without 诉求
// ("1号办好了") is read as that request only then.
func (r *Router) inHand(ctx context.Context, c *Caller, id int64) bool {
	q, err := r.store.RequestByID(ctx, domain.RequestID(id))
	return err == nil && q.Status.Open() && q.AssigneeID != nil && *q.AssigneeID == c.ID()
}
