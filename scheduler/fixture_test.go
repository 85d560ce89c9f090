package scheduler_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/scheduler"
	"qinqi/store"
)

// county is a tiny county: unit U1 (head, coordinator) with cadres K1 (households 王一, 王二) and
// K2 (household 李三); every household head uses the bot (has a bot account).
type county struct {
	st                  *store.Store
	unit                domain.UnitID
	head, coord, k1, k2 domain.PersonID
	hhA, hhB, hhC       domain.HouseholdID
	headA, headB, headC domain.PersonID
	pA, pB, pC          domain.PairingID
}

func newCounty(t *testing.T, st *store.Store) *county {
	t.Helper()
	ctx := context.Background()
	c := &county{st: st}
	must(t, st.UpsertUnits(ctx, []store.Unit{{Code: "U1", Name: "县农业局", HeadCode: "H"}}, nil))
	u, err := st.UnitByCode(ctx, "U1")
	must(t, err)
	c.unit = u.ID
	people := []store.Person{
		{Code: "H", Name: "局长", Roles: domain.MakeRoles(domain.RoleCadre), UnitID: &c.unit},
		{Code: "C", Name: "督查员", Roles: domain.MakeRoles(domain.RoleCoordinator), UnitID: &c.unit},
		{Code: "K1", Name: "张干部", Roles: domain.MakeRoles(domain.RoleCadre), UnitID: &c.unit},
		{Code: "K2", Name: "刘干部", Roles: domain.MakeRoles(domain.RoleCadre), UnitID: &c.unit},
	}
	must(t, st.UpsertPeople(ctx, people, nil))
	must(t, st.ResolveUnitHeads(ctx))
	hhs := []store.Household{{Code: "A", HeadName: "王一", Tags: domain.MakeTags(domain.TagLifted)},
		{Code: "B", HeadName: "王二", Tags: domain.MakeTags(domain.TagMonitored)}, {Code: "C", HeadName: "李三"}}
	must(t, st.UpsertHouseholds(ctx, hhs, nil))
	byCode, err := st.PeopleByCodes(ctx, []string{"H", "C", "K1", "K2"})
	must(t, err)
	c.head, c.coord, c.k1, c.k2 = byCode["H"].ID, byCode["C"].ID, byCode["K1"].ID, byCode["K2"].ID
	hb, err := st.HouseholdsByCodes(ctx, []string{"A", "B", "C"})
	must(t, err)
	c.hhA, c.hhB, c.hhC = hb["A"].ID, hb["B"].ID, hb["C"].ID
	heads := []store.Person{{Code: "RA", Name: "王一", Roles: domain.MakeRoles(domain.RoleHousehold), HouseholdID: &c.hhA, Account: "bot1"},
		{Code: "RB", Name: "王二", Roles: domain.MakeRoles(domain.RoleHousehold), HouseholdID: &c.hhB, Account: "bot1"},
		{Code: "RC", Name: "李三", Roles: domain.MakeRoles(domain.RoleHousehold), HouseholdID: &c.hhC, Account: "bot1"}}
	must(t, st.UpsertPeople(ctx, heads, nil))
	hp, err := st.PeopleByCodes(ctx, []string{"RA", "RB", "RC"})
	must(t, err)
	c.headA, c.headB, c.headC = hp["RA"].ID, hp["RB"].ID, hp["RC"].ID
	must(t, st.SetHouseholdHeads(ctx, map[domain.HouseholdID]domain.PersonID{c.hhA: c.headA, c.hhB: c.headB, c.hhC: c.headC}))
	start := clock.Date(2026, 1, 1)
	must(t, st.UpsertPairings(ctx, []store.Pairing{{Code: "PA", CadreID: c.k1, HouseholdID: c.hhA, StartOn: start},
		{Code: "PB", CadreID: c.k1, HouseholdID: c.hhB, StartOn: start}, {Code: "PC", CadreID: c.k2, HouseholdID: c.hhC, StartOn: start}}))
	ps, err := st.PairingsByCodes(ctx, []string{"PA", "PB", "PC"})
	must(t, err)
	c.pA, c.pB, c.pC = ps["PA"].ID, ps["PB"].ID, ps["PC"].ID
	return c
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// checkIn stores a check-in that occurred (and was reported) at at.
func (c *county) checkIn(t *testing.T, p domain.PairingID, kind domain.CheckInKind, at time.Time) {
	t.Helper()
	pr, err := c.st.PairingByID(context.Background(), p)
	must(t, err)
	_, _, err = c.st.CreateCheckIn(context.Background(), store.CheckIn{PairingID: p, CadreID: pr.CadreID, HouseholdID: pr.HouseholdID,
		Kind: kind, OccurredAt: at, ReportedAt: at}, pr.CadreID)
	must(t, err)
}

// messages returns the texts enqueued for person under key prefix.
func (c *county) messages(t *testing.T, prefix string, to domain.PersonID) []string {
	t.Helper()
	ms, err := c.st.OutboxWithPrefix(context.Background(), prefix)
	must(t, err)
	var out []string
	for _, m := range ms {
		if m.PersonID != nil && *m.PersonID == to {
			out = append(out, m.Text)
		}
	}
	return out
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func defaults() config.Config {
	cfg := config.Defaults()
	cfg.Outbox.FileDir = ""
	return cfg
}

// jobsByName builds the production jobs on st.
func jobsByName(t *testing.T, st *store.Store, clk clock.Clock, cfg config.Config) map[string]scheduler.Job {
	t.Helper()
	js, err := scheduler.Jobs(scheduler.Deps{Store: st, Clock: clk, Config: cfg, Log: quietLog()})
	must(t, err)
	out := map[string]scheduler.Job{}
	for _, j := range js {
		out[j.Name()] = j
	}
	return out
}

func run(t *testing.T, j scheduler.Job, clk *clock.Fake, at time.Time) scheduler.Result {
	t.Helper()
	clk.Set(at)
	res, err := j.Run(context.Background(), at)
	must(t, err)
	return res
}

func contains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
