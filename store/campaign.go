package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// UpsertCampaigns writes the year's windows by code, so recomputing them (a config change) moves the bounds
// of existing rows and keeps their ids (reminders point at them).
func (s *Store) UpsertCampaigns(ctx context.Context, rows []Campaign) error {
	if len(rows) == 0 {
		return nil
	}
	for i := range rows {
		rows[i].StartOn, rows[i].EndOn = s.orgDay(rows[i].StartOn), s.orgDay(rows[i].EndOn)
	}
	err := s.q(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "code"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "kind", "start_on", "end_on", "required", "tags", "programs", "updated_at"}),
	}).CreateInBatches(&rows, upsertBatch).Error
	if err != nil {
		return fmt.Errorf("store: upsert campaigns: %w", err)
	}
	return nil
}

// CampaignsOn lists the campaigns whose window contains day, by start.
func (s *Store) CampaignsOn(ctx context.Context, day time.Time) ([]Campaign, error) {
	d := s.orgDay(day)
	var rows []Campaign
	if err := s.q(ctx).Where("start_on <= ? AND end_on >= ?", d, d).Order("start_on, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: campaigns on day: %w", err)
	}
	return rows, nil
}

// CampaignByCode returns the campaign or ErrNotFound.
func (s *Store) CampaignByCode(ctx context.Context, code string) (Campaign, error) {
	return one[Campaign](s, ctx, "code = ?", code)
}

// CampaignsBetween lists campaigns starting in [from, to), by start.
func (s *Store) CampaignsBetween(ctx context.Context, from, to time.Time) ([]Campaign, error) {
	var rows []Campaign
	err := s.q(ctx).Where("start_on >= ? AND start_on < ?", from.In(s.loc), to.In(s.loc)).Order("start_on, id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: campaigns between: %w", err)
	}
	return rows, nil
}
