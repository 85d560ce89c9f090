package store

import (
	"context"
	"fmt"
	"time"

	"qinqi/internal/domain"
)

// Audit actions of chat identities.
const (
	ActBind   = "bind"
	ActUnbind = "unbind"
)

// Kinds of identity change people are told about.
const (
	// ChangeBound: Person was bound to New. Old is the key of theirs on the same bot account that
	// the bind replaced (zero if none); Others are their identities on other accounts and channels.
	ChangeBound = "bound"
	// ChangeTaken: Old, a key of Person's, was bound to By instead (By's code was used from it).
	ChangeTaken = "taken"
	// ChangeUnplaced: after the bot account logged in again, none of its friends could be tied to
	// Person for certain (no "qq-<code>" remark), so Old was unbound; Person must bind again. Told
	// on Others; a person with no others is in a ChangeUnplacedDigest instead.
	ChangeUnplaced = "unplaced"
	// ChangeUnplacedDigest: Person is a coordinator (or, for units without one, an admin) and
	// Unplaced are the people of their units whom one re-login of Old.Account left unbound and no
	// channel reaches: one message per coordinator and re-login, however many there are.
	ChangeUnplacedDigest = "unplaced_digest"
)

// IdentityChange is a bind or unbind that the people concerned must hear about: a takeover is
// noticed by its victim, not by an audit nobody reads.
type IdentityChange struct {
	Kind     string
	Ref      string // unique per change; notices use it as the prefix of their outbox keys
	Person   Person
	New      ChatIdentity   // ChangeBound
	Old      ChatIdentity   // the identity removed (ChangeBound: the one replaced, if any)
	By       Person         // ChangeTaken: who holds Old's key now
	Others   []ChatIdentity // Person's remaining identities elsewhere: where they can be told
	Unplaced []Person       // ChangeUnplacedDigest
	At       time.Time
}

// Notifier turns a change into the notices to send; the store queues them in the transaction of
// the change. Notices to Old and Others must be addressed by Account and ToKey, not PersonID: the
// person's preferred account may be the very one that was just taken over.
type Notifier func(IdentityChange) []OutboxMessage

// identitiesOf lists a person's chat identities.
func (s *Store) identitiesOf(ctx context.Context, person domain.PersonID) ([]ChatIdentity, error) {
	var rows []ChatIdentity
	if err := s.q(ctx).Where("person_id = ?", person).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: identities of person %d: %w", person, err)
	}
	return rows, nil
}

// withoutIDs drops the identities with the given row ids.
func withoutIDs(rows []ChatIdentity, ids ...int64) []ChatIdentity {
	out := rows[:0:0]
	for _, r := range rows {
		drop := false
		for _, id := range ids {
			drop = drop || r.ID == id
		}
		if !drop {
			out = append(out, r)
		}
	}
	return out
}

// unitOf is the unit responsible for a person: their own, for household members that of a cadre
// paired with the household; nil when there is none.
func (s *Store) unitOf(ctx context.Context, p Person, at time.Time) (*domain.UnitID, error) {
	if p.UnitID != nil || p.HouseholdID == nil {
		return p.UnitID, nil
	}
	ps, err := s.ActivePairingsOfHousehold(ctx, *p.HouseholdID, at)
	if err != nil {
		return nil, err
	}
	for _, pr := range ps {
		cadre, err := s.PersonByID(ctx, pr.CadreID)
		if err != nil {
			return nil, err
		}
		if cadre.UnitID != nil {
			return cadre.UnitID, nil
		}
	}
	return nil, nil
}

// issuers are who can give p a new bind code: the coordinators of p's unit (see OrgChart), else
// the admins; never p themselves.
func issuers(chart OrgChart, unit *domain.UnitID, p domain.PersonID) []domain.PersonID {
	var out []domain.PersonID
	for _, pick := range [][]domain.PersonID{chart.CoordinatorsFor(unit), chart.Admins} {
		for _, id := range pick {
			if id != p {
				out = append(out, id)
			}
		}
		if len(out) > 0 {
			break
		}
	}
	return out
}

// tell queues the notices of one change; nil notify queues nothing.
func (s *Store) tell(ctx context.Context, notify Notifier, c IdentityChange) error {
	if notify == nil {
		return nil
	}
	return s.enqueueAll(ctx, notify(c))
}

// IdentityAudit lists the bind and unbind rows of a person's chat identities, oldest first (the
// admin's answer to "who held my account when", and tests).
func (s *Store) IdentityAudit(ctx context.Context, person domain.PersonID) ([]AuditLog, error) {
	var rows []AuditLog
	err := s.q(ctx).Where("actor_id = ? AND entity = ? AND action IN ?", person, "chat_identity", []string{ActBind, ActUnbind}).
		Order("id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: identity audit of person %d: %w", person, err)
	}
	return rows, nil
}
