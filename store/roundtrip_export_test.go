package store

import "context"

// ReadBackForTest loads the row of dest's model with primary key id into dest. It lets the
// external round-trip test read every model without a production read method for each.
func (s *Store) ReadBackForTest(ctx context.Context, dest any, id any) error {
	return notFound(s.q(ctx).Take(dest, id).Error)
}

// RawColumnForTest returns one column of one row as the driver's text, to check the stored wall clock.
func (s *Store) RawColumnForTest(ctx context.Context, table, column string, id any) (string, error) {
	var out string
	err := s.q(ctx).Table(table).Select(column).Where("id = ?", id).Row().Scan(&out)
	return out, err
}

// AllModelsForTest exposes the migration's model list so the round-trip test covers every model,
// including ones added later.
func AllModelsForTest() []any { return allModels() }

// DowngradeCheckInIndexForTest puts the check-in index back as the first release created it and
// forgets the migration that replaced it, so a test can run that upgrade.
func (s *Store) DowngradeCheckInIndexForTest(ctx context.Context) error {
	m := s.q(ctx).Migrator()
	if err := s.q(ctx).Exec("CREATE INDEX idx_checkin_pairing ON check_ins (pairing_id, occurred_at)").Error; err != nil {
		return err
	}
	if err := m.DropIndex(&CheckIn{}, "idx_checkin_scan"); err != nil {
		return err
	}
	return s.q(ctx).Table(migrationsTable).Where("id = ?", "202611240001_checkin_scan_index").Delete(nil).Error
}

// HasIndexForTest reports whether the check-ins table has the named index.
func (s *Store) HasIndexForTest(ctx context.Context, name string) bool {
	return s.q(ctx).Migrator().HasIndex(&CheckIn{}, name)
}

// ExecForTest runs one statement as the store's connections do, to provoke the database's own errors.
func (s *Store) ExecForTest(ctx context.Context, q string, args ...any) error {
	return s.q(ctx).Exec(q, args...).Error
}

// QueryStringForTest returns the single text value q selects (a session variable, say).
func (s *Store) QueryStringForTest(ctx context.Context, q string) (string, error) {
	var out string
	err := s.q(ctx).Raw(q).Row().Scan(&out)
	return out, err
}

// DropInboxAttemptsForTest takes the inbox's attempts column away and forgets the migration that
// added it, as in a database created before it.
func (s *Store) DropInboxAttemptsForTest(ctx context.Context) error {
	if err := s.q(ctx).Migrator().DropColumn(&InboxMessage{}, "Attempts"); err != nil {
		return err
	}
	return s.q(ctx).Table(migrationsTable).Where("id = ?", "202612050002_inbox_attempts").Delete(nil).Error
}

// DropContentKeyForTest takes the schema back to before the content-key migration.
func (s *Store) DropContentKeyForTest(ctx context.Context) error {
	m := s.q(ctx).Migrator()
	if err := m.DropIndex(&CheckIn{}, "ContentKey"); err != nil {
		return err
	}
	if err := m.DropColumn(&CheckIn{}, "ContentKey"); err != nil {
		return err
	}
	return s.q(ctx).Table(migrationsTable).Where("id = ?", "202612070002_checkin_content_key").Delete(nil).Error
}
