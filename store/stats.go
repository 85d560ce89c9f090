package store

import (
	"context"
	"fmt"
	"time"

	"qinqi/internal/domain"

	"gorm.io/gorm"
)

// StatsFilter selects the rows a report counts: the cadres' units (nil means every unit) and the
// half-open period [From, To). A check-in, pairing, rating or spot-check belongs to the unit of its
// cadre; a request to its own unit, or else to its assignee's unit.
type StatsFilter struct {
	Units []domain.UnitID
	From  time.Time
	To    time.Time
}

// KindTally is the number and money of check-ins of one kind in one unit.
type KindTally struct {
	UnitID    domain.UnitID
	Kind      domain.CheckInKind
	N         int64
	ValueFen  int64
	WithGoods int64 // check-ins that handed over goods
	SalesFen  int64 // sales help (帮销): what produce sold for households fetched
	WithSales int64 // check-ins with sales help
}

// RequestTally counts one unit's requests opened in the period: resolved, resolved by the due
// time, and "judged" (resolved, or past due at the end of the period) — the on-time rate's base.
type RequestTally struct {
	UnitID   domain.UnitID
	Opened   int64
	Resolved int64
	OnTime   int64
	Judged   int64
}

// ScoreTally sums one unit's 1–5 ratings given in the period.
type ScoreTally struct {
	UnitID domain.UnitID
	N      int64
	Sum    int64
}

// SpotTally counts one unit's answered call-backs for the months in the period, and how many
// agreed with the cadre's log (no discrepancy).
type SpotTally struct {
	UnitID   domain.UnitID
	Answered int64
	Agree    int64
}

// unitScope restricts q to cadres (alias p) of the filter's units.
func unitScope(q *gorm.DB, col string, units []domain.UnitID) *gorm.DB {
	if units == nil {
		return q
	}
	if len(units) == 0 {
		return q.Where("1 = 0")
	}
	return q.Where(col+" IN ?", units)
}

// CheckInTallies counts live (not undone) check-ins by unit and kind.
func (s *Store) CheckInTallies(ctx context.Context, f StatsFilter) ([]KindTally, error) {
	var out []KindTally
	q := s.q(ctx).Table("check_ins AS c").
		Select("p.unit_id AS unit_id, c.kind AS kind, COUNT(*) AS n, COALESCE(SUM(c.value_fen), 0) AS value_fen, "+
			"SUM(CASE WHEN c.items <> '' THEN 1 ELSE 0 END) AS with_goods, COALESCE(SUM(c.sales_fen), 0) AS sales_fen, "+
			"SUM(CASE WHEN c.sales_items <> '' OR c.sales_fen > 0 THEN 1 ELSE 0 END) AS with_sales").
		Joins("JOIN people AS p ON p.id = c.cadre_id").
		Where("c.undone_at IS NULL AND c.occurred_at >= ? AND c.occurred_at < ?", f.From, f.To)
	err := unitScope(q, "p.unit_id", f.Units).Group("p.unit_id, c.kind").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: check-in tallies: %w", err)
	}
	return out, nil
}

// HouseholdsReached counts distinct households with a live check-in in the period, overall and by
// unit; the overall number is not the sum, since a household may have cadres in two units.
func (s *Store) HouseholdsReached(ctx context.Context, f StatsFilter) (int64, map[domain.UnitID]int64, error) {
	base := func() *gorm.DB {
		q := s.q(ctx).Table("check_ins AS c").Joins("JOIN people AS p ON p.id = c.cadre_id").
			Where("c.undone_at IS NULL AND c.occurred_at >= ? AND c.occurred_at < ?", f.From, f.To)
		return unitScope(q, "p.unit_id", f.Units)
	}
	return s.distinctHouseholds(base, "c.household_id")
}

// HouseholdsPaired counts distinct households with a pairing in force at some time in the period.
func (s *Store) HouseholdsPaired(ctx context.Context, f StatsFilter) (int64, map[domain.UnitID]int64, error) {
	base := func() *gorm.DB {
		q := s.q(ctx).Table("pairings AS pr").Joins("JOIN people AS p ON p.id = pr.cadre_id").
			Where("pr.start_on < ? AND (pr.end_on IS NULL OR pr.end_on > ?)", f.To, f.From)
		return unitScope(q, "p.unit_id", f.Units)
	}
	return s.distinctHouseholds(base, "pr.household_id")
}

