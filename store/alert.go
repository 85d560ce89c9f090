package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// AddAlerts inserts the alerts whose Key is new and returns those; an escalation step is raised at most
// once per pairing, overdue spell and level.
func (s *Store) AddAlerts(ctx context.Context, rows []Alert) ([]Alert, error) {
	keys := make([]string, len(rows))
	for i, r := range rows {
		keys[i] = r.Key
	}
	seen, err := existingKeys[Alert](s, ctx, keys)
	if err != nil {
		return nil, err
	}
	fresh := make([]Alert, 0, len(rows))
	for _, r := range rows {
		if !seen[r.Key] {
			seen[r.Key] = true
			r.CreatedAt, r.OverdueSince = r.CreatedAt.In(s.loc), r.OverdueSince.In(s.loc)
			r.Reason = clipRunes(r.Reason, 255)
			fresh = append(fresh, r)
		}
	}
	if len(fresh) == 0 {
		return nil, nil
	}
	if err := s.q(ctx).Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&fresh, upsertBatch).Error; err != nil {
		return nil, fmt.Errorf("store: add alerts: %w", err)
	}
	return fresh, nil
}

// SetAlertOutbox links alerts to the digest message that carried them.
func (s *Store) SetAlertOutbox(ctx context.Context, ids []AlertID, out OutboxID) error {
	for start := 0; start < len(ids); start += keyChunk {
		err := s.q(ctx).Model(&Alert{}).Where("id IN ?", ids[start:min(start+keyChunk, len(ids))]).Update("outbox_id", out).Error
		if err != nil {
			return fmt.Errorf("store: link alerts: %w", err)
		}
	}
	return nil
}

// Alerts lists alerts created in [from, to) (zero bounds: unbounded), in id order.
func (s *Store) Alerts(ctx context.Context, from, to time.Time) ([]Alert, error) {
	q := s.q(ctx).Model(&Alert{})
	if !from.IsZero() {
		q = q.Where("created_at >= ?", from.In(s.loc))
	}
	if !to.IsZero() {
		q = q.Where("created_at < ?", to.In(s.loc))
	}
	var rows []Alert
	if err := q.Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: alerts: %w", err)
	}
	return rows, nil
}

// OrgChart is the unit tree with its heads and coordinators, loaded once per job run: a county has
// hundreds of units, so routing thousands of alerts needs no per-alert query.
type OrgChart struct {
	Units        map[UnitID]Unit
	Coordinators map[UnitID][]PersonID // by the coordinator's own unit
	Admins       []PersonID
}

// LoadOrgChart reads units, coordinators and admins.
func (s *Store) LoadOrgChart(ctx context.Context) (OrgChart, error) {
	c := OrgChart{Units: map[UnitID]Unit{}, Coordinators: map[UnitID][]PersonID{}}
	var units []Unit
	if err := s.q(ctx).Find(&units).Error; err != nil {
		return c, fmt.Errorf("store: org chart units: %w", err)
	}
	for _, u := range units {
		c.Units[u.ID] = u
	}
	var people []Person
	err := s.q(ctx).Select("id, roles, unit_id").Where("roles LIKE ? OR roles LIKE ?", "%"+string(RoleCoordinator)+"%", "%"+string(RoleAdmin)+"%").
		Order("id").Find(&people).Error
	if err != nil {
		return c, fmt.Errorf("store: org chart coordinators: %w", err)
	}
	for _, p := range people {
		if p.Roles.Has(RoleCoordinator) && p.UnitID != nil {
			c.Coordinators[*p.UnitID] = append(c.Coordinators[*p.UnitID], p.ID)
		}
		if p.Roles.Has(RoleAdmin) {
			c.Admins = append(c.Admins, p.ID)
		}
	}
	return c, nil
}

// CoordinatorsFor returns the coordinators of the unit, or of its nearest ancestor that has some,
// falling back to the admins, so an alert always reaches someone.
func (c OrgChart) CoordinatorsFor(unit *UnitID) []PersonID {
	for u, hops := unit, 0; u != nil && hops < 64; hops++ {
		if ids := c.Coordinators[*u]; len(ids) > 0 {
			return ids
		}
		u = c.Units[*u].ParentID
	}
	return c.Admins
}

// HeadFor returns the head (一把手) of the unit or of its nearest ancestor that has one.
func (c OrgChart) HeadFor(unit *UnitID) (PersonID, bool) {
	for u, hops := unit, 0; u != nil && hops < 64; hops++ {
		if h := c.Units[*u].HeadID; h != nil {
			return *h, true
		}
		u = c.Units[*u].ParentID
	}
	return 0, false
}

// PersonNames returns the names of the given people (digests name cadres to their coordinators).
func (s *Store) PersonNames(ctx context.Context, ids []PersonID) (map[PersonID]string, error) {
	out := make(map[PersonID]string, len(ids))
	for start := 0; start < len(ids); start += keyChunk {
		var rows []Person
		if err := s.q(ctx).Select("id, name").Where("id IN ?", ids[start:min(start+keyChunk, len(ids))]).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("store: person names: %w", err)
		}
		for _, p := range rows {
			out[p.ID] = p.Name
		}
	}
	return out, nil
}

// NewAlertKeys returns the keys that have no Alert row yet, so a daily scan opens transactions only for
// recipients with something new to say.
func (s *Store) NewAlertKeys(ctx context.Context, keys []string) (map[string]bool, error) {
	seen, err := existingKeys[Alert](s, ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(keys))
	for _, k := range keys {
		if !seen[k] {
			out[k] = true
		}
	}
	return out, nil
}
