package store

import (
	"context"
	"fmt"
	"time"

	"qinqi/internal/domain"

	"gorm.io/gorm"
)

// ScanUnitPairings is ScanActivePairings limited to pairings whose cadre belongs to units (nil:
// every unit), for a coordinator's 逾期 list. Its batches are keyset-paged by pairing id (a unit's
// pairings are spread over the county's ids, so ranges of ids would be mostly empty).
func (s *Store) ScanUnitPairings(ctx context.Context, units []domain.UnitID, o ScanOptions, fn func([]PairingFacts) error) error {
	if units == nil {
		return s.ScanActivePairings(ctx, o, fn)
	}
	if len(units) == 0 {
		return nil
	}
	if o.Batch <= 0 {
		o.Batch = 1000
	}
	programs, err := s.programCodes(ctx)
	if err != nil {
		return err
	}
	var last domain.PairingID
	for {
		var ps []Pairing
		err := s.pairingsActiveAt(ctx, o.At).Where("id > ? AND cadre_id IN (?)", last,
			s.q(ctx).Model(&Person{}).Select("id").Where("unit_id IN ?", units)).
			Order("id").Limit(o.Batch).Find(&ps).Error
		if err != nil {
			return fmt.Errorf("store: scan unit pairings: %w", err)
		}
		if len(ps) == 0 {
			return nil
		}
		last = ps[len(ps)-1].ID
		facts, err := s.pairingFacts(ctx, ps, programs, o)
		if err != nil {
			return err
		}
		if err := fn(facts); err != nil {
			return err
		}
		if len(ps) < o.Batch {
			return nil
		}
	}
}

// PairingLabel is what a coordinator's list shows of a pairing.
type PairingLabel struct {
	PairingID     domain.PairingID
	CadreName     string
	CadreCode     string
	UnitName      string
	HouseholdCode string
	HeadName      string
}

// PairingLabels returns the names of the given pairings, keyed by pairing id.
func (s *Store) PairingLabels(ctx context.Context, ids []domain.PairingID) (map[domain.PairingID]PairingLabel, error) {
	out := make(map[domain.PairingID]PairingLabel, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []PairingLabel
	err := s.q(ctx).Table("pairings AS pr").
		Select("pr.id AS pairing_id, p.name AS cadre_name, p.code AS cadre_code, COALESCE(u.name, '') AS unit_name, "+
			"h.code AS household_code, h.head_name AS head_name").
		Joins("JOIN people AS p ON p.id = pr.cadre_id").
		Joins("LEFT JOIN units AS u ON u.id = p.unit_id").
		Joins("JOIN households AS h ON h.id = pr.household_id").
		Where("pr.id IN ?", ids).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: pairing labels: %w", err)
	}
	for _, r := range rows {
		out[r.PairingID] = r
	}
	return out, nil
}

// PairingsReported counts the pairings of units (nil: every unit) active at at, and how many of
// them have a live check-in in [from, to) — the 活动 window progress.
func (s *Store) PairingsReported(ctx context.Context, units []domain.UnitID, at, from, to time.Time) (total, reported int64, err error) {
	if units != nil && len(units) == 0 {
		return 0, 0, nil
	}
	base := func() *gorm.DB {
		q := s.pairingsActiveAt(ctx, at).Model(&Pairing{}).Joins("JOIN people AS p ON p.id = pairings.cadre_id")
		if units != nil {
			q = q.Where("p.unit_id IN ?", units)
		}
		return q
	}
	if err := base().Count(&total).Error; err != nil {
		return 0, 0, fmt.Errorf("store: pairings in scope: %w", err)
	}
	err = base().Where("EXISTS (?)", s.q(ctx).Table("check_ins AS c").Select("1").
		Where("c.pairing_id = pairings.id AND c.undone_at IS NULL AND c.occurred_at >= ? AND c.occurred_at < ?", from, to)).
		Count(&reported).Error
	if err != nil {
		return 0, 0, fmt.Errorf("store: pairings reported: %w", err)
	}
	return total, reported, nil
}
