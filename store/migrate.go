package store

import (
	"context"
	"fmt"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

const migrationsTable = "schema_migrations"

// migrations is the versioned schema history; append, never edit a released entry.
// Until the first release the initial migration creates the current models directly.
func (s *Store) migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{
		{
			ID: "202611230001_init",
			Migrate: func(tx *gorm.DB) error {
				tx = s.tableOptions(tx)
				for _, m := range allModels() {
					if err := tx.Migrator().CreateTable(m); err != nil {
						return fmt.Errorf("create %T: %w", m, err)
					}
				}
				return nil
			},
			Rollback: func(tx *gorm.DB) error {
				ms := allModels()
				for i := len(ms) - 1; i >= 0; i-- {
					if err := tx.Migrator().DropTable(ms[i]); err != nil {
						return err
					}
				}
				return nil
			},
		},
		{
			// Databases created before this had a two-column (pairing_id, occurred_at) index; the
			// covering one replaces it (same prefix), so the scans stop reading table rows.
			ID: "202611240001_checkin_scan_index",
			Migrate: func(tx *gorm.DB) error {
				m := tx.Migrator()
				// new one first: MySQL refuses to drop the only index a foreign key could use
				if !m.HasIndex(&CheckIn{}, "idx_checkin_scan") {
					if err := m.CreateIndex(&CheckIn{}, "idx_checkin_scan"); err != nil {
						return fmt.Errorf("create idx_checkin_scan: %w", err)
					}
				}
				if m.HasIndex(&CheckIn{}, "idx_checkin_pairing") {
					return m.DropIndex(&CheckIn{}, "idx_checkin_pairing")
				}
				return nil
			},
		},
		{
			// Overdue spells: an alert stays open until its spell ends. Alerts written before this
			// are closed when the pairing was contacted after them, so an upgrade neither re-alerts a
			// pairing that is still overdue nor announces the end of spells that ended long ago.
			// The (entity, at) index finds the sheet imports (the go-live guard) among the audit rows.
			ID:      "202612010001_alert_spells",
			Migrate: migrateAlertSpells,
		},
		{
			// The WeCom channel links a person by the userid in the people sheet.
			ID: "202612050001_person_wecom_user_id",
			Migrate: func(tx *gorm.DB) error {
				m := tx.Migrator()
				if !m.HasColumn(&Person{}, "WecomUserID") {
					if err := m.AddColumn(&Person{}, "WecomUserID"); err != nil {
						return fmt.Errorf("add people.wecom_user_id: %w", err)
					}
				}
				if !m.HasIndex(&Person{}, "WecomUserID") {
					return m.CreateIndex(&Person{}, "WecomUserID")
				}
				return nil
			},
		},
		{
			// The inbox counts failed tries, so a message the database keeps refusing is
			// quarantined after a few instead of being retried without end.
			ID: "202612050002_inbox_attempts",
			Migrate: func(tx *gorm.DB) error {
				if m := tx.Migrator(); !m.HasColumn(&InboxMessage{}, "Attempts") {
					return m.AddColumn(&InboxMessage{}, "Attempts")
				}
				return nil
			},
		},
		{
			// Sales help (帮销) is recorded apart from aid: goods sold for the household and what
			// they fetched. Older reports have none.
			ID:      "202612050003_checkin_sales",
			Migrate: migrateCheckInSales,
		},
		{
			// The household's word: visit confirmations, discrepancies, phone call-backs, and the
			// per-deployment secret the monthly sample is drawn from (generated here, once).
			ID:      "202612060001_household_confirmation",
			Migrate: func(tx *gorm.DB) error { return s.migrateHouseholdWord(s.tableOptions(tx)) },
		},
		{
			// The sender caches (directory.go) are invalidated by a generation that every write to
			// people, households, pairings and chat identities moves, in the same transaction.
			ID:      "202612060002_directory_generation",
			Migrate: func(tx *gorm.DB) error { return migrateDirectoryGeneration(s.tableOptions(tx)) },
		},
		{
			// Per-pairing summaries (summary.go), built from check_ins with the entries of the last
			// SummaryHorizon: every pairing with a check-in gets its row, which keeps "no row" meaning
			// "no check-ins". Instances of an older version must be stopped first: they would write
			// check-ins without their summary entries (`qinqi check summaries` finds and mends that).
			ID: "202612070001_pairing_summaries",
			Migrate: func(tx *gorm.DB) error {
				if m := tx.Migrator(); !m.HasTable(&PairingSummary{}) {
					if err := s.tableOptions(tx).Migrator().CreateTable(&PairingSummary{}); err != nil {
						return fmt.Errorf("create pairing_summaries: %w", err)
					}
				}
				st := &Store{db: tx, loc: s.loc, driver: s.driver, hhCols: s.hhCols, watch: s.watch, inTx: s.driver == DriverSQLite}
				_, err := st.RebuildSummaries(tx.Statement.Context, time.Now().Add(-SummaryHorizon))
				return err
			},
		},
		{
			// A report sent again from a new message is recorded once (CheckIn.ContentKey). Rows
			// written before have no key, and nothing is recomputed for them. On MySQL the column is
			// added in place; the unique index is built over the whole table once.
			ID:      "202612070002_checkin_content_key",
			Migrate: migrateCheckInContentKey,
		},
		{
			// Summary rows keep the latest entry of each kind before CompleteFrom (summary_earlier.go).
			// The rows pruned before get it from check_ins here, one locked chunk at a time (about a
			// minute at twenty million check-ins); a row left without it only costs the overdue scan a
			// read of that pairing's check-ins, as before.
			ID: "202612070003_summary_earlier",
			Migrate: func(tx *gorm.DB) error {
				m := tx.Migrator()
				for _, col := range []string{"Earlier", "EarlierAt"} {
					if !m.HasColumn(&PairingSummary{}, col) {
						if err := m.AddColumn(&PairingSummary{}, col); err != nil {
							return fmt.Errorf("add pairing_summaries.%s: %w", col, err)
						}
					}
				}
				st := &Store{db: tx, loc: s.loc, driver: s.driver, hhCols: s.hhCols, watch: s.watch, inTx: s.driver == DriverSQLite}
				_, err := st.PruneSummaries(tx.Statement.Context, time.Time{})
				return err
			},
		},
	}
}

