package handlers

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/report"
	"qinqi/store"
)

// CallbackStore is what the call-back list (回访清单) and the recording of calls (回访) need;
// *store.Store.
type CallbackStore interface {
	LatestSampleMonth(ctx context.Context, notAfter string) (string, error)
	CallbackList(ctx context.Context, month string, kinds []domain.CheckInKind, units []domain.UnitID) ([]store.CallbackRow, error)
	CallbackEntry(ctx context.Context, month string, kinds []domain.CheckInKind, hh domain.HouseholdID) (store.CallbackRow, error)
	LastCallback(ctx context.Context, month string, hh domain.HouseholdID) (store.CallbackDone, error)
	HouseholdByCode(ctx context.Context, code string) (store.Household, error)
	Audit(ctx context.Context, e store.AuditEntry) error
}

// ParseCallback reads "H001 3 米只有5斤" (a household code, the answer digit 1–3, what was said).
// The coordinator writes the digit; words like 好的 are not an answer here.
func ParseCallback(args string) (code string, ans domain.SpotAnswer, note string, ok bool) {
	f := strings.Fields(shape(args))
	if len(f) < 2 || f[1] == "" || f[1][0] < '1' || f[1][0] > '3' {
		return "", "", "", false
	}
	ans, rest, ok := ParseConfirmAnswer(strings.Join(f[1:], " "))
	if !ok {
		return "", "", "", false
	}
	return strings.ToUpper(f[0]), ans, rest, true
}

// listMonth is the month of the current call-back list: the latest month sampled, at most the
// month before now (the sample of the month that just ended may not have run yet today).
func (r *Router) listMonth(ctx context.Context) (string, error) {
	prev := clock.Day(r.now())
	prev = clock.Date(prev.Year(), prev.Month(), 1).AddDate(0, -1, 0)
	m, err := r.extra.Callbacks.LatestSampleMonth(ctx, prev.Format("2006-01"))
	if err != nil {
		return "", fmt.Errorf("call-back list month: %w", err)
	}
	return m, nil
}

func (r *Router) confirmKinds() []domain.CheckInKind {
	out := make([]domain.CheckInKind, len(r.cfg.Confirm.Kinds))
	for i, k := range r.cfg.Confirm.Kinds {
		out[i] = domain.CheckInKind(k)
	}
	return out
}

// callbackList is 回访清单 [月份]: the .xlsx of the households of the caller's units to phone, with
// full numbers. Each file written is audit-logged.
func (r *Router) callbackList(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	if r.extra.Callbacks == nil {
		return nil, refuse(replyCoordUnavailable)
	}
	sc, err := r.scopeOf(ctx, c)
	if err != nil {
		return nil, err
	}
	month, err := r.listMonth(ctx)
	if err != nil {
		return nil, err
	}
	if c.Args != "" {
		p, bad := parsePeriodArg(c.Args, r.now(), report.MonthOf(r.now()))
		if bad != "" || p.Kind != report.Month {
			return nil, refuse(replyCallbackMonthBad(c.Args))
		}
		month = p.Slug()
	}
	var units []domain.UnitID
	if !sc.All {
		units = append([]domain.UnitID{}, sc.Units...)
	}
	rows, err := r.extra.Callbacks.CallbackList(ctx, month, r.confirmKinds(), units)
	if err != nil {
		return nil, fmt.Errorf("call-back list: %w", err)
	}
	if len(rows) == 0 {
		return say(replyCallbackEmpty(sc.Name, month)), nil
	}
	path, err := r.callbackFile(c, month, rows, sc.Name)
	if err != nil {
		return nil, fmt.Errorf("call-back list file: %w", err)
	}
	err = r.extra.Callbacks.Audit(ctx, store.AuditEntry{Actor: c.ID(), Action: store.ActExport, Entity: store.EntCallback,
		Detail: fmt.Sprintf("chat month=%s households=%d units=%v", month, len(rows), units), At: r.now()})
	if err != nil {
		_ = os.Remove(path) // full phone numbers never leave without their audit row
		return nil, fmt.Errorf("audit call-back list: %w", err)
	}
	return []bot.Reply{
		{Text: replyCallbackListDone(sc.Name, month, rows), Urgent: true},
		{FileName: report.CallbackFileName(month), FilePath: path, Urgent: true},
	}, nil
}

