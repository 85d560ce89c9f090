package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"qinqi/internal/domain"
)

// Coordinator writes: relay of pairings, leave and bind codes issued in chat. Each runs in one
// transaction with its audit rows and notifications.

// Audit actions of the coordinator commands.
const (
	ActRelay    = "relay"
	ActLeave    = "leave"
	ActLeaveEnd = "leave_end"
	ActBindCode = "bindcode"
)

// RelayReason is Pairing.EndReason of a pairing handed over to another cadre (接力帮扶).
const RelayReason = "接力"

// ErrNothingToRelay means the old cadre has no active pairing.
var ErrNothingToRelay = errors.New("store: no active pairing to relay")

// Relay is a hand-over of all active pairings of one cadre to another.
type Relay struct {
	From, To domain.PersonID
	Actor    domain.PersonID
	At       time.Time // the relay's moment: the old pairings end and the new ones start at it
}

// RelayMove is one pairing moved: Old is ended, New continues the household with the new cadre.
// New is nil when the new cadre already had a pairing with that household (Already, which then
// takes the household's open requests). Members are the household's people, to be told.
type RelayMove struct {
	Old       domain.PairingID
	Household domain.HouseholdID
	New       *Pairing
	Already   *Pairing
	Members   []domain.PersonID
	Requests  int // open requests moved to the new cadre
}

