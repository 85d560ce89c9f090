package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"qinqi/internal/domain"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	"gorm.io/gorm/schema"
)

// Bulk loading for `qinqi seed --history`: millions of synthetic diary rows. gorm's per-row reflection
// and one statement per batch of structs cost more than the database itself at that size, so rows go
// in as hand-built multi-row INSERTs.

// PairingPage is one pairing with its household's tags, read in id order for bulk work.
type PairingPage struct {
	Pairing
	Tags domain.Tags
}

// PairingsAfter returns up to limit pairings (ended ones included) with id > after, by id.
func (s *Store) PairingsAfter(ctx context.Context, after domain.PairingID, limit int) ([]PairingPage, error) {
	rows, err := s.q(ctx).Raw("SELECT p.id, p.code, p.cadre_id, p.household_id, p.start_on, p.end_on, h.tags"+
		" FROM pairings p JOIN households h ON h.id = p.household_id WHERE p.id > ? ORDER BY p.id LIMIT ?", after, limit).Rows()
	if err != nil {
		return nil, fmt.Errorf("store: pairings page: %w", err)
	}
	defer rows.Close()
	var out []PairingPage
	for rows.Next() {
		var r PairingPage
		p := &r.Pairing
		if err := rows.Scan(&p.ID, &p.Code, &p.CadreID, &p.HouseholdID, &p.StartOn, &p.EndOn, &r.Tags); err != nil {
			return nil, fmt.Errorf("store: pairings page row: %w", err)
		}
		p.StartOn = p.StartOn.In(s.loc)
		if p.EndOn != nil {
			e := p.EndOn.In(s.loc)
			p.EndOn = &e
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: pairings page: %w", err)
	}
	return out, nil
}

// PairingsWithCheckIns returns the pairings with ids in [lo, hi] that have at least one check-in, so a
// bulk load that was interrupted can resume without writing any pairing's history twice.
func (s *Store) PairingsWithCheckIns(ctx context.Context, lo, hi domain.PairingID) (map[domain.PairingID]bool, error) {
	var ids []domain.PairingID
	err := s.q(ctx).Model(&CheckIn{}).Distinct("pairing_id").Where("pairing_id BETWEEN ? AND ?", lo, hi).Pluck("pairing_id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: pairings with check-ins: %w", err)
	}
	out := make(map[domain.PairingID]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// checkInColumns are the columns BulkInsertCheckIns writes; the rest (location, photo, source message,
// undo) stay NULL or zero, as for a diary entry imported from paper.
var checkInColumns = []string{"pairing_id", "cadre_id", "household_id", "kind", "mode", "occurred_at", "reported_at",
	"place", "text", "items", "value_fen", "far", "created_at", "updated_at"}

// bulkRows is how many check-ins one INSERT carries. MySQL: 2,000 rows of 14 placeholders stay below its
// 65,535 placeholders and near 200 KB a statement; the DSN's interpolateParams sends it as one text
// statement (measured 1.8 times the rows per second of a server-side prepared one). SQLite: the driver
// binds each parameter by scanning the argument list (quadratic in placeholders), so its statements
// stay small.
func (s *Store) bulkRows() int {
	if s.driver == DriverSQLite {
		return 50
	}
	return 2000
}

// BulkInsertCheckIns inserts rows with multi-row INSERTs (bulkRows rows each), without audit rows
// (the rows are synthetic history, not anyone's action). Call it inside Tx to commit a chunk at once.
// CreatedAt and UpdatedAt default to ReportedAt.
func (s *Store) BulkInsertCheckIns(ctx context.Context, rows []CheckIn) error {
	per := s.bulkRows()
	quiet := s.bulk(ctx)
	for start := 0; start < len(rows); start += per {
		part := rows[start:min(start+per, len(rows))]
		if err := quiet.Exec(checkInInsert(len(part)), s.checkInArgs(part)...).Error; err != nil {
			return fmt.Errorf("store: bulk insert check-ins: %w", err)
		}
	}
	return s.summarize(ctx, rows...)
}

// checkInInsert builds "INSERT INTO check_ins (…) VALUES (?,…),(?,…)…" for n rows.
func checkInInsert(n int) string { return insertSQL("check_ins", checkInColumns, n) }

// The hand-written statements' arguments go to the driver as its own types (int64, string,
// time.Time, nil): a named type or a pointer takes the driver's reflection instead, which copies
// the value again (database/sql's converter and go-sql-driver/mysql's alike). idArg and ptrArg pass
// what a pointer points to, or nil.
func idArg[T ~int64](p *T) any {
	if p == nil {
		return nil
	}
	return int64(*p)
}

func ptrArg[T string | time.Time | float64](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// insertSQL builds "INSERT INTO `table` (`col`,…) VALUES (?,…),(?,…)…" for n rows: the bulk writers'
// multi-row INSERTs and the check-in path's single-row ones share it.
func insertSQL(table string, cols []string, n int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	var b strings.Builder
	b.Grow(32 + 16*len(cols) + n*(len(one)+1))
	b.WriteString("INSERT INTO `")
	b.WriteString(table)
	b.WriteString("` (`")
	b.WriteString(strings.Join(cols, "`,`"))
	b.WriteString("`) VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(one)
	}
	return b.String()
}

// stamps are CreatedAt and UpdatedAt, defaulting to ReportedAt.
func stamps(c CheckIn) (created, updated time.Time) {
	created, updated = c.CreatedAt, c.UpdatedAt
	if created.IsZero() {
		created = c.ReportedAt
	}
	if updated.IsZero() {
		updated = created
	}
	return created, updated
}

func (s *Store) checkInArgs(rows []CheckIn) []any {
	args := make([]any, 0, len(rows)*len(checkInColumns))
	for _, c := range rows {
		created, updated := stamps(c)
		args = append(args, c.PairingID, c.CadreID, c.HouseholdID, string(c.Kind), string(c.Mode),
			c.OccurredAt.In(s.loc), c.ReportedAt.In(s.loc), c.Place, c.Text, c.Items, c.ValueFen, c.Far,
			created.In(s.loc), updated.In(s.loc))
	}
	return args
}

// CountCheckIns counts every check-in row (undone ones included).
func (s *Store) CountCheckIns(ctx context.Context) (int64, error) {
	var n int64
	if err := s.q(ctx).Model(&CheckIn{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("store: count check-ins: %w", err)
	}
	return n, nil
}

// bulk is the handle for bulk statements: a 2,000-row INSERT or an index build takes longer than the
// slow-query threshold by design, so they are not logged (their errors are returned).
func (s *Store) bulk(ctx context.Context) *gorm.DB {
	return s.q(ctx).Session(&gorm.Session{Logger: s.db.Logger.LogMode(logger.Silent)})
}

// HasCheckIns reports whether the check_ins table has any row.
func (s *Store) HasCheckIns(ctx context.Context) (bool, error) {
	var ids []domain.CheckInID
	if err := s.q(ctx).Model(&CheckIn{}).Limit(1).Pluck("id", &ids).Error; err != nil {
		return false, fmt.Errorf("store: any check-in: %w", err)
	}
	return len(ids) > 0, nil
}

// checkInIndexes are the secondary indexes the CheckIn model declares.
func (s *Store) checkInIndexes() ([]*schema.Index, error) {
	stmt := &gorm.Statement{DB: s.db}
	if err := stmt.Parse(&CheckIn{}); err != nil {
		return nil, fmt.Errorf("store: check-in schema: %w", err)
	}
	return stmt.Schema.ParseIndexes(), nil
}

// DropCheckInIndexes drops the secondary indexes of check_ins, for a bulk load into an EMPTY table: InnoDB
// then appends rows in primary-key order and EnsureCheckInIndexes builds each index once by sorting,
// instead of inserting twenty million keys at random places of an index larger than the buffer pool
// (the occurred_at index is in time order, the rows arrive in pairing order). It refuses a table with
// rows, where queries rely on the indexes.
func (s *Store) DropCheckInIndexes(ctx context.Context) ([]string, error) {
	has, err := s.HasCheckIns(ctx)
	if err != nil {
		return nil, err
	}
	if has {
		return nil, fmt.Errorf("store: check_ins has rows; its indexes stay")
	}
	idxs, err := s.checkInIndexes()
	if err != nil {
		return nil, err
	}
	var dropped []string
	m := s.bulk(ctx).Migrator()
	for _, idx := range idxs {
		if !m.HasIndex(&CheckIn{}, idx.Name) {
			continue
		}
		if err := m.DropIndex(&CheckIn{}, idx.Name); err != nil {
			return dropped, fmt.Errorf("store: drop index %s: %w", idx.Name, err)
		}
		dropped = append(dropped, idx.Name)
	}
	return dropped, nil
}

// EnsureCheckInIndexes creates every index the CheckIn model declares that the table lacks (after
// DropCheckInIndexes, or when such a load was interrupted) and returns their names. On MySQL they are
// added by one ALTER TABLE, which reads the rows once for all of them (measured 2.5 times faster than
// one CREATE INDEX each); SQLite creates them one by one.
func (s *Store) EnsureCheckInIndexes(ctx context.Context) ([]string, error) {
	idxs, err := s.checkInIndexes()
	if err != nil {
		return nil, err
	}
	m := s.bulk(ctx).Migrator()
	var missing []*schema.Index
	var names []string
	for _, idx := range idxs {
		if !m.HasIndex(&CheckIn{}, idx.Name) {
			missing, names = append(missing, idx), append(names, idx.Name)
		}
	}
	if len(missing) == 0 {
		return nil, nil
	}
	if alter, ok := addIndexes(missing); ok && s.driver == DriverMySQL {
		if err := s.bulk(ctx).Exec(alter).Error; err != nil {
			return nil, fmt.Errorf("store: build check-in indexes: %w", err)
		}
		return names, nil
	}
	for _, idx := range missing {
		if err := m.CreateIndex(&CheckIn{}, idx.Name); err != nil {
			return nil, fmt.Errorf("store: create index %s: %w", idx.Name, err)
		}
	}
	return names, nil
}

// addIndexes writes "ALTER TABLE check_ins ADD INDEX …, ADD UNIQUE INDEX …" for plain column indexes;
// ok is false when an index has options this does not spell (then the migrator creates it).
func addIndexes(idxs []*schema.Index) (string, bool) {
	parts := make([]string, 0, len(idxs))
	for _, idx := range idxs {
		if idx.Type != "" || idx.Option != "" || idx.Comment != "" || (idx.Class != "" && idx.Class != "UNIQUE") {
			return "", false
		}
		cols := make([]string, 0, len(idx.Fields))
		for _, f := range idx.Fields {
			if f.Field == nil || f.Expression != "" || f.Sort != "" || f.Collate != "" || f.Length != 0 {
				return "", false
			}
			cols = append(cols, "`"+f.DBName+"`")
		}
		kind := "ADD INDEX"
		if idx.Class == "UNIQUE" {
			kind = "ADD UNIQUE INDEX"
		}
		parts = append(parts, kind+" `"+idx.Name+"` ("+strings.Join(cols, ",")+")")
	}
	return "ALTER TABLE check_ins " + strings.Join(parts, ", "), true
}

// ClearJobOutput empties what the scheduled jobs and the bot write (alerts, reminders, outbox and inbox
// messages, job runs, spot checks), so a benchmark can time a job's first run of a day again on the same
// seeded county, and a fake chat server that numbers its messages from 1 again is not taken for a
// replay. Never on a live database: it forgets which reminders and alerts were already sent.
func (s *Store) ClearJobOutput(ctx context.Context) error {
	for _, m := range []any{&Alert{}, &Reminder{}, &OutboxMessage{}, &InboxMessage{}, &JobRun{}, &SpotCheck{}} {
		stmt := &gorm.Statement{DB: s.db}
		if err := stmt.Parse(m); err != nil {
			return fmt.Errorf("store: clear job output: %w", err)
		}
		q := "DELETE FROM " + stmt.Schema.Table
		if s.driver == DriverMySQL {
			q = "TRUNCATE TABLE " + stmt.Schema.Table // DELETE of a million rows would take minutes
		}
		if err := s.bulk(ctx).Exec(q).Error; err != nil {
			return fmt.Errorf("store: clear %s: %w", stmt.Schema.Table, err)
		}
	}
	return nil
}

// CountOutboxReplies counts outbox messages of priority reply, whatever their status (benchmarks wait
// for a batch of questions to be answered).
func (s *Store) CountOutboxReplies(ctx context.Context) (int64, error) {
	var n int64
	if err := s.q(ctx).Model(&OutboxMessage{}).Where("priority = ?", PriorityReply).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("store: count replies: %w", err)
	}
	return n, nil
}
