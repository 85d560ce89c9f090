package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"qinqi/internal/domain"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Organisation data: regions, units, people, households, programs and pairings. Imports and the
// seed write through the Upsert* methods, which key every table on its one unique column, code
// (MySQL's ON DUPLICATE KEY UPDATE fires on any unique key, so a second one would corrupt upserts).

// Rows per INSERT statement. MySQL likes big batches (well under max_allowed_packet for the widest
// table, households); the pure-Go SQLite driver binds parameters in time quadratic in their number
// per statement, so small batches are faster there (measured: 20,000 households 3× faster at 64).
const (
	upsertBatch       = 500
	upsertBatchSQLite = 64
)

// orgBatch is the INSERT batch size for this store's database.
func (s *Store) orgBatch() int {
	if s.driver == DriverSQLite {
		return upsertBatchSQLite
	}
	return upsertBatch
}

// codeChunk is how many codes go into one IN (…) lookup.
const codeChunk = 500

// Default update columns per table: what an import sheet carries. Columns owned by the bot (an
// account, a promise, a household's head link) are never overwritten by a re-import.
var (
	regionUpdate    = []string{"name", "level", "parent_id", "updated_at"}
	unitUpdate      = []string{"name", "parent_id", "head_code", "office_phone", "updated_at"}
	personUpdate    = []string{"name", "initials", "phone", "id_number", "wecom_user_id", "roles", "unit_id", "household_id", "title", "updated_at"}
	householdUpdate = []string{"head_name", "initials", "region_id", "address", "lat", "lng", "tags", "members", "difficult", "updated_at"}
	programUpdate   = []string{"name", "updated_at"}
	pairingUpdate   = []string{"cadre_id", "household_id", "program_id", "start_on", "end_on", "end_reason", "updated_at"}
)

// upsert inserts rows in batches, updating cols of rows whose code already exists.
func upsert[T any](s *Store, ctx context.Context, rows []T, cols []string) error {
	if len(rows) == 0 {
		return nil
	}
	err := s.q(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "code"}},
		DoUpdates: clause.AssignmentColumns(cols),
	}).CreateInBatches(&rows, s.orgBatch()).Error
	if err != nil {
		var zero T
		return fmt.Errorf("store: upsert %T: %w", zero, err)
	}
	return nil
}

// UpsertRegions writes regions by code; the caller resolves ParentID.
func (s *Store) UpsertRegions(ctx context.Context, rows []Region) error {
	return upsert(s, ctx, rows, regionUpdate)
}

// UpsertUnits writes units by code and links heads whose person rows already exist; update works
// as for UpsertPeople.
func (s *Store) UpsertUnits(ctx context.Context, rows []Unit, update []string) error {
	cols, err := s.updateColumns(&Unit{}, unitUpdate, update)
	if err != nil {
		return err
	}
	if err := upsert(s, ctx, rows, cols); err != nil {
		return err
	}
	return s.ResolveUnitHeads(ctx)
}

// ResolveUnitHeads points the HeadID of every unit with a HeadCode at the person it names (NULL
// while that person is not imported); units may be imported before their heads' person rows.
func (s *Store) ResolveUnitHeads(ctx context.Context) error {
	sub := s.q(ctx).Model(&Person{}).Select("id").Where("people.code = units.head_code").Limit(1)
	err := s.q(ctx).Model(&Unit{}).Where("head_code <> ''").
		UpdateColumn("head_id", gorm.Expr("(?)", sub)).Error
	if err != nil {
		return fmt.Errorf("store: resolve unit heads: %w", err)
	}
	return nil
}

// UpsertPeople writes people by code. update lists the Go field names to overwrite on existing
// rows (nil: every column an import sheet carries), so a sheet without a 身份证号 column keeps them.
func (s *Store) UpsertPeople(ctx context.Context, rows []Person, update []string) error {
	cols, err := s.updateColumns(&Person{}, personUpdate, update)
	if err != nil {
		return err
	}
	if err := upsert(s, ctx, rows, cols); err != nil {
		return err
	}
	return s.ResolveUnitHeads(ctx)
}

