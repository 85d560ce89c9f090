package sim_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/policy"
	"qinqi/internal/sim"
	"qinqi/internal/testenv"
	"qinqi/store"
)

func small(seed int64) sim.Options {
	return sim.Options{From: clock.Date(2026, 1, 1), To: clock.Date(2026, 12, 31), Households: 120, Cadres: 50, Seed: seed, LiarShare: 0.1}
}

func runSim(t *testing.T, st *store.Store, o sim.Options) sim.Report {
	t.Helper()
	rep, err := sim.Run(context.Background(), st, testenv.KV(t), o)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func text(r sim.Report) string {
	var b bytes.Buffer
	r.Format(&b)
	s := b.String()
	return s[:strings.LastIndex(s, "wall time:")]
}

func TestSameSeedSameReport(t *testing.T) {
	o := small(7)
	o.To = clock.Date(2026, 4, 30)
	a := text(runSim(t, testenv.SQLite(t), o))
	b := text(runSim(t, testenv.SQLite(t), o))
	if a != b {
		t.Errorf("same seed, different reports:\n%s\n---\n%s", a, b)
	}
	o.Seed = 8
	if c := text(runSim(t, testenv.SQLite(t), o)); c == a {
		t.Error("another seed gave the very same report")
	}
}

// TestYearInvariants runs a small county through 2026 and checks the scheduler's promises against the database.
// TestYearInvariants checks the invariants on a small county always and, with QINQI_SIM_FULL=1
// (CI sets it, without -race), on the full 2,000-household year of docs/simulation.md.
func TestYearInvariants(t *testing.T) {
	sizes := []struct {
		name string
		o    sim.Options
	}{{"120 households", small(3)}}
	if os.Getenv("QINQI_SIM_FULL") != "" {
		sizes = append(sizes, struct {
			name string
			o    sim.Options
		}{"2000 households", sim.Options{From: clock.Date(2026, 1, 1), To: clock.Date(2026, 12, 31), Households: 2000, Cadres: 1200, Seed: 1}})
	} else {
		t.Log("the 2,000-household year runs only with QINQI_SIM_FULL=1")
	}
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) { checkYear(t, sz.o) })
	}
}

