package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"qinqi/internal/domain"
)

// AddRating stores a household's 1–5 rating; when it rates a request the score is also written on
// the request. One request is rated once: a second rating of it returns ErrDuplicate.
func (s *Store) AddRating(ctx context.Context, r Rating, actor domain.PersonID) (Rating, error) {
	if r.Score < 1 || r.Score > 5 {
		return r, fmt.Errorf("store: rating %d out of 1–5", r.Score)
	}
	r.Text, r.CreatedAt = clipRunes(r.Text, 500), r.CreatedAt.In(s.loc)
	err := s.Tx(ctx, func(tx *Store) error {
		if r.RequestID != nil {
			res := tx.q(ctx).Model(&Request{}).Where("id = ? AND rating IS NULL", *r.RequestID).
				Updates(map[string]any{"rating": r.Score, "rating_text": r.Text, "updated_at": r.CreatedAt})
			if res.Error != nil {
				return fmt.Errorf("store: rate request %d: %w", *r.RequestID, res.Error)
			}
			if res.RowsAffected == 0 {
				return fmt.Errorf("store: rate request %d: %w", *r.RequestID, ErrDuplicate)
			}
		}
		if err := tx.q(ctx).Create(&r).Error; err != nil {
			return fmt.Errorf("store: create rating: %w", err)
		}
		return tx.Audit(ctx, AuditEntry{Actor: actor, Action: ActRate, Entity: "rating", EntityID: r.ID,
			Detail: fmt.Sprintf("score=%d household=%d", r.Score, r.HouseholdID), At: r.CreatedAt})
	})
	if errors.Is(err, ErrDuplicate) {
		return r, err
	}
	return r, err
}

// RatingsOfHousehold lists a household's ratings, oldest first.
func (s *Store) RatingsOfHousehold(ctx context.Context, hh domain.HouseholdID) ([]Rating, error) {
	var rows []Rating
	if err := s.q(ctx).Where("household_id = ?", hh).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: ratings of household %d: %w", hh, err)
	}
	return rows, nil
}

// ReplaceRating changes a stored rating of no request to a new score and opinion, given at at (a
// household that rates again in the month changes its mind; it is not a second voice).
func (s *Store) ReplaceRating(ctx context.Context, id int64, score int, text string, at time.Time, actor domain.PersonID) error {
	if score < 1 || score > 5 {
		return fmt.Errorf("store: rating %d out of 1–5", score)
	}
	at = at.In(s.loc)
	return s.Tx(ctx, func(tx *Store) error {
		res := tx.q(ctx).Model(&Rating{}).Where("id = ? AND request_id IS NULL", id).
			Updates(map[string]any{"score": score, "text": clipRunes(text, 500), "created_at": at})
		if res.Error != nil {
			return fmt.Errorf("store: replace rating %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("store: replace rating %d: %w", id, ErrNotFound)
		}
		return tx.Audit(ctx, AuditEntry{Actor: actor, Action: ActRate, Entity: "rating", EntityID: id,
			Detail: fmt.Sprintf("score=%d replaced", score), At: at})
	})
}
