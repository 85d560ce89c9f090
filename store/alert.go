package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"qinqi/internal/domain"
)

// ExistingAlertKeys says which of keys are stored alerts (one read per 500 keys).
func (s *Store) ExistingAlertKeys(ctx context.Context, keys []string) (map[string]bool, error) {
	return existingKeys[Alert](s, ctx, keys)
}

// ErrAlertsRaced: InsertAlerts found a key that is stored already (a step raised by another run, or
// by an earlier spell of the same day), so a digest written with the rows may list a step raised
// before. The caller's transaction must roll back and write again, looking the keys up first.
var ErrAlertsRaced = errors.New("store: an alert's key is stored already")

// InsertAlerts writes alerts with their OutboxID when a digest carrying them was queued in the same
// transaction, in hand-written multi-row INSERTs (bulkRows rows each) sent past gorm: on the first day
// after an import the overdue scan writes one row per step, 200,000 in a million-pairing county, and
// gorm's reflection per row, then its building of each statement again, were most of the writer's
// CPU. A stored key keeps its row, and fewer rows written than given is ErrAlertsRaced: the step is
// raised once. The rows' IDs are not filled in.
func (s *Store) InsertAlerts(ctx context.Context, rows []Alert) error {
	per := s.bulkRows()
	for start := 0; start < len(rows); start += per {
		batch := rows[start:min(start+per, len(rows))]
		q, args := s.alertInsert(batch)
		res, err := s.exec(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("store: add alerts: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != int64(len(batch)) {
			return fmt.Errorf("%w (%d of %d rows new; %v)", ErrAlertsRaced, n, len(batch), err)
		}
	}
	return nil
}

// alertColumns are the columns InsertAlerts writes (an alert is inserted open).
var alertColumns = []string{"key", "level", "pairing_id", "campaign_id", "recipient_id", "reason", "overdue_since", "outbox_id", "created_at"}

// alertInsert is one multi-row INSERT that skips existing keys. Its values have the driver's own
// types (int64, not the named ID types or pointers), which the driver passes on without reflection.
func (s *Store) alertInsert(rows []Alert) (string, []any) {
	args := make([]any, 0, len(rows)*len(alertColumns))
	for _, r := range rows {
		args = append(args, r.Key, string(r.Level), int64(r.PairingID), nullID(r.CampaignID), int64(r.RecipientID), ClipAlertReason(r.Reason),
			r.OverdueSince.In(s.loc), nullID(r.OutboxID), r.CreatedAt.In(s.loc))
	}
	return s.skippingKeys(insertSQL("alerts", alertColumns, len(rows))), args
}

// nullID is an optional id as a statement's value: NULL or the int64.
func nullID[ID ~int64](id *ID) any {
	if id == nil {
		return nil
	}
	return int64(*id)
}

// ClipAlertReason is an alert's reason as stored (the column holds 255 characters), so a digest
// written from the planned alert reads as one written from the stored row.
func ClipAlertReason(reason string) string { return clipRunes(reason, 255) }

// LinkAlerts points each group of alerts at the digest message that carried it, in one UPDATE per
// 500 alerts (SetAlertOutbox for many digests at once).
func (s *Store) LinkAlerts(ctx context.Context, byOutbox map[domain.OutboxID][]domain.AlertID) error {
	return linkOutbox(s, ctx, "alerts", byOutbox)
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
	Units        map[domain.UnitID]Unit
	Coordinators map[domain.UnitID][]domain.PersonID // by the coordinator's own unit
	Admins       []domain.PersonID
}

// LoadOrgChart reads units, coordinators and admins.
func (s *Store) LoadOrgChart(ctx context.Context) (OrgChart, error) {
	c := OrgChart{Units: map[domain.UnitID]Unit{}, Coordinators: map[domain.UnitID][]domain.PersonID{}}
	var units []Unit
	if err := s.q(ctx).Find(&units).Error; err != nil {
		return c, fmt.Errorf("store: org chart units: %w", err)
	}
	for _, u := range units {
		c.Units[u.ID] = u
	}
	var people []Person
	err := s.q(ctx).Select("id, roles, unit_id").Where("roles LIKE ? OR roles LIKE ?", "%"+string(domain.RoleCoordinator)+"%", "%"+string(domain.RoleAdmin)+"%").
		Order("id").Find(&people).Error
	if err != nil {
		return c, fmt.Errorf("store: org chart coordinators: %w", err)
	}
	for _, p := range people {
		if p.Roles.Has(domain.RoleCoordinator) && p.UnitID != nil {
			c.Coordinators[*p.UnitID] = append(c.Coordinators[*p.UnitID], p.ID)
		}
		if p.Roles.Has(domain.RoleAdmin) {
			c.Admins = append(c.Admins, p.ID)
		}
	}
	return c, nil
}

// CoordinatorsFor returns the coordinators of the unit, or of its nearest ancestor that has some,
// falling back to the admins, so an alert always reaches someone.
func (c OrgChart) CoordinatorsFor(unit *domain.UnitID) []domain.PersonID {
	for u, hops := unit, 0; u != nil && hops < 64; hops++ {
		if ids := c.Coordinators[*u]; len(ids) > 0 {
			return ids
		}
		u = c.Units[*u].ParentID
	}
	return c.Admins
}

// HeadFor returns the head (一把手) of the unit or of its nearest ancestor that has one.
func (c OrgChart) HeadFor(unit *domain.UnitID) (domain.PersonID, bool) {
	for u, hops := unit, 0; u != nil && hops < 64; hops++ {
		if h := c.Units[*u].HeadID; h != nil {
			return *h, true
		}
		u = c.Units[*u].ParentID
	}
	return 0, false
}

// PersonNames returns the names of the given people (digests name cadres to their coordinators).
func (s *Store) PersonNames(ctx context.Context, ids []domain.PersonID) (map[domain.PersonID]string, error) {
	out := make(map[domain.PersonID]string, len(ids))
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

// OpenAlertsOf lists the open alerts (spell not yet over) of the given pairings, in id order.
func (s *Store) OpenAlertsOf(ctx context.Context, ids []domain.PairingID) ([]Alert, error) {
	var out []Alert
	for start := 0; start < len(ids); start += keyChunk {
		var rows []Alert
		err := s.q(ctx).Where("resolved_at IS NULL AND pairing_id IN ?", ids[start:min(start+keyChunk, len(ids))]).Order("id").Find(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("store: open alerts: %w", err)
		}
		out = append(out, rows...)
	}
	return out, nil
}

// OpenAlertPairings lists the pairings that have an open alert, ascending.
func (s *Store) OpenAlertPairings(ctx context.Context) ([]domain.PairingID, error) {
	var ids []domain.PairingID
	if err := s.q(ctx).Model(&Alert{}).Where("resolved_at IS NULL").Distinct("pairing_id").Order("pairing_id").Pluck("pairing_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("store: pairings with open alerts: %w", err)
	}
	return ids, nil
}

// ResolveAlerts closes alerts whose overdue spell ended at at.
func (s *Store) ResolveAlerts(ctx context.Context, ids []domain.AlertID, at time.Time) error {
	for start := 0; start < len(ids); start += keyChunk {
		err := s.q(ctx).Model(&Alert{}).Where("id IN ? AND resolved_at IS NULL", ids[start:min(start+keyChunk, len(ids))]).
			Update("resolved_at", at.In(s.loc)).Error
		if err != nil {
			return fmt.Errorf("store: resolve alerts: %w", err)
		}
	}
	return nil
}

// SheetImports returns when the county's sheets were first and last imported (zero times when never):
// the go-live guard of the overdue ladder counts from them.
func (s *Store) SheetImports(ctx context.Context) (first, last time.Time, err error) {
	var lo, hi any
	// Both read the (entity, at) index: MySQL for a LIKE prefix, SQLite (whose LIKE ignores case and
	// so any index) for a range, which MySQL's collation would order differently (";" before ":").
	q := s.q(ctx).Model(&AuditLog{}).Select("MIN(at), MAX(at)")
	if s.driver == DriverMySQL {
		q = q.Where("entity LIKE ?", "sheet:%")
	} else {
		q = q.Where("entity >= ? AND entity < ?", "sheet:", "sheet;")
	}
	err = q.Row().Scan(&lo, &hi)
	if err != nil {
		return first, last, fmt.Errorf("store: sheet imports: %w", err)
	}
	if lo == nil {
		return first, last, nil
	}
	if first, err = s.aggTime(lo); err != nil {
		return first, last, err
	}
	last, err = s.aggTime(hi)
	return first, last, err
}

// SpellEnd says who an ended overdue spell was about and whether its pairing is still active.
type SpellEnd struct {
	CadreName, HeadName string
	Active              bool
}

// SpellEnds describes the given pairings at at, for the notices that close overdue spells.
func (s *Store) SpellEnds(ctx context.Context, ids []domain.PairingID, at time.Time) (map[domain.PairingID]SpellEnd, error) {
	out := make(map[domain.PairingID]SpellEnd, len(ids))
	for start := 0; start < len(ids); start += keyChunk {
		var rows []struct {
			ID                  domain.PairingID
			CadreName, HeadName string
			StartOn             time.Time
			EndOn               *time.Time
		}
		err := s.q(ctx).Table("pairings AS pr").Select("pr.id, p.name AS cadre_name, h.head_name, pr.start_on, pr.end_on").
			Joins("JOIN people AS p ON p.id = pr.cadre_id").Joins("JOIN households AS h ON h.id = pr.household_id").
			Where("pr.id IN ?", ids[start:min(start+keyChunk, len(ids))]).Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("store: spell ends: %w", err)
		}
		for _, r := range rows {
			p := Pairing{StartOn: r.StartOn, EndOn: r.EndOn}
			out[r.ID] = SpellEnd{CadreName: r.CadreName, HeadName: r.HeadName, Active: p.Active(at)}
		}
	}
	return out, nil
}

// UnsentAlert is an open alert that no message has carried yet, with what its digest line shows.
type UnsentAlert struct {
	ID          domain.AlertID
	Level       domain.AlertLevel
	PairingID   domain.PairingID
	RecipientID domain.PersonID
	Reason      string
	CadreID     domain.PersonID // the pairing's cadre (a coordinator's line says when they are on leave)
	CadreName   string
	HeadName    string // the household head
}

// UnsentAlertsOf lists the open alerts of the given recipients that no message has carried (outbox_id
// NULL), in id order. The overdue scan writes a chunk's alerts as it plans them and sends them
// afterwards, recipient by recipient, so its memory does not grow with the overdue pairings; alerts a
// failed run wrote and did not send are found here by the next run.
func (s *Store) UnsentAlertsOf(ctx context.Context, to []domain.PersonID) ([]UnsentAlert, error) {
	var out []UnsentAlert
	for start := 0; start < len(to); start += keyChunk {
		var rows []UnsentAlert
		err := s.q(ctx).Table("alerts AS a").Select("a.id, a.level, a.pairing_id, a.recipient_id, a.reason, pr.cadre_id, p.name AS cadre_name, h.head_name").
			Joins("JOIN pairings AS pr ON pr.id = a.pairing_id").Joins("JOIN people AS p ON p.id = pr.cadre_id").
			Joins("JOIN households AS h ON h.id = pr.household_id").
			Where("a.recipient_id IN ? AND a.resolved_at IS NULL AND a.outbox_id IS NULL", to[start:min(start+keyChunk, len(to))]).
			Order("a.id").Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("store: unsent alerts: %w", err)
		}
		out = append(out, rows...)
	}
	return out, nil
}

