package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"qinqi/internal/clock"
	"qinqi/store"
)

func TestOpenMigrateSQLite(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: filepath.Join(t.TempDir(), "q.db"), Location: clock.Shanghai})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, err := s.PendingMigrations(ctx)
	if err != nil || len(p) != 1 {
		t.Fatalf("pending = %v, %v", p, err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	p, err = s.PendingMigrations(ctx)
	if err != nil || len(p) != 0 {
		t.Fatalf("pending after migrate = %v, %v", p, err)
	}
}
