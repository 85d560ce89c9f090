package store

import "context"

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
