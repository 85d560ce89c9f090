package store

// MultiStatementsForTest reports whether a store opened on dsn flushes a batch's held writes in one packet.
func MultiStatementsForTest(dsn string) bool { return multiStatements(dsn) }