// UpsertHouseholds writes households by code; update works as for UpsertPeople.
func (s *Store) UpsertHouseholds(ctx context.Context, rows []Household, update []string) error {
	cols, err := s.updateColumns(&Household{}, householdUpdate, update)
	if err != nil {
		return err
	}
	return upsert(s, ctx, rows, cols)
}

// UpsertPrograms writes programs by code.
func (s *Store) UpsertPrograms(ctx context.Context, rows []Program) error {
	return upsert(s, ctx, rows, programUpdate)
}

// UpsertPairings writes pairings by code; dates are stored as midnight in the store's zone.
// Callers check the two-active-cadres rule first (ActivePairingsOfHouseholds).
func (s *Store) UpsertPairings(ctx context.Context, rows []Pairing) error {
	for i := range rows {
		rows[i].StartOn = s.orgDay(rows[i].StartOn)
		if rows[i].EndOn != nil {
			e := s.orgDay(*rows[i].EndOn)
			rows[i].EndOn = &e
		}
	}
	return upsert(s, ctx, rows, pairingUpdate)
}

// SetHouseholdHeads links households to their heads' person rows, a few hundred per statement.
func (s *Store) SetHouseholdHeads(ctx context.Context, heads map[domain.HouseholdID]domain.PersonID) error {
	ids := make([]domain.HouseholdID, 0, len(heads))
	for hh := range heads {
		ids = append(ids, hh)
	}
	slices.Sort(ids)
	for start := 0; start < len(ids); start += codeChunk {
		chunk := ids[start:min(start+codeChunk, len(ids))]
		var sql strings.Builder
		args := make([]any, 0, 2*len(chunk))
		sql.WriteString("CASE id")
		for _, hh := range chunk {
			sql.WriteString(" WHEN ? THEN ?")
			args = append(args, hh, heads[hh])
		}
		sql.WriteString(" END")
		err := s.q(ctx).Model(&Household{}).Where("id IN ?", chunk).
			UpdateColumn("head_id", gorm.Expr(sql.String(), args...)).Error
		if err != nil {
			return fmt.Errorf("store: set household heads: %w", err)
		}
	}
	return nil
}

// updateColumns maps Go field names onto column names, keeping "initials" and "updated_at" with
// the fields they derive from.
func (s *Store) updateColumns(model any, all []string, fields []string) ([]string, error) {
	if fields == nil {
		return all, nil
	}
	allowed := map[string]bool{}
	for _, c := range all {
		allowed[c] = true
	}
	cols := []string{"updated_at"}
	for _, f := range fields {
		c := s.db.NamingStrategy.ColumnName("", f)
		if !allowed[c] {
			return nil, fmt.Errorf("store: %T: field %s is not importable", model, f)
		}
		cols = append(cols, c)
		if (c == "name" || c == "head_name") && allowed["initials"] {
			cols = append(cols, "initials")
		}
	}
	return cols, nil
}

// orgDay is midnight of t's day in the store's zone.
func (s *Store) orgDay(t time.Time) time.Time {
	t = t.In(s.loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, s.loc)
}

// LinkRelays records relays (接力帮扶): links maps the code of each new pairing to the code of the
// pairing it took over from. Unknown codes are an error, so a typo cannot silently drop history.
func (s *Store) LinkRelays(ctx context.Context, links map[string]string) error {
	if len(links) == 0 {
		return nil
	}
	codes := make([]string, 0, 2*len(links))
	for next, prev := range links {
		codes = append(codes, next, prev)
	}
	slices.Sort(codes)
	got, err := s.PairingsByCodes(ctx, slices.Compact(codes))
	if err != nil {
		return err
	}
	for _, next := range slices.Sorted(maps.Keys(links)) {
		n, okN := got[next]
		p, okP := got[links[next]]
		if !okN || !okP {
			return fmt.Errorf("store: link relay %s ← %s: %w", next, links[next], ErrNotFound)
		}
		if err := s.q(ctx).Model(&Pairing{}).Where("id = ?", n.ID).UpdateColumn("relayed_from_id", p.ID).Error; err != nil {
			return fmt.Errorf("store: link relay: %w", err)
		}
	}
	return nil
}
