package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/store"
)

// TestSQLiteSettingsTakeEffect reads back what the DSN asks of SQLite (store.SQLiteDSN) on the
// store's connection: WAL, synchronous NORMAL, the 10 s busy timeout, foreign keys, immediate
// transactions (a batch holds the write lock from its BEGIN, before it writes), and times stored
// as "2006-01-02 15:04:05.999999999-07:00" text as the earlier driver wrote them.
func TestSQLiteSettingsTakeEffect(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	s, err := store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{"PRAGMA journal_mode": "wal", "PRAGMA synchronous": "1",
		"PRAGMA busy_timeout": "10000", "PRAGMA foreign_keys": "1"} {
		if got, err := s.QueryStringForTest(ctx, q); err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", q, got, err, want)
		}
	}
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	err = s.Batch(ctx, func(ctx context.Context) error {
		_, err := other.ExecContext(ctx, "BEGIN IMMEDIATE; ROLLBACK")
		if err == nil || !strings.Contains(err.Error(), "locked") {
			t.Errorf("a second writer began while a batch that wrote nothing was open (%v): not BEGIN IMMEDIATE", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	row := &store.AuditLog{Action: "test", Entity: "clock", At: time.Date(2026, 2, 17, 8, 30, 0, 500_000_000, clock.Shanghai)}
	if err := s.InsertFixture(ctx, row); err != nil {
		t.Fatal(err)
	}
	raw, err := s.QueryStringForTest(ctx, fmt.Sprintf("SELECT typeof(at) || ' ' || at FROM audit_logs WHERE id = %d", row.ID))
	if err != nil || raw != "text 2026-02-17 08:30:00.5+08:00" {
		t.Errorf("stored time = %q, %v; want 2026-02-17 08:30:00.5+08:00", raw, err)
	}
}
