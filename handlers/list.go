package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/policy"
	"qinqi/store"
)

// listAsks are the ways a cadre asks for their households, which 我的亲戚 answers with what each
// still needs this month: "我有几户", "哪些户还没去", "这个月还要去哪几家".
var listAsks = []string{"几户", "哪些户", "哪几户", "哪几家", "哪些家", "还没去", "还要去", "还没走访", "没走访", "还没联系"}

// asksList: one of listAsks asked as a question; "下周还要去" or "走访了王春发等几户" in a report is
// not one.
func asksList(text string) bool {
	question := strings.Contains(text, "哪") || strings.ContainsAny(text, "？?吗呢") ||
		prefixOf(text, []string{"我有几", "还有几", "有几", "谁", "还有谁", "有谁"}) != ""
	return question && containsAnyOf(text, listAsks)
}

// list shows the cadre's households, numbered in the order reports refer to them, with the last
// contact and what the frequency rules still ask for this period.
func (r *Router) list(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	lines, err := r.householdLines(ctx, c.ID())
	if err != nil {
		return nil, err
	}
	if len(lines) == 0 {
		return say(replyNoHH), nil
	}
	return say(replyList(lines)), nil
}

// householdLines are a cadre's households as 我的亲戚 shows them, one line each, none when the cadre
// has none. A name that appears twice is shown with its address, so the two lines can be told apart.
func (r *Router) householdLines(ctx context.Context, cadre domain.PersonID) ([]string, error) {
	now := r.now()
	hhs, err := r.store.HouseholdsOfCadre(ctx, cadre, now)
	if err != nil {
		return nil, fmt.Errorf("households of cadre: %w", err)
	}
	if len(hhs) == 0 {
		return nil, nil
	}
	ids := make([]domain.PairingID, len(hhs))
	for i, h := range hhs {
		ids[i] = h.Pairing.ID
	}
	byPairing, last, err := r.contactsOf(ctx, ids, now)
	if err != nil {
		return nil, err
	}
	open, err := r.store.OpenRequestCounts(ctx, householdIDs(hhs))
	if err != nil {
		return nil, fmt.Errorf("open requests: %w", err)
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
	return lines, nil
}

// contactsOf reads the pairings' check-ins the frequency rules look at, in their form, and the last
// check-in of each.
func (r *Router) contactsOf(ctx context.Context, ids []domain.PairingID, now time.Time) (map[domain.PairingID][]policy.CheckIn, map[domain.PairingID]time.Time, error) {
	since := r.policy.Lookback(now)
	recent, err := r.store.CheckInsOfPairingsSince(ctx, ids, since)
	if err != nil {
		return nil, nil, fmt.Errorf("recent check-ins: %w", err)
	}
	earlier, err := r.store.LatestCheckInsBefore(ctx, ids, since)
	if err != nil {
		return nil, nil, fmt.Errorf("earlier check-ins: %w", err)
	}
	last, err := r.store.LastCheckInAt(ctx, ids)
	if err != nil {
		return nil, nil, fmt.Errorf("last check-ins: %w", err)
	}
	byPairing := map[domain.PairingID][]policy.CheckIn{}
	for _, ci := range append(recent, earlier...) {
		byPairing[ci.PairingID] = append(byPairing[ci.PairingID], policy.CheckIn{Kind: ci.Kind, At: ci.OccurredAt})
	}
	return byPairing, last, nil
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
