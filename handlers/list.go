package handlers

import (
	"context"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/internal/policy"
	"qinqi/store"
)

// list shows the cadre's households, numbered in the order reports refer to them, with the last
// contact and what the frequency rules still ask for this period.
func (r *Router) list(ctx context.Context, c *Caller) []bot.Reply {
	now := r.now()
	hhs, err := r.store.HouseholdsOfCadre(ctx, c.ID(), now)
	if err != nil {
		return r.fail(ctx, "households of cadre", err)
	}
	if len(hhs) == 0 {
		return say(replyNoHH)
	}
	ids := make([]store.PairingID, len(hhs))
	for i, h := range hhs {
		ids[i] = h.Pairing.ID
	}
	since := r.policy.Lookback(now)
	recent, err := r.store.CheckInsOfPairingsSince(ctx, ids, since)
	if err != nil {
		return r.fail(ctx, "recent check-ins", err)
	}
	earlier, err := r.store.LatestCheckInsBefore(ctx, ids, since)
	if err != nil {
		return r.fail(ctx, "earlier check-ins", err)
	}
	last, err := r.store.LastCheckInAt(ctx, ids)
	if err != nil {
		return r.fail(ctx, "last check-ins", err)
	}
	byPairing := map[store.PairingID][]policy.CheckIn{}
	for _, ci := range append(recent, earlier...) {
		byPairing[ci.PairingID] = append(byPairing[ci.PairingID], policy.CheckIn{Kind: ci.Kind, At: ci.OccurredAt})
	}
	lines := make([]string, len(hhs))
	for i, h := range hhs {
		st := r.policy.Evaluate(r.policyPairing(ctx, h), byPairing[h.Pairing.ID], now)
		lines[i] = listLine(i+1, h.Household.HeadName, last[h.Pairing.ID], clock.Day(now), st.Summary(now))
	}
	return say(replyList(lines))
}

func (r *Router) policyPairing(ctx context.Context, h store.PairedHousehold) policy.Pairing {
	p := policy.Pairing{Tags: h.Household.Tags, Start: h.Pairing.StartOn}
	if h.Pairing.ProgramID != nil {
		if prog, err := r.store.ProgramByID(ctx, *h.Pairing.ProgramID); err == nil {
			p.Program = prog.Code
		}
	}
	return p
}
