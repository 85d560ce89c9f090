package store

import (
	"context"
	"fmt"
	"time"

	"qinqi/internal/domain"
)

// LedgerCheckIn is one row of the 走访台账 sheet.
type LedgerCheckIn struct {
	ID            domain.CheckInID
	OccurredAt    time.Time
	UnitName      string
	CadreName     string
	HouseholdCode string
	HeadName      string
	Village       string
	Kind          domain.CheckInKind
	Mode          domain.ContactMode
	Items         string
	ValueFen      int64
	SalesItems    string // sales help (帮销), apart from aid
	SalesFen      int64
	Text          string
	Located       bool // a location was attached
	Far           bool // the location was far from the household's registered place
	// What the household said about it: the question's channel ("" when never asked), its answer,
	// whether a discrepancy was opened about it and the coordinator's verdict.
	ConfirmVia    string
	ConfirmAnswer domain.SpotAnswer
	Disputed      bool
	Verdict       domain.Verdict
}

// EachLedgerCheckIn streams the period's live check-ins in time order, so a year of a province
// never sits in memory at once. fn's error stops the walk and is returned.
func (s *Store) EachLedgerCheckIn(ctx context.Context, f StatsFilter, fn func(LedgerCheckIn) error) error {
	q := s.q(ctx).Table("check_ins AS c").
		Select("c.id AS id, c.occurred_at AS occurred_at, COALESCE(u.name, '') AS unit_name, p.name AS cadre_name, "+
			"h.code AS household_code, h.head_name AS head_name, COALESCE(rg.name, '') AS village, c.kind AS kind, "+
			"c.mode AS mode, c.items AS items, c.value_fen AS value_fen, COALESCE(c.sales_items, '') AS sales_items, "+
			"COALESCE(c.sales_fen, 0) AS sales_fen, c.text AS text, "+
			"CASE WHEN c.lat IS NULL THEN 0 ELSE 1 END AS located, c.far AS far, "+
			"COALESCE(v.via, '') AS confirm_via, COALESCE(v.answer, '') AS confirm_answer, "+
			"CASE WHEN d.id IS NULL THEN 0 ELSE 1 END AS disputed, COALESCE(d.verdict, '') AS verdict").
		Joins("JOIN people AS p ON p.id = c.cadre_id").
		Joins("LEFT JOIN confirm_items AS ci ON ci.check_in_id = c.id").
		Joins("LEFT JOIN visit_confirms AS v ON v.id = ci.confirm_id").
		Joins("LEFT JOIN discrepancies AS d ON d.confirm_id = v.id AND d.cadre_id = c.cadre_id").
		Joins("LEFT JOIN units AS u ON u.id = p.unit_id").
		Joins("JOIN households AS h ON h.id = c.household_id").
		Joins("LEFT JOIN regions AS rg ON rg.id = h.region_id").
		Where("c.undone_at IS NULL AND c.occurred_at >= ? AND c.occurred_at < ?", f.From, f.To)
	rows, err := unitScope(q, "p.unit_id", f.Units).Order("c.occurred_at, c.id").Rows()
	if err != nil {
		return fmt.Errorf("store: ledger check-ins: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r LedgerCheckIn
		if err := s.db.ScanRows(rows, &r); err != nil {
			return fmt.Errorf("store: ledger check-in row: %w", err)
		}
		r.OccurredAt = r.OccurredAt.In(s.loc)
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: ledger check-ins: %w", err)
	}
	return nil
}

// CadreTally is one cadre's line of the 干部汇总 sheet.
type CadreTally struct {
	CadreID  domain.PersonID
	Code     string
	Name     string
	Phone    string // full; the report masks it
	UnitID   domain.UnitID
	UnitName string
	Counts   map[domain.CheckInKind]int64
	ValueFen int64
	Reached  int64
	Paired   int64
}

// CadreTallies lists every cadre of the units with a pairing or a check-in in the period, ordered by
// unit code then cadre code, with their counts, money and households reached and paired.
func (s *Store) CadreTallies(ctx context.Context, f StatsFilter) ([]CadreTally, error) {
	var people []struct {
		ID       domain.PersonID
		Code     string
		Name     string
		Phone    string
		UnitID   domain.UnitID
		UnitName string
	}
	q := s.q(ctx).Table("people AS p").
		Select("p.id, p.code, p.name, p.phone, p.unit_id, COALESCE(u.name, '') AS unit_name").
		Joins("LEFT JOIN units AS u ON u.id = p.unit_id").
		Where("p.id IN (?) OR p.id IN (?)",
			s.q(ctx).Table("pairings").Select("cadre_id").Where("start_on < ? AND (end_on IS NULL OR end_on > ?)", f.To, f.From),
			s.q(ctx).Table("check_ins").Select("cadre_id").Where("undone_at IS NULL AND occurred_at >= ? AND occurred_at < ?", f.From, f.To))
	if err := unitScope(q, "p.unit_id", f.Units).Order("u.code, p.code").Scan(&people).Error; err != nil {
		return nil, fmt.Errorf("store: cadres: %w", err)
	}
	counts, err := s.cadreKindCounts(ctx, f)
	if err != nil {
		return nil, err
	}
	reached, paired, err := s.cadreHouseholds(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]CadreTally, 0, len(people))
	for _, p := range people {
		t := CadreTally{CadreID: p.ID, Code: p.Code, Name: p.Name, Phone: p.Phone, UnitID: p.UnitID, UnitName: p.UnitName,
			Counts: map[domain.CheckInKind]int64{}, Reached: reached[p.ID], Paired: paired[p.ID]}
		for _, k := range counts[p.ID] {
			t.Counts[k.Kind] += k.N
			t.ValueFen += k.ValueFen
		}
		out = append(out, t)
	}
	return out, nil
}

