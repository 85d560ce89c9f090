package sheet

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"qinqi/internal/domain"
	"qinqi/store"
)

// maxActiveCadres is the programme rule: a household has at most two active cadres.
const maxActiveCadres = 2

type pairingRec struct {
	row                           rowReader
	code, cadreCode, hhCode, prog string
	derived                       bool // code made from cadre, household and start (no 结对编号)
	start                         time.Time
	end                           *time.Time
	reason                        string
	p                             store.Pairing // resolved
}

// pairingImport loads cadre ↔ household pairings.
type pairingImport struct {
	now      time.Time
	recs     []pairingRec
	programs map[string]store.Program // by the 项目 text as written
	newProgs []store.Program
}

func (*pairingImport) columns() []column {
	return []column{
		{key: "code", names: []string{"结对编号", "编号"}},
		{key: "cadre", names: []string{"干部编号", "帮扶干部编号", "帮扶责任人编号", "人员编号"}, required: true},
		{key: "household", names: []string{"户编号", "帮扶户编号", "户号"}, required: true},
		{key: "program", names: []string{"项目", "帮扶项目", "项目编号"}},
		{key: "start", names: []string{"开始日期", "结对日期", "开始时间"}, required: true},
		{key: "end", names: []string{"结束日期", "结束时间"}},
		{key: "reason", names: []string{"结束原因", "变更原因"}},
	}
}

func (im *pairingImport) parse(l layout, rows []Row, errs *RowErrors) {
	seen := seenCodes{}
	for _, row := range rows {
		r := rowReader{l: l, row: row, errs: errs}
		before := len(*errs)
		rec := pairingRec{row: r, cadreCode: r.need("cadre"), hhCode: r.need("household"), prog: r.get("program"), reason: r.get("reason")}
		parseSpan(r, &rec)
		r.checkLen("reason", 64)
		rec.code = r.get("code")
		if rec.code == "" && rec.cadreCode != "" && rec.hhCode != "" {
			rec.code = pairingCode(rec.cadreCode, rec.hhCode, rec.start) // re-imports of a sheet without codes stay idempotent
			rec.derived = true
		}
		if rec.code != "" {
			if err := checkCode(rec.code); err != nil && r.get("code") != "" {
				r.fail("code", "%v", err)
			} else if !seen.check(r, "code", rec.code) {
				continue
			}
		}
		if len(*errs) == before {
			im.recs = append(im.recs, rec)
		}
	}
}

// parseSpan reads 开始日期, 结束日期 and 结束原因, which only make sense together.
func parseSpan(r rowReader, rec *pairingRec) {
	start, err := parseDate(r.need("start"))
	if err != nil && r.get("start") != "" {
		r.fail("start", "%v", err)
	}
	rec.start = start
	if v := r.get("end"); v != "" {
		end, err := parseDate(v)
		switch {
		case err != nil:
			r.fail("end", "%v", err)
		case end.Before(start):
			r.fail("end", "is before 开始日期")
		default:
			rec.end = &end
		}
	} else if rec.reason != "" {
		r.fail("reason", "is given but 结束日期 is empty")
	}
}

// pairingCode derives a stable key for a pairing written without 结对编号.
func pairingCode(cadre, hh string, start time.Time) string {
	c := fmt.Sprintf("%s-%s-%s", cadre, hh, start.Format("20060102"))
	if len(c) <= 32 {
		return c
	}
	sum := sha1.Sum([]byte(c))
	return "P" + hex.EncodeToString(sum[:])[:31]
}

