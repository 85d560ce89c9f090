package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Coordinator writes: relay of pairings, leave and bind codes issued in chat. Each runs in one
// transaction with its audit rows and notifications.

// Audit actions of the coordinator commands.
const (
	ActRelay    = "relay"
	ActLeave    = "leave"
	ActBindCode = "bindcode"
)

// RelayReason is Pairing.EndReason of a pairing handed over to another cadre (接力帮扶).
const RelayReason = "接力"

// ErrNothingToRelay means the old cadre has no active pairing.
var ErrNothingToRelay = errors.New("store: no active pairing to relay")

// Relay is a hand-over of all active pairings of one cadre to another.
type Relay struct {
	From, To PersonID
	Actor    PersonID
	At       time.Time // the old pairings end and the new ones start on this day
}

// RelayMove is one pairing moved: Old is ended, New continues the household with the new cadre;
// New is nil when the new cadre already had a pairing with that household.
type RelayMove struct {
	Old PairingID
	New *Pairing
}

// RelayPairings ends every pairing of r.From active at r.At with reason 接力 and starts one for
// r.To with RelayedFromID set, keeping history; notes gets the moves and returns the
// notifications to enqueue, all in the same transaction.
func (s *Store) RelayPairings(ctx context.Context, r Relay, notes func([]RelayMove) []OutboxMessage) ([]RelayMove, error) {
	if r.From == r.To {
		return nil, fmt.Errorf("store: relay to the same cadre %d", r.From)
	}
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
	day := s.orgDay(r.At)
	res := s.q(ctx).Model(&Pairing{}).Where("id = ? AND end_on IS NULL", old.ID).
		Updates(map[string]any{"end_on": day, "end_reason": RelayReason, "updated_at": r.At.In(s.loc)})
	if res.Error != nil {
		return RelayMove{}, fmt.Errorf("store: end pairing %d: %w", old.ID, res.Error)
	}
	m := RelayMove{Old: old.ID}
	if err := s.Audit(ctx, AuditEntry{Actor: r.Actor, Action: ActRelay, Entity: "pairing", EntityID: int64(old.ID),
		Detail: fmt.Sprintf("ended: relay to cadre %d", r.To), At: r.At}); err != nil {
		return m, err
	}
	var already int64
	err := s.q(ctx).Model(&Pairing{}).Where("cadre_id = ? AND household_id = ? AND (end_on IS NULL OR end_on > ?)", r.To, old.HouseholdID, day).
		Count(&already).Error
	if err != nil || already > 0 {
		return m, err
	}
	from := old.ID
	np := Pairing{Code: fmt.Sprintf("relay-%d", old.ID), CadreID: r.To, HouseholdID: old.HouseholdID, ProgramID: old.ProgramID,
		StartOn: day, RelayedFromID: &from, CreatedAt: r.At.In(s.loc), UpdatedAt: r.At.In(s.loc)}
	if err := s.q(ctx).Create(&np).Error; err != nil {
		return m, fmt.Errorf("store: relay pairing %d: %w", old.ID, err)
	}
	m.New = &np
	return m, s.Audit(ctx, AuditEntry{Actor: r.Actor, Action: ActRelay, Entity: "pairing", EntityID: int64(np.ID),
		Detail: fmt.Sprintf("started: relayed from pairing %d of cadre %d", old.ID, r.From), At: r.At})
}

// AddLeaveBy records leave entered by a coordinator, with its audit row, in one transaction.
func (s *Store) AddLeaveBy(ctx context.Context, l Leave, actor PersonID, at time.Time) (Leave, error) {
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

// IssueBindCode makes a one-time bind code for person on a coordinator's request, with its audit
// row (the code itself is not logged).
func (s *Store) IssueBindCode(ctx context.Context, person, actor PersonID, now time.Time, ttl time.Duration) (BindCode, error) {
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
func (s *Store) IsUnitHead(ctx context.Context, person PersonID) (bool, error) {
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
