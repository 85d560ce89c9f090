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
