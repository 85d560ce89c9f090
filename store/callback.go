package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"qinqi/internal/domain"
)

// CallbackRow is one household on a month's call-back list (回访清单): its head is not reachable by
// chat, and it was sampled for the monthly call-back, or visits reported for it in the month were
// never confirmed, or both. Phone is the full number: the coordinator must dial it.
type CallbackRow struct {
	HouseholdID domain.HouseholdID
	Code        string
	HeadName    string
	Village     string
	Address     string
	Phone       string
	Spot        *SpotCheck       // the month's unanswered call-back question, when sampled
	Visits      []ConfirmCheckIn // the month's reports nobody has confirmed yet
	CadreNames  []string
}

// Sampled reports whether the household is on the list through the monthly sample.
func (r CallbackRow) Sampled() bool { return r.Spot != nil }

// LatestSampleMonth is the latest month ("2026-11") sampled at or before notAfter's month, or
// notAfter's month itself when nothing was ever sampled.
func (s *Store) LatestSampleMonth(ctx context.Context, notAfter string) (string, error) {
	var months []string
	err := s.q(ctx).Model(&SpotCheck{}).Where("month <= ?", notAfter).Order("month DESC").Limit(1).Pluck("month", &months).Error
	if err != nil {
		return "", fmt.Errorf("store: latest sample month: %w", err)
	}
	if len(months) == 0 {
		return notAfter, nil
	}
	return months[0], nil
}

// phoneOnly is the condition on households h (with head person hp LEFT JOINed) for "not on chat".
const phoneOnly = "(hp.id IS NULL OR hp.account = '')"

// CallbackList is the call-back list of month ("2026-11") for the cadres' units (nil: every unit):
// the sample's phone-only households still unanswered, plus the phone-only households with reports
// of kinds in the month that no question or call-back covers. Ordered: sampled first, then by
// household code.
func (s *Store) CallbackList(ctx context.Context, month string, kinds []domain.CheckInKind, units []domain.UnitID) ([]CallbackRow, error) {
	return s.callbackList(ctx, month, kinds, units, 0)
}

// callbackList is CallbackList, for one household when hh is not 0.
func (s *Store) callbackList(ctx context.Context, month string, kinds []domain.CheckInKind, units []domain.UnitID, hh domain.HouseholdID) ([]CallbackRow, error) {
	from, err := time.ParseInLocation("2006-01", month, s.loc)
	if err != nil {
		return nil, fmt.Errorf("store: callback list month %q: %w", month, err)
	}
	rows := map[domain.HouseholdID]*CallbackRow{}
	if err := s.callbackSpots(ctx, month, units, hh, rows); err != nil {
		return nil, err
	}
	if err := s.callbackVisits(ctx, from, from.AddDate(0, 1, 0), kinds, units, hh, rows); err != nil {
		return nil, err
	}
	if err := s.callbackContacts(ctx, rows); err != nil {
		return nil, err
	}
	out := make([]CallbackRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Sampled() != out[j].Sampled() {
			return out[i].Sampled()
		}
		return out[i].Code < out[j].Code
	})
	return out, nil
}

func (s *Store) callbackSpots(ctx context.Context, month string, units []domain.UnitID, hh domain.HouseholdID, rows map[domain.HouseholdID]*CallbackRow) error {
	var spots []SpotCheck
	q := s.q(ctx).Table("spot_checks AS sc").Select("sc.*").
		Joins("JOIN households AS h ON h.id = sc.household_id").
		Joins("LEFT JOIN people AS hp ON hp.id = h.head_id").
		Joins("JOIN people AS p ON p.id = sc.cadre_id").
		Where("sc.month = ? AND sc.answer = ? AND sc.asked_at IS NULL AND "+phoneOnly, month, domain.AnswerNone)
	if hh != 0 {
		q = q.Where("sc.household_id = ?", hh)
	}
	if err := unitScope(q, "p.unit_id", units).Order("sc.id").Find(&spots).Error; err != nil {
		return fmt.Errorf("store: callback list sample: %w", err)
	}
	for i := range spots {
		sp := spots[i]
		rows[sp.HouseholdID] = &CallbackRow{HouseholdID: sp.HouseholdID, Spot: &sp}
	}
	return nil
}

func (s *Store) callbackVisits(ctx context.Context, from, to time.Time, kinds []domain.CheckInKind, units []domain.UnitID, hh domain.HouseholdID, rows map[domain.HouseholdID]*CallbackRow) error {
	if len(kinds) == 0 {
		return nil
	}
	var visits []ConfirmCheckIn
	q := s.q(ctx).Table("check_ins AS c").Select(s.confirmCheckIns()).
		Joins("JOIN people AS p ON p.id = c.cadre_id").
		Joins("JOIN households AS h ON h.id = c.household_id").
		Joins("LEFT JOIN people AS hp ON hp.id = h.head_id").
		Joins("LEFT JOIN confirm_items AS ci ON ci.check_in_id = c.id").
		Where("ci.id IS NULL AND c.undone_at IS NULL AND c.kind IN ? AND c.occurred_at >= ? AND c.occurred_at < ? AND "+phoneOnly,
			kinds, from.In(s.loc), to.In(s.loc))
	if hh != 0 {
		q = q.Where("c.household_id = ?", hh)
	}
	if err := unitScope(q, "p.unit_id", units).Order("c.household_id, c.occurred_at, c.id").Scan(&visits).Error; err != nil {
		return fmt.Errorf("store: callback list visits: %w", err)
	}
	s.localTimes(visits)
	for _, v := range visits {
		r := rows[v.HouseholdID]
		if r == nil {
			r = &CallbackRow{HouseholdID: v.HouseholdID}
			rows[v.HouseholdID] = r
		}
		r.Visits = append(r.Visits, v)
	}
	return nil
}

