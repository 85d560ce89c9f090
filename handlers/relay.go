package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
// reason 接力, new ones start with the history linked, and both cadres and every household are
// told — all in one transaction. Both cadres must belong to the caller's units.
//
// It asks first. A relay cannot be taken back by a command and tells every household of the old
// cadre that their cadre changed, so a wrong name (two 陈建国s, a slip of the thumb, a relay said in
// a sentence) would reach many people at once. The coordinator sees the two cadres and the
// households that would move, and 1 (or 确认) does it while the question lasts (checkin.dialog_ttl);
// 2 (or 取消) and anything else leave everything as it was, and a command sent instead says so.
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
	if from.ID == to.ID {
		return nil, refuse(replyRelayUsage)
	}
	p, err := r.relayPreview(ctx, from.ID, to.ID)
	if err != nil {
		return nil, err
	}
	if len(p.ids) == 0 {
		return nil, refuse(replyRelayNothing(from.Name))
	}
	return r.askRelay(ctx, c, from, to, p, "")
}

// askRelay keeps the question with the households it named and asks it; before, when not "", is
// said first (the list changed since the last question).
func (r *Router) askRelay(ctx context.Context, c *Caller, from, to store.Person, p relayList, before string) ([]bot.Reply, error) {
	d := dialog{Kind: dlgRelay, Refs: []int64{int64(from.ID), int64(to.ID)}, Options: p.ids, Source: sourceID(c.In)}
	if !r.saveDialog(ctx, c.ID(), d) {
		return nil, refuse(replyRelayNotAsked)
	}
	q := replyRelayConfirm(from.Name, to.Name, p.moved, p.kept)
	if before != "" {
		return asked(say(before, q)), nil
	}
	return asked(say(q)), nil
}

// relayList is what a relay would do: the households handed over (moved), those the new cadre
// already has (kept), by name, and all of them by id in the old cadre's order.
type relayList struct {
	moved, kept []string
	ids         []domain.HouseholdID
}

// same reports whether a relay would still move exactly the households asked about.
func (l relayList) same(asked []domain.HouseholdID) bool {
	return slices.Equal(l.ids, asked)
}

// relayPreview lists the households a relay would hand from one cadre to the other, and apart
// those the other already has.
func (r *Router) relayPreview(ctx context.Context, from, to domain.PersonID) (relayList, error) {
	now := r.now()
	var l relayList
	hs, err := r.store.HouseholdsOfCadre(ctx, from, now)
	if err != nil {
		return l, fmt.Errorf("households of cadre: %w", err)
	}
	theirs, err := r.store.HouseholdsOfCadre(ctx, to, now)
	if err != nil {
		return l, fmt.Errorf("households of cadre: %w", err)
	}
	has := map[domain.HouseholdID]bool{}
	for _, h := range theirs {
		has[h.Household.ID] = true
	}
	for _, h := range hs {
		l.ids = append(l.ids, h.Household.ID)
		if has[h.Household.ID] {
			l.kept = append(l.kept, h.Household.HeadName)
		} else {
			l.moved = append(l.moved, h.Household.HeadName)
		}
	}
	return l, nil
}

// relayAnswer takes the coordinator's answer to the relay question: yes relays, no cancels, and
// anything else cancels too and is handled as the new message it is (handled false), its reply
// saying first that nothing was relayed. Only typed text says yes: a photo, a file or a voice
// message (whatever the platform heard in it) cancels like any other message.
func (r *Router) relayAnswer(ctx context.Context, c *Caller, d dialog) ([]bot.Reply, bool, error) {
	yes, no := false, false
	if c.In.Kind == bot.KindText {
		yes, no = relayYes(c.Text)
	}
	if !yes {
		r.dropDialog(ctx, c.ID())
		if no {
			return say(replyRelayCancelled), true, nil
		}
		c.Before = append(c.Before, replyRelayLeft)
		return nil, false, nil
	}
	if len(d.Refs) != 2 {
		r.dropDialog(ctx, c.ID())
		return nil, true, refuse(replyRelayUsage)
	}
	out, err := r.confirmedRelay(ctx, c, d)
	if again := len(out) > 0 && out[0].Question; !failed(err) && !again { // a retry must still find the question, a new one stays
		r.dropDialog(ctx, c.ID())
	}
	return out, true, err
}

// confirmedRelay looks the two cadres up again (either may have moved units while the question
// waited) and relays, unless the households have changed since the question named them (another
// relay, a new pairing): then nothing moves and the question is asked again with the new list.
func (r *Router) confirmedRelay(ctx context.Context, c *Caller, d dialog) ([]bot.Reply, error) {
	fromID, toID := domain.PersonID(d.Refs[0]), domain.PersonID(d.Refs[1])
	sc, err := r.scopeOf(ctx, c)
	if err != nil {
		return nil, err
	}
	var ps [2]store.Person
	for i, id := range []domain.PersonID{fromID, toID} {
		if ps[i], err = r.store.PersonByID(ctx, id); err != nil {
			return nil, fmt.Errorf("relay cadre: %w", err)
		}
		if !ps[i].Roles.Has(domain.RoleCadre) || !sc.has(ps[i].UnitID) {
			return nil, refuse(replyCadreOutOfScope(ps[i].Name))
		}
	}
	p, err := r.relayPreview(ctx, fromID, toID)
	if err != nil {
		return nil, err
	}
	if len(p.ids) > 0 && !p.same(d.Options) {
		return r.askRelay(ctx, c, ps[0], ps[1], p, replyRelayChanged)
	}
	return r.doRelay(ctx, c, ps[0], ps[1])
}

// relayYes reads an answer to the relay question: yes, no, or neither (both false).
func relayYes(text string) (yes, no bool) {
	switch t := trimSeps(text); t {
	case "1", "１", "确认", "确定", "是", "是的", "对", "好", "好的", "可以", "同意", "执行", "确认接力":
		return true, false
	case "2", "２", "取消", "不", "不要", "不用", "算了", "否", "先不", "不对", "错了":
		return false, true
	}
	return false, false
}

func (r *Router) doRelay(ctx context.Context, c *Caller, from, to store.Person) ([]bot.Reply, error) {
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
