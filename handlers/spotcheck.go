package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/store"
)

// SpotStore records households' answers to the monthly call-back question; *store.Store.
type SpotStore interface {
	OpenSpotCheck(ctx context.Context, hh store.HouseholdID, since time.Time) (store.SpotCheck, error)
	AnswerSpotCheck(ctx context.Context, id store.SpotCheckID, a store.SpotAnswer, at time.Time, logged int, discrepancy bool) error
	CountPairingCheckIns(ctx context.Context, p store.PairingID, from, to time.Time) (int, error)
}

// spotOpenFor is how long a call-back question stays answerable.
const spotOpenFor = 31 * 24 * time.Hour

// ParseSpotAnswer reads a household's reply to "是否联系/走访过您？回复 1 是 / 2 否".
func ParseSpotAnswer(text string) (store.SpotAnswer, bool) {
	t := strings.TrimSpace(trimSeps(Normalize(text)))
	switch t {
	case "1", "是", "是的", "有", "有的", "来过", "联系过", "走访过", "对":
		return store.AnswerYes, true
	case "2", "否", "不是", "没有", "没", "没来过", "没联系", "没有联系", "无":
		return store.AnswerNo, true
	}
	return store.AnswerNone, false
}

// spotAnswer intercepts the answer of a household with an open call-back question. A "no" while the
// cadre logged check-ins for that month is a discrepancy: the unit's coordinators are told. The
// notices are built before the answer is written, so a store failure leaves nothing half-told.
func (r *Router) spotAnswer(ctx context.Context, c *Caller) ([]bot.Reply, bool, error) {
	sp := r.extra.Spot
	if sp == nil || !c.Is(store.RoleHousehold) || c.Person.HouseholdID == nil || c.In.Kind == bot.KindVoice {
		return nil, false, nil
	}
	ans, ok := ParseSpotAnswer(c.Text)
	if !ok {
		return nil, false, nil
	}
	now := r.now()
	sc, err := sp.OpenSpotCheck(ctx, *c.Person.HouseholdID, now.Add(-spotOpenFor))
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, true, fmt.Errorf("open spot check: %w", err)
	}
	from, err := time.ParseInLocation("2006-01", sc.Month, clock.Shanghai)
	if err != nil {
		return nil, true, fmt.Errorf("spot check month %q: %w", sc.Month, err)
	}
	logged, err := sp.CountPairingCheckIns(ctx, sc.PairingID, from, from.AddDate(0, 1, 0))
	if err != nil {
		return nil, true, fmt.Errorf("spot check count: %w", err)
	}
	discrepancy := ans == store.AnswerNo && logged > 0
	out := say(replySpotThanks)
	if discrepancy {
		flags, err := r.spotFlags(ctx, sc, from, logged)
		if err != nil {
			return nil, true, err
		}
		out = append(out, flags...)
	}
	if err := sp.AnswerSpotCheck(ctx, sc.ID, ans, now, logged, discrepancy); errors.Is(err, store.ErrDuplicate) {
		return say(replySpotThanks), true, nil
	} else if err != nil {
		return nil, true, fmt.Errorf("answer spot check: %w", err)
	}
	return out, true, nil
}

// spotFlags tells the cadre's coordinators about a disagreement between the household and the
// log; a cadre without a unit (or no longer registered) has nobody to tell (the discrepancy stays flagged in the database).
func (r *Router) spotFlags(ctx context.Context, sc store.SpotCheck, month time.Time, logged int) ([]bot.Reply, error) {
	cadre, err := r.store.PersonByID(ctx, sc.CadreID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("spot check cadre: %w", err)
	}
	if err != nil || cadre.UnitID == nil {
		return nil, nil
	}
	hh, err := r.store.HouseholdByID(ctx, sc.HouseholdID)
	if err != nil {
		return nil, fmt.Errorf("spot check household: %w", err)
	}
	coords, err := r.store.CoordinatorsOfUnit(ctx, *cadre.UnitID)
	if err != nil {
		return nil, fmt.Errorf("spot check coordinators: %w", err)
	}
	var out []bot.Reply
	for _, co := range coords {
		out = append(out, bot.Reply{To: int64(co.ID), Text: replySpotDiscrepancy(hh.HeadName, cadre.Name, month, logged)})
	}
	return out, nil
}
