package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"qinqi/internal/domain"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ErrWrongState is returned by a request change that does not fit the request's status.
var ErrWrongState = errors.New("request is not in a state for this change")

// CreateRequest stores a household's request, its audit row and the notifications it causes in one
// transaction; notify sees the stored row (with its id). A SourceMsgID stored before returns that
// request with created=false and enqueues nothing.
func (s *Store) CreateRequest(ctx context.Context, r Request, notify func(Request) []OutboxMessage) (Request, bool, error) {
	r.Text, r.CreatedAt, r.UpdatedAt = clipRunes(r.Text, 2000), r.CreatedAt.In(s.loc), r.CreatedAt.In(s.loc)
	r.AckDueAt, r.DueAt = r.AckDueAt.In(s.loc), r.DueAt.In(s.loc)
	created := false
	err := s.Tx(ctx, func(tx *Store) error {
		if r.SourceMsgID != nil {
			old, err := one[Request](tx, ctx, "source_msg_id = ?", *r.SourceMsgID)
			if err == nil {
				r = old
				return nil
			}
			if !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		if err := tx.q(ctx).Create(&r).Error; err != nil {
			return fmt.Errorf("store: create request: %w", err)
		}
		created = true
		if err := tx.Audit(ctx, AuditEntry{Actor: r.PersonID, Action: ActCreate, Entity: "request", EntityID: int64(r.ID),
			Detail: fmt.Sprintf("kind=%s category=%s household=%d", r.Kind, r.Category, r.HouseholdID), At: r.CreatedAt}); err != nil {
			return err
		}
		if notify == nil {
			return nil
		}
		return tx.enqueueAll(ctx, notify(r))
	})
	return r, created, err
}

// RequestByID returns one request or ErrNotFound.
func (s *Store) RequestByID(ctx context.Context, id domain.RequestID) (Request, error) {
	return one[Request](s, ctx, "id = ?", id)
}

// ChangeRequest applies change to a request, then writes it, the audit row and the notifications
// in one transaction. change returns an error (ErrWrongState, say) to abort without writing.
func (s *Store) ChangeRequest(ctx context.Context, id domain.RequestID, actor domain.PersonID, action string, at time.Time,
	change func(*Request) error, notify func(Request) []OutboxMessage) (Request, error) {
	var r Request
	err := s.Tx(ctx, func(tx *Store) error {
		var err error
		if r, err = tx.RequestByID(ctx, id); err != nil {
			return err
		}
		if err := change(&r); err != nil {
			return err
		}
		r.UpdatedAt = at.In(s.loc)
		if err := tx.q(ctx).Save(&r).Error; err != nil {
			return fmt.Errorf("store: save request %d: %w", id, err)
		}
		if err := tx.Audit(ctx, AuditEntry{Actor: actor, Action: action, Entity: "request", EntityID: int64(id),
			Detail: "status=" + string(r.Status), At: at}); err != nil {
			return err
		}
		if notify == nil {
			return nil
		}
		return tx.enqueueAll(ctx, notify(r))
	})
	return r, err
}

// OpenRequests is the first page of a person's unresolved requests and how many there are by state.
type OpenRequests struct {
	Rows  []Request
	Count map[domain.RequestStatus]int
}

// OpenRequestsFor lists up to limit unresolved requests assigned to a person or belonging to any of
// units: those still waiting for someone to take them on (待受理, then 已转办) before those in hand
// (办理中), each oldest first, so a long list never hides the ones nobody has accepted.
func (s *Store) OpenRequestsFor(ctx context.Context, assignee domain.PersonID, units []domain.UnitID, limit int) (OpenRequests, error) {
	scope := func() *gorm.DB {
		q := s.q(ctx).Model(&Request{}).Where("status NOT IN ?", domain.ClosedStatuses)
		if len(units) > 0 {
			return q.Where("assignee_id = ? OR unit_id IN ?", assignee, units)
		}
		return q.Where("assignee_id = ?", assignee)
	}
	var counts []struct {
		Status domain.RequestStatus
		N      int
	}
	if err := scope().Select("status, COUNT(*) AS n").Group("status").Scan(&counts).Error; err != nil {
		return OpenRequests{}, fmt.Errorf("store: open requests by state: %w", err)
	}
	out := OpenRequests{Count: map[domain.RequestStatus]int{}}
	for _, c := range counts {
		out.Count[c.Status] = c.N
	}
	first := clause.OrderBy{Expression: clause.Expr{SQL: "CASE status WHEN ? THEN 0 WHEN ? THEN 1 ELSE 2 END, id",
		Vars: []any{domain.StatusNew, domain.StatusTransferred}, WithoutParentheses: true}}
	if err := scope().Order(first).Limit(limit).Find(&out.Rows).Error; err != nil {
		return OpenRequests{}, fmt.Errorf("store: open requests: %w", err)
	}
	return out, nil
}

// RequestsOfHousehold lists a household's requests, oldest first.
func (s *Store) RequestsOfHousehold(ctx context.Context, hh domain.HouseholdID) ([]Request, error) {
	var rows []Request
	if err := s.q(ctx).Where("household_id = ?", hh).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: requests of household %d: %w", hh, err)
	}
	return rows, nil
}

// LatestUnratedRequest returns the household's most recently resolved request without a rating,
// resolved at or after since; a bare "5" from the household rates it.
func (s *Store) LatestUnratedRequest(ctx context.Context, hh domain.HouseholdID, since time.Time) (Request, error) {
	var r Request
	err := s.q(ctx).Where("household_id = ? AND status = ? AND rating IS NULL AND resolved_at >= ?", hh, domain.StatusResolved, since.In(s.loc)).
		Order("resolved_at DESC, id DESC").Take(&r).Error
	if err != nil {
		return r, fmt.Errorf("store: unrated request of household %d: %w", hh, notFound(err))
	}
	return r, nil
}

// OpenRequestCounts counts each household's unresolved requests (absent: none).
func (s *Store) OpenRequestCounts(ctx context.Context, hhs []domain.HouseholdID) (map[domain.HouseholdID]int, error) {
	out := map[domain.HouseholdID]int{}
	if len(hhs) == 0 {
		return out, nil
	}
	var rows []struct {
		HouseholdID domain.HouseholdID
		N           int
	}
	err := s.q(ctx).Model(&Request{}).Select("household_id, COUNT(*) AS n").
		Where("household_id IN ? AND status NOT IN ?", hhs, domain.ClosedStatuses).Group("household_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: open requests of households: %w", err)
	}
	for _, r := range rows {
		out[r.HouseholdID] = r.N
	}
	return out, nil
}
