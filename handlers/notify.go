package handlers

import (
	"context"
	"errors"
	"fmt"

	"qinqi/bot"
	"qinqi/internal/domain"
	"qinqi/store"
)

// note builds a notification to another person. Its key is derived from the inbound message
// (InboxID, else the transport message id) plus the request, action and recipient, so replaying
// the same inbound message never notifies twice.
func (r *Router) note(in bot.Inbound, req domain.RequestID, action string, to domain.PersonID, text string) store.OutboxMessage {
	origin := fmt.Sprintf("inbox:%d", in.InboxID)
	if in.InboxID == 0 {
		origin = "msg:" + sourceID(in)
	}
	recipient := to
	return store.OutboxMessage{Key: fmt.Sprintf("%s:request:%d:%s:to:%d", origin, req, action, to), PersonID: &recipient,
		Text: text, Priority: store.PriorityAlert, CreatedAt: r.now()}
}

// myHousehold is the household the sender belongs to, with its active pairings (oldest first).
func (r *Router) myHousehold(ctx context.Context, c *Caller) (store.Household, []store.Pairing, error) {
	if c.Person.HouseholdID == nil {
		return store.Household{}, nil, refuse(replyNoHHOfMine)
	}
	hh, err := r.store.HouseholdByID(ctx, *c.Person.HouseholdID)
	if errors.Is(err, store.ErrNotFound) {
		return hh, nil, refuse(replyNoHHOfMine)
	}
	if err != nil {
		return hh, nil, fmt.Errorf("household of sender: %w", err)
	}
	ps, err := r.store.ActivePairingsOfHousehold(ctx, hh.ID, r.now())
	if err != nil {
		return hh, nil, fmt.Errorf("pairings of household: %w", err)
	}
	return hh, ps, nil
}
