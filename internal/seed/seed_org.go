package seed

import (
	"context"
	"fmt"

	"qinqi/internal/domain"
	"qinqi/store"
)

// The seeded programmes: most pairings are cadres with poor households; teachers pair with
// left-behind children and doctors with 特困 households.
var programs = []store.Program{
	{Code: "GBJQ", Name: "干部结亲"},
	{Code: "SSJD", Name: "师生结对"},
	{Code: "YHJD", Name: "医患结对"},
}

// programsAndUnits writes programmes, the unit tree, cadres (the first of each unit is its head),
// one coordinator per top-level unit and one admin.
func (g *gen) programsAndUnits(ctx context.Context) error {
	nTop := max(2, (g.o.Cadres+cadresPerUnit-1)/cadresPerUnit)
	var units []store.Unit
	for i := range nTop {
		name := unitNames[i%len(unitNames)]
		if round := i / len(unitNames); round > 0 {
			name = fmt.Sprintf("%s第%d分部", name, round+1)
		}
		units = append(units, store.Unit{Code: fmt.Sprintf("U%04d", i+1), Name: name, OfficePhone: fmt.Sprintf("0571-8%07d", i+1)})
	}
	for i := 0; i < nTop; i += 3 { // every third unit has a sub-unit (科室 or 党支部)
		units = append(units, store.Unit{Code: fmt.Sprintf("U%04d-1", i+1), Name: units[i].Name + subUnitNames[g.r.IntN(len(subUnitNames))]})
	}
	cadres := make([]store.Person, g.o.Cadres)
	for i := range cadres {
		u := &units[i%len(units)]
		cadres[i] = store.Person{Code: fmt.Sprintf("G%06d", i+1), Name: name(g.r), Phone: fmt.Sprintf("138%08d", i+1),
			Roles: domain.MakeRoles(domain.RoleCadre), Title: "科员"}
		if u.HeadCode == "" {
			u.HeadCode, cadres[i].Title = cadres[i].Code, "负责人"
		}
	}
	return g.st.Tx(ctx, func(tx *store.Store) error {
		if err := tx.UpsertPrograms(ctx, programs); err != nil {
			return err
		}
		if err := g.loadPrograms(ctx, tx); err != nil {
			return err
		}
		unitIDs, err := writeUnits(ctx, tx, units, nTop)
		if err != nil {
			return err
		}
		return g.writePeople(ctx, tx, cadres, unitIDs, nTop)
	})
}

func (g *gen) loadPrograms(ctx context.Context, tx *store.Store) error {
	codes := make([]string, len(programs))
	for i, p := range programs {
		codes[i] = p.Code
	}
	got, err := tx.ProgramsByCodes(ctx, codes)
	if err != nil {
		return err
	}
	g.programs = map[string]domain.ProgramID{}
	for c, p := range got {
		g.programs[c] = p.ID
	}
	return nil
}

// writeUnits writes top-level units, then sub-units under them; it returns ids in slice order.
func writeUnits(ctx context.Context, tx *store.Store, units []store.Unit, nTop int) ([]domain.UnitID, error) {
	if err := tx.UpsertUnits(ctx, units[:nTop], nil); err != nil {
		return nil, err
	}
	codes := make([]string, len(units))
	for i, u := range units {
		codes[i] = u.Code
	}
	top, err := tx.UnitsByCodes(ctx, codes[:nTop])
	if err != nil {
		return nil, err
	}
	for i := nTop; i < len(units); i++ {
		parent := top[units[(i-nTop)*3].Code].ID
		units[i].ParentID = &parent
	}
	if err := tx.UpsertUnits(ctx, units[nTop:], nil); err != nil {
		return nil, err
	}
	all, err := tx.UnitsByCodes(ctx, codes)
	if err != nil {
		return nil, err
	}
	ids := make([]domain.UnitID, len(units))
	for i, c := range codes {
		ids[i] = all[c].ID
	}
	return ids, nil
}

// writePeople writes cadres, coordinators and the admin, and keeps the cadre ids for pairings.
func (g *gen) writePeople(ctx context.Context, tx *store.Store, cadres []store.Person, unitIDs []domain.UnitID, nTop int) error {
	for i := range cadres {
		id := unitIDs[i%len(unitIDs)]
		cadres[i].UnitID = &id
	}
	staff := append([]store.Person(nil), cadres...)
	for i := range nTop {
		id := unitIDs[i]
		staff = append(staff, store.Person{Code: fmt.Sprintf("K%04d", i+1), Name: name(g.r), Phone: fmt.Sprintf("137%08d", i+1),
			Roles: domain.MakeRoles(domain.RoleCoordinator), UnitID: &id, Title: "协调员"})
	}
	staff = append(staff, store.Person{Code: "A0001", Name: name(g.r), Phone: "13600000001", Roles: domain.MakeRoles(domain.RoleAdmin), Title: "系统管理员"})
	for start := 0; start < len(staff); start += chunk {
		if err := tx.UpsertPeople(ctx, staff[start:min(start+chunk, len(staff))], nil); err != nil {
			return err
		}
	}
	codes := make([]string, len(cadres))
	for i, c := range cadres {
		codes[i] = c.Code
	}
	got, err := tx.PeopleByCodes(ctx, codes)
	if err != nil {
		return err
	}
	g.cadres = make([]domain.PersonID, len(cadres))
	for i, c := range codes {
		g.cadres[i] = got[c].ID
	}
	return nil
}
