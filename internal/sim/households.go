package sim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

// How long the router lets a household answer a call-back question and rate a resolved request: a
// digit goes to the question asked last among those still open (handlers.latestQuestion).
const (
	spotOpenFor = 31 * 24 * time.Hour
	rateOpenFor = 14 * 24 * time.Hour
)

// question plans a household's answer to a question in chat: most answer the same evening or the
// next day, some never do.
func (w *World) question(head domain.PersonID, at time.Time) {
	hh, ok := w.hhOf[head]
	if !ok || w.rng.Float64() >= w.o.AnswerProb {
		return
	}
	w.later(clock.Day(at), w.rng.IntN(2), action{kind: "answer", from: head, hh: hh})
}

// answer replies, truthfully, to whatever question the household sees last in its chat, as the
// router reads a digit: a rating of a resolved request is given first (a bare 5), then the visit
// confirmation or the call-back question, whichever was asked later. Nothing open: nothing to say.
func (w *World) answer(ctx context.Context, a action) error {
	now := w.clk.Now()
	if _, err := w.st.LatestUnratedRequest(ctx, a.hh, now.Add(-rateOpenFor)); err == nil {
		if _, err := w.send(ctx, a.from, "5"); err != nil {
			return err
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	conf, cerr := w.st.OpenConfirm(ctx, a.hh, now.Add(-w.o.Config.Confirm.AnswerWithin))
	spot, serr := w.st.OpenSpotCheck(ctx, a.hh, now.Add(-spotOpenFor))
	for _, err := range []error{cerr, serr} {
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	var text string
	switch {
	case serr == nil && spot.AskedAt != nil && (cerr != nil || spot.AskedAt.After(conf.AskedAt)):
		text = "2"
		if w.truth[spot.PairingID][spot.Month] > 0 {
			text = "1"
		}
	case cerr == nil:
		items, err := w.st.ConfirmCheckIns(ctx, conf.ID)
		if err != nil {
			return err
		}
		text = w.verdict(items, nil)
	default:
		return nil
	}
	_, err := w.send(ctx, a.from, text)
	return err
}

// verdict is what a household says about reports (and, on the phone, whether the sampled cadre got
// in touch in the month): 1 when all of it happened, 2 when none of it did, and 3 naming who never
// came when some of it did — a household asked about an honest cadre's visit and a liar's in one
// question does not deny both.
func (w *World) verdict(items []store.ConfirmCheckIn, spot *store.SpotCheck) string {
	var came, never []string
	seen := map[domain.PersonID]bool{}
	for _, it := range items {
		if w.cadres[it.CadreID] != nil && w.cadres[it.CadreID].liar {
			if !seen[it.CadreID] {
				never = append(never, it.CadreName)
			}
			seen[it.CadreID] = true
			continue
		}
		came = append(came, it.CadreName)
	}
	// the call-back question: whether the sampled cadre got in touch in the month. An honest cadre who
	// did not logged nothing either, so only a bare "no contact" call, or a liar, says no.
	if spot != nil {
		switch {
		case w.truth[spot.PairingID][spot.Month] > 0:
			came = append(came, "")
		case len(items) == 0 || w.liar(spot.CadreID):
			never = append(never, "")
		}
	}
	switch {
	case len(never) == 0:
		return "1"
	case len(came) == 0:
		return "2"
	}
	return "3 " + strings.Trim(strings.Join(never, "、"), "、") + "没有来过"
}

// callList has the coordinators phone the households of a month's call-back list (once for the
// county, though every coordinator gets the list of their units): each household is reached with
// AnswerProb, within the week, by a coordinator of the nearest unit above its cadre that has one.
func (w *World) callList(ctx context.Context, month string, at time.Time) error {
	if w.called[month] {
		return nil
	}
	w.called[month] = true
	rows, err := w.st.CallbackList(ctx, month, w.confirmKinds(), nil)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if w.rng.Float64() >= w.o.AnswerProb {
			continue
		}
		by, err := w.caller(ctx, r)
		if err != nil || by == 0 {
			return err
		}
		w.later(clock.Day(at), w.rng.IntN(7), action{kind: "call", from: by, hh: r.HouseholdID, month: month, text: r.Code})
	}
	return nil
}

// caller is a coordinator whose units include a cadre the row asks about (0 when none).
func (w *World) caller(ctx context.Context, r store.CallbackRow) (domain.PersonID, error) {
	var unit *domain.UnitID
	if len(r.Visits) > 0 {
		unit = r.Visits[0].CadreUnit
	} else if r.Spot != nil {
		p, err := w.st.PersonByID(ctx, r.Spot.CadreID)
		if err != nil {
			return 0, err
		}
		unit = p.UnitID
	}
	for unit != nil {
		if cs := w.chart.Coordinators[*unit]; len(cs) > 0 {
			return cs[0], nil
		}
		unit = w.chart.Units[*unit].ParentID
	}
	return 0, nil
}

// call is the coordinator's phone call and its record, 回访 户编号 1|2|3 说明: the household answers
// about what the list asks it at the time of the call.
func (w *World) call(ctx context.Context, a action) error {
	row, err := w.st.CallbackEntry(ctx, a.month, w.confirmKinds(), a.hh)
	if errors.Is(err, store.ErrNotFound) {
		return nil // answered in chat meanwhile
	}
	if err != nil {
		return err
	}
	replies, err := w.send(ctx, a.from, fmt.Sprintf("回访 %s %s", a.text, w.verdict(row.Visits, row.Spot)))
	if err != nil {
		return err
	}
	if len(replies) == 0 || !strings.Contains(replies[0].Text, "已记录") {
		return fmt.Errorf("call-back of %s was not recorded: %v", a.text, replies)
	}
	w.tally.month(a.month).CallsRecorded++
	return nil
}

func (w *World) confirmKinds() []domain.CheckInKind {
	out := make([]domain.CheckInKind, len(w.o.Config.Confirm.Kinds))
	for i, k := range w.o.Config.Confirm.Kinds {
		out[i] = domain.CheckInKind(k)
	}
	return out
}
