package store

// MultiStatementsForTest reports whether a store opened on dsn flushes a batch's held writes in one packet.
func MultiStatementsForTest(dsn string) bool { return multiStatements(dsn) }

// OneConnectionForTest makes the store's pool one connection, so a test sees the state a batch
// leaves on the connection it gives back.
func (s *Store) OneConnectionForTest() {
	if db, err := s.db.DB(); err == nil {
		db.SetMaxOpenConns(1)
	}
}
