package store_test

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"qinqi/internal/domain"
	"qinqi/store"
)

func TestFailedSQLIsLoggedShort(t *testing.T) {
	var buf bytes.Buffer
	// Duplicate keys are logged at DEBUG (the store inserts and catches them on purpose).
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: filepath.Join(t.TempDir(), "l.db"), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// A batch that fails (duplicate codes in one statement) makes gorm log the whole statement.
	rows := make([]store.Region, 0, 400)
	for i := 0; i < 400; i++ {
		rows = append(rows, store.Region{Code: "R1", Name: strings.Repeat("村", 10), Level: domain.LevelVillage})
	}
	if err := s.InsertFixture(ctx, &rows); err == nil {
		t.Fatal("duplicate codes were accepted")
	}
	out := buf.String()
	if !strings.Contains(out, "SQL executed") || !strings.Contains(out, "level=DEBUG") {
		t.Fatalf("no DEBUG SQL line logged: %q", out)
	}
	if len(out) > 2000 {
		t.Errorf("logged %d bytes for one failed statement; want it trimmed", len(out))
	}
}