// callbackContacts fills in name, village, address, the head's full phone and the cadres.
func (s *Store) callbackContacts(ctx context.Context, rows map[domain.HouseholdID]*CallbackRow) error {
	ids := make([]domain.HouseholdID, 0, len(rows))
	for id := range rows {
		ids = append(ids, id)
	}
	for start := 0; start < len(ids); start += keyChunk {
		var info []struct {
			ID       domain.HouseholdID
			Code     string
			HeadName string
			Village  string
			Address  string
			Phone    string
		}
		err := s.q(ctx).Table("households AS h").
			Select("h.id, h.code, h.head_name, COALESCE(rg.name, '') AS village, h.address, COALESCE(hp.phone, '') AS phone").
			Joins("LEFT JOIN people AS hp ON hp.id = h.head_id").
			Joins("LEFT JOIN regions AS rg ON rg.id = h.region_id").
			Where("h.id IN ?", ids[start:min(start+keyChunk, len(ids))]).Scan(&info).Error
		if err != nil {
			return fmt.Errorf("store: callback list households: %w", err)
		}
		for _, i := range info {
			r := rows[i.ID]
			r.Code, r.HeadName, r.Village, r.Address, r.Phone = i.Code, i.HeadName, i.Village, i.Address, i.Phone
		}
	}
	return s.callbackCadres(ctx, rows)
}

func (s *Store) callbackCadres(ctx context.Context, rows map[domain.HouseholdID]*CallbackRow) error {
	var spotCadres []domain.PersonID
	for _, r := range rows {
		if r.Spot != nil {
			spotCadres = append(spotCadres, r.Spot.CadreID)
		}
	}
	names, err := s.PersonNames(ctx, spotCadres)
	if err != nil {
		return err
	}
	for _, r := range rows {
		seen := map[string]bool{}
		add := func(n string) {
			if n != "" && !seen[n] {
				seen[n] = true
				r.CadreNames = append(r.CadreNames, n)
			}
		}
		if r.Spot != nil {
			add(names[r.Spot.CadreID])
		}
		for _, v := range r.Visits {
			add(v.CadreName)
		}
	}
	return nil
}

// CallbackEntry is the household's row on month's list, or ErrNotFound when it is not on it (on
// chat, already called back, or nothing to ask about).
func (s *Store) CallbackEntry(ctx context.Context, month string, kinds []domain.CheckInKind, hh domain.HouseholdID) (CallbackRow, error) {
	rows, err := s.callbackList(ctx, month, kinds, nil, hh)
	if err != nil {
		return CallbackRow{}, err
	}
	if len(rows) == 1 {
		return rows[0], nil
	}
	return CallbackRow{}, fmt.Errorf("store: household %d on the %s call-back list: %w", hh, month, ErrNotFound)
}

// CallbackDone is a phone call-back already recorded for a household and month: when, what the
// household said and which coordinator wrote it down.
type CallbackDone struct {
	At     time.Time
	Answer domain.SpotAnswer
	By     domain.PersonID
	ByName string
}

// LastCallback is the latest call-back recorded for household hh about month ("2026-11"): an
// answer to the month's sample, or a phone confirmation of the month's reports. ErrNotFound when
// none was recorded, so a second 回访 can say who called already instead of "not on the list".
func (s *Store) LastCallback(ctx context.Context, month string, hh domain.HouseholdID) (CallbackDone, error) {
	from, err := time.ParseInLocation("2006-01", month, s.loc)
	if err != nil {
		return CallbackDone{}, fmt.Errorf("store: last call-back month %q: %w", month, err)
	}
	var found []CallbackDone
	err = s.q(ctx).Table("spot_checks AS sc").
		Select("sc.answered_at AS at, sc.answer, sc.answered_by AS `by`, p.name AS by_name").
		Joins("JOIN people AS p ON p.id = sc.answered_by").
		Where("sc.month = ? AND sc.household_id = ? AND sc.answered_at IS NOT NULL", month, hh).
		Scan(&found).Error
	if err != nil {
		return CallbackDone{}, fmt.Errorf("store: last call-back sample: %w", err)
	}
	var confirms []CallbackDone
	err = s.q(ctx).Table("visit_confirms AS vc").
		Select("vc.answered_at AS at, vc.answer, vc.answered_by AS `by`, p.name AS by_name").
		Joins("JOIN people AS p ON p.id = vc.answered_by").
		Where("vc.household_id = ? AND vc.via = ? AND vc.answered_at IS NOT NULL", hh, domain.ViaPhone).
		Where("EXISTS (SELECT 1 FROM confirm_items AS ci JOIN check_ins AS c ON c.id = ci.check_in_id"+
			" WHERE ci.confirm_id = vc.id AND c.occurred_at >= ? AND c.occurred_at < ?)", from.In(s.loc), from.AddDate(0, 1, 0).In(s.loc)).
		Scan(&confirms).Error
	if err != nil {
		return CallbackDone{}, fmt.Errorf("store: last call-back confirmation: %w", err)
	}
	found = append(found, confirms...)
	if len(found) == 0 {
		return CallbackDone{}, fmt.Errorf("store: call-back of household %d for %s: %w", hh, month, ErrNotFound)
	}
	last := slices.MaxFunc(found, func(a, b CallbackDone) int { return a.At.Compare(b.At) })
	last.At = last.At.In(s.loc)
	return last, nil
}