func (im *pairingImport) resolve(ctx context.Context, tx *store.Store, errs *RowErrors) error {
	if err := im.resolveCodes(ctx, tx); err != nil {
		return err
	}
	var cadreCodes, hhCodes []string
	for _, rec := range im.recs {
		cadreCodes, hhCodes = append(cadreCodes, rec.cadreCode), append(hhCodes, rec.hhCode)
	}
	cadres, err := tx.PeopleByCodes(ctx, cadreCodes)
	if err != nil {
		return err
	}
	hhs, err := tx.HouseholdsByCodes(ctx, hhCodes)
	if err != nil {
		return err
	}
	if err := im.resolvePrograms(ctx, tx); err != nil {
		return err
	}
	loc := tx.Location()
	for i := range im.recs {
		rec := &im.recs[i]
		c, okC := cadres[rec.cadreCode]
		h, okH := hhs[rec.hhCode]
		switch {
		case !okC:
			rec.row.fail("cadre", "is in neither the people sheet nor the database")
		case !c.Roles.Has(domain.RoleCadre):
			rec.row.fail("cadre", "is %s, who does not have the 干部 role", c.Name)
		}
		if !okH {
			rec.row.fail("household", "is in neither the households sheet nor the database")
		}
		rec.p = store.Pairing{Code: rec.code, CadreID: c.ID, HouseholdID: h.ID, StartOn: localDay(rec.start, loc), EndReason: rec.reason}
		if rec.end != nil {
			e := localDay(*rec.end, loc)
			rec.p.EndOn = &e
		}
		if rec.prog != "" {
			p := im.programs[fold(rec.prog)]
			rec.p.ProgramID = &p.ID // the id of a new program is filled in by write
		}
	}
	return im.checkActiveLimit(ctx, tx, hhs, cadres)
}

// resolveCodes applies the case rule: cadre and household codes are spelled as stored, and a
// pairing's code may not differ only in case from a stored one.
func (im *pairingImport) resolveCodes(ctx context.Context, tx *store.Store) error {
	books := map[store.CodeTable]codeBook{}
	for _, t := range []store.CodeTable{store.CodesPeople, store.CodesHouseholds, store.CodesPairings} {
		b, err := loadCodes(ctx, tx, t)
		if err != nil {
			return err
		}
		books[t] = b
	}
	for i := range im.recs {
		rec := &im.recs[i]
		rec.cadreCode = books[store.CodesPeople].spelling(rec.cadreCode)
		rec.hhCode = books[store.CodesHouseholds].spelling(rec.hhCode)
		if rec.derived {
			rec.code = books[store.CodesPairings].spelling(pairingCode(rec.cadreCode, rec.hhCode, rec.start))
		}
		books[store.CodesPairings].checkKey(rec.row, "code", rec.code)
	}
	return nil
}

// resolvePrograms maps each 项目 text to a program by code (in any case), then by name; unknown
// ones are created with the text as both code and name.
func (im *pairingImport) resolvePrograms(ctx context.Context, tx *store.Store) error {
	im.programs = map[string]store.Program{}
	for _, rec := range im.recs {
		if rec.prog == "" || im.programs[fold(rec.prog)].Code != "" {
			continue
		}
		p, err := tx.ProgramByCode(ctx, rec.prog)
		if err != nil {
			p, err = tx.ProgramByName(ctx, rec.prog)
		}
		if err != nil {
			if len([]rune(rec.prog)) > 32 || checkCode(rec.prog) != nil {
				rec.row.fail("program", "is not a known program code or name, and cannot become a new code (1–32 letters or characters)")
				continue
			}
			p = store.Program{Code: rec.prog, Name: rec.prog}
			im.newProgs = append(im.newProgs, p)
		}
		im.programs[fold(rec.prog)] = p // a new code is created once, in the case first written
	}
	return nil
}