func checkYear(t *testing.T, o sim.Options) {
	ctx := context.Background()
	st := testenv.SQLite(t)
	cfg := config.Defaults()
	o.Config = &cfg
	rep := runSim(t, st, o)
	all := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	cis, err := st.AllCheckIns(ctx)
	all(err)
	byPairing := map[domain.PairingID][]store.CheckIn{}
	for _, c := range cis {
		byPairing[c.PairingID] = append(byPairing[c.PairingID], c)
	}
	reminders, err := st.Reminders(ctx, store.ReminderFilter{})
	all(err)
	alerts, err := st.Alerts(ctx, time.Time{}, time.Time{})
	all(err)
	spots, err := st.AllSpotChecks(ctx)
	all(err)
	reqs, err := st.AllRequests(ctx)
	all(err)

	t.Run("no reminder for a pairing and window after it was reported", func(t *testing.T) {
		camps := map[domain.CampaignID]store.Campaign{}
		for _, r := range reminders {
			if _, ok := camps[*r.CampaignID]; !ok {
				cs, err := st.CampaignsBetween(ctx, time.Time{}, clock.Date(2100, 1, 1))
				all(err)
				for _, c := range cs {
					camps[c.ID] = c
				}
			}
			c := camps[*r.CampaignID]
			for _, ci := range byPairing[r.PairingID] {
				if !ci.OccurredAt.Before(c.StartOn) && !ci.ReportedAt.After(r.CreatedAt) && ci.UndoneAt == nil {
					t.Errorf("reminder %s at %v after check-in %d (occurred %v, reported %v)", r.Key, r.CreatedAt, ci.ID, ci.OccurredAt, ci.ReportedAt)
				}
			}
		}
		if len(reminders) == 0 {
			t.Error("a year without reminders")
		}
	})
	t.Run("every reminder key at most once", func(t *testing.T) {
		seen := map[string]bool{}
		for _, r := range reminders {
			if seen[r.Key] {
				t.Errorf("reminder key %s twice", r.Key)
			}
			seen[r.Key] = true
		}
	})
	t.Run("an escalation only for a pairing overdue at that moment", func(t *testing.T) {
		eng := policy.New(config.Defaults().Frequency)
		for _, a := range alerts {
			p, err := st.PairingByID(ctx, a.PairingID)
			all(err)
			hh, err := st.HouseholdByID(ctx, p.HouseholdID)
			all(err)
			prog := ""
			if p.ProgramID != nil {
				pr, err := st.ProgramByID(ctx, *p.ProgramID)
				all(err)
				prog = pr.Code
			}
			// a relayed pairing is judged on the household's whole chain, from its first pairing's start
			var known []policy.CheckIn
			chain, start := relayChain(t, st, p)
			for _, id := range chain {
				for _, ci := range byPairing[id] {
					if !ci.ReportedAt.After(a.CreatedAt) && ci.UndoneAt == nil {
						known = append(known, policy.CheckIn{Kind: ci.Kind, At: ci.OccurredAt})
					}
				}
			}
			s := eng.Evaluate(policy.Pairing{Tags: hh.Tags, Program: prog, Start: start}, known, a.CreatedAt)
			if !s.Overdue || !clock.Day(s.OverdueSince).Equal(clock.Day(a.OverdueSince)) {
				t.Errorf("alert %s at %v: overdue=%v since %v", a.Key, a.CreatedAt, s.Overdue, s.OverdueSince)
			}
		}
		if len(alerts) == 0 {
			t.Error("a year without a single overdue alert")
		}
	})
	t.Run("each ladder step once per overdue spell", func(t *testing.T) {
		// A step (pairing, level, recipient) is raised again only after the spell of its last alert ended.
		last := map[string]store.Alert{}
		for _, a := range alerts {
			step := fmt.Sprintf("%d:%s:%d", a.PairingID, a.Level, a.RecipientID)
			if prev, ok := last[step]; ok && (prev.ResolvedAt == nil || prev.ResolvedAt.After(a.CreatedAt)) {
				t.Errorf("alert %s raised at %v while %s (same step) was still open", a.Key, a.CreatedAt, prev.Key)
			}
			last[step] = a
		}
	})
	t.Run("planted liars are caught, by confirmation and by call-back", func(t *testing.T) {
		planted, found := 0, 0
		for _, m := range rep.Months {
			if m.Month >= "2026-01" && m.Month <= "2026-11" { // December is asked about in January 2027
				planted += m.LiesPlanted
				found += m.LiesFound
			}
		}
		// about half the liar months have a visit-kind lie; households answer 80 % of questions and
		// coordinators reach 80 % of the phone-only households, so well over a third is caught
		if planted < 40 || float64(found) < 0.3*float64(planted) {
			t.Errorf("found %d of %d planted lies", found, planted)
		}
		if rep.Total.CaughtByConfirm == 0 || rep.Total.CaughtByCallback == 0 {
			t.Errorf("lies caught by confirmation %d, by call-back %d: want both", rep.Total.CaughtByConfirm, rep.Total.CaughtByCallback)
		}
	})
	checkWord(t, st, rep, o, cis)
	checkBudget(t, st, rep, o, reminders)
	t.Run("report totals equal the database", func(t *testing.T) {
		stage, level := map[string]int{}, map[domain.AlertLevel]int{}
		for _, r := range reminders {
			stage[r.Stage]++
		}
		for _, a := range alerts {
			level[a.Level]++
		}
		kinds := map[domain.CheckInKind]int{}
		for _, c := range cis {
			if c.UndoneAt == nil {
				kinds[c.Kind]++
			}
		}
		discs, err := st.AllDiscrepancies(ctx)
		all(err)
		tot := rep.Total
		checks := []struct {
			name      string
			got, want int
		}{
			{"reminders open", tot.Reminders["open"], stage["open"]},
			{"reminders half", tot.Reminders["half"], stage["half"]},
			{"reminders last", tot.Reminders["last"], stage["last"]},
			{"alerts cadre", tot.Alerts[domain.AlertCadre], level[domain.AlertCadre]},
			{"alerts coordinator", tot.Alerts[domain.AlertCoordinator], level[domain.AlertCoordinator]},
			{"alerts head", tot.Alerts[domain.AlertHead], level[domain.AlertHead]},
			{"check-ins contact", tot.CheckIns[domain.KindContact], kinds[domain.KindContact]},
			{"check-ins visit", tot.CheckIns[domain.KindVisit], kinds[domain.KindVisit]},
			{"check-ins other", tot.CheckIns[domain.KindPolicy] + tot.CheckIns[domain.KindWarmth] + tot.CheckIns[domain.KindDeed],
				kinds[domain.KindPolicy] + kinds[domain.KindWarmth] + kinds[domain.KindDeed]},
			{"spot checks sampled", tot.SpotSampled, len(spots)},
			{"discrepancies", tot.Discrepancies, len(discs)},
			{"requests", tot.Requests, len(reqs)},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s: report %d, database %d", c.name, c.got, c.want)
			}
		}
	})
}

// relayChain is p and the pairings it continues through relays (接力), and the first one's start.
func relayChain(t *testing.T, st *store.Store, p store.Pairing) ([]domain.PairingID, time.Time) {
	t.Helper()
	ids, start := []domain.PairingID{p.ID}, p.StartOn
	for from := p.RelayedFromID; from != nil && len(ids) < 64; {
		prev, err := st.PairingByID(context.Background(), *from)
		if err != nil {
			t.Fatal(err)
		}
		ids, start, from = append(ids, prev.ID), prev.StartOn, prev.RelayedFromID
	}
	return ids, start
}
