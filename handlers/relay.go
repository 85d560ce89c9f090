package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"qinqi/bot"
	"qinqi/internal/domain"
	"qinqi/store"
)

// parseRelayArgs reads 接力 <旧干部> <新干部>: two person codes or names ("→" and "给" allowed
// between them).
func parseRelayArgs(args string) (from, to string, ok bool) {
	args = strings.NewReplacer("→", " ", "->", " ", "＞", " ", ">", " ").Replace(args)
	f := strings.Fields(args)
	if len(f) == 3 && (f[1] == "给" || f[1] == "到" || f[1] == "交给") {
		f = []string{f[0], f[2]}
	}
	if len(f) != 2 || f[0] == f[1] {
		return "", "", false
	}
	return f[0], f[1], true
}

// relay hands every active pairing of one cadre to another (接力帮扶): the old pairings end with
// reason 接力, new ones start with the history linked, and both cadres are told — all in one
// transaction. Both cadres must belong to the caller's units.
func (r *Router) relay(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	fromRef, toRef, ok := parseRelayArgs(c.Args)
	if !ok {
		return nil, refuse(replyRelayUsage)
	}
	sc, err := r.scopeOf(ctx, c)
	if err != nil {
		return nil, err
	}
	from, err := r.cadreIn(ctx, sc, fromRef)
	if err != nil {
		return nil, err
	}
	to, err := r.cadreIn(ctx, sc, toRef)
	if err != nil {
		return nil, err
	}
	return r.doRelay(ctx, c, from, to)
}

func (r *Router) doRelay(ctx context.Context, c *Caller, from, to store.Person) ([]bot.Reply, error) {
	if from.ID == to.ID {
		return nil, refuse(replyRelayUsage)
	}
	card, err := r.cadreCard(ctx, to.ID)
	if err != nil {
		return nil, err
	}
	now := r.now()
	var moved, kept []string
	_, err = r.extra.Coord.RelayPairings(ctx, store.Relay{From: from.ID, To: to.ID, Actor: c.ID(), At: now},
		func(ms []store.RelayMove) []store.OutboxMessage {
			moved, kept = r.relayNames(ctx, ms)
			key := fmt.Sprintf("relay:%d:%d", c.In.InboxID, from.ID)
			fromID, toID := from.ID, to.ID
			notes := []store.OutboxMessage{
				{Key: key + ":old", PersonID: &fromID, Text: replyRelayToOld(to.Name, len(ms)), CreatedAt: now, Priority: store.PriorityAlert},
				{Key: key + ":new", PersonID: &toID, Text: replyRelayToNew(from.Name, moved, kept, relayedRequests(ms)), CreatedAt: now, Priority: store.PriorityAlert},
			}
			return append(notes, relayHouseholdNotes(key, ms, card, now)...)
		})
	if errors.Is(err, store.ErrNothingToRelay) {
		return nil, refuse(replyRelayNothing(from.Name))
	}
	if err != nil {
		return nil, fmt.Errorf("relay: %w", err)
	}
	return say(replyRelayDone(from.Name, to.Name, moved, kept)), nil
}

// relayHouseholdNotes tells each household's people who their new cadre is, with the card.
func relayHouseholdNotes(key string, ms []store.RelayMove, card string, now time.Time) []store.OutboxMessage {
	var out []store.OutboxMessage
	for _, m := range ms {
		text := replyRelayToHousehold(card)
		if m.Already != nil {
			text = replyRelayToHouseholdKept(card)
		}
		for _, p := range m.Members {
			id := p
			out = append(out, store.OutboxMessage{Key: fmt.Sprintf("%s:hh:%d", key, id), PersonID: &id,
				Text: text, CreatedAt: now, Priority: store.PriorityAlert})
		}
	}
	return out
}

func relayedRequests(ms []store.RelayMove) int {
	n := 0
	for _, m := range ms {
		n += m.Requests
	}
	return n
}

// relayNames lists the household heads handed over, for the notifications (names are shown only
// to the two cadres and the coordinator, who already see these households).
func (r *Router) relayNames(ctx context.Context, ms []store.RelayMove) (moved, kept []string) {
	ids := make([]domain.PairingID, len(ms))
	for i, m := range ms {
		ids[i] = m.Old
	}
	labels, err := r.extra.Coord.PairingLabels(ctx, ids)
	for _, m := range ms {
		name := "1户" // the labels could not be read: the notes then count the households
		if err == nil {
			name = labels[m.Old].HeadName
		}
		if m.Already != nil {
			kept = append(kept, name)
		} else {
			moved = append(moved, name)
		}
	}
	return moved, kept
}
