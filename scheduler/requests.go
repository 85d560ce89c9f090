package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

// RequestDeadlines reminds about household requests past their deadline: not accepted after the
// acknowledgement deadline, or not resolved after the resolution deadline. The assignee (or the paired
// cadre) is reminded first; a day later the unit's coordinators. Each (request, stage, level) message has
// its own outbox key, so it is sent once however often the job runs.
type RequestDeadlines struct {
	Store Store
	Clock clock.Clock
	Spec  string
	// CoordinatorAfter is how long past the deadline the coordinators are told (default 24h).
	CoordinatorAfter time.Duration
}

func (j *RequestDeadlines) Name() string     { return "request-deadlines" }
func (j *RequestDeadlines) Schedule() string { return j.Spec }

// Run checks the open requests at the slot time.
func (j *RequestDeadlines) Run(ctx context.Context, at time.Time) (Result, error) {
	res := Result{}
	at = laterOf(j.Clock.Now(), at) // judged when it runs: a caught-up run sees requests handled meanwhile
	late, err := j.Store.LateRequests(ctx, at)
	if err != nil || len(late) == 0 {
		return res, err
	}
	chart, err := j.Store.LoadOrgChart(ctx)
	if err != nil {
		return res, err
	}
	after := j.CoordinatorAfter
	if after <= 0 {
		after = 24 * time.Hour
	}
	for _, r := range late {
		stage, due := "resolve", r.DueAt
		if r.Status == domain.StatusNew && r.AckDueAt.Before(at) {
			stage, due = "ack", r.AckDueAt
		}
		res["late_"+stage]++
		assignee, unit, err := j.owner(ctx, r)
		if err != nil {
			return res, err
		}
		if assignee != 0 {
			if err := j.notify(ctx, r, stage, due, "assignee", assignee, false, res); err != nil {
				return res, err
			}
		}
		if at.Sub(due) >= after || assignee == 0 {
			for _, c := range chart.CoordinatorsFor(unit) {
				if err := j.notify(ctx, r, stage, due, "coordinator", c, true, res); err != nil {
					return res, err
				}
			}
		}
	}
	return res, nil
}

// owner is the request's assignee, else its pairing's cadre, and the unit whose coordinators supervise it.
func (j *RequestDeadlines) owner(ctx context.Context, r store.Request) (domain.PersonID, *domain.UnitID, error) {
	var who domain.PersonID
	if r.AssigneeID != nil {
		who = *r.AssigneeID
	} else if r.PairingID != nil {
		p, err := j.Store.PairingByID(ctx, *r.PairingID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return 0, nil, err
		}
		who = p.CadreID
	}
	unit := r.UnitID
	if unit == nil && who != 0 {
		p, err := j.Store.PersonByID(ctx, who)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return 0, nil, err
		}
		unit = p.UnitID
	}
	return who, unit, nil
}

func (j *RequestDeadlines) notify(ctx context.Context, r store.Request, stage string, due time.Time, level string,
	to domain.PersonID, coordinator bool, res Result) error {
	return j.Store.Tx(ctx, func(tx *store.Store) error {
		var w writer = tx
		now := j.Clock.Now()
		out, err := w.EnqueueOutbox(ctx, store.OutboxMessage{Key: fmt.Sprintf("request:%d:%s:%s:%d", r.ID, stage, level, to),
			PersonID: ptr(to), Priority: store.PriorityAlert, CreatedAt: now,
			Text: textRequestLate(stage, int64(r.ID), string(r.Category), due.In(clock.Shanghai), coordinator)})
		if err == nil && out.CreatedAt.Equal(now.In(out.CreatedAt.Location())) {
			res["messages_"+level]++
		}
		return err
	})
}
