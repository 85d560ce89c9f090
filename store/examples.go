package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"qinqi/internal/domain"
)

// RoleExamples are people of each role to quote in the demo's banner, taken from the database the
// demo opened so every code it suggests exists there. A zero Person means no one has that role.
type RoleExamples struct {
	Cadre     Person // the first cadre by code with a pairing in force
	Household string // head name of one of Cadre's households, for a report example
	Head      Person // a household head who can use the bot, preferably of that household
	Coord     Person // the first coordinator by code
	Admin     Person // the first admin by code
}

// RoleExamples picks one person of each role; people are ordered by code, so the choice is stable.
func (s *Store) RoleExamples(ctx context.Context, at time.Time) (RoleExamples, error) {
	var ex RoleExamples
	// a fresh query each time: a gorm chain is mutated by each call on it
	active := func(col string) any { return s.pairingsActiveAt(ctx, at).Model(&Pairing{}).Select(col) }
	var err error
	if ex.Cadre, err = s.firstWithRole(ctx, domain.RoleCadre, "id IN (?)", active("cadre_id")); err != nil {
		return ex, err
	}
	if ex.Cadre.ID != 0 {
		if ex.Household, ex.Head, err = s.householdExample(ctx, ex.Cadre.ID, at); err != nil {
			return ex, err
		}
	}
	if ex.Head.ID == 0 {
		if ex.Head, err = s.firstWithRole(ctx, domain.RoleHousehold, "household_id IN (?)", active("household_id")); err != nil {
			return ex, err
		}
	}
	if ex.Coord, err = s.firstWithRole(ctx, domain.RoleCoordinator, "", nil); err != nil {
		return ex, err
	}
	ex.Admin, err = s.firstWithRole(ctx, domain.RoleAdmin, "", nil)
	return ex, err
}

// householdExample returns the head name of the cadre's oldest pairing in force, and the head's
// person row when the head uses the bot.
func (s *Store) householdExample(ctx context.Context, cadre domain.PersonID, at time.Time) (string, Person, error) {
	ps, err := s.ActivePairingsOfCadre(ctx, cadre, at)
	if err != nil || len(ps) == 0 {
		return "", Person{}, err
	}
	hh, err := s.HouseholdByID(ctx, ps[0].HouseholdID)
	if err != nil {
		return "", Person{}, err
	}
	if hh.HeadID == nil {
		return hh.HeadName, Person{}, nil
	}
	head, err := s.PersonByID(ctx, *hh.HeadID)
	if errors.Is(err, ErrNotFound) || (err == nil && !head.Roles.Has(domain.RoleHousehold)) {
		return hh.HeadName, Person{}, nil
	}
	return hh.HeadName, head, err
}

// firstWithRole returns the first person by code who has role and meets the optional condition; a
// zero Person when there is none. The LIKE pre-filter is refined by Roles.Has.
func (s *Store) firstWithRole(ctx context.Context, role domain.Role, cond string, arg any) (Person, error) {
	q := s.q(ctx).Where("roles LIKE ?", "%"+string(role)+"%")
	if cond != "" {
		q = q.Where(cond, arg)
	}
	var rows []Person
	if err := q.Order("code").Limit(50).Find(&rows).Error; err != nil {
		return Person{}, fmt.Errorf("store: a person with role %s: %w", role, err)
	}
	for _, p := range rows {
		if p.Roles.Has(role) {
			return p, nil
		}
	}
	return Person{}, nil
}
