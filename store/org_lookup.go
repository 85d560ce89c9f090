package store

import (
	"context"
	"fmt"
	"time"

	"qinqi/internal/domain"

	"gorm.io/gorm"
)

// one reads the single row matching cond, or ErrNotFound.
func one[T any](s *Store, ctx context.Context, cond string, arg any) (T, error) {
	var row T
	err := s.q(ctx).Where(cond, arg).Take(&row).Error
	if err != nil {
		return row, fmt.Errorf("store: %T %v: %w", row, arg, notFound(err))
	}
	return row, nil
}

// RegionByID returns one region or ErrNotFound.
func (s *Store) RegionByID(ctx context.Context, id domain.RegionID) (Region, error) {
	return one[Region](s, ctx, "id = ?", id)
}

// RegionByCode returns one region or ErrNotFound; codes ignore case (see org_codes.go).
func (s *Store) RegionByCode(ctx context.Context, code string) (Region, error) {
	return byCode[Region](s, ctx, code)
}

// UnitByID returns one unit or ErrNotFound.
func (s *Store) UnitByID(ctx context.Context, id domain.UnitID) (Unit, error) {
	return one[Unit](s, ctx, "id = ?", id)
}

// UnitByCode returns one unit or ErrNotFound.
func (s *Store) UnitByCode(ctx context.Context, code string) (Unit, error) {
	return byCode[Unit](s, ctx, code)
}

// PersonByID returns one person or ErrNotFound.
func (s *Store) PersonByID(ctx context.Context, id domain.PersonID) (Person, error) {
	if v := s.view(ctx); v != nil {
		return s.cachedPersonByID(v, ctx, id)
	}
	return one[Person](s, ctx, "id = ?", id)
}

// PersonByCode returns one person or ErrNotFound.
func (s *Store) PersonByCode(ctx context.Context, code string) (Person, error) {
	return byCode[Person](s, ctx, code)
}

// HouseholdByID returns one household or ErrNotFound.
func (s *Store) HouseholdByID(ctx context.Context, id domain.HouseholdID) (Household, error) {
	return one[Household](s, ctx, "id = ?", id)
}

// HouseholdByCode returns one household or ErrNotFound.
func (s *Store) HouseholdByCode(ctx context.Context, code string) (Household, error) {
	return byCode[Household](s, ctx, code)
}

// ProgramByID returns one program or ErrNotFound.
func (s *Store) ProgramByID(ctx context.Context, id domain.ProgramID) (Program, error) {
	return one[Program](s, ctx, "id = ?", id)
}

// ProgramByCode returns one program or ErrNotFound.
func (s *Store) ProgramByCode(ctx context.Context, code string) (Program, error) {
	return byCode[Program](s, ctx, code)
}

// PairingByID returns one pairing or ErrNotFound.
func (s *Store) PairingByID(ctx context.Context, id domain.PairingID) (Pairing, error) {
	return one[Pairing](s, ctx, "id = ?", id)
}

// PairingByCode returns one pairing or ErrNotFound.
func (s *Store) PairingByCode(ctx context.Context, code string) (Pairing, error) {
	return byCode[Pairing](s, ctx, code)
}

// byCodes loads the rows whose code is in codes, in chunks, keyed by code.
func byCodes[T any](s *Store, ctx context.Context, codes []string, code func(T) string) (map[string]T, error) {
	out := make(map[string]T, len(codes))
	for start := 0; start < len(codes); start += codeChunk {
		end := min(start+codeChunk, len(codes))
		var rows []T
		if err := s.q(ctx).Where("code IN ?", codes[start:end]).Find(&rows).Error; err != nil {
			var zero T
			return nil, fmt.Errorf("store: %T by codes: %w", zero, err)
		}
		for _, r := range rows {
			out[code(r)] = r
		}
	}
	return out, nil
}

// RegionsByCodes returns the existing regions among codes, keyed by code.
func (s *Store) RegionsByCodes(ctx context.Context, codes []string) (map[string]Region, error) {
	return byCodes(s, ctx, codes, func(r Region) string { return r.Code })
}

// UnitsByCodes returns the existing units among codes, keyed by code.
func (s *Store) UnitsByCodes(ctx context.Context, codes []string) (map[string]Unit, error) {
	return byCodes(s, ctx, codes, func(r Unit) string { return r.Code })
}

// PeopleByCodes returns the existing people among codes, keyed by code.
func (s *Store) PeopleByCodes(ctx context.Context, codes []string) (map[string]Person, error) {
	return byCodes(s, ctx, codes, func(r Person) string { return r.Code })
}

// HouseholdsByCodes returns the existing households among codes, keyed by code.
func (s *Store) HouseholdsByCodes(ctx context.Context, codes []string) (map[string]Household, error) {
	return byCodes(s, ctx, codes, func(r Household) string { return r.Code })
}

// ProgramsByCodes returns the existing programs among codes, keyed by code.
func (s *Store) ProgramsByCodes(ctx context.Context, codes []string) (map[string]Program, error) {
	return byCodes(s, ctx, codes, func(r Program) string { return r.Code })
}

// PairingsByCodes returns the existing pairings among codes, keyed by code.
func (s *Store) PairingsByCodes(ctx context.Context, codes []string) (map[string]Pairing, error) {
	return byCodes(s, ctx, codes, func(r Pairing) string { return r.Code })
}

