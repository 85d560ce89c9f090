package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"qinqi/internal/domain"

	"gorm.io/gorm"
)

// PairedHousehold is one of a cadre's households with the pairing that links them.
type PairedHousehold struct {
	Pairing   Pairing
	Household Household
	Since     time.Time // when the household's pairing chain began (relays included)
}

// HouseholdsOfCadre lists the cadre's households in force at at, in the stable order of 我的亲戚
// (oldest pairing first), so list numbers mean the same household from one day to the next.
func (s *Store) HouseholdsOfCadre(ctx context.Context, cadre domain.PersonID, at time.Time) ([]PairedHousehold, error) {
	at = at.In(s.loc)
	if v := s.view(ctx); v != nil {
		return s.cachedHouseholdsOfCadre(v, ctx, cadre, at)
	}
	return s.householdsOfCadre(ctx, cadre, at, true)
}

// householdsOfCadre reads the cadre's pairings not ended at at, only those started by then when
// started is set, with their households: one joined query, then the relay chains (none when nothing
// was relayed).
func (s *Store) householdsOfCadre(ctx context.Context, cadre domain.PersonID, at time.Time, started bool) ([]PairedHousehold, error) {
	var rows []pairedRow
	q := s.q(ctx).Table("pairings").Select("pairings.*, "+s.hhCols).
		Joins("JOIN households ON households.id = pairings.household_id").
		Where("pairings.cadre_id = ? AND (pairings.end_on IS NULL OR pairings.end_on > ?)", cadre, at)
	if started {
		q = q.Where("pairings.start_on <= ?", at)
	}
	err := q.Order("pairings.start_on, pairings.id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: households of cadre %d: %w", cadre, err)
	}
	ids := make([]domain.PairingID, len(rows))
	for i, r := range rows {
		ids[i] = r.P.ID
	}
	chains, err := s.relayChains(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]PairedHousehold, len(rows))
	for i, r := range rows {
		out[i] = PairedHousehold{Pairing: r.P, Household: r.H, Since: chainStart(r.P, chains)}
	}
	return out, nil
}

// pairedRow is a pairing joined with its household; the household's columns carry the h_ prefix.
type pairedRow struct {
	P Pairing   `gorm:"embedded"`
	H Household `gorm:"embedded;embeddedPrefix:h_"`
}

// columnsAs lists "table.col AS <prefix>col" for every column of model.
func columnsAs(db *gorm.DB, model any, table, prefix string) (string, error) {
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(model); err != nil {
		return "", fmt.Errorf("store: schema of %T: %w", model, err)
	}
	cols := make([]string, len(stmt.Schema.DBNames))
	for i, c := range stmt.Schema.DBNames {
		cols[i] = table + "." + c + " AS " + prefix + c
	}
	return strings.Join(cols, ", "), nil
}

// CoordinatorsOfUnit lists the coordinators responsible for a unit: those of the unit itself, or,
// when it has none, of the nearest parent unit that has some.
func (s *Store) CoordinatorsOfUnit(ctx context.Context, unit domain.UnitID) ([]Person, error) {
	seen := map[domain.UnitID]bool{}
	for id := &unit; id != nil && !seen[*id]; {
		seen[*id] = true
		var rows []Person
		err := s.q(ctx).Where("unit_id = ? AND roles LIKE ?", *id, "%"+string(domain.RoleCoordinator)+"%").Order("id").Find(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("store: coordinators of unit %d: %w", unit, err)
		}
		var out []Person
		for _, p := range rows {
			if p.Roles.Has(domain.RoleCoordinator) {
				out = append(out, p)
			}
		}
		if len(out) > 0 {
			return out, nil
		}
		u, err := s.UnitByID(ctx, *id)
		if err != nil {
			return nil, err
		}
		id = u.ParentID
	}
	return nil, nil
}
