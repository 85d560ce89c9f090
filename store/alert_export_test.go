package store

import (
	"context"

	"qinqi/internal/domain"
)

// DowngradeAlertSpellsForTest drops alerts.resolved_at as the schema had it before overdue spells
// and forgets that migration, so a test can run the upgrade on rows written the old way.
func (s *Store) DowngradeAlertSpellsForTest(ctx context.Context) error {
	m := s.q(ctx).Migrator()
	if err := m.DropIndex(&Alert{}, "ResolvedAt"); err != nil {
		return err
	}
	if err := m.DropColumn(&Alert{}, "ResolvedAt"); err != nil {
		return err
	}
	return s.q(ctx).Table(migrationsTable).Where("id = ?", "202612010001_alert_spells").Delete(nil).Error
}

// AddOldAlertForTest writes an alert row without resolved_at (the column does not exist then).
func (s *Store) AddOldAlertForTest(ctx context.Context, a Alert) error {
	return s.q(ctx).Omit("ResolvedAt").Create(&a).Error
}

// AddAlerts inserts the alerts whose Key is new and returns those (the overdue scan does the same
// in two steps, ExistingAlertKeys and InsertAlerts); an escalation step is raised at most
// once per pairing, overdue spell and level.
func (s *Store) AddAlerts(ctx context.Context, rows []Alert) ([]Alert, error) {
	keys := make([]string, len(rows))
	for i, r := range rows {
		keys[i] = r.Key
	}
	seen, err := s.ExistingAlertKeys(ctx, keys)
	if err != nil {
		return nil, err
	}
	fresh := make([]Alert, 0, len(rows))
	for _, r := range rows {
		if !seen[r.Key] {
			seen[r.Key] = true
			fresh = append(fresh, r)
		}
	}
	if len(fresh) == 0 {
		return nil, nil
	}
	if err := s.InsertAlerts(ctx, fresh); err != nil {
		return nil, err
	}
	var stored []Alert // InsertAlerts leaves the ids to the database
	if err := s.q(ctx).Where("`key` IN ?", keys).Find(&stored).Error; err != nil {
		return nil, err
	}
	ids := make(map[string]domain.AlertID, len(stored))
	for _, a := range stored {
		ids[a.Key] = a.ID
	}
	for i := range fresh {
		fresh[i].ID = ids[fresh[i].Key]
	}
	return fresh, nil
}
