package sheet

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"qinqi/internal/domain"
	"qinqi/store"
)

// visitRefs are the people and households a visits sheet names, by code and by name.
type visitRefs struct {
	people      codeBook
	households  codeBook
	cadreByCode map[string]store.Person
	cadreByName map[string][]store.Person
	hhByCode    map[string]store.Household
	hhByName    map[string][]store.Household
	pairings    map[domain.HouseholdID][]store.Pairing
}

// resolve finds each row's cadre, household and the pairing in force on its date. A cadre or
// household may be written as a code (in any case) or a name; a name shared by several households
// is narrowed to the ones paired with the row's cadre.
func (im *visitImport) resolve(ctx context.Context, tx *store.Store, _ *RowErrors) error {
	refs, err := im.loadRefs(ctx, tx)
	if err != nil {
		return err
	}
	loc := tx.Location()
	for i := range im.recs {
		rec := &im.recs[i]
		cadre, ok := refs.cadre(rec.row, rec.cadreRef)
		if !ok {
			continue
		}
		day := localDay(rec.day, loc)
		hh, p, ok := refs.pairing(rec.row, rec.hhRef, cadre, day)
		if !ok {
			continue
		}
		rec.cadre, rec.hh = cadre.Code, hh.Code
		key := visitKey(*rec)
		rec.c = store.CheckIn{PairingID: p.ID, CadreID: cadre.ID, HouseholdID: hh.ID, Kind: rec.kind, Mode: rec.mode,
			OccurredAt: day, ReportedAt: day, Text: rec.text, Items: rec.items, ValueFen: rec.fen, SourceMsgID: &key}
	}
	return nil
}

func (im *visitImport) loadRefs(ctx context.Context, tx *store.Store) (visitRefs, error) {
	var refs visitRefs
	var err error
	if refs.people, err = loadCodes(ctx, tx, store.CodesPeople); err != nil {
		return refs, err
	}
	if refs.households, err = loadCodes(ctx, tx, store.CodesHouseholds); err != nil {
		return refs, err
	}
	var cadreCodes, cadreNames, hhCodes, hhNames []string
	for _, rec := range im.recs {
		cadreCodes, cadreNames = refs.people.split(rec.cadreRef, cadreCodes, cadreNames)
		hhCodes, hhNames = refs.households.split(rec.hhRef, hhCodes, hhNames)
	}
	if refs.cadreByCode, err = tx.PeopleByCodes(ctx, cadreCodes); err != nil {
		return refs, err
	}
	if refs.cadreByName, err = tx.PeopleByNames(ctx, cadreNames); err != nil {
		return refs, err
	}
	if refs.hhByCode, err = tx.HouseholdsByCodes(ctx, hhCodes); err != nil {
		return refs, err
	}
	if refs.hhByName, err = tx.HouseholdsByHeadNames(ctx, hhNames); err != nil {
		return refs, err
	}
	var ids []domain.HouseholdID
	for _, h := range refs.hhByCode {
		ids = append(ids, h.ID)
	}
	for _, hs := range refs.hhByName {
		for _, h := range hs {
			ids = append(ids, h.ID)
		}
	}
	slices.Sort(ids)
	refs.pairings, err = tx.PairingsOfHouseholds(ctx, slices.Compact(ids))
	return refs, err
}

// split adds ref to codes when it is a stored code (spelled as stored), else to names.
func (b codeBook) split(ref string, codes, names []string) ([]string, []string) {
	if len(b[fold(ref)]) > 0 {
		return append(codes, b.spelling(ref)), names
	}
	return codes, append(names, ref)
}

// cadre finds the person a 干部 cell names: a code, or the name of exactly one cadre.
func (v visitRefs) cadre(r rowReader, ref string) (store.Person, bool) {
	if len(v.people[fold(ref)]) > 0 {
		p := v.cadreByCode[v.people.spelling(ref)]
		if !p.Roles.Has(domain.RoleCadre) {
			r.fail("cadre", "is %s, who does not have the 干部 role", p.Name)
			return p, false
		}
		return p, true
	}
	var cadres []store.Person
	for _, p := range v.cadreByName[ref] {
		if p.Roles.Has(domain.RoleCadre) {
			cadres = append(cadres, p)
		}
	}
	switch len(cadres) {
	case 0:
		r.fail("cadre", "is neither the code nor the name of a cadre in the people sheet or the database")
		return store.Person{}, false
	case 1:
		return cadres[0], true
	}
	r.fail("cadre", "is the name of %d cadres (%s); write the 人员编号 instead", len(cadres), codesOf(cadres, func(p store.Person) string { return p.Code }))
	return store.Person{}, false
}

// pairing finds the household a 户 cell names and the cadre's pairing with it in force on day.
func (v visitRefs) pairing(r rowReader, ref string, cadre store.Person, day time.Time) (store.Household, store.Pairing, bool) {
	var cands []store.Household
	if len(v.households[fold(ref)]) > 0 {
		cands = []store.Household{v.hhByCode[v.households.spelling(ref)]}
	} else {
		cands = v.hhByName[ref]
	}
	if len(cands) == 0 {
		r.fail("household", "is neither the 户编号 nor the head's name of a household in the households sheet or the database")
		return store.Household{}, store.Pairing{}, false
	}
	var hits []store.Household
	var ps []store.Pairing
	for _, h := range cands {
		if p, ok := pairedOn(v.pairings[h.ID], cadre.ID, day); ok {
			hits, ps = append(hits, h), append(ps, p)
		}
	}
	switch {
	case len(hits) == 1:
		return hits[0], ps[0], true
	case len(hits) > 1:
		r.fail("household", "is the name of %d households paired with %s (%s); write the 户编号 instead",
			len(hits), cadre.Name, codesOf(hits, func(h store.Household) string { return h.Code }))
	default:
		r.fail("household", "was not paired with %s on %s (see the pairings sheet)", cadre.Name, day.Format(time.DateOnly))
	}
	return store.Household{}, store.Pairing{}, false
}

// pairedOn finds the cadre's pairing among ps in force on day; a pairing's 结束日期 still counts,
// so a visit on the day of a relay belongs to the pairing that ended that day.
func pairedOn(ps []store.Pairing, cadre domain.PersonID, day time.Time) (store.Pairing, bool) {
	for i := len(ps) - 1; i >= 0; i-- {
		p := ps[i]
		if p.CadreID == cadre && !p.StartOn.After(day) && (p.EndOn == nil || !day.After(*p.EndOn)) {
			return p, true
		}
	}
	return store.Pairing{}, false
}

func codesOf[T any](rows []T, code func(T) string) string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = code(r)
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

// write stores the rows not stored before; a row that repeats an earlier row of the sheet word
// for word is stored once and named in a note.
func (im *visitImport) write(ctx context.Context, tx *store.Store, res *Result) error {
	rows := make([]store.CheckIn, 0, len(im.recs))
	first := map[string]int{}
	var repeats []string
	for _, rec := range im.recs {
		key := *rec.c.SourceMsgID
		if n, ok := first[key]; ok {
			repeats = append(repeats, fmt.Sprintf("row %d repeats row %d", rec.row.row.Num, n))
			continue
		}
		first[key] = rec.row.row.Num
		rows = append(rows, rec.c)
	}
	created, err := tx.ImportCheckIns(ctx, rows)
	if err != nil {
		return err
	}
	res.Created, res.Updated = created, len(rows)-created
	if len(repeats) > 0 {
		res.Notes = append(res.Notes, strings.Join(repeats, ", ")+": stored once")
	}
	if res.Updated > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d visit(s) were imported before and are stored once", res.Updated))
	}
	return nil
}
