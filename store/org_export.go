package store

import (
	"context"
	"fmt"
	"time"

	"qinqi/internal/domain"
)

// CheckInRecord is one check-in with the names an auditor needs, for the raw export.
type CheckInRecord struct {
	ID            domain.CheckInID
	OccurredAt    time.Time
	ReportedAt    time.Time
	Kind          domain.CheckInKind
	Mode          domain.ContactMode
	CadreCode     string
	CadreName     string
	CadrePhone    string // full number: exporters mask it
	UnitName      string
	HouseholdCode string
	HeadName      string
	VillageName   string
	Place         string
	Text          string
	Items         string
	ValueFen      int64
	DistanceM     *int
	Far           bool
	PhotoRef      string
}

// EachCheckIn calls fn for every check-in that occurred in [from, to) and was not undone, in order
// of occurrence. Rows are read in pages so a year of a province fits in memory.
func (s *Store) EachCheckIn(ctx context.Context, from, to time.Time, fn func(CheckInRecord) error) error {
	const page = 1000
	var (
		afterAt time.Time
		afterID domain.CheckInID
	)
	for {
		var rows []CheckInRecord
		q := s.q(ctx).Table("check_ins AS c").
			Select(`c.id, c.occurred_at, c.reported_at, c.kind, c.mode, p.code AS cadre_code, p.name AS cadre_name,
				p.phone AS cadre_phone, u.name AS unit_name, h.code AS household_code, h.head_name,
				r.name AS village_name, c.place, c.text, c.items, c.value_fen, c.distance_m, c.far, c.photo_ref`).
			Joins("JOIN people AS p ON p.id = c.cadre_id").
			Joins("JOIN households AS h ON h.id = c.household_id").
			Joins("LEFT JOIN units AS u ON u.id = p.unit_id").
			Joins("LEFT JOIN regions AS r ON r.id = h.region_id").
			Where("c.occurred_at >= ? AND c.occurred_at < ? AND c.undone_at IS NULL", from.In(s.loc), to.In(s.loc))
		if afterID != 0 { // keyset paging on (occurred_at, id): stable and index-friendly
			q = q.Where("(c.occurred_at > ? OR (c.occurred_at = ? AND c.id > ?))", afterAt, afterAt, afterID)
		}
		err := q.Order("c.occurred_at, c.id").Limit(page).Scan(&rows).Error
		if err != nil {
			return fmt.Errorf("store: export check-ins: %w", err)
		}
		for _, r := range rows {
			r.OccurredAt, r.ReportedAt = r.OccurredAt.In(s.loc), r.ReportedAt.In(s.loc)
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(rows) < page {
			return nil
		}
		afterAt, afterID = rows[len(rows)-1].OccurredAt, rows[len(rows)-1].ID
	}
}
