package handlers

import (
	"context"
	"fmt"
	"time"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/report"
	"qinqi/store"
)

// A household asked "陈建国说12月5日来家里看望了您…回复 1 是　2 没有来　3 有出入" answers by voice as often
// as by typing: "他没来", "来过了". What the platform heard as an answer is that answer
// (householdAnswer). Any other voice message while that question is the latest (a recording nobody
// transcribed, words that are no answer) may be the household saying the cadre did not come, which
// the cadre whose visit is checked must not hear before the coordinator has settled it: it goes to
// the coordinators who would settle the dispute, with what was being asked, and the question is asked
// again and stays open.

// askedVisit is the open question a voice message came under.
type askedVisit struct {
	what   string                             // "confirm" or "spot", for the notes' keys
	ref    int64                              // the confirmation's or call-back question's id
	line   string                             // what was asked, as a coordinator reads it
	again  string                             // the question again, as the household reads it
	cadres map[domain.PersonID]*domain.UnitID // the cadres it is about, with their units
	order  []domain.PersonID
}

// voiceWhileAsked passes the voice message to the coordinators of the cadres the question is about
// (none of those cadres, even one who coordinates), or tells the household to phone the unit when
// there is nobody; either way the question is asked again.
func (r *Router) voiceWhileAsked(ctx context.Context, c *Caller, q openQuestion) ([]bot.Reply, error) {
	av, err := r.askedVisitOf(ctx, q)
	if err != nil {
		return nil, err
	}
	to, err := r.askedHandlers(ctx, av)
	if err != nil {
		return nil, err
	}
	if len(to) == 0 {
		_, office, err := r.unitOffice(ctx, av.cadres[av.order[0]])
		if err != nil {
			return nil, err
		}
		return asked(say(replyAskedVoiceNobody(office), av.again)), nil
	}
	hh, err := r.store.HouseholdByID(ctx, *c.Person.HouseholdID)
	if err != nil {
		return nil, fmt.Errorf("household of voice: %w", err)
	}
	m := mediaOf(c.In)
	media := []heldMedia{m}
	var notes []store.OutboxMessage
	for _, p := range to {
		notes = append(notes, r.wordNote(c.In, av.what+":voice", av.ref, p.ID, noteAskedVoice(hh, av.line, m.Heard, attachHint(media))))
		notes = append(notes, r.mediaFiles(hh.HeadName, media, func(action string) store.OutboxMessage {
			return r.wordNote(c.In, av.what+":"+action, av.ref, p.ID, "")
		})...)
	}
	if _, err := r.extra.Spot.EnqueueOutboxBatch(ctx, notes); err != nil {
		return nil, fmt.Errorf("voice to coordinators: %w", err)
	}
	return asked(say(replyAskedVoicePassed, av.again)), nil
}

// askedVisitOf describes the open confirmation or call-back question q.
func (r *Router) askedVisitOf(ctx context.Context, q openQuestion) (askedVisit, error) {
	av := askedVisit{cadres: map[domain.PersonID]*domain.UnitID{}}
	if q.confirm != nil {
		items, err := r.extra.Spot.ConfirmCheckIns(ctx, q.confirm.ID)
		if err != nil {
			return av, fmt.Errorf("confirmation check-ins: %w", err)
		}
		if len(items) == 0 {
			return av, fmt.Errorf("confirmation %d names no report", q.confirm.ID)
		}
		var lines []string
		for _, it := range items {
			if _, ok := av.cadres[it.CadreID]; !ok {
				av.order = append(av.order, it.CadreID)
			}
			av.cadres[it.CadreID] = it.CadreUnit
			lines = append(lines, replyVisitReported(it.CadreName, report.VisitLine(it)))
		}
		av.what, av.ref, av.again = "confirm", int64(q.confirm.ID), report.ConfirmQuestion(items)
		av.line = replyConfirmLine(lines)
		return av, nil
	}
	cadre, err := r.store.PersonByID(ctx, q.spot.CadreID)
	if err != nil {
		return av, fmt.Errorf("call-back question's cadre: %w", err)
	}
	month, err := time.ParseInLocation("2006-01", q.spot.Month, clock.Shanghai)
	if err != nil {
		return av, fmt.Errorf("call-back question month %q: %w", q.spot.Month, err)
	}
	av.cadres[cadre.ID], av.order = cadre.UnitID, []domain.PersonID{cadre.ID}
	av.what, av.ref, av.line, av.again = "spot", int64(q.spot.ID), replySpotLine(month, cadre.Name), replySpotAgain(month, cadre.Name)
	return av, nil
}

// askedHandlers are the coordinators of the units of av's cadres, none of those cadres among them.
func (r *Router) askedHandlers(ctx context.Context, av askedVisit) ([]store.Person, error) {
	skip := map[domain.PersonID]bool{}
	for id := range av.cadres {
		skip[id] = true
	}
	var out []store.Person
	seen := map[domain.PersonID]bool{}
	for _, id := range av.order {
		coords, err := r.unitHandlers(ctx, av.cadres[id], skip)
		if err != nil {
			return nil, fmt.Errorf("coordinators of cadre unit: %w", err)
		}
		for _, co := range coords {
			if !seen[co.ID] {
				seen[co.ID] = true
				out = append(out, co)
			}
		}
	}
	return out, nil
}
