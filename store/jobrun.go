package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// StartJobRun records that job runs for slot. It returns ErrDuplicate when the slot already ran (or is
// running) anywhere: the unique (job, slot) row is the database guard behind the Redis claim.
func (s *Store) StartJobRun(ctx context.Context, job, slot, instance string, at time.Time) (int64, error) {
	r := JobRun{Job: job, Slot: slot, Instance: clipRunes(instance, 64), StartedAt: at.In(s.loc)}
	// DO NOTHING rather than catching the duplicate-key error: losing the race is normal here.
	res := s.q(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r)
	if res.Error != nil {
		return 0, fmt.Errorf("store: start job run: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return 0, fmt.Errorf("store: job %s slot %s: %w", job, slot, ErrDuplicate)
	}
	return r.ID, nil
}

// FinishJobRun stores the outcome of a run started with StartJobRun.
func (s *Store) FinishJobRun(ctx context.Context, id int64, at time.Time, result string, runErr error) error {
	msg := ""
	if runErr != nil {
		msg = clipRunes(runErr.Error(), 500)
	}
	err := s.q(ctx).Model(&JobRun{}).Where("id = ?", id).
		Updates(map[string]any{"finished_at": at.In(s.loc), "result": clipRunes(result, 1000), "error": msg}).Error
	if err != nil {
		return fmt.Errorf("store: finish job run: %w", err)
	}
	return nil
}

// JobRunOf returns the run of job for slot, or ErrNotFound.
func (s *Store) JobRunOf(ctx context.Context, job, slot string) (JobRun, error) {
	var r JobRun
	if err := s.q(ctx).Where("job = ? AND slot = ?", job, slot).Take(&r).Error; err != nil {
		return r, fmt.Errorf("store: job run %s %s: %w", job, slot, notFound(err))
	}
	return r, nil
}

// JobRuns lists the runs of a job, oldest slot first (reports and tests).
func (s *Store) JobRuns(ctx context.Context, job string) ([]JobRun, error) {
	var rows []JobRun
	q := s.q(ctx)
	if job != "" {
		q = q.Where("job = ?", job)
	}
	if err := q.Order("job, slot").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: job runs: %w", err)
	}
	return rows, nil
}