func migrateDirectoryGeneration(tx *gorm.DB) error {
	if m := tx.Migrator(); !m.HasTable(&DirectoryGeneration{}) {
		if err := m.CreateTable(&DirectoryGeneration{}); err != nil {
			return fmt.Errorf("create directory_generations: %w", err)
		}
	}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&DirectoryGeneration{ID: 1, N: 1}).Error; err != nil {
		return fmt.Errorf("first directory generation: %w", err)
	}
	return nil
}

func migrateAlertSpells(tx *gorm.DB) error {
	m := tx.Migrator()
	if !m.HasColumn(&Alert{}, "ResolvedAt") {
		if err := m.AddColumn(&Alert{}, "ResolvedAt"); err != nil {
			return fmt.Errorf("add alerts.resolved_at: %w", err)
		}
		err := tx.Exec("UPDATE alerts SET resolved_at = created_at WHERE EXISTS (SELECT 1 FROM check_ins c" +
			" WHERE c.pairing_id = alerts.pairing_id AND c.occurred_at > alerts.created_at AND c.undone_at IS NULL)").Error
		if err != nil {
			return fmt.Errorf("close old alerts: %w", err)
		}
	}
	for _, ix := range []struct {
		model any
		name  string
	}{{&Alert{}, "ResolvedAt"}, {&AuditLog{}, "idx_audit_entity"}} {
		if !m.HasIndex(ix.model, ix.name) {
			if err := m.CreateIndex(ix.model, ix.name); err != nil {
				return fmt.Errorf("create index %s: %w", ix.name, err)
			}
		}
	}
	return nil
}

func migrateCheckInSales(tx *gorm.DB) error {
	m := tx.Migrator()
	for _, col := range []string{"SalesItems", "SalesFen"} {
		if !m.HasColumn(&CheckIn{}, col) {
			if err := m.AddColumn(&CheckIn{}, col); err != nil {
				return fmt.Errorf("add check_ins.%s: %w", col, err)
			}
		}
	}
	return nil
}

func migrateCheckInContentKey(tx *gorm.DB) error {
	m := tx.Migrator()
	if !m.HasColumn(&CheckIn{}, "ContentKey") {
		if err := m.AddColumn(&CheckIn{}, "ContentKey"); err != nil {
			return fmt.Errorf("add check_ins.content_key: %w", err)
		}
	}
	if !m.HasIndex(&CheckIn{}, "ContentKey") {
		if err := m.CreateIndex(&CheckIn{}, "ContentKey"); err != nil {
			return fmt.Errorf("create index on check_ins.content_key: %w", err)
		}
	}
	return nil
}

// tableOptions makes MySQL tables utf8mb4 whatever the server's default charset is.
func (s *Store) tableOptions(tx *gorm.DB) *gorm.DB {
	if s.driver == DriverMySQL {
		return tx.Set("gorm:table_options", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci")
	}
	return tx
}

func (s *Store) migrator(ctx context.Context) *gormigrate.Gormigrate {
	opts := *gormigrate.DefaultOptions
	opts.TableName = migrationsTable
	opts.UseTransaction = s.driver == DriverSQLite // MySQL DDL commits implicitly anyway
	return gormigrate.New(s.q(ctx), &opts, s.migrations())
}

// Migrate applies every pending migration.
func (s *Store) Migrate(ctx context.Context) error {
	if err := s.migrator(ctx).Migrate(); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	s.watch.ready.Store(s.q(ctx).Migrator().HasTable(&DirectoryGeneration{}))
	return nil
}

// PendingMigrations lists migrations not yet applied; serve refuses to start unless it is empty.
func (s *Store) PendingMigrations(ctx context.Context) ([]string, error) {
	all := s.migrations()
	var applied []string
	if s.q(ctx).Migrator().HasTable(migrationsTable) {
		if err := s.q(ctx).Table(migrationsTable).Pluck("id", &applied).Error; err != nil {
			return nil, fmt.Errorf("store: read schema version: %w", err)
		}
	}
	done := map[string]bool{}
	for _, id := range applied {
		done[id] = true
	}
	var pending []string
	for _, m := range all {
		if !done[m.ID] {
			pending = append(pending, m.ID)
		}
	}
	return pending, nil
}

func (s *Store) migrateHouseholdWord(tx *gorm.DB) error {
	m := tx.Migrator()
	for _, t := range []any{&Setting{}, &VisitConfirm{}, &ConfirmItem{}, &Discrepancy{}} {
		if !m.HasTable(t) {
			if err := m.CreateTable(t); err != nil {
				return fmt.Errorf("create %T: %w", t, err)
			}
		}
	}
	for _, col := range []string{"AnsweredBy", "Note"} {
		if !m.HasColumn(&SpotCheck{}, col) {
			if err := m.AddColumn(&SpotCheck{}, col); err != nil {
				return fmt.Errorf("add spot_checks.%s: %w", col, err)
			}
		}
	}
	return ensureSecret(tx, SettingSpotSecret)
}
