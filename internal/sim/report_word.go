package sim

import (
	"context"
	"fmt"

	"qinqi/internal/domain"
	"qinqi/store"
)

// households adds what the database knows of the household's word: call-backs answered, visits
// asked about, confirmed and disputed, and the lies planted and caught, by confirmation and by
// call-back.
func (w *World) households(ctx context.Context) error {
	cis, err := w.st.AllCheckIns(ctx)
	if err != nil {
		return err
	}
	planted := w.planted(cis)
	if err := w.visits(ctx, cis); err != nil {
		return err
	}
	if err := w.spots(ctx); err != nil {
		return err
	}
	discs, err := w.st.AllDiscrepancies(ctx)
	if err != nil {
		return err
	}
	caught := map[string]map[string]bool{} // household-month → sources
	for _, d := range discs {
		w.tally.month(d.Month).Discrepancies++
		if !w.liar(d.CadreID) {
			w.tally.month(d.Month).HonestDisputed++
			continue
		}
		k := lieKey(d.HouseholdID, d.CadreID, d.Month)
		if !planted[k] {
			continue
		}
		if caught[k] == nil {
			caught[k] = map[string]bool{}
			w.tally.month(d.Month).LiesFound++
		}
		src := "callback"
		if d.Source == domain.DiscFromConfirm {
			src = "confirm"
		}
		if !caught[k][src] {
			caught[k][src] = true
			if src == "confirm" {
				w.tally.month(d.Month).CaughtByConfirm++
			} else {
				w.tally.month(d.Month).CaughtByCallback++
			}
		}
	}
	return nil
}

func lieKey(hh domain.HouseholdID, cadre domain.PersonID, month string) string {
	return fmt.Sprintf("%d:%d:%s", hh, cadre, month)
}

func (w *World) liar(id domain.PersonID) bool { return w.cadres[id] != nil && w.cadres[id].liar }

// planted counts the liar household-months: a liar's live check-ins for a household in a month.
func (w *World) planted(cis []store.CheckIn) map[string]bool {
	planted := map[string]bool{}
	for _, c := range cis {
		if c.UndoneAt != nil || !w.liar(c.CadreID) {
			continue
		}
		month := c.OccurredAt.Format("2006-01")
		if k := lieKey(c.HouseholdID, c.CadreID, month); !planted[k] {
			planted[k] = true
			w.tally.month(month).LiesPlanted++
		}
	}
	return planted
}

// visits counts the reports of confirm.kinds by what their household said about them.
func (w *World) visits(ctx context.Context, cis []store.CheckIn) error {
	confirms, err := w.st.AllVisitConfirms(ctx)
	if err != nil {
		return err
	}
	items, err := w.st.AllConfirmItems(ctx)
	if err != nil {
		return err
	}
	byID := make(map[domain.ConfirmID]store.VisitConfirm, len(confirms))
	for _, c := range confirms {
		byID[c.ID] = c
	}
	covered := make(map[domain.CheckInID]store.VisitConfirm, len(items))
	for _, it := range items {
		covered[it.CheckInID] = byID[it.ConfirmID]
	}
	asked := map[domain.CheckInKind]bool{}
	for _, k := range w.confirmKinds() {
		asked[k] = true
	}
	for _, c := range cis {
		if c.UndoneAt != nil || !asked[c.Kind] {
			continue
		}
		m := w.tally.month(c.OccurredAt.Format("2006-01"))
		m.Visits++
		vc, ok := covered[c.ID]
		if ok && vc.Via == domain.ViaChat {
			m.VisitsAsked++
		}
		switch {
		case !ok || vc.Answer == domain.AnswerNone:
		case vc.Answer == domain.AnswerYes:
			m.VisitsConfirmed++
		default:
			m.VisitsDisputed++
		}
	}
	return nil
}

// spots counts the call-back questions answered, in chat or on the phone.
func (w *World) spots(ctx context.Context) error {
	scs, err := w.st.AllSpotChecks(ctx)
	if err != nil {
		return err
	}
	for _, s := range scs {
		if s.Answer != domain.AnswerNone {
			w.tally.month(s.Month).SpotAnswered++
		}
	}
	return nil
}
