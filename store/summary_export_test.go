package store

import "context"

// ForgetSummariesForTest drops the summary table and forgets the migration that built it, so a test
// can run that upgrade on a database that already has check-ins.
func (s *Store) ForgetSummariesForTest(ctx context.Context) error {
	if err := s.q(ctx).Migrator().DropTable(&PairingSummary{}); err != nil {
		return err
	}
	return s.q(ctx).Table(migrationsTable).Where("id = ?", "202612070001_pairing_summaries").Delete(nil).Error
}

// SummaryOfForTest returns a pairing's stored summary entries, "" when it has no row.
func (s *Store) SummaryOfForTest(ctx context.Context, id int64) (string, error) {
	var recent []string
	err := s.q(ctx).Raw("SELECT recent FROM pairing_summaries WHERE pairing_id = ?", id).Scan(&recent).Error
	if len(recent) == 0 {
		return "", err
	}
	return recent[0], err
}

// KnowsBeforeForTest says whether LatestBefore answers for f from the summary row its scan read.
func KnowsBeforeForTest(f PairingFacts) bool { return f.summary != nil }
