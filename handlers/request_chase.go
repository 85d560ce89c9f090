package handlers

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"qinqi/internal/domain"
	"qinqi/store"
)

// A household that chases a request ("催一下", "诉求 3 还没办", "3号怎么还没人管") wants someone
// told, not only to read where it stands. Each open request it chases (the one whose number it
// gives, else all of them) reaches whoever holds it: the assignee (the cadre, or for a complaint
// and a transferred request the unit's coordinator), else the coordinators of its unit. One note
// per request and day, whatever the household sends (the note's key is the request and the day),
// and each chase is in the request's audit trail. A question of progress without chase words
// ("低保的事怎么样了") is only answered, as before.

// chaseWords are the words of a household pressing for a request, not only asking about it.
var chaseWords = []string{"催一下", "催一催", "催催", "帮我催", "催办", "还没办", "还没人办", "怎么还没", "咋还没", "还不办", "还不给办"}

// chases reports whether a household's sentence presses for something already reported.
func chases(text string) bool { return containsAnyOf(shape(text), chaseWords) }

// onlyChases: the sentence presses for something and says no matter with it ("催一下", "帮我催催",
// "怎么还没人来办"); "我家低保怎么还没下来" says one.
func onlyChases(text string) bool {
	if !chases(text) {
		return false
	}
	rest := shape(text)
	for _, w := range chaseWords {
		rest = strings.ReplaceAll(rest, w, " ")
	}
	matter, _ := MatterOf(strings.ReplaceAll(rest, "催", " "))
	return !matter
}

// requestNumber is the first number a household's sentence names ("诉求 3 还没办", "3号怎么还没办").
var requestNumber = regexp.MustCompile(`\d{1,9}`)

// chased picks the open requests a chase is about: the one numbered, when it is open and the
// household's, else every open one.
func chased(text string, all []store.Request) []store.Request {
	var open []store.Request
	for _, q := range all {
		if q.Status.Open() {
			open = append(open, q)
		}
	}
	if m := requestNumber.FindString(text); m != "" {
		id, _ := strconv.ParseInt(m, 10, 64)
		for _, q := range open {
			if int64(q.ID) == id {
				return []store.Request{q}
			}
		}
	}
	return open
}

// chase tells whoever holds each chased request; the line says whom, for the household's reply
// ("" when nothing was open to chase).
func (r *Router) chase(ctx context.Context, c *Caller, all []store.Request) (string, error) {
	var told []string
	for _, q := range chased(c.Text, all) {
		to, err := r.chaseTo(ctx, q)
		if err != nil {
			return "", err
		}
		if len(to) == 0 {
			continue
		}
		day := r.now().Format("2006-01-02")
		notify := func(saved store.Request) []store.OutboxMessage {
			out := make([]store.OutboxMessage, len(to))
			for i, p := range to {
				id := p.ID
				out[i] = store.OutboxMessage{Key: fmt.Sprintf("chase:request:%d:%s:to:%d", saved.ID, day, id), PersonID: &id,
					Text: noteChase(saved, c.Person.Name), Priority: store.PriorityAlert, CreatedAt: r.now()}
			}
			return out
		}
		keep := func(*store.Request) error { return nil }
		if _, err := r.store.ChangeRequest(ctx, q.ID, c.ID(), store.ActChase, r.now(), keep, notify); err != nil {
			return "", fmt.Errorf("chase request %d: %w", q.ID, err)
		}
		told = append(told, chaseWho(q, to))
	}
	if len(told) == 0 {
		return "", nil
	}
	return replyChased(told), nil
}

// chaseTo is who hears a chase: the request's assignee, else the coordinators of its unit; for a
// complaint never one of the household's cadres (complaintHandlers).
func (r *Router) chaseTo(ctx context.Context, q store.Request) ([]store.Person, error) {
	var pairs []store.Pairing // a complaint's: its assignee must not be one of their cadres
	if q.Kind == domain.ReqComplaint {
		ps, err := r.store.ActivePairingsOfHousehold(ctx, q.HouseholdID, r.now())
		if err != nil {
			return nil, fmt.Errorf("pairings of request %d: %w", q.ID, err)
		}
		pairs = ps
	}
	if q.AssigneeID != nil && !slices.ContainsFunc(pairs, func(p store.Pairing) bool { return p.CadreID == *q.AssigneeID }) {
		p, err := r.store.PersonByID(ctx, *q.AssigneeID)
		if err != nil {
			return nil, fmt.Errorf("assignee of request %d: %w", q.ID, err)
		}
		return []store.Person{p}, nil
	}
	if q.Kind == domain.ReqComplaint {
		return r.complaintHandlers(ctx, q.UnitID, pairs)
	}
	if q.UnitID == nil {
		return nil, nil
	}
	coords, err := r.store.CoordinatorsOfUnit(ctx, *q.UnitID)
	if err != nil {
		return nil, fmt.Errorf("coordinators of request %d: %w", q.ID, err)
	}
	return coords, nil
}

// chaseWho names for the household who was told: the cadre by name, never whoever holds a
// complaint (handlerName says why).
func chaseWho(q store.Request, to []store.Person) string {
	if q.Kind == domain.ReqComplaint || len(to) != 1 || !to[0].Roles.Has(domain.RoleCadre) {
		return fmt.Sprintf("%d号：已提醒单位负责人", q.ID)
	}
	return fmt.Sprintf("%d号：已提醒 %s", q.ID, to[0].Name)
}