// ProgramByName returns the program with this display name, or ErrNotFound.
func (s *Store) ProgramByName(ctx context.Context, name string) (Program, error) {
	return one[Program](s, ctx, "name = ?", name)
}

// UnitSubtree returns unit and all its sub-units (breadth first, unit first).
func (s *Store) UnitSubtree(ctx context.Context, unit domain.UnitID) ([]domain.UnitID, error) {
	if _, err := s.UnitByID(ctx, unit); err != nil {
		return nil, err
	}
	out := []domain.UnitID{unit}
	seen := map[domain.UnitID]bool{unit: true}
	frontier := []domain.UnitID{unit}
	for len(frontier) > 0 {
		var children []domain.UnitID
		if err := s.q(ctx).Model(&Unit{}).Where("parent_id IN ?", frontier).Order("id").Pluck("id", &children).Error; err != nil {
			return nil, fmt.Errorf("store: unit subtree: %w", err)
		}
		frontier = frontier[:0:0]
		for _, c := range children {
			if !seen[c] { // a cycle in imported data must not loop forever
				seen[c] = true
				out = append(out, c)
				frontier = append(frontier, c)
			}
		}
	}
	return out, nil
}

// pairingsActiveAt restricts a pairing query to pairings in force at t.
func (s *Store) pairingsActiveAt(ctx context.Context, at time.Time) *gorm.DB {
	at = at.In(s.loc)
	return s.q(ctx).Where("start_on <= ? AND (end_on IS NULL OR end_on > ?)", at, at)
}

// ActivePairingsOfCadre lists the cadre's pairings in force at at, oldest first.
func (s *Store) ActivePairingsOfCadre(ctx context.Context, cadre domain.PersonID, at time.Time) ([]Pairing, error) {
	var out []Pairing
	if err := s.pairingsActiveAt(ctx, at).Where("cadre_id = ?", cadre).Order("start_on, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: active pairings of cadre: %w", err)
	}
	return out, nil
}

// ActivePairingsOfHousehold lists the household's pairings in force at at (at most two), oldest first.
func (s *Store) ActivePairingsOfHousehold(ctx context.Context, hh domain.HouseholdID, at time.Time) ([]Pairing, error) {
	var out []Pairing
	if err := s.pairingsActiveAt(ctx, at).Where("household_id = ?", hh).Order("start_on, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: active pairings of household: %w", err)
	}
	return out, nil
}

// ActivePairingsOfHouseholds lists the pairings in force at at for many households, keyed by household.
func (s *Store) ActivePairingsOfHouseholds(ctx context.Context, hhs []domain.HouseholdID, at time.Time) (map[domain.HouseholdID][]Pairing, error) {
	out := map[domain.HouseholdID][]Pairing{}
	for start := 0; start < len(hhs); start += codeChunk {
		var rows []Pairing
		err := s.pairingsActiveAt(ctx, at).Where("household_id IN ?", hhs[start:min(start+codeChunk, len(hhs))]).
			Order("start_on, id").Find(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("store: active pairings of households: %w", err)
		}
		for _, p := range rows {
			out[p.HouseholdID] = append(out[p.HouseholdID], p)
		}
	}
	return out, nil
}

// CadresOfUnits lists the people with the cadre role in the given units, by code.
func (s *Store) CadresOfUnits(ctx context.Context, units []domain.UnitID) ([]Person, error) {
	if len(units) == 0 {
		return nil, nil
	}
	var rows []Person
	if err := s.q(ctx).Where("unit_id IN ? AND roles LIKE ?", units, "%"+string(domain.RoleCadre)+"%").Order("code").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: cadres of units: %w", err)
	}
	out := rows[:0]
	for _, p := range rows {
		if p.Roles.Has(domain.RoleCadre) {
			out = append(out, p)
		}
	}
	return out, nil
}

// OrgCounts is the number of rows of each organisation table.
type OrgCounts struct {
	Regions, Units, People, Households, Programs, Pairings int64
}

// CountOrg counts the organisation tables (import summaries, seed's emptiness check).
func (s *Store) CountOrg(ctx context.Context) (OrgCounts, error) {
	var c OrgCounts
	for _, t := range []struct {
		model any
		n     *int64
	}{{&Region{}, &c.Regions}, {&Unit{}, &c.Units}, {&Person{}, &c.People}, {&Household{}, &c.Households}, {&Program{}, &c.Programs}, {&Pairing{}, &c.Pairings}} {
		if err := s.q(ctx).Model(t.model).Count(t.n).Error; err != nil {
			return c, fmt.Errorf("store: count %T: %w", t.model, err)
		}
	}
	return c, nil
}

// AllRegions returns every region by id; the tree is small (a county has hundreds of villages)
// and imports resolve 所属村 by code or by name against it.
func (s *Store) AllRegions(ctx context.Context) ([]Region, error) {
	var out []Region
	if err := s.q(ctx).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: all regions: %w", err)
	}
	return out, nil
}

// AllUnits returns every unit by id (hundreds at most; imports resolve 所属单位 by code or name).
func (s *Store) AllUnits(ctx context.Context) ([]Unit, error) {
	var out []Unit
	if err := s.q(ctx).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: all units: %w", err)
	}
	return out, nil
}