// RelayPairings ends every pairing of r.From active at r.At with reason 接力 and starts one for
// r.To with RelayedFromID set, keeping history; notes gets the moves and returns the
// notifications to enqueue, all in the same transaction.
//
// The old pairing ends at the relay's moment and the new one starts at it (to the second, the
// stored precision), so the household has exactly one cadre at every instant. A pairing relayed on
// in the very second it began (A→B→C at once) is handed over in place: it becomes C's, still
// continuing A's, and no pairing of no length is left behind. A household the new cadre already
// has is not paired twice: its old pairing ends and its open requests go to the existing pairing.
func (s *Store) RelayPairings(ctx context.Context, r Relay, notes func([]RelayMove) []OutboxMessage) ([]RelayMove, error) {
	if r.From == r.To {
		return nil, fmt.Errorf("store: relay to the same cadre %d", r.From)
	}
	r.At = r.At.In(s.loc).Truncate(time.Second)
	var moves []RelayMove
	err := s.Tx(ctx, func(tx *Store) error {
		olds, err := tx.ActivePairingsOfCadre(ctx, r.From, r.At)
		if err != nil {
			return err
		}
		if len(olds) == 0 {
			return ErrNothingToRelay
		}
		moves = moves[:0]
		for _, old := range olds {
			m, err := tx.relayOne(ctx, old, r)
			if err != nil {
				return err
			}
			moves = append(moves, m)
		}
		if notes != nil {
			return tx.enqueueAll(ctx, notes(moves))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return moves, nil
}

func (s *Store) relayOne(ctx context.Context, old Pairing, r Relay) (RelayMove, error) {
	m := RelayMove{Old: old.ID, Household: old.HouseholdID}
	if err := s.q(ctx).Model(&Person{}).Where("household_id = ?", old.HouseholdID).Order("id").Pluck("id", &m.Members).Error; err != nil {
		return m, fmt.Errorf("store: people of household %d: %w", old.HouseholdID, err)
	}
	var already []Pairing
	err := s.q(ctx).Where("cadre_id = ? AND household_id = ? AND (end_on IS NULL OR end_on > ?)", r.To, old.HouseholdID, r.At).
		Order("start_on, id").Limit(1).Find(&already).Error
	if err != nil {
		return m, fmt.Errorf("store: pairing of new cadre: %w", err)
	}
	if len(already) == 0 && !old.StartOn.Before(r.At) {
		return s.relayInPlace(ctx, old, r, m)
	}
	if err := s.endRelayed(ctx, old, r); err != nil {
		return m, err
	}
	if len(already) > 0 {
		m.Already = &already[0]
		return s.moveRequests(ctx, old, already[0].ID, r, m)
	}
	from := old.ID
	np := Pairing{Code: fmt.Sprintf("relay-%d", old.ID), CadreID: r.To, HouseholdID: old.HouseholdID, ProgramID: old.ProgramID,
		StartOn: r.At, RelayedFromID: &from, CreatedAt: r.At, UpdatedAt: r.At}
	if err := s.q(ctx).Create(&np).Error; err != nil {
		return m, fmt.Errorf("store: relay pairing %d: %w", old.ID, err)
	}
	m.New = &np
	if err := s.Audit(ctx, AuditEntry{Actor: r.Actor, Action: ActRelay, Entity: "pairing", EntityID: int64(np.ID),
		Detail: fmt.Sprintf("started: relayed from pairing %d of cadre %d", old.ID, r.From), At: r.At}); err != nil {
		return m, err
	}
	return s.moveRequests(ctx, old, np.ID, r, m)
}

func (s *Store) endRelayed(ctx context.Context, old Pairing, r Relay) error {
	res := s.q(ctx).Model(&Pairing{}).Where("id = ? AND (end_on IS NULL OR end_on > ?)", old.ID, r.At).
		Updates(map[string]any{"end_on": r.At, "end_reason": RelayReason, "updated_at": r.At})
	if res.Error != nil {
		return fmt.Errorf("store: end pairing %d: %w", old.ID, res.Error)
	}
	return s.Audit(ctx, AuditEntry{Actor: r.Actor, Action: ActRelay, Entity: "pairing", EntityID: int64(old.ID),
		Detail: fmt.Sprintf("ended: relay to cadre %d", r.To), At: r.At})
}

// relayInPlace hands over a pairing that began at the relay's very moment: it changes cadre.
func (s *Store) relayInPlace(ctx context.Context, old Pairing, r Relay, m RelayMove) (RelayMove, error) {
	res := s.q(ctx).Model(&Pairing{}).Where("id = ?", old.ID).Updates(map[string]any{"cadre_id": r.To, "updated_at": r.At})
	if res.Error != nil {
		return m, fmt.Errorf("store: hand over pairing %d: %w", old.ID, res.Error)
	}
	np := old
	np.CadreID = r.To
	m.New = &np
	if err := s.Audit(ctx, AuditEntry{Actor: r.Actor, Action: ActRelay, Entity: "pairing", EntityID: int64(old.ID),
		Detail: fmt.Sprintf("handed over at once: cadre %d to cadre %d", r.From, r.To), At: r.At}); err != nil {
		return m, err
	}
	return s.moveRequests(ctx, old, old.ID, r, m)
}

// moveRequests gives the household's open requests held by the old cadre (or filed on the old
// pairing and held by nobody) to the new cadre and pairing; one passed on to someone else stays.
func (s *Store) moveRequests(ctx context.Context, old Pairing, to domain.PairingID, r Relay, m RelayMove) (RelayMove, error) {
	res := s.q(ctx).Model(&Request{}).
		Where("household_id = ? AND status NOT IN ? AND (assignee_id = ? OR assignee_id IS NULL AND pairing_id = ?)", old.HouseholdID, domain.ClosedStatuses, r.From, old.ID).
		Updates(map[string]any{"pairing_id": to, "assignee_id": r.To, "updated_at": r.At})
	if res.Error != nil {
		return m, fmt.Errorf("store: move requests of pairing %d: %w", old.ID, res.Error)
	}
	m.Requests = int(res.RowsAffected)
	return m, nil
}

// AddLeaveBy records leave entered by a coordinator, with its audit row, in one transaction.
func (s *Store) AddLeaveBy(ctx context.Context, l Leave, actor domain.PersonID, at time.Time) (Leave, error) {
	err := s.Tx(ctx, func(tx *Store) error {
		var err error
		if l, err = tx.AddLeave(ctx, l); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{Actor: actor, Action: ActLeave, Entity: "leave", EntityID: l.ID,
			Detail: fmt.Sprintf("person %d %s..%s", l.PersonID, l.FromOn.Format(time.DateOnly), l.ToOn.Format(time.DateOnly)), At: at})
	})
	return l, err
}

// EndLeaveBy ends a cadre's leave early (销假): the leaves that cover day end the day before, one that
// starts on day is removed, later ones stay; with its audit row. It returns how many leaves it
// changed (0: the person was not on leave that day).
func (s *Store) EndLeaveBy(ctx context.Context, person domain.PersonID, day time.Time, actor domain.PersonID, at time.Time) (int, error) {
	d := s.orgDay(day)
	n := 0
	err := s.Tx(ctx, func(tx *Store) error {
		var covering []Leave
		if err := tx.q(ctx).Where("person_id = ? AND from_on <= ? AND to_on >= ?", person, d, d).Find(&covering).Error; err != nil {
			return fmt.Errorf("store: leaves to end: %w", err)
		}
		for _, l := range covering {
			var err error
			if tx.orgDay(l.FromOn).Equal(d) {
				err = tx.q(ctx).Delete(&Leave{}, l.ID).Error
			} else {
				err = tx.q(ctx).Model(&Leave{}).Where("id = ?", l.ID).Update("to_on", d.AddDate(0, 0, -1)).Error
			}
			if err != nil {
				return fmt.Errorf("store: end leave: %w", err)
			}
			n++
			if err := tx.Audit(ctx, AuditEntry{Actor: actor, Action: ActLeaveEnd, Entity: "leave", EntityID: l.ID,
				Detail: fmt.Sprintf("person %d back on %s", person, d.Format(time.DateOnly)), At: at}); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// IssueBindCode makes a one-time bind code for person on a coordinator's request, with its audit
// row (the code itself is not logged).
func (s *Store) IssueBindCode(ctx context.Context, person, actor domain.PersonID, now time.Time, ttl time.Duration) (BindCode, error) {
	var bc BindCode
	err := s.Tx(ctx, func(tx *Store) error {
		var err error
		if bc, err = tx.NewBindCode(ctx, person, now, ttl); err != nil {
			return err
		}
		return tx.Audit(ctx, AuditEntry{Actor: actor, Action: ActBindCode, Entity: "person", EntityID: int64(person),
			Detail: "bind code issued, expires " + bc.ExpiresAt.Format("2006-01-02 15:04"), At: now})
	})
	return bc, err
}

// IsUnitHead reports whether the person is the head (一把手) of any unit, by the resolved HeadID or,
// before that is resolved, by the person code the units sheet named.
func (s *Store) IsUnitHead(ctx context.Context, person domain.PersonID) (bool, error) {
	p, err := s.PersonByID(ctx, person)
	if err != nil {
		return false, err
	}
	var n int64
	if err := s.q(ctx).Model(&Unit{}).Where("head_id = ? OR head_code = ?", person, p.Code).Count(&n).Error; err != nil {
		return false, fmt.Errorf("store: is unit head: %w", err)
	}
	return n > 0, nil
}
