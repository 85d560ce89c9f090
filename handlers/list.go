package handlers

import (
	"context"
	"errors"
	"fmt"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/policy"
	"qinqi/store"
)

// list shows the cadre's households, numbered in the order reports refer to them, with the last
// contact and what the frequency rules still ask for this period. A name that appears twice is
// shown with its address, so the two lines can be told apart.
func (r *Router) list(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	now := r.now()
	hhs, err := r.store.HouseholdsOfCadre(ctx, c.ID(), now)
	if err != nil {
		return nil, fmt.Errorf("households of cadre: %w", err)
	}
	if len(hhs) == 0 {
		return say(replyNoHH), nil
	}
	ids := make([]domain.PairingID, len(hhs))
	for i, h := range hhs {
		ids[i] = h.Pairing.ID
	}
	since := r.policy.Lookback(now)
	recent, err := r.store.CheckInsOfPairingsSince(ctx, ids, since)
	if err != nil {
		return nil, fmt.Errorf("recent check-ins: %w", err)
	}
	earlier, err := r.store.LatestCheckInsBefore(ctx, ids, since)
	if err != nil {
		return nil, fmt.Errorf("earlier check-ins: %w", err)
	}
	last, err := r.store.LastCheckInAt(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("last check-ins: %w", err)
	}
	open, err := r.store.OpenRequestCounts(ctx, householdIDs(hhs))
	if err != nil {
		return nil, fmt.Errorf("open requests: %w", err)
	}
	byPairing := map[domain.PairingID][]policy.CheckIn{}
	for _, ci := range append(recent, earlier...) {
		byPairing[ci.PairingID] = append(byPairing[ci.PairingID], policy.CheckIn{Kind: ci.Kind, At: ci.OccurredAt})
	}
	lines := make([]string, len(hhs))
	names := map[string]int{}
	for _, h := range hhs {
		names[h.Household.HeadName]++
	}
	for i, h := range hhs {
		pp, err := r.policyPairing(ctx, h)
		if err != nil {
			return nil, err
		}
		st := r.policy.Evaluate(pp, byPairing[h.Pairing.ID], now)
		name := h.Household.HeadName
		if names[name] > 1 { // two 周勇 in one list: the address (or code) tells them apart
			name = householdLabel(h.Household)
		}
		lines[i] = listLine(i+1, name, last[h.Pairing.ID], clock.Day(now), st.Summary(now)) + listRequests(open[h.Household.ID])
	}
	return say(replyList(lines)), nil
}

func householdIDs(hhs []store.PairedHousehold) []domain.HouseholdID {
	out := make([]domain.HouseholdID, len(hhs))
	for i, h := range hhs {
		out[i] = h.Household.ID
	}
	return out
}

// policyPairing is the pairing as the frequency rules see it; a programme that no longer exists
// counts as none.
func (r *Router) policyPairing(ctx context.Context, h store.PairedHousehold) (policy.Pairing, error) {
	p := policy.Pairing{Tags: h.Household.Tags, Start: h.Since}
	if h.Pairing.ProgramID != nil {
		prog, err := r.store.ProgramByID(ctx, *h.Pairing.ProgramID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return p, fmt.Errorf("programme of pairing: %w", err)
		}
		p.Program = prog.Code
	}
	return p, nil
}