// CadresReported counts the distinct cadres with a pairing in force at some time in the period
// (the cadres a coordinator has: one without a household has nothing to report) and how many of
// them have a live check-in in the period.
func (s *Store) CadresReported(ctx context.Context, f StatsFilter) (paired, reported int64, err error) {
	base := func() *gorm.DB {
		q := s.q(ctx).Table("pairings AS pr").Joins("JOIN people AS p ON p.id = pr.cadre_id").
			Where("pr.start_on < ? AND (pr.end_on IS NULL OR pr.end_on > ?)", f.To, f.From)
		return unitScope(q, "p.unit_id", f.Units)
	}
	if err := base().Select("COUNT(DISTINCT pr.cadre_id)").Scan(&paired).Error; err != nil {
		return 0, 0, fmt.Errorf("store: cadres paired: %w", err)
	}
	active := s.q(ctx).Table("check_ins AS c").Select("1").
		Where("c.cadre_id = pr.cadre_id AND c.undone_at IS NULL AND c.occurred_at >= ? AND c.occurred_at < ?", f.From, f.To)
	if err := base().Where("EXISTS (?)", active).Select("COUNT(DISTINCT pr.cadre_id)").Scan(&reported).Error; err != nil {
		return 0, 0, fmt.Errorf("store: cadres reported: %w", err)
	}
	return paired, reported, nil
}

func (s *Store) distinctHouseholds(base func() *gorm.DB, col string) (int64, map[domain.UnitID]int64, error) {
	var total int64
	if err := base().Select("COUNT(DISTINCT " + col + ")").Scan(&total).Error; err != nil {
		return 0, nil, fmt.Errorf("store: distinct households: %w", err)
	}
	var rows []struct {
		UnitID domain.UnitID
		N      int64
	}
	err := base().Select("p.unit_id AS unit_id, COUNT(DISTINCT " + col + ") AS n").Group("p.unit_id").Scan(&rows).Error
	if err != nil {
		return 0, nil, fmt.Errorf("store: households by unit: %w", err)
	}
	by := make(map[domain.UnitID]int64, len(rows))
	for _, r := range rows {
		by[r.UnitID] = r.N
	}
	return total, by, nil
}

// RequestTallies counts requests and complaints opened in the period, by unit. now bounds "past
// due" for a period that has not ended yet. One the household withdrew is left out: it was never
// anyone's work to do, so it is neither resolved on time nor late.
func (s *Store) RequestTallies(ctx context.Context, f StatsFilter, now time.Time) ([]RequestTally, error) {
	judgeAt := f.To
	if now.Before(judgeAt) {
		judgeAt = now
	}
	var out []RequestTally
	q := s.q(ctx).Table("requests AS r").
		Select("COALESCE(r.unit_id, a.unit_id) AS unit_id, COUNT(*) AS opened, "+
			"SUM(CASE WHEN r.resolved_at IS NOT NULL THEN 1 ELSE 0 END) AS resolved, "+
			"SUM(CASE WHEN r.resolved_at IS NOT NULL AND r.resolved_at <= r.due_at THEN 1 ELSE 0 END) AS on_time, "+
			"SUM(CASE WHEN r.resolved_at IS NOT NULL OR r.due_at < ? THEN 1 ELSE 0 END) AS judged", judgeAt).
		Joins("LEFT JOIN people AS a ON a.id = r.assignee_id").
		Where("r.created_at >= ? AND r.created_at < ? AND r.status <> ?", f.From, f.To, domain.StatusWithdrawn)
	err := unitScope(q, "COALESCE(r.unit_id, a.unit_id)", f.Units).Group("COALESCE(r.unit_id, a.unit_id)").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: request tallies: %w", err)
	}
	return out, nil
}

// RatingTallies sums the ratings given in the period, by the rated cadre's unit (or the rated
// request's unit when the rating names no cadre).
func (s *Store) RatingTallies(ctx context.Context, f StatsFilter) ([]ScoreTally, error) {
	var out []ScoreTally
	unit := "COALESCE(p.unit_id, r.unit_id)"
	q := s.q(ctx).Table("ratings AS g").
		Select(unit+" AS unit_id, COUNT(*) AS n, SUM(g.score) AS sum").
		Joins("LEFT JOIN people AS p ON p.id = g.cadre_id").
		Joins("LEFT JOIN requests AS r ON r.id = g.request_id").
		Where("g.created_at >= ? AND g.created_at < ?", f.From, f.To)
	if err := unitScope(q, unit, f.Units).Group(unit).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("store: rating tallies: %w", err)
	}
	return out, nil
}

