package handlers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

// SpotStore is what the household's word needs: visit confirmations, the monthly call-back question,
// phone call-backs and discrepancies; *store.Store.
type SpotStore interface {
	OpenSpotCheck(ctx context.Context, hh domain.HouseholdID, since time.Time) (store.SpotCheck, error)
	CountPairingCheckIns(ctx context.Context, p domain.PairingID, from, to time.Time) (int, error)
	OpenConfirm(ctx context.Context, hh domain.HouseholdID, since time.Time) (store.VisitConfirm, error)
	LatestChatConfirm(ctx context.Context, hh domain.HouseholdID) (store.VisitConfirm, error)
	ConfirmCheckIns(ctx context.Context, id domain.ConfirmID) ([]store.ConfirmCheckIn, error)
	SaveHouseholdAnswer(ctx context.Context, a store.HouseholdAnswer, notes func([]store.Discrepancy) []store.OutboxMessage) ([]store.Discrepancy, error)
	AddDiscrepancyNote(ctx context.Context, ids []domain.DiscID, note string, at time.Time, notes func([]store.Discrepancy) []store.OutboxMessage) ([]store.Discrepancy, error)
	DiscrepancyByID(ctx context.Context, id domain.DiscID) (store.Discrepancy, error)
	OpenDiscrepancies(ctx context.Context, units []domain.UnitID, limit int) ([]store.Discrepancy, error)
	CountOpenDiscrepancies(ctx context.Context, units []domain.UnitID) (int64, error)
	CloseDiscrepancy(ctx context.Context, id domain.DiscID, v domain.Verdict, finding string, actor domain.PersonID, at time.Time,
		notes func(store.Discrepancy) []store.OutboxMessage) (store.Discrepancy, error)
	// EnqueueOutboxBatch queues notes that belong to no stored row: a household's voice message
	// passed to the coordinators while a confirmation waits (confirm_voice.go).
	EnqueueOutboxBatch(ctx context.Context, ms []store.OutboxMessage) ([]store.OutboxMessage, error)
}

// spotOpenFor is how long a call-back question stays answerable.
const spotOpenFor = 31 * 24 * time.Hour

// answerSpot records a household's answer to the monthly call-back question. A "no" while the cadre
// logged check-ins for that month opens a discrepancy for the unit's coordinators.
func (r *Router) answerSpot(ctx context.Context, c *Caller, sc store.SpotCheck, ans domain.SpotAnswer, note string) ([]bot.Reply, error) {
	from, err := time.ParseInLocation("2006-01", sc.Month, clock.Shanghai)
	if err != nil {
		return nil, fmt.Errorf("spot check month %q: %w", sc.Month, err)
	}
	logged, err := r.extra.Spot.CountPairingCheckIns(ctx, sc.PairingID, from, from.AddDate(0, 1, 0))
	if err != nil {
		return nil, fmt.Errorf("spot check count: %w", err)
	}
	sc.Answer, sc.Note, sc.LoggedVisits = ans, note, logged
	sc.Discrepancy = ans != domain.AnswerYes && logged > 0
	out, err := r.saveSpot(ctx, c, sc, from)
	if errors.Is(err, store.ErrDuplicate) {
		return say(replySpotThanks), nil
	}
	if err != nil || !sc.Discrepancy || len(out) == 0 {
		return say(replySpotThanks), err
	}
	return say(replyDiscThanks(out[0].ID)), nil
}

// saveSpot stores the answer to sc, opening a discrepancy about the month when sc.Discrepancy is set.
func (r *Router) saveSpot(ctx context.Context, c *Caller, sc store.SpotCheck, month time.Time) ([]store.Discrepancy, error) {
	cadre, err := r.store.PersonByID(ctx, sc.CadreID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("spot check cadre: %w", err)
	}
	hh, err := r.store.HouseholdByID(ctx, sc.HouseholdID)
	if err != nil {
		return nil, fmt.Errorf("spot check household: %w", err)
	}
	a := store.HouseholdAnswer{Spot: &sc, Actor: c.ID(), At: r.now()}
	source := domain.DiscFromSpot
	if sc.AnsweredBy != nil {
		source = domain.DiscFromCallback
	}
	if sc.Discrepancy {
		a.Discs = []store.Discrepancy{{HouseholdID: sc.HouseholdID, CadreID: sc.CadreID, UnitID: cadre.UnitID, Source: source,
			Month: sc.Month, Answer: sc.Answer, Note: sc.Note}}
	}
	notes, err := r.discNotes(ctx, c.In, hh, a.Discs, nil, replySpotMonthLine(month, sc.LoggedVisits),
		map[domain.PersonID]string{cadre.ID: cadre.Name})
	if err != nil {
		return nil, err
	}
	return r.extra.Spot.SaveHouseholdAnswer(ctx, a, notes)
}