// RecipientsWithPending returns those of the given people who have an open alert that no message
// carried yet, or an open alert past the cadre level (whose end they will be told of). The overdue scan
// writes a cadre's digest during the scan only for cadres without either: anything else they are owed
// is gathered after the scan, and a recipient gets one message a day.
func (s *Store) RecipientsWithPending(ctx context.Context, ids []domain.PersonID) (map[domain.PersonID]bool, error) {
	out := map[domain.PersonID]bool{}
	for start := 0; start < len(ids); start += keyChunk {
		rows, err := s.q(ctx).Raw("SELECT DISTINCT recipient_id FROM alerts WHERE recipient_id IN ("+sqlInts(ids[start:min(start+keyChunk, len(ids))])+
			") AND resolved_at IS NULL AND (outbox_id IS NULL OR level <> ?)", domain.AlertCadre).Rows()
		if err != nil {
			return nil, fmt.Errorf("store: recipients with pending alerts: %w", err)
		}
		err = scanEach(rows, func(sc func(...any) error) error {
			var id domain.PersonID
			if err := sc(&id); err != nil {
				return err
			}
			out[id] = true
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("store: recipients with pending alerts: %w", err)
		}
	}
	return out, nil
}

// scanEach calls row for each row with the row's Scan, then closes rows.
func scanEach(rows *sql.Rows, row func(scan func(...any) error) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := row(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// OutboxTextIs says whether the stored message m says text (as EnqueueOutbox stores it, clipped):
// a job that finds its digest's key taken by another run can tell whether that one lists the same.
func OutboxTextIs(m OutboxMessage, text string) bool { return m.Text == clipRunes(text, maxOutboxText) }

// AlertStep is the ladder step an open alert took, as the overdue scan needs it to leave the step out.
type AlertStep struct {
	PairingID   domain.PairingID
	Level       domain.AlertLevel
	RecipientID domain.PersonID
	Unsent      bool // no message carried it yet
}

// OpenStepsOf lists the steps of the open alerts of the given pairings, one read per 500 pairings
// scanned by hand: on a normal day the overdue scan reads every open alert this way (207,673 of them
// in the bench's million-pairing county), and gorm's reflection was most of that read's CPU.
func (s *Store) OpenStepsOf(ctx context.Context, ids []domain.PairingID) ([]AlertStep, error) {
	var out []AlertStep
	for start := 0; start < len(ids); start += keyChunk {
		rows, err := s.q(ctx).Raw("SELECT pairing_id, level, recipient_id, outbox_id IS NULL FROM alerts WHERE resolved_at IS NULL AND pairing_id IN (" +
			sqlInts(ids[start:min(start+keyChunk, len(ids))]) + ")").Rows()
		if err != nil {
			return nil, fmt.Errorf("store: open alert steps: %w", err)
		}
		err = scanEach(rows, func(sc func(...any) error) error {
			var st AlertStep
			if err := sc(&st.PairingID, &st.Level, &st.RecipientID, &st.Unsent); err != nil {
				return err
			}
			out = append(out, st)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("store: open alert steps: %w", err)
		}
	}
	return out, nil
}
