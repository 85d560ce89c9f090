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

// CampaignsByCodes returns the campaigns with the given codes, by code.
func (s *Store) CampaignsByCodes(ctx context.Context, codes []string) (map[string]Campaign, error) {
	out := make(map[string]Campaign, len(codes))
	for start := 0; start < len(codes); start += keyChunk {
		var rows []Campaign
		if err := s.q(ctx).Where("code IN ?", codes[start:min(start+keyChunk, len(codes))]).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("store: campaigns by code: %w", err)
		}
		for _, c := range rows {
			out[c.Code] = c
		}
	}
	return out, nil
}

// DeleteCampaignsExcept deletes the campaigns starting after day whose code is not in keep: windows the
// configuration no longer has. Those that have started are kept with their reminders, as history.
func (s *Store) DeleteCampaignsExcept(ctx context.Context, keep []string, after time.Time) (int64, error) {
	q := s.q(ctx).Where("start_on > ?", s.orgDay(after))
	if len(keep) > 0 {
		q = q.Where("code NOT IN ?", keep)
	}
	res := q.Delete(&Campaign{})
	if res.Error != nil {
		return 0, fmt.Errorf("store: delete unconfigured campaigns: %w", res.Error)
	}
	return res.RowsAffected, nil
}