func (r *Router) callbackFile(c *Caller, month string, rows []store.CallbackRow, scope string) (string, error) {
	dir := r.cfg.Outbox.FileDir
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("file dir: %w", err)
	}
	path := filepath.Join(dir, fmt.Sprintf("callbacks-%s-p%d-m%d.xlsx", month, c.Person.ID, c.In.InboxID))
	tmp, err := os.CreateTemp(dir, ".callbacks-*")
	if err != nil {
		return "", err
	}
	werr := report.WriteCallbackList(rows, scope, month, r.now(), tmp)
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		_ = os.Remove(tmp.Name())
		return "", werr
	}
	return path, nil
}

// callback is 回访 户编号 1|2|3 说明: the coordinator records what a household without chat said
// on the phone about the month's list. A "2" or "3" opens discrepancies like a chat answer does.
func (r *Router) callback(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	if r.extra.Callbacks == nil || r.extra.Spot == nil {
		return nil, refuse(replyCoordUnavailable)
	}
	code, ans, note, ok := ParseCallback(c.Args)
	if !ok {
		return nil, refuse(replyCallbackHelp)
	}
	sc, err := r.scopeOf(ctx, c)
	if err != nil {
		return nil, err
	}
	hh, err := r.extra.Callbacks.HouseholdByCode(ctx, code)
	if errors.Is(err, store.ErrNotFound) {
		return nil, refuse(replyCallbackNoHousehold(code))
	}
	if err != nil {
		return nil, fmt.Errorf("household by code: %w", err)
	}
	month, err := r.listMonth(ctx)
	if err != nil {
		return nil, err
	}
	row, err := r.extra.Callbacks.CallbackEntry(ctx, month, r.confirmKinds(), hh.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, r.notOnList(ctx, c, sc, hh, month)
	}
	if err != nil {
		return nil, fmt.Errorf("call-back entry: %w", err)
	}
	if !r.rowInScope(ctx, sc, row) {
		return nil, refuse(replyCallbackOutOfScope(hh))
	}
	return r.recordCallback(ctx, c, hh, row, month, ans, note)
}

// notOnList says why a household is not on the month's list: not the caller's, on chat, called
// back already (by whom and when, so two coordinators sharing a list do not call twice), or
// neither sampled nor with reports to confirm.
func (r *Router) notOnList(ctx context.Context, c *Caller, sc coordScope, hh store.Household, month string) error {
	pairs, err := r.store.ActivePairingsOfHousehold(ctx, hh.ID, r.now())
	if err != nil {
		return fmt.Errorf("pairings of household: %w", err)
	}
	inScope := false
	for _, p := range pairs {
		cadre, err := r.store.PersonByID(ctx, p.CadreID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("cadre of household: %w", err)
		}
		inScope = inScope || (err == nil && sc.has(cadre.UnitID))
	}
	if !inScope && !sc.All {
		return refuse(replyCallbackOutOfScope(hh))
	}
	onChat := false
	if hh.HeadID != nil {
		head, err := r.store.PersonByID(ctx, *hh.HeadID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("head of household: %w", err)
		}
		onChat = err == nil && head.Account != ""
	}
	if onChat {
		return refuse(replyCallbackNotOnList(hh, month, true))
	}
	return r.calledAlready(ctx, c, hh, month)
}

// calledAlready tells who recorded the household's call-back for month, or that it is not on the list.
func (r *Router) calledAlready(ctx context.Context, c *Caller, hh store.Household, month string) error {
	done, err := r.extra.Callbacks.LastCallback(ctx, month, hh.ID)
	if errors.Is(err, store.ErrNotFound) {
		return refuse(replyCallbackNotOnList(hh, month, false))
	}
	if err != nil {
		return fmt.Errorf("last call-back: %w", err)
	}
	return refuse(replyCallbackDone(hh, month, done, done.By == c.ID()))
}

// rowInScope: some cadre the row asks about belongs to the caller's units.
func (r *Router) rowInScope(ctx context.Context, sc coordScope, row store.CallbackRow) bool {
	if sc.All {
		return true
	}
	for _, v := range row.Visits {
		if sc.has(v.CadreUnit) {
			return true
		}
	}
	if row.Spot != nil {
		if cadre, err := r.store.PersonByID(ctx, row.Spot.CadreID); err == nil && sc.has(cadre.UnitID) {
			return true
		}
	}
	return false
}

