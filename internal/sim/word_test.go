package sim_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/sim"
	"qinqi/store"
)

// world is what the word and budget invariants read back from the database.
type world struct {
	people   map[domain.PersonID]store.Person
	liars    map[domain.PersonID]bool
	confirms map[domain.ConfirmID]store.VisitConfirm
	items    map[domain.ConfirmID][]store.CheckIn
	discs    []store.Discrepancy
	outbox   []store.OutboxMessage
}

func readWorld(t *testing.T, st *store.Store, rep sim.Report, cis []store.CheckIn) world {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	w := world{people: map[domain.PersonID]store.Person{}, liars: map[domain.PersonID]bool{},
		confirms: map[domain.ConfirmID]store.VisitConfirm{}, items: map[domain.ConfirmID][]store.CheckIn{}}
	for _, id := range rep.LiarIDs {
		w.liars[id] = true
	}
	vcs, err := st.AllVisitConfirms(ctx)
	must(err)
	for _, vc := range vcs {
		w.confirms[vc.ID] = vc
	}
	byID := map[domain.CheckInID]store.CheckIn{}
	for _, c := range cis {
		byID[c.ID] = c
	}
	its, err := st.AllConfirmItems(ctx)
	must(err)
	for _, it := range its {
		w.items[it.ConfirmID] = append(w.items[it.ConfirmID], byID[it.CheckInID])
	}
	w.discs, err = st.AllDiscrepancies(ctx)
	must(err)
	w.outbox, err = st.OutboxAfter(ctx, 0, 1<<30)
	must(err)
	for _, m := range w.outbox {
		if m.PersonID != nil {
			if _, ok := w.people[*m.PersonID]; !ok {
				p, err := st.PersonByID(ctx, *m.PersonID)
				must(err)
				w.people[p.ID] = p
			}
		}
	}
	return w
}

// checkWord checks the household's word: questions only in chat to households on chat, every lie a
// household was asked about in chat and answered is caught, and honest cadres are disputed only when
// the same answer named a liar.
func checkWord(t *testing.T, st *store.Store, rep sim.Report, o sim.Options, cis []store.CheckIn) {
	w := readWorld(t, st, rep, cis)
	t.Run("households on chat at about the configured share", func(t *testing.T) {
		share := float64(rep.OnChat) / float64(rep.Households)
		if share < 0.15 || share > 0.45 {
			t.Errorf("%d of %d households on chat, want about 30 %%", rep.OnChat, rep.Households)
		}
	})
	t.Run("no question in chat to a household without chat", func(t *testing.T) {
		asked := 0
		for _, m := range w.outbox {
			if !strings.HasPrefix(m.Key, "confirm:") && !(strings.HasPrefix(m.Key, "spot:") && strings.HasSuffix(m.Key, ":ask")) {
				continue
			}
			asked++
			if p := w.people[*m.PersonID]; p.Account == "" || p.HouseholdID == nil {
				t.Errorf("%s went to person %d, who is not a household head on chat", m.Key, p.ID)
			}
		}
		for _, vc := range w.confirms {
			if vc.Via == domain.ViaChat && (vc.AskedTo == nil || w.people[*vc.AskedTo].Account == "") {
				t.Errorf("confirmation %d asked in chat of a household without chat", vc.ID)
			}
		}
		if asked == 0 {
			t.Error("no household was asked anything in chat")
		}
	})
	t.Run("every lie asked about in chat and answered is caught", func(t *testing.T) {
		disputed := map[string]bool{} // confirm:cadre
		for _, d := range w.discs {
			if d.ConfirmID != nil {
				disputed[key(int64(*d.ConfirmID), int64(d.CadreID))] = true
			}
		}
		n := 0
		for id, vc := range w.confirms {
			if vc.Via != domain.ViaChat || vc.Answer == domain.AnswerNone {
				continue
			}
			for _, c := range w.items[id] {
				if c.UndoneAt == nil && w.liars[c.CadreID] {
					n++
					if vc.Answer == domain.AnswerYes || !disputed[key(int64(id), int64(c.CadreID))] {
						t.Errorf("check-in %d of a liar, asked in confirmation %d answered %q, was not disputed", c.ID, id, vc.Answer)
					}
				}
			}
		}
		if n == 0 {
			t.Error("no lie was ever asked about in chat and answered")
		}
	})
	t.Run("an honest cadre is disputed only in a 3 that names a liar", func(t *testing.T) {
		for _, d := range w.discs {
			if w.liars[d.CadreID] {
				continue
			}
			named := false
			if d.ConfirmID != nil {
				for _, c := range w.items[*d.ConfirmID] {
					named = named || w.liars[c.CadreID]
				}
			}
			if d.Answer != domain.AnswerPartly || !named {
				t.Errorf("discrepancy %d (%s, %q, %q) against honest cadre %d", d.ID, d.Source, d.Answer, d.Note, d.CadreID)
			}
		}
	})
}

func key(a, b int64) string { return fmt.Sprintf("%d:%d", a, b) }

// checkBudget checks reminders.monthly_budget: once a cadre has had that many reminder messages in
// a month, every later window reminder carries only mandatory sections (the opening or last day of a
// required window).
func checkBudget(t *testing.T, st *store.Store, rep sim.Report, o sim.Options, reminders []store.Reminder) {
	t.Run("optional reminders within the monthly budget", func(t *testing.T) {
		ctx := context.Background()
		w := readWorld(t, st, rep, nil)
		camps, err := st.CampaignsBetween(ctx, clock.Date(2000, 1, 1), clock.Date(2100, 1, 1))
		if err != nil {
			t.Fatal(err)
		}
		required := map[domain.CampaignID]bool{}
		for _, c := range camps {
			required[c.ID] = c.Required
		}
		optional := map[domain.OutboxID]bool{}
		for _, r := range reminders {
			if r.OutboxID != nil && (r.Stage == "half" || !required[*r.CampaignID]) {
				optional[*r.OutboxID] = true
			}
		}
		sort.SliceStable(w.outbox, func(i, j int) bool { return w.outbox[i].CreatedAt.Before(w.outbox[j].CreatedAt) })
		spent, mandatoryOver := map[string]int{}, 0
		budget := o.Config.Reminders.MonthlyBudget
		for _, m := range w.outbox {
			if m.PersonID == nil || !strings.HasPrefix(m.Key, "remind:") && !strings.HasPrefix(m.Key, "overdue:") {
				continue
			}
			k := fmt.Sprintf("%d:%s", *m.PersonID, m.CreatedAt.In(clock.Shanghai).Format("2006-01"))
			if spent[k] >= budget && strings.HasPrefix(m.Key, "remind:") {
				if optional[m.ID] {
					t.Errorf("%s: an optional reminder after %d reminder messages in the month (budget %d)", m.Key, spent[k], budget)
				} else {
					mandatoryOver++
				}
			}
			spent[k]++
		}
		t.Logf("window reminders past the budget, mandatory only: %d", mandatoryOver)
		if len(optional) == 0 {
			t.Error("no optional reminder was ever sent")
		}
	})
}
