package store_test

import (
	"context"
	"testing"

	"qinqi/internal/testenv"
)

func TestMigrateIsIdempotent(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t) // already migrated
			if err := s.Migrate(ctx); err != nil {
				t.Fatalf("second migrate: %v", err)
			}
			p, err := s.PendingMigrations(ctx)
			if err != nil || len(p) != 0 {
				t.Fatalf("pending after migrate = %v, %v", p, err)
			}
		})
	}
}