// checkActiveLimit enforces at most two active cadres per household, counting the pairings in the
// database that this sheet does not replace plus the sheet's own rows.
func (im *pairingImport) checkActiveLimit(ctx context.Context, tx *store.Store, hhs map[string]store.Household, cadres map[string]store.Person) error {
	var ids []domain.HouseholdID
	for _, h := range hhs {
		ids = append(ids, h.ID)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	active, err := tx.ActivePairingsOfHouseholds(ctx, ids, im.now)
	if err != nil {
		return err
	}
	inSheet := map[string]bool{}
	for _, rec := range im.recs {
		inSheet[rec.code] = true
	}
	names := map[domain.PersonID]string{}
	for _, c := range cadres {
		names[c.ID] = c.Name
	}
	byHH := map[domain.HouseholdID][]domain.PersonID{} // cadres of active pairings
	for hh, ps := range active {
		for _, p := range ps {
			if !inSheet[p.Code] {
				byHH[hh] = append(byHH[hh], p.CadreID)
			}
		}
	}
	reported := map[domain.HouseholdID]bool{}
	for _, rec := range im.recs {
		if rec.p.HouseholdID == 0 || rec.p.CadreID == 0 || !rec.p.Active(im.now) {
			continue
		}
		hh := rec.p.HouseholdID
		if slices.Contains(byHH[hh], rec.p.CadreID) {
			rec.row.fail("cadre", "is already paired with 户 %s", rec.hhCode)
			continue
		}
		byHH[hh] = append(byHH[hh], rec.p.CadreID)
		if len(byHH[hh]) > maxActiveCadres && !reported[hh] {
			reported[hh] = true
			who := make([]string, len(byHH[hh]))
			for i, id := range byHH[hh] {
				who[i] = im.cadreName(ctx, tx, id, names)
			}
			rec.row.fail("household", "would have %d active cadres (%s); a household has at most %d: give the older pairing a 结束日期",
				len(who), strings.Join(who, "、"), maxActiveCadres)
		}
	}
	return nil
}

// cadreName names a cadre who is in the database but not in this sheet.
func (im *pairingImport) cadreName(ctx context.Context, tx *store.Store, id domain.PersonID, names map[domain.PersonID]string) string {
	if n, ok := names[id]; ok {
		return n
	}
	if p, err := tx.PersonByID(ctx, id); err == nil {
		names[id] = p.Name
		return p.Name
	}
	return fmt.Sprint(id)
}

func (im *pairingImport) write(ctx context.Context, tx *store.Store, res *Result) error {
	if err := tx.UpsertPrograms(ctx, im.newProgs); err != nil {
		return err
	}
	var progCodes []string
	for _, p := range im.programs {
		progCodes = append(progCodes, p.Code)
	}
	progs, err := tx.ProgramsByCodes(ctx, progCodes)
	if err != nil {
		return err
	}
	rows := make([]store.Pairing, len(im.recs))
	codes := make([]string, len(im.recs))
	for i, rec := range im.recs {
		rows[i], codes[i] = rec.p, rec.code
		if rec.prog != "" {
			id := progs[im.programs[fold(rec.prog)].Code].ID
			rows[i].ProgramID = &id
		}
	}
	existing, err := tx.PairingsByCodes(ctx, codes)
	if err != nil {
		return err
	}
	countNew(existing, codes, res)
	if len(im.newProgs) > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("created %d new program(s) from the 项目 column", len(im.newProgs)))
	}
	if err := tx.UpsertPairings(ctx, rows); err != nil {
		return err
	}
	return tx.LinkRelays(ctx, relays(rows))
}

// relayGap is how long after a pairing ends a new cadre's pairing still counts as taking it over.
const relayGap = 31 * 24 * time.Hour

// relays finds the 接力帮扶 in a sheet: a pairing that starts on or shortly after another pairing
// of the same household ended, with a different cadre, took over from it (the latest such one).
func relays(rows []store.Pairing) map[string]string {
	byHH := map[domain.HouseholdID][]store.Pairing{}
	for _, p := range rows {
		byHH[p.HouseholdID] = append(byHH[p.HouseholdID], p)
	}
	links := map[string]string{}
	for _, ps := range byHH {
		if len(ps) < 2 {
			continue
		}
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].StartOn.Before(ps[j].StartOn) })
		used := map[string]bool{}
		for _, next := range ps {
			if prev := relayedFrom(next, ps, used); prev != "" {
				used[prev] = true
				links[next.Code] = prev
			}
		}
	}
	return links
}

// relayedFrom returns the code of the pairing next took over from, or "".
func relayedFrom(next store.Pairing, ps []store.Pairing, used map[string]bool) string {
	var best *store.Pairing
	for i := range ps {
		prev := &ps[i]
		if prev.CadreID == next.CadreID || prev.EndOn == nil || used[prev.Code] ||
			next.StartOn.Before(*prev.EndOn) || next.StartOn.Sub(*prev.EndOn) > relayGap {
			continue
		}
		if best == nil || prev.EndOn.After(*best.EndOn) {
			best = prev
		}
	}
	if best == nil {
		return ""
	}
	return best.Code
}
