package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

// undo withdraws the cadre's latest report within config.CheckIn.UndoWindow; the row stays, marked undone.
func (r *Router) undo(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	now := r.now()
	last, err := r.store.LastCheckInOfCadre(ctx, c.ID())
	if errors.Is(err, store.ErrNotFound) {
		return nil, refuse(replyNothingToUndo)
	}
	if err != nil {
		return nil, fmt.Errorf("last check-in: %w", err)
	}
	name, err := r.householdName(ctx, last.HouseholdID)
	if err != nil {
		return nil, err
	}
	if now.Sub(last.ReportedAt) > r.cfg.CheckIn.UndoWindow {
		return nil, refuse(replyUndoTooLate(last, name, r.cfg.CheckIn.UndoWindow))
	}
	if err := r.store.UndoCheckIn(ctx, last.ID, c.ID(), now); err != nil {
		return nil, fmt.Errorf("undo check-in: %w", err)
	}
	others, err := r.undoSiblings(ctx, c, last)
	if err != nil {
		return nil, err
	}
	slices.Reverse(others) // undone newest first; named in the order they were recorded
	names := append(others, name)
	return say(replyUndone(last, strings.Join(names, "、"), clock.Day(now))), nil
}

// householdName is for replies to the household's own cadre; a household that no longer exists
// reads as "该户".
func (r *Router) householdName(ctx context.Context, id domain.HouseholdID) (string, error) {
	h, err := r.store.HouseholdByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return "该户", nil
	}
	if err != nil {
		return "", fmt.Errorf("household name: %w", err)
	}
	return h.HeadName, nil
}
