package store_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
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

// A database created before the covering scan index gets it, and loses the index it replaces.
func TestCheckInScanIndexUpgrade(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			if !s.HasIndexForTest(ctx, "idx_checkin_scan") || s.HasIndexForTest(ctx, "idx_checkin_pairing") {
				t.Fatal("a fresh database should have idx_checkin_scan only")
			}
			if err := s.DowngradeCheckInIndexForTest(ctx); err != nil {
				t.Fatalf("downgrade: %v", err)
			}
			if p, _ := s.PendingMigrations(ctx); len(p) != 1 {
				t.Fatalf("pending after downgrade = %v, want the index migration", p)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatalf("upgrade: %v", err)
			}
			if !s.HasIndexForTest(ctx, "idx_checkin_scan") || s.HasIndexForTest(ctx, "idx_checkin_pairing") {
				t.Fatal("after the upgrade: want idx_checkin_scan and no idx_checkin_pairing")
			}
		})
	}
}

// A database created before the inbox counted tries gets the column; its rows start at zero.
func TestInboxAttemptsUpgrade(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			if err := s.DropInboxAttemptsForTest(ctx); err != nil {
				t.Fatalf("downgrade: %v", err)
			}
			if err := s.ExecForTest(ctx, "INSERT INTO inbox_messages (transport, account, msg_id, sender_key, kind, status, received_at) VALUES ('fake', 'a1', 'old', 'k', 'text', 'new', ?)", clock.Date(2026, 11, 23)); err != nil {
				t.Fatal(err)
			}
			if p, _ := s.PendingMigrations(ctx); len(p) != 1 {
				t.Fatalf("pending after downgrade = %v, want the attempts migration", p)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatalf("upgrade: %v", err)
			}
			rows, err := s.UnfinishedInbox(ctx, 10)
			if err != nil || len(rows) != 1 || rows[0].Attempts != 0 {
				t.Fatalf("rows after the upgrade %+v, %v", rows, err)
			}
			if n, err := s.FailInboundTry(ctx, rows[0].ID, "boom"); err != nil || n != 1 {
				t.Fatalf("first try = %d, %v", n, err)
			}
		})
	}
}

// TestCheckInContentKeyUpgrade: a database from before the content key keeps its check-ins, which
// get no key, and the same report is refused once the migration ran.
func TestCheckInContentKeyUpgrade(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newConvFixture(t, b.Open(t))
			for i := 0; i < 2; i++ { // two identical old rows: the unique index must still build
				if _, _, err := f.s.CreateCheckIn(ctx, store.CheckIn{PairingID: f.pairing, CadreID: f.cadre, HouseholdID: f.hh,
					Kind: domain.KindVisit, OccurredAt: convNow, ReportedAt: convNow}, f.cadre); err != nil {
					t.Fatal(err)
				}
			}
			if err := f.s.DropContentKeyForTest(ctx); err != nil {
				t.Fatalf("downgrade: %v", err)
			}
			if p, _ := f.s.PendingMigrations(ctx); len(p) != 1 {
				t.Fatalf("pending after downgrade = %v, want the content-key migration", p)
			}
			if err := f.s.Migrate(ctx); err != nil {
				t.Fatalf("upgrade: %v", err)
			}
			key := "k"
			c := store.CheckIn{PairingID: f.pairing, CadreID: f.cadre, HouseholdID: f.hh, Kind: domain.KindVisit,
				OccurredAt: convNow, ReportedAt: convNow, ContentKey: &key}
			first, created, err := f.s.CreateCheckIn(ctx, c, f.cadre)
			if err != nil || !created {
				t.Fatalf("first keyed report: %v created=%v", err, created)
			}
			if again, created, err := f.s.CreateCheckIn(ctx, c, f.cadre); err != nil || created || again.ID != first.ID {
				t.Fatalf("same key after the upgrade: %v created=%v id %d, want %d", err, created, again.ID, first.ID)
			}
		})
	}
}

// TestOpenRefusesSpacedAutoIncrement: a MySQL session that spaces auto-increment ids out is refused
// at Open with the setting named, since multi-row INSERTs read their ids as consecutive.
func TestOpenRefusesSpacedAutoIncrement(t *testing.T) {
	base := os.Getenv(testenv.EnvMySQL)
	if base == "" {
		t.Skipf("skipping MariaDB test: %s is not set", testenv.EnvMySQL)
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	_, err := store.Open(context.Background(), store.Options{Driver: store.DriverMySQL, DSN: base + sep + "auto_increment_increment=2", MaxOpen: 1})
	if err == nil || !strings.Contains(err.Error(), "auto_increment_increment is 2") {
		t.Fatalf("Open with auto_increment_increment=2: %v, want refused naming the setting", err)
	}
	st, err := store.Open(context.Background(), store.Options{Driver: store.DriverMySQL, DSN: base + sep + "auto_increment_increment=1", MaxOpen: 1})
	if err != nil {
		t.Fatalf("Open with auto_increment_increment=1: %v", err)
	}
	_ = st.Close()
}
