package store

import (
	"context"
	"fmt"
	"time"

	"qinqi/internal/domain"

	"gorm.io/gorm/clause"
)

// AddSpotChecks records a month's sample; a household already sampled for the month is skipped,
// so re-running the sampling never asks twice. It returns the rows that were new.
func (s *Store) AddSpotChecks(ctx context.Context, rows []SpotCheck) ([]SpotCheck, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	month := rows[0].Month
	var have []domain.HouseholdID
	if err := s.q(ctx).Model(&SpotCheck{}).Where("month = ?", month).Pluck("household_id", &have).Error; err != nil {
		return nil, fmt.Errorf("store: spot checks of month: %w", err)
	}
	seen := make(map[domain.HouseholdID]bool, len(have))
	for _, h := range have {
		seen[h] = true
	}
	fresh := make([]SpotCheck, 0, len(rows))
	for _, r := range rows {
		if r.Month != month {
			return nil, fmt.Errorf("store: spot checks of several months in one call (%s, %s)", month, r.Month)
		}
		if !seen[r.HouseholdID] {
			seen[r.HouseholdID] = true
			fresh = append(fresh, r)
		}
	}
	if len(fresh) == 0 {
		return nil, nil
	}
	if err := s.q(ctx).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&fresh, upsertBatch).Error; err != nil {
		return nil, fmt.Errorf("store: add spot checks: %w", err)
	}
	return fresh, nil
}

// MarkSpotChecksAsked sets AskedAt.
func (s *Store) MarkSpotChecksAsked(ctx context.Context, ids []domain.SpotCheckID, at time.Time) error {
	return s.markSpot(ctx, ids, "asked_at", at)
}

// MarkSpotChecksReminded sets RemindedAt.
func (s *Store) MarkSpotChecksReminded(ctx context.Context, ids []domain.SpotCheckID, at time.Time) error {
	return s.markSpot(ctx, ids, "reminded_at", at)
}

func (s *Store) markSpot(ctx context.Context, ids []domain.SpotCheckID, col string, at time.Time) error {
	for start := 0; start < len(ids); start += keyChunk {
		err := s.q(ctx).Model(&SpotCheck{}).Where("id IN ?", ids[start:min(start+keyChunk, len(ids))]).
			Updates(map[string]any{col: at.In(s.loc), "updated_at": at.In(s.loc)}).Error
		if err != nil {
			return fmt.Errorf("store: mark spot checks %s: %w", col, err)
		}
	}
	return nil
}

// SpotChecksOfMonth lists a month's sample ("2026-11") in id order.
func (s *Store) SpotChecksOfMonth(ctx context.Context, month string) ([]SpotCheck, error) {
	var rows []SpotCheck
	if err := s.q(ctx).Where("month = ?", month).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: spot checks of month: %w", err)
	}
	return rows, nil
}

// SpotChecksToRemind lists unanswered, not yet reminded checks asked before askedBefore.
func (s *Store) SpotChecksToRemind(ctx context.Context, askedBefore time.Time) ([]SpotCheck, error) {
	var rows []SpotCheck
	err := s.q(ctx).Where("answer = ? AND reminded_at IS NULL AND asked_at IS NOT NULL AND asked_at < ?", domain.AnswerNone, askedBefore.In(s.loc)).
		Order("id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: spot checks to remind: %w", err)
	}
	return rows, nil
}

// OpenSpotCheck returns the household's latest unanswered check asked at or after since, or ErrNotFound.
func (s *Store) OpenSpotCheck(ctx context.Context, hh domain.HouseholdID, since time.Time) (SpotCheck, error) {
	var r SpotCheck
	err := s.q(ctx).Where("household_id = ? AND answer = ? AND asked_at >= ?", hh, domain.AnswerNone, since.In(s.loc)).
		Order("asked_at DESC, id DESC").Take(&r).Error
	if err != nil {
		return r, fmt.Errorf("store: open spot check: %w", notFound(err))
	}
	return r, nil
}

// AnswerSpotCheck records the household's answer once; a second answer gets ErrDuplicate.
func (s *Store) AnswerSpotCheck(ctx context.Context, id domain.SpotCheckID, a domain.SpotAnswer, at time.Time, logged int, discrepancy bool) error {
	res := s.q(ctx).Model(&SpotCheck{}).Where("id = ? AND answer = ?", id, domain.AnswerNone).Updates(map[string]any{
		"answer": a, "answered_at": at.In(s.loc), "logged_visits": logged, "discrepancy": discrepancy, "updated_at": at.In(s.loc)})
	if res.Error != nil {
		return fmt.Errorf("store: answer spot check: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: spot check %d already answered: %w", id, ErrDuplicate)
	}
	return nil
}

// CountPairingCheckIns counts the pairing's non-undone check-ins that occurred in [from, to).
func (s *Store) CountPairingCheckIns(ctx context.Context, p domain.PairingID, from, to time.Time) (int, error) {
	var n int64
	err := s.q(ctx).Model(&CheckIn{}).Where("pairing_id = ? AND undone_at IS NULL AND occurred_at >= ? AND occurred_at < ?", p, from.In(s.loc), to.In(s.loc)).
		Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("store: count pairing check-ins: %w", err)
	}
	return int(n), nil
}

// ChatHeads maps each of the households whose head is reachable by chat to that head: a head Person
// row that has a bot account (bound, or written to the bot). Households missing from the map are
// phone-only: their call-backs go on the coordinator's list.
func (s *Store) ChatHeads(ctx context.Context, hhs []domain.HouseholdID) (map[domain.HouseholdID]domain.PersonID, error) {
	out := make(map[domain.HouseholdID]domain.PersonID, len(hhs))
	for start := 0; start < len(hhs); start += keyChunk {
		var rows []struct {
			ID     domain.HouseholdID
			HeadID domain.PersonID
		}
		err := s.q(ctx).Table("households AS h").Select("h.id AS id, h.head_id AS head_id").
			Joins("JOIN people AS p ON p.id = h.head_id").
			Where("h.id IN ? AND p.account <> ''", hhs[start:min(start+keyChunk, len(hhs))]).Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("store: chat heads: %w", err)
		}
		for _, r := range rows {
			out[r.ID] = r.HeadID
		}
	}
	return out, nil
}