// SpotTallies counts answered call-backs of the months in the period, by the cadre's unit.
func (s *Store) SpotTallies(ctx context.Context, f StatsFilter) ([]SpotTally, error) {
	months := monthsBetween(f.From.In(s.loc), f.To.In(s.loc))
	var out []SpotTally
	q := s.q(ctx).Table("spot_checks AS sc").
		Select("p.unit_id AS unit_id, COUNT(*) AS answered, SUM(CASE WHEN sc.discrepancy THEN 0 ELSE 1 END) AS agree").
		Joins("JOIN people AS p ON p.id = sc.cadre_id").
		Where("sc.month IN ? AND sc.answer <> ''", months)
	if err := unitScope(q, "p.unit_id", f.Units).Group("p.unit_id").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("store: spot-check tallies: %w", err)
	}
	return out, nil
}

// GoodsLists returns the goods field of every live check-in in the period that handed over goods,
// for the report to add up by item ("化肥×3包;米×20斤").
func (s *Store) GoodsLists(ctx context.Context, f StatsFilter) ([]string, error) {
	var out []string
	q := s.q(ctx).Table("check_ins AS c").Select("c.items").
		Joins("JOIN people AS p ON p.id = c.cadre_id").
		Where("c.undone_at IS NULL AND c.items <> '' AND c.occurred_at >= ? AND c.occurred_at < ?", f.From, f.To)
	if err := unitScope(q, "p.unit_id", f.Units).Order("c.id").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("store: goods: %w", err)
	}
	return out, nil
}

// UnitsIn returns the given units ordered by code, or every unit when ids is nil.
func (s *Store) UnitsIn(ctx context.Context, ids []domain.UnitID) ([]Unit, error) {
	var out []Unit
	q := s.q(ctx).Order("code")
	if ids != nil {
		if len(ids) == 0 {
			return nil, nil
		}
		q = q.Where("id IN ?", ids)
	}
	if err := q.Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: units: %w", err)
	}
	return out, nil
}

// monthsBetween lists the "2006-01" months that [from, to) touches.
func monthsBetween(from, to time.Time) []string {
	var out []string
	m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, from.Location())
	for m.Before(to) {
		out = append(out, m.Format("2006-01"))
		m = m.AddDate(0, 1, 0)
	}
	return out
}

// ConfirmTally counts one unit's live check-ins of the period that households were asked about
// (in chat or by a phone call-back), answered about, and confirmed.
type ConfirmTally struct {
	UnitID    domain.UnitID
	Asked     int64
	Answered  int64
	Confirmed int64
}

// ConfirmTallies counts, by the cadre's unit, the period's check-ins covered by a visit
// confirmation: asked, answered and confirmed ("1"). Unanswered ones are only asked: no answer is
// never counted against anyone.
func (s *Store) ConfirmTallies(ctx context.Context, f StatsFilter) ([]ConfirmTally, error) {
	var out []ConfirmTally
	q := s.q(ctx).Table("check_ins AS c").
		Select("p.unit_id AS unit_id, COUNT(*) AS asked, "+
			"SUM(CASE WHEN v.answer <> '' THEN 1 ELSE 0 END) AS answered, "+
			"SUM(CASE WHEN v.answer = ? THEN 1 ELSE 0 END) AS confirmed", domain.AnswerYes).
		Joins("JOIN confirm_items AS ci ON ci.check_in_id = c.id").
		Joins("JOIN visit_confirms AS v ON v.id = ci.confirm_id").
		Joins("JOIN people AS p ON p.id = c.cadre_id").
		Where("c.undone_at IS NULL AND c.occurred_at >= ? AND c.occurred_at < ?", f.From, f.To)
	if err := unitScope(q, "p.unit_id", f.Units).Group("p.unit_id").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("store: confirmation tallies: %w", err)
	}
	return out, nil
}

// DiscTally counts one unit's discrepancies found in the period, how many of them are closed, and
// how many of those the coordinator found to be true (属实).
type DiscTally struct {
	UnitID domain.UnitID
	Found  int64
	Closed int64
	Upheld int64
}

// DiscrepancyTallies counts discrepancies opened in the period by the unit they were found in.
func (s *Store) DiscrepancyTallies(ctx context.Context, f StatsFilter) ([]DiscTally, error) {
	var out []DiscTally
	q := s.q(ctx).Table("discrepancies AS d").
		Select("d.unit_id AS unit_id, COUNT(*) AS found, "+
			"SUM(CASE WHEN d.closed_at IS NOT NULL THEN 1 ELSE 0 END) AS closed, "+
			"SUM(CASE WHEN d.verdict = ? THEN 1 ELSE 0 END) AS upheld", domain.VerdictUpheld).
		Where("d.opened_at >= ? AND d.opened_at < ? AND d.unit_id IS NOT NULL", f.From, f.To)
	if err := unitScope(q, "d.unit_id", f.Units).Group("d.unit_id").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("store: discrepancy tallies: %w", err)
	}
	return out, nil
}
