package store_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

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

// The store's gorm logger logs exactly what gorm's slog logger logs, and builds a statement's text
// only when it logs it.
func TestGormLoggerLogsAsSlogLogger(t *testing.T) {
	cfg := logger.Config{SlowThreshold: 500 * time.Millisecond, LogLevel: logger.Warn, IgnoreRecordNotFoundError: true, ParameterizedQueries: true}
	loud := cfg
	loud.IgnoreRecordNotFoundError = false
	cases := []struct {
		name  string
		cfg   logger.Config
		level logger.LogLevel // LogMode, when set
		took  time.Duration
		err   error
		logs  bool
	}{
		{"fast and fine", cfg, 0, 0, nil, false},
		{"slow", cfg, 0, time.Second, nil, true},
		{"failed", cfg, 0, 0, errors.New("boom"), true},
		{"record not found, ignored", cfg, 0, 0, gorm.ErrRecordNotFound, false},
		{"record not found, not ignored", loud, 0, 0, gorm.ErrRecordNotFound, true},
		{"fast and fine at Info", cfg, logger.Info, 0, nil, true},
		{"failed when silent", cfg, logger.Silent, 0, errors.New("boom"), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var want, got bytes.Buffer
			var built int
			trace := func(buf *bytes.Buffer, l logger.Interface) {
				if tc.level != 0 {
					l = l.LogMode(tc.level)
				}
				l.Trace(context.Background(), time.Now().Add(-tc.took), func() (string, int64) {
					built++
					return "SELECT 1", 1
				}, tc.err)
			}
			trace(&want, logger.NewSlogLogger(slog.New(slog.NewTextHandler(&want, timeless)), tc.cfg))
			built = 0
			trace(&got, store.NewGormLoggerForTest(slog.NewTextHandler(&got, timeless), tc.cfg))
			if got.String() != want.String() {
				t.Errorf("logged %q, gorm's slog logger %q", got.String(), want.String())
			}
			if logs := got.Len() > 0; logs != tc.logs || built != btoi(tc.logs) {
				t.Errorf("logged %v with the statement built %d times, want logged %v", logs, built, tc.logs)
			}
		})
	}
}

// timeless leaves the clock and the duration out of log lines, so two loggers' lines compare.
var timeless = &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey || a.Key == "duration" {
		return slog.Attr{}
	}
	return a
}}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