func (s *Store) cadreKindCounts(ctx context.Context, f StatsFilter) (map[domain.PersonID][]KindTally, error) {
	var rows []struct {
		CadreID  domain.PersonID
		Kind     domain.CheckInKind
		N        int64
		ValueFen int64
	}
	q := s.q(ctx).Table("check_ins AS c").
		Select("c.cadre_id AS cadre_id, c.kind AS kind, COUNT(*) AS n, COALESCE(SUM(c.value_fen), 0) AS value_fen").
		Joins("JOIN people AS p ON p.id = c.cadre_id").
		Where("c.undone_at IS NULL AND c.occurred_at >= ? AND c.occurred_at < ?", f.From, f.To)
	if err := unitScope(q, "p.unit_id", f.Units).Group("c.cadre_id, c.kind").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: cadre counts: %w", err)
	}
	out := map[domain.PersonID][]KindTally{}
	for _, r := range rows {
		out[r.CadreID] = append(out[r.CadreID], KindTally{Kind: r.Kind, N: r.N, ValueFen: r.ValueFen})
	}
	return out, nil
}

func (s *Store) cadreHouseholds(ctx context.Context, f StatsFilter) (reached, paired map[domain.PersonID]int64, err error) {
	type row struct {
		CadreID domain.PersonID
		N       int64
	}
	var rr, pr []row
	q := s.q(ctx).Table("check_ins AS c").Select("c.cadre_id AS cadre_id, COUNT(DISTINCT c.household_id) AS n").
		Joins("JOIN people AS p ON p.id = c.cadre_id").
		Where("c.undone_at IS NULL AND c.occurred_at >= ? AND c.occurred_at < ?", f.From, f.To)
	if err := unitScope(q, "p.unit_id", f.Units).Group("c.cadre_id").Scan(&rr).Error; err != nil {
		return nil, nil, fmt.Errorf("store: cadre reach: %w", err)
	}
	q = s.q(ctx).Table("pairings AS pr").Select("pr.cadre_id AS cadre_id, COUNT(DISTINCT pr.household_id) AS n").
		Joins("JOIN people AS p ON p.id = pr.cadre_id").
		Where("pr.start_on < ? AND (pr.end_on IS NULL OR pr.end_on > ?)", f.To, f.From)
	if err := unitScope(q, "p.unit_id", f.Units).Group("pr.cadre_id").Scan(&pr).Error; err != nil {
		return nil, nil, fmt.Errorf("store: cadre pairings: %w", err)
	}
	reached, paired = map[domain.PersonID]int64{}, map[domain.PersonID]int64{}
	for _, r := range rr {
		reached[r.CadreID] = r.N
	}
	for _, r := range pr {
		paired[r.CadreID] = r.N
	}
	return reached, paired, nil
}

// LedgerRequest is one row of the 诉求 sheet.
type LedgerRequest struct {
	ID            domain.RequestID
	CreatedAt     time.Time
	UnitName      string
	HouseholdCode string
	HeadName      string
	SenderPhone   string // full; the report masks it
	AssigneeName  string
	Kind          domain.RequestKind
	Category      domain.RequestCategory
	Text          string
	Status        domain.RequestStatus
	DueAt         time.Time
	ResolvedAt    *time.Time
	Rating        *int
}

// LedgerRequests lists the requests opened in the period, oldest first.
func (s *Store) LedgerRequests(ctx context.Context, f StatsFilter) ([]LedgerRequest, error) {
	unit := "COALESCE(r.unit_id, a.unit_id)"
	var out []LedgerRequest
	q := s.q(ctx).Table("requests AS r").
		Select("r.id AS id, r.created_at AS created_at, COALESCE(u.name, '') AS unit_name, h.code AS household_code, "+
			"h.head_name AS head_name, COALESCE(sp.phone, '') AS sender_phone, COALESCE(a.name, '') AS assignee_name, "+
			"r.kind AS kind, r.category AS category, r.text AS text, r.status AS status, r.due_at AS due_at, "+
			"r.resolved_at AS resolved_at, r.rating AS rating").
		Joins("LEFT JOIN people AS a ON a.id = r.assignee_id").
		Joins("LEFT JOIN units AS u ON u.id = "+unit).
		Joins("JOIN households AS h ON h.id = r.household_id").
		Joins("LEFT JOIN people AS sp ON sp.id = r.person_id").
		Where("r.created_at >= ? AND r.created_at < ?", f.From, f.To)
	if err := unitScope(q, unit, f.Units).Order("r.created_at, r.id").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("store: ledger requests: %w", err)
	}
	for i := range out {
		out[i].CreatedAt = out[i].CreatedAt.In(s.loc)
		out[i].DueAt = out[i].DueAt.In(s.loc)
		if out[i].ResolvedAt != nil {
			t := out[i].ResolvedAt.In(s.loc)
			out[i].ResolvedAt = &t
		}
	}
	return out, nil
}
