package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"qinqi/internal/calendar"
	"qinqi/internal/domain"
	"qinqi/internal/report"
	"qinqi/store"
)

// CoordStore is what the coordinator commands (逾期 统计 排名 导出 统计图 接力 活动 请假 绑定码)
// need; *store.Store implements it.
type CoordStore interface {
	report.LedgerSource
	UnitByID(ctx context.Context, id domain.UnitID) (store.Unit, error)
	UnitSubtree(ctx context.Context, unit domain.UnitID) ([]domain.UnitID, error)
	AllUnits(ctx context.Context) ([]store.Unit, error)
	PersonByCode(ctx context.Context, code string) (store.Person, error)
	CadresOfUnits(ctx context.Context, units []domain.UnitID) ([]store.Person, error)
	ActivePairingsOfCadre(ctx context.Context, cadre domain.PersonID, at time.Time) ([]store.Pairing, error)
	ActivePairingsOfHousehold(ctx context.Context, hh domain.HouseholdID, at time.Time) ([]store.Pairing, error)
	ScanUnitPairings(ctx context.Context, units []domain.UnitID, o store.ScanOptions, fn func([]store.PairingFacts) error) error
	PairingLabels(ctx context.Context, ids []domain.PairingID) (map[domain.PairingID]store.PairingLabel, error)
	PairingsReported(ctx context.Context, units []domain.UnitID, at, from, to time.Time) (int64, int64, error)
	OnLeaveAt(ctx context.Context, day time.Time) (map[domain.PersonID]bool, error)
	RelayPairings(ctx context.Context, r store.Relay, notes func([]store.RelayMove) []store.OutboxMessage) ([]store.RelayMove, error)
	AddLeaveBy(ctx context.Context, l store.Leave, actor domain.PersonID, at time.Time) (store.Leave, error)
	EndLeaveBy(ctx context.Context, person domain.PersonID, day time.Time, actor domain.PersonID, at time.Time) (int, error)
	IssueBindCode(ctx context.Context, person, actor domain.PersonID, now time.Time, ttl time.Duration) (store.BindCode, error)
	IsUnitHead(ctx context.Context, person domain.PersonID) (bool, error)
}

// Windows is the visit-window calendar (*calendar.Calendar).
type Windows interface {
	Active(day time.Time) ([]calendar.Window, error)
	Next(day time.Time) (calendar.Window, bool, error)
}

// coordScope is what a coordinator may see: every unit for an admin, else their unit and its
// sub-units.
type coordScope struct {
	report.Scope
	units map[domain.UnitID]bool // nil for an admin
}

func (s coordScope) has(u *domain.UnitID) bool {
	return s.All || (u != nil && s.units[*u])
}

// scopeOf resolves the caller's scope. An admin, a coordinator with no unit (the county's own
// office) and one whose unit is the root every unit descends from see the whole county, cadres
// without a unit included; other coordinators see their unit and its sub-units.
func (r *Router) scopeOf(ctx context.Context, c *Caller) (coordScope, error) {
	if r.extra.Coord == nil {
		return coordScope{}, refuse(replyCoordUnavailable)
	}
	all := coordScope{Scope: report.Scope{All: true, Name: scopeAllName}}
	if c.Is(domain.RoleAdmin) || c.Person.UnitID == nil {
		return all, nil
	}
	sc, err := r.unitScope(ctx, *c.Person.UnitID)
	if err != nil {
		return sc, err
	}
	units, err := r.extra.Coord.AllUnits(ctx)
	if err != nil {
		return coordScope{}, fmt.Errorf("all units: %w", err)
	}
	if len(sc.units) == len(units) { // the county's root unit: everything is below it
		all.Name = sc.Name
		return all, nil
	}
	return sc, nil
}

