package store

import (
	"context"
	"fmt"
	"time"

	"qinqi/internal/domain"
)

// Queries for the year simulator and the scheduler's invariant tests: they read whole tables, which is
// fine for a simulated county and never used by the bot itself.

// AllPairings lists every pairing, ended ones included, by id.
func (s *Store) AllPairings(ctx context.Context) ([]Pairing, error) {
	var rows []Pairing
	if err := s.q(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: all pairings: %w", err)
	}
	return rows, nil
}

// HouseholdsWithoutHead lists households with no head Person row, by id.
func (s *Store) HouseholdsWithoutHead(ctx context.Context) ([]Household, error) {
	var rows []Household
	if err := s.q(ctx).Where("head_id IS NULL").Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: households without head: %w", err)
	}
	return rows, nil
}

// OutboxAfter lists up to limit outbox messages with id > after, by id.
func (s *Store) OutboxAfter(ctx context.Context, after domain.OutboxID, limit int) ([]OutboxMessage, error) {
	var rows []OutboxMessage
	if err := s.q(ctx).Where("id > ?", after).Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: outbox after: %w", err)
	}
	return rows, nil
}

// MarkOutboxSentThrough marks every pending message with id <= last as sent at now (the simulator
// delivers instantly instead of running the rate-limited sender).
func (s *Store) MarkOutboxSentThrough(ctx context.Context, last domain.OutboxID, now time.Time) error {
	err := s.q(ctx).Model(&OutboxMessage{}).Where("id <= ? AND status = ?", last, OutPending).
		Updates(map[string]any{"status": OutSent, "sent_at": now.In(s.loc)}).Error
	if err != nil {
		return fmt.Errorf("store: mark outbox sent: %w", err)
	}
	return nil
}

// AllCheckIns lists every check-in (undone ones included), by id.
func (s *Store) AllCheckIns(ctx context.Context) ([]CheckIn, error) {
	var rows []CheckIn
	if err := s.q(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: all check-ins: %w", err)
	}
	return rows, nil
}

// AllRequests lists every request, by id.
func (s *Store) AllRequests(ctx context.Context) ([]Request, error) {
	var rows []Request
	if err := s.q(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: all requests: %w", err)
	}
	return rows, nil
}

// AllSpotChecks lists every spot check, by id.
func (s *Store) AllSpotChecks(ctx context.Context) ([]SpotCheck, error) {
	var rows []SpotCheck
	if err := s.q(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: all spot checks: %w", err)
	}
	return rows, nil
}

// SetPersonAccount sets the bot account that reaches a person ("" for none): the simulator makes a
// share of household heads reachable by chat this way, and tests make one phone-only.
func (s *Store) SetPersonAccount(ctx context.Context, id domain.PersonID, account string) error {
	if err := s.q(ctx).Model(&Person{}).Where("id = ?", id).Update("account", account).Error; err != nil {
		return fmt.Errorf("store: set account of %d: %w", id, err)
	}
	return nil
}

// AllVisitConfirms lists every visit confirmation (chat questions and phone call-backs), by id.
func (s *Store) AllVisitConfirms(ctx context.Context) ([]VisitConfirm, error) {
	var rows []VisitConfirm
	if err := s.q(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: all visit confirmations: %w", err)
	}
	return rows, nil
}

// AllConfirmItems lists every link of a check-in to the confirmation that covered it, by id.
func (s *Store) AllConfirmItems(ctx context.Context) ([]ConfirmItem, error) {
	var rows []ConfirmItem
	if err := s.q(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: all confirmation items: %w", err)
	}
	return rows, nil
}

// AllDiscrepancies lists every discrepancy, open or closed, by id.
func (s *Store) AllDiscrepancies(ctx context.Context) ([]Discrepancy, error) {
	var rows []Discrepancy
	if err := s.q(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: all discrepancies: %w", err)
	}
	return rows, nil
}
