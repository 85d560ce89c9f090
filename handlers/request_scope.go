package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"qinqi/internal/domain"
	"qinqi/store"
)

// requestArg reads "12 结果…" or "#12 结果…" into a request id and the rest.
func requestArg(args string) (domain.RequestID, string, bool) {
	args = strings.TrimLeft(strings.TrimSpace(args), "#号")
	i := 0
	for i < len(args) && args[i] >= '0' && args[i] <= '9' {
		i++
	}
	if i == 0 || i > 12 {
		return 0, "", false
	}
	n, err := strconv.ParseInt(args[:i], 10, 64)
	if err != nil || n <= 0 {
		return 0, "", false
	}
	return domain.RequestID(n), trimSeps(strings.TrimSpace(args[i:])), true
}

// myUnits is the caller's unit and its sub-units when they coordinate, else nothing.
func (r *Router) myUnits(ctx context.Context, c *Caller) ([]domain.UnitID, error) {
	if !(c.Is(domain.RoleCoordinator) || c.Is(domain.RoleAdmin)) || c.Person.UnitID == nil {
		return nil, nil
	}
	return r.store.UnitSubtree(ctx, *c.Person.UnitID)
}

// requestInScope loads the numbered request and checks the caller may act on it: the assignee,
// or a coordinator of the request's unit (or a parent unit). Complaints are for coordinators only.
func (r *Router) requestInScope(ctx context.Context, c *Caller) (store.Request, string, error) {
	id, rest, ok := requestArg(c.Args)
	if !ok {
		return store.Request{}, "", refuse(replyNeedNumber)
	}
	req, err := r.store.RequestByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return req, "", refuse(replyNoSuchRequest)
	}
	if err != nil {
		return req, "", fmt.Errorf("load request: %w", err)
	}
	units, err := r.myUnits(ctx, c)
	if err != nil {
		return req, "", fmt.Errorf("units of coordinator: %w", err)
	}
	inUnits := false
	for _, u := range units {
		inUnits = inUnits || (req.UnitID != nil && *req.UnitID == u)
	}
	mine := req.AssigneeID != nil && *req.AssigneeID == c.ID()
	if !inUnits && (!mine || (req.Kind == domain.ReqComplaint && !c.Is(domain.RoleCoordinator))) {
		return req, "", refuse(replyNotYourRequest)
	}
	return req, rest, nil
}
