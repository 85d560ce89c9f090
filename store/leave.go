package store

import (
	"context"
	"fmt"
	"time"

	"qinqi/internal/domain"
)

// AddLeave records a cadre's leave (FromOn..ToOn inclusive, as days) and returns the row.
func (s *Store) AddLeave(ctx context.Context, l Leave) (Leave, error) {
	if l.PersonID == 0 {
		return l, fmt.Errorf("store: leave needs a person")
	}
	l.FromOn, l.ToOn = s.orgDay(l.FromOn), s.orgDay(l.ToOn)
	if l.ToOn.Before(l.FromOn) {
		return l, fmt.Errorf("store: leave ends %s before it starts %s", l.ToOn.Format(time.DateOnly), l.FromOn.Format(time.DateOnly))
	}
	l.Reason = clipRunes(l.Reason, 128)
	if err := s.q(ctx).Create(&l).Error; err != nil {
		return l, fmt.Errorf("store: add leave: %w", err)
	}
	return l, nil
}

// OnLeave reports whether the person is on leave on day.
func (s *Store) OnLeave(ctx context.Context, person domain.PersonID, day time.Time) (bool, error) {
	d := s.orgDay(day)
	var n int64
	err := s.q(ctx).Model(&Leave{}).Where("person_id = ? AND from_on <= ? AND to_on >= ?", person, d, d).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("store: on leave: %w", err)
	}
	return n > 0, nil
}

// OnLeaveAt lists everyone on leave on day (the scheduler loads it once per run).
func (s *Store) OnLeaveAt(ctx context.Context, day time.Time) (map[domain.PersonID]bool, error) {
	d := s.orgDay(day)
	var ids []domain.PersonID
	err := s.q(ctx).Model(&Leave{}).Where("from_on <= ? AND to_on >= ?", d, d).Distinct().Pluck("person_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: on leave at: %w", err)
	}
	out := make(map[domain.PersonID]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// LeavesOf lists a person's leaves, latest first.
func (s *Store) LeavesOf(ctx context.Context, person domain.PersonID) ([]Leave, error) {
	var rows []Leave
	if err := s.q(ctx).Where("person_id = ?", person).Order("from_on DESC, id DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: leaves of person: %w", err)
	}
	return rows, nil
}
