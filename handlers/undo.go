package handlers

import (
	"context"
	"errors"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/store"
)

// undo withdraws the cadre's latest report within config.CheckIn.UndoWindow; the row stays, marked undone.
func (r *Router) undo(ctx context.Context, c *Caller) []bot.Reply {
	now := r.now()
	last, err := r.store.LastCheckInOfCadre(ctx, c.ID())
	if errors.Is(err, store.ErrNotFound) {
		return say(replyNothingToUndo)
	}
	if err != nil {
		return r.fail(ctx, "last check-in", err)
	}
	name := r.householdName(ctx, last.HouseholdID)
	if now.Sub(last.ReportedAt) > r.cfg.CheckIn.UndoWindow {
		return say(replyUndoTooLate(last, name, r.cfg.CheckIn.UndoWindow))
	}
	if err := r.store.UndoCheckIn(ctx, last.ID, c.ID(), now); err != nil {
		return r.fail(ctx, "undo check-in", err)
	}
	return say(replyUndone(last, name, clock.Day(now)))
}

// householdName is for replies to the household's own cadre; "" never appears, the code stands in.
func (r *Router) householdName(ctx context.Context, id store.HouseholdID) string {
	h, err := r.store.HouseholdByID(ctx, id)
	if err != nil {
		return "该户"
	}
	return h.HeadName
}