func (r *Router) unitScope(ctx context.Context, unit domain.UnitID) (coordScope, error) {
	u, err := r.extra.Coord.UnitByID(ctx, unit)
	if errors.Is(err, store.ErrNotFound) {
		return coordScope{}, refuse(replyCoordNoUnit)
	}
	if err != nil {
		return coordScope{}, fmt.Errorf("unit of scope: %w", err)
	}
	ids, err := r.extra.Coord.UnitSubtree(ctx, unit)
	if err != nil {
		return coordScope{}, fmt.Errorf("sub-units of scope: %w", err)
	}
	set := make(map[domain.UnitID]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return coordScope{Scope: report.Scope{Units: ids, Name: u.Name}, units: set}, nil
}

// narrow replaces the scope by the unit named by ref and its sub-units, when that unit lies inside
// the caller's scope; ref "" keeps the scope. ref is a code or an exact name, or else part of the
// name of exactly one unit of the scope ("逾期 农业" for 青山县农业农村局): several such units are
// listed for the caller to choose, and units outside the scope are never offered.
func (r *Router) narrow(ctx context.Context, sc coordScope, ref string) (coordScope, error) {
	if ref == "" {
		return sc, nil
	}
	units, err := r.extra.Coord.AllUnits(ctx)
	if err != nil {
		return coordScope{}, fmt.Errorf("all units: %w", err)
	}
	var found, partly []store.Unit
	for _, u := range units {
		switch {
		case strings.EqualFold(u.Code, ref) || u.Name == ref:
			found = append(found, u)
		case strings.Contains(u.Name, ref) && sc.has(&u.ID):
			partly = append(partly, u)
		}
	}
	if len(found) == 0 && len(partly) == 1 {
		found = partly
	}
	if len(found) == 0 && len(partly) > 1 {
		return coordScope{}, refuse(replyUnitSeveral(ref, partly))
	}
	if len(found) == 0 {
		return coordScope{}, refuse(replyUnitUnknown(ref))
	}
	u := found[0]
	if !sc.has(&u.ID) {
		return coordScope{}, refuse(replyUnitOutOfScope(u.Name))
	}
	return r.unitScope(ctx, u.ID)
}

// callersCadre is cadreIn on the caller's own scope: the cadre one of their commands names.
func (r *Router) callersCadre(ctx context.Context, c *Caller, ref string) (store.Person, error) {
	sc, err := r.scopeOf(ctx, c)
	if err != nil {
		return store.Person{}, err
	}
	return r.cadreIn(ctx, sc, ref)
}

// cadreIn finds a cadre of the scope by person code or exact name; a miss or an ambiguous name
// is refused with a reply that explains it.
func (r *Router) cadreIn(ctx context.Context, sc coordScope, ref string) (store.Person, error) {
	if p, err := r.extra.Coord.PersonByCode(ctx, ref); err == nil && p.Roles.Has(domain.RoleCadre) {
		if !sc.has(p.UnitID) {
			return store.Person{}, refuse(replyCadreOutOfScope(ref))
		}
		return p, nil
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.Person{}, fmt.Errorf("person by code: %w", err)
	}
	hits, err := r.cadresNamed(ctx, sc, ref)
	if err != nil {
		return store.Person{}, err
	}
	switch len(hits) {
	case 0:
		return store.Person{}, refuse(replyCadreUnknown(ref))
	case 1:
		return hits[0], nil
	}
	return store.Person{}, refuseAmbiguous(ref, hits)
}

// refuseAmbiguous lists the codes of the cadres sharing the name typed.
func refuseAmbiguous(ref string, hits []store.Person) error {
	codes := make([]string, len(hits))
	for i, p := range hits {
		codes[i] = p.Code
	}
	return refuse(replyCadreAmbiguous(ref, codes))
}

// cadresNamed lists the cadres of the caller's units called name.
func (r *Router) cadresNamed(ctx context.Context, sc coordScope, name string) ([]store.Person, error) {
	cadres, err := r.cadresOfScope(ctx, sc)
	if err != nil {
		return nil, err
	}
	return named(cadres, name), nil
}

// cadresOfScope lists the cadres of the scope's units.
func (r *Router) cadresOfScope(ctx context.Context, sc coordScope) ([]store.Person, error) {
	ids := sc.Units
	if sc.All {
		all, err := r.extra.Coord.AllUnits(ctx)
		if err != nil {
			return nil, fmt.Errorf("all units: %w", err)
		}
		for _, u := range all {
			ids = append(ids, u.ID)
		}
	}
	cadres, err := r.extra.Coord.CadresOfUnits(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("cadres of units: %w", err)
	}
	return cadres, nil
}

// named are the people of ps with exactly that name.
func named(ps []store.Person, name string) []store.Person {
	var hits []store.Person
	for _, p := range ps {
		if p.Name == name {
			hits = append(hits, p)
		}
	}
	return hits
}
