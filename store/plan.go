package store

import (
	"context"
	"fmt"
	"time"

	"qinqi/internal/domain"

	"gorm.io/gorm/clause"
)

// UpsertWorkPlan stores the cadre's plan for a month ("2026-11"), replacing an earlier one.
func (s *Store) UpsertWorkPlan(ctx context.Context, cadre domain.PersonID, month, text string, at time.Time) (WorkPlan, error) {
	p := WorkPlan{CadreID: cadre, Month: month, Text: clipRunes(text, 2000), CreatedAt: at.In(s.loc), UpdatedAt: at.In(s.loc)}
	err := s.Tx(ctx, func(tx *Store) error {
		err := tx.q(ctx).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "cadre_id"}, {Name: "month"}},
			DoUpdates: clause.AssignmentColumns([]string{"text", "updated_at"}),
		}).Create(&p).Error
		if err != nil {
			return fmt.Errorf("store: upsert work plan: %w", err)
		}
		saved, err := tx.WorkPlanOf(ctx, cadre, month)
		if err != nil {
			return err
		}
		p = saved
		return tx.Audit(ctx, AuditEntry{Actor: cadre, Action: ActUpsert, Entity: "workplan", EntityID: p.ID, Detail: "month=" + month, At: at})
	})
	return p, err
}

// WorkPlanOf returns the cadre's plan for a month, or ErrNotFound.
func (s *Store) WorkPlanOf(ctx context.Context, cadre domain.PersonID, month string) (WorkPlan, error) {
	var p WorkPlan
	if err := s.q(ctx).Where("cadre_id = ? AND month = ?", cadre, month).Take(&p).Error; err != nil {
		return p, fmt.Errorf("store: work plan %d %s: %w", cadre, month, notFound(err))
	}
	return p, nil
}