func (r *Router) recordCallback(ctx context.Context, c *Caller, hh store.Household, row store.CallbackRow, month string,
	ans domain.SpotAnswer, note string) ([]bot.Reply, error) {
	now, actor := r.now(), c.ID()
	a := store.HouseholdAnswer{Actor: actor, At: now}
	names := cadreNames(row.Visits)
	if len(row.Visits) > 0 {
		a.Confirm = &store.VisitConfirm{HouseholdID: hh.ID, Via: domain.ViaPhone, AskedAt: now, Answer: ans, AnsweredBy: &actor, Note: note}
		for _, v := range row.Visits {
			a.Items = append(a.Items, v.CheckInID)
		}
		if ans != domain.AnswerYes {
			a.Discs = discrepanciesOf(hh.ID, domain.DiscFromCallback, ans, note, row.Visits)
		}
	}
	extra := ""
	if sp := row.Spot; sp != nil {
		spot, disc, line, err := r.callbackSpot(ctx, *sp, month, ans, note, actor, len(a.Discs) == 0)
		if err != nil {
			return nil, err
		}
		a.Spot, extra = &spot, line
		if disc != nil {
			a.Discs = append(a.Discs, *disc)
			if cadre, err := r.store.PersonByID(ctx, disc.CadreID); err == nil {
				names[disc.CadreID] = cadre.Name
			}
		}
	}
	notes, err := r.discNotes(ctx, c.In, hh, a.Discs, row.Visits, extra, names)
	if err != nil {
		return nil, err
	}
	others := func(ds []store.Discrepancy) []store.OutboxMessage { return exceptTo(notes(ds), actor) }
	discs, err := r.extra.Spot.SaveHouseholdAnswer(ctx, a, others)
	if errors.Is(err, store.ErrDuplicate) { // another coordinator recorded it meanwhile
		return nil, r.calledAlready(ctx, c, hh, month)
	}
	if err != nil {
		return nil, fmt.Errorf("save call-back: %w", err)
	}
	return say(replyCallbackSaved(hh, ans, discs)), nil
}

// callbackSpot answers the month's call-back question from the phone call; with no disputed visit
// (askDisc) a "no" against logged check-ins becomes a discrepancy about the month.
func (r *Router) callbackSpot(ctx context.Context, sp store.SpotCheck, month string, ans domain.SpotAnswer, note string,
	actor domain.PersonID, askDisc bool) (store.SpotCheck, *store.Discrepancy, string, error) {
	from, err := time.ParseInLocation("2006-01", month, clock.Shanghai)
	if err != nil {
		return sp, nil, "", fmt.Errorf("call-back month %q: %w", month, err)
	}
	logged, err := r.extra.Spot.CountPairingCheckIns(ctx, sp.PairingID, from, from.AddDate(0, 1, 0))
	if err != nil {
		return sp, nil, "", fmt.Errorf("call-back count: %w", err)
	}
	sp.Answer, sp.Note, sp.LoggedVisits, sp.AnsweredBy = ans, note, logged, &actor
	sp.Discrepancy = ans != domain.AnswerYes && logged > 0
	line := replySpotMonthLine(from, logged)
	if !sp.Discrepancy || !askDisc {
		return sp, nil, "", nil
	}
	cadre, err := r.store.PersonByID(ctx, sp.CadreID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return sp, nil, "", fmt.Errorf("call-back cadre: %w", err)
	}
	d := store.Discrepancy{HouseholdID: sp.HouseholdID, CadreID: sp.CadreID, UnitID: cadre.UnitID, Source: domain.DiscFromCallback,
		Month: month, Answer: ans, Note: note}
	return sp, &d, line, nil
}

// exceptTo drops the messages to one person (the coordinator who is told in the reply already).
func exceptTo(ms []store.OutboxMessage, p domain.PersonID) []store.OutboxMessage {
	out := ms[:0]
	for _, m := range ms {
		if m.PersonID == nil || *m.PersonID != p {
			out = append(out, m)
		}
	}
	return out
}
