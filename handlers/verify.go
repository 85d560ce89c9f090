package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"qinqi/bot"
	"qinqi/internal/domain"
	"qinqi/internal/report"
	"qinqi/store"
)

// verifyShown caps the open discrepancies 核实 lists in one message.
const verifyShown = 10

// ParseVerify reads "12 属实 电话问过邻居" into the discrepancy number, the verdict and the
// coordinator's note. 属实 means the household is right (the report does not match what happened);
// 有误 (or 不属实) means the household was mistaken and the report stands.
func ParseVerify(args string) (domain.DiscID, domain.Verdict, string, bool) {
	f := strings.Fields(strings.NewReplacer("#", " ", "＃", " ", "号", " ").Replace(shape(args)))
	if len(f) < 2 {
		return 0, "", "", false
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil || n <= 0 {
		return 0, "", "", false
	}
	var v domain.Verdict
	rest := f[1]
	switch {
	case strings.HasPrefix(rest, "不属实"):
		v, rest = domain.VerdictWrong, strings.TrimPrefix(rest, "不属实")
	case strings.HasPrefix(rest, "属实"):
		v, rest = domain.VerdictUpheld, strings.TrimPrefix(rest, "属实")
	case strings.HasPrefix(rest, "有误"):
		v, rest = domain.VerdictWrong, strings.TrimPrefix(rest, "有误")
	default:
		return 0, "", "", false
	}
	note := strings.TrimSpace(strings.Join(append([]string{rest}, f[2:]...), " "))
	return domain.DiscID(n), v, trimSeps(note), true
}

// verify is 核实 [编号 属实|有误 说明]. Without arguments it lists the open discrepancies of the
// caller's units; with them it closes one discrepancy of those units and only then tells the cadre
// what the household said and what the coordinator found.
func (r *Router) verify(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	if r.extra.Spot == nil {
		return nil, refuse(replyCoordUnavailable)
	}
	sc, err := r.scopeOf(ctx, c)
	if err != nil {
		return nil, err
	}
	if c.Args == "" {
		return r.openDiscs(ctx, sc)
	}
	id, v, finding, ok := ParseVerify(c.Args)
	if !ok {
		return nil, refuse(replyVerifyHelp)
	}
	d, err := r.extra.Spot.DiscrepancyByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, refuse(replyDiscUnknown(id))
	}
	if err != nil {
		return nil, fmt.Errorf("discrepancy: %w", err)
	}
	if !sc.has(d.UnitID) {
		return nil, refuse(replyDiscOutOfScope(id))
	}
	if d.ClosedAt != nil {
		return nil, refuse(replyDiscClosedAlready(d))
	}
	notes, err := r.closeNotes(ctx, c, d)
	if err != nil {
		return nil, err
	}
	closed, err := r.extra.Spot.CloseDiscrepancy(ctx, id, v, finding, c.ID(), r.now(), notes)
	if errors.Is(err, store.ErrDuplicate) {
		return nil, refuse(replyDiscClosedAlready(d))
	}
	if err != nil {
		return nil, fmt.Errorf("close discrepancy: %w", err)
	}
	cadre, err := r.store.PersonByID(ctx, closed.CadreID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("cadre of discrepancy: %w", err)
	}
	return say(replyDiscClosed(closed, cadre.Name)), nil
}

// closeNotes builds the one message the cadre gets: what was disputed and the verdict.
func (r *Router) closeNotes(ctx context.Context, c *Caller, d store.Discrepancy) (func(store.Discrepancy) []store.OutboxMessage, error) {
	hh, err := r.store.HouseholdByID(ctx, d.HouseholdID)
	if err != nil {
		return nil, fmt.Errorf("household of discrepancy: %w", err)
	}
	lines, err := r.discLines(ctx, d)
	if err != nil {
		return nil, err
	}
	return func(closed store.Discrepancy) []store.OutboxMessage {
		return []store.OutboxMessage{r.wordNote(c.In, "disc:closed", int64(closed.ID), closed.CadreID,
			noteDiscClosed(closed, hh.HeadName, c.Person.Name, lines))}
	}, nil
}

// discLines are the disputed reports of the discrepancy's cadre, or its month.
func (r *Router) discLines(ctx context.Context, d store.Discrepancy) ([]string, error) {
	var lines []string
	if d.ConfirmID != nil {
		items, err := r.extra.Spot.ConfirmCheckIns(ctx, *d.ConfirmID)
		if err != nil {
			return nil, fmt.Errorf("disputed check-ins: %w", err)
		}
		for _, it := range items {
			if it.CadreID == d.CadreID {
				lines = append(lines, report.VisitLine(it))
			}
		}
	}
	if len(lines) == 0 {
		lines = append(lines, replyDiscMonth(d.Month))
	}
	return lines, nil
}

// openDiscs lists the open discrepancies of the scope, oldest first.
func (r *Router) openDiscs(ctx context.Context, sc coordScope) ([]bot.Reply, error) {
	var units []domain.UnitID
	if !sc.All {
		units = append([]domain.UnitID{}, sc.Units...)
	}
	n, err := r.extra.Spot.CountOpenDiscrepancies(ctx, units)
	if err != nil {
		return nil, fmt.Errorf("count discrepancies: %w", err)
	}
	if n == 0 {
		return say(replyNoOpenDiscs(sc.Name)), nil
	}
	ds, err := r.extra.Spot.OpenDiscrepancies(ctx, units, verifyShown)
	if err != nil {
		return nil, fmt.Errorf("open discrepancies: %w", err)
	}
	lines := []string{replyOpenDiscsHead(sc.Name, n)}
	for _, d := range ds {
		hh, err := r.store.HouseholdByID(ctx, d.HouseholdID)
		if err != nil {
			return nil, fmt.Errorf("household of discrepancy: %w", err)
		}
		cadre, err := r.store.PersonByID(ctx, d.CadreID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("cadre of discrepancy: %w", err)
		}
		disputed, err := r.discLines(ctx, d)
		if err != nil {
			return nil, err
		}
		lines = append(lines, replyOpenDiscLine(d, hh, cadre.Name, disputed))
	}
	if n > int64(len(ds)) {
		lines = append(lines, fmt.Sprintf("……另有 %d 件", n-int64(len(ds))))
	}
	return say(append(lines, replyVerifyHelp)...), nil
}
