package handlers

import (
	"context"
	"fmt"

	"qinqi/bot"
	"qinqi/internal/domain"
	"qinqi/store"
)

// complaint (投诉 …) goes to the coordinators of the paired cadre's unit, never to the cadre. Said
// alone (投诉, 我要投诉, menu item 4), the next sentence, voice message or photo is the complaint.
func (r *Router) complaint(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	if out, handled, err := r.progressAsked(ctx, c, c.Args, AsksProgress); handled || err != nil {
		return out, err
	}
	text := trimSeps(c.Args)
	if text == "" {
		return r.askComplaint(ctx, c)
	}
	return r.fileComplaint(ctx, c, text, nil)
}

// askComplaint waits for the complaint itself; without the dialog store the household is told to
// write it after 投诉.
func (r *Router) askComplaint(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	if !r.saveDialog(ctx, c.ID(), dialog{Kind: dlgComplaintText}) {
		return nil, refuse(replyComplaintEmpty)
	}
	return say(replyAskComplaint), nil
}

// fileComplaint stores the complaint and tells the unit's coordinators, with its photos and
// recordings; the cadre is told nothing.
func (r *Router) fileComplaint(ctx context.Context, c *Caller, text string, media []heldMedia) ([]bot.Reply, error) {
	if err := fits(text, maxRequestChars); err != nil {
		return nil, err
	}
	hh, pairs, err := r.myHousehold(ctx, c)
	if err != nil {
		return nil, err
	}
	if len(pairs) == 0 {
		return nil, refuse(replyComplaintNoUnit)
	}
	cadre, err := r.store.PersonByID(ctx, pairs[0].CadreID)
	if err != nil {
		return nil, fmt.Errorf("route complaint: %w", err)
	}
	coords, err := r.complaintHandlers(ctx, cadre.UnitID, pairs)
	if err != nil {
		return nil, fmt.Errorf("route complaint: %w", err)
	}
	if len(coords) == 0 {
		return nil, refuse(replyComplaintNobody)
	}
	now := r.now()
	req := store.Request{HouseholdID: hh.ID, PersonID: c.ID(), PairingID: &pairs[0].ID, Kind: domain.ReqComplaint,
		Category: domain.CatOther, Text: text, Status: domain.StatusNew, AssigneeID: &coords[0].ID, UnitID: cadre.UnitID,
		AckDueAt: now.Add(r.cfg.Requests.AckWithin), DueAt: now.Add(r.cfg.Requests.ResolveWithin), CreatedAt: now}
	if src := sourceID(c.In); src != "" {
		req.SourceMsgID = &src
	}
	if len(media) > 0 {
		req.MediaRef = media[0].Ref
	}
	saved, _, err := r.store.CreateRequest(ctx, req, func(saved store.Request) []store.OutboxMessage {
		out := make([]store.OutboxMessage, 0, len(coords))
		for _, co := range coords {
			out = append(out, r.note(c.In, saved.ID, "complaint", co.ID, noteComplaint(saved, hh.HeadName, attachHint(media))))
			out = append(out, r.mediaNotes(c, saved, hh.HeadName, co.ID, media)...)
		}
		return out
	})
	if err != nil {
		return nil, fmt.Errorf("create complaint: %w", err)
	}
	return say(replyComplaintSaved(saved)), nil
}

// complaintHandlers are the coordinators a household's complaint goes to: those of its cadre's unit
// (or the nearest unit above that has some) who are not themselves one of the household's cadres.
// A cadre who also coordinates their unit never hears a complaint about their own household; when
// that leaves nobody, the units above take it.
func (r *Router) complaintHandlers(ctx context.Context, unit *domain.UnitID, pairs []store.Pairing) ([]store.Person, error) {
	paired := map[domain.PersonID]bool{}
	for _, p := range pairs {
		paired[p.CadreID] = true
	}
	return r.unitHandlers(ctx, unit, paired)
}

// unitHandlers are the coordinators of unit, or of the nearest unit above with some, who are not
// among skip (the cadres the matter is about).
func (r *Router) unitHandlers(ctx context.Context, unit *domain.UnitID, skip map[domain.PersonID]bool) ([]store.Person, error) {
	seen := map[domain.UnitID]bool{}
	for id := unit; id != nil && !seen[*id]; {
		seen[*id] = true
		coords, err := r.store.CoordinatorsOfUnit(ctx, *id)
		if err != nil || len(coords) == 0 { // none here nor above
			return nil, err
		}
		var out []store.Person
		for _, co := range coords {
			if !skip[co.ID] {
				out = append(out, co)
			}
		}
		if len(out) > 0 {
			return out, nil
		}
		u, err := r.store.UnitByID(ctx, *id)
		if err != nil {
			return nil, fmt.Errorf("unit %d: %w", *id, err)
		}
		id = u.ParentID
	}
	return nil, nil
}
