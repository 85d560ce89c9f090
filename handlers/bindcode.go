package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"qinqi/bot"
	"qinqi/internal/domain"
	"qinqi/store"
)

// parseBindCodeArgs reads 绑定码 <人员编号>: exactly one person code.
func parseBindCodeArgs(args string) (string, bool) {
	f := strings.Fields(args)
	if len(f) != 1 {
		return "", false
	}
	return f[0], true
}

// bindCode gives a coordinator a one-time code for a cadre of their units or a household member
// paired with one of their cadres, to hand over in person; the code is audited, never logged.
// Codes for coordinators, unit heads and admins are refused here: whoever binds such a code acts
// for a whole unit or county, so only the CLI (qinqi bindcode), run by whoever holds the server,
// makes them. An admin in chat is held to the same rule.
func (r *Router) bindCode(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	code, ok := parseBindCodeArgs(c.Args)
	if !ok {
		return nil, refuse(replyBindCodeUsage)
	}
	sc, err := r.scopeOf(ctx, c)
	if err != nil {
		return nil, err
	}
	p, err := r.bindCodePerson(ctx, sc, code)
	if err != nil {
		return nil, err
	}
	in, err := r.personInScope(ctx, sc, p)
	if err != nil {
		return nil, fmt.Errorf("bindcode scope check: %w", err)
	}
	if !in {
		return nil, refuse(replyPersonOutOfScope(code))
	}
	if ok, err := r.chatMayIssue(ctx, p); err != nil || !ok {
		if err != nil {
			return nil, fmt.Errorf("bindcode role check: %w", err)
		}
		return nil, refuse(replyBindCodeCLIOnly(code))
	}
	now := r.now()
	bc, err := r.extra.Coord.IssueBindCode(ctx, p.ID, c.ID(), now, r.cfg.Bind.CodeTTL)
	if err != nil {
		return nil, fmt.Errorf("bindcode: %w", err)
	}
	return say(replyBindCode(p.Name, bc.Code, bc.ExpiresAt.Format("1月2日 15:04"))), nil
}

// bindCodePerson finds the person by code, or a cadre of the caller's units by name ("绑定码 陈建国"):
// two cadres of that name are listed with their codes. Household members are named by code only,
// as heads of household share names across villages.
func (r *Router) bindCodePerson(ctx context.Context, sc coordScope, ref string) (store.Person, error) {
	p, err := r.extra.Coord.PersonByCode(ctx, ref)
	if err == nil {
		return p, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return store.Person{}, fmt.Errorf("bindcode person: %w", err)
	}
	hits, err := r.cadresNamed(ctx, sc, ref)
	switch {
	case err != nil:
		return store.Person{}, err
	case len(hits) == 0:
		return store.Person{}, refuse(replyPersonUnknown(ref))
	case len(hits) > 1:
		return store.Person{}, refuseAmbiguous(ref, hits)
	}
	return hits[0], nil
}

// personInScope: staff by their unit, household members by the units of their household's cadres.
func (r *Router) personInScope(ctx context.Context, sc coordScope, p store.Person) (bool, error) {
	if sc.All || sc.has(p.UnitID) {
		return true, nil
	}
	if p.HouseholdID == nil {
		return false, nil
	}
	ps, err := r.extra.Coord.ActivePairingsOfHousehold(ctx, *p.HouseholdID, r.now())
	if err != nil {
		return false, err
	}
	for _, pr := range ps {
		cadre, err := r.store.PersonByID(ctx, pr.CadreID)
		if err != nil {
			return false, err
		}
		if sc.has(cadre.UnitID) {
			return true, nil
		}
	}
	return false, nil
}

// chatMayIssue: only a cadre or a household member, who is neither coordinator, admin nor unit head.
func (r *Router) chatMayIssue(ctx context.Context, p store.Person) (bool, error) {
	if p.Roles.Has(domain.RoleCoordinator) || p.Roles.Has(domain.RoleAdmin) {
		return false, nil
	}
	if !p.Roles.Has(domain.RoleCadre) && !p.Roles.Has(domain.RoleHousehold) {
		return false, nil
	}
	head, err := r.extra.Coord.IsUnitHead(ctx, p.ID)
	return !head, err
}
