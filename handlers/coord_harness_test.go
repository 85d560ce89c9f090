package handlers_test

import (
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/handlers"
	"qinqi/internal/calendar"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

// Extra people of the coordinator tests: an admin and a cadre of 县教育局 without households.
const (
	AdminSun    = "A01"
	CadreQian   = "P03" // 钱老师, 县教育局
	novVisitFen = 50000
)

// newCoordHarness is the shared harness with the coordinator dependencies wired in, report files
// written to a temporary directory, and two November check-ins of 张伟 (a visit with goods and
// money to 王春发, a phone call to 王秋菊).
// rebuild makes the router again after a change to h.cfg, with every extra dependency wired.
func (h *harness) rebuild() { h.rebuildWith(h.kv) }

// rebuildWith makes the router again on another dialog store (one on the fake clock, one that is down).
func (h *harness) rebuildWith(d handlers.Dialogs) {
	h.r = handlers.New(handlers.Deps{Store: h.st, Dialogs: d, Clock: h.clk, Config: h.cfg, Hanzi: folder(h.t), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Extra: handlers.ExtraDeps{Coord: h.st, Windows: h.cal, Spot: h.st, Callbacks: h.st}})
}

func newCoordHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	u2 := h.unit("U02")
	h.must(h.st.UpsertPeople(h.ctx, []store.Person{
		{Code: AdminSun, Name: "孙管理", Roles: domain.MakeRoles(domain.RoleAdmin)},
		{Code: CadreQian, Name: "钱老师", Phone: "13800000003", Roles: domain.MakeRoles(domain.RoleCadre), UnitID: &u2},
	}, nil))
	cal, err := calendar.New(h.cfg.Windows, h.cfg.Campaigns)
	h.must(err)
	h.cfg.Outbox.FileDir = t.TempDir()
	h.cal = cal
	h.rebuild()
	zhang := h.person(CadreZhang)
	pair := func(hh string) store.Pairing {
		ps, err := h.st.ActivePairingsOfHousehold(h.ctx, h.household(hh), h.clk.Now())
		h.must(err)
		return ps[0]
	}
	p1, p2 := pair(HHWang), pair(HHWangQiu)
	at := time.Date(2026, 11, 10, 9, 0, 0, 0, clock.Shanghai)
	h.must(h.st.InsertFixture(h.ctx,
		&store.CheckIn{PairingID: p1.ID, CadreID: zhang, HouseholdID: p1.HouseholdID, Kind: domain.KindVisit, Mode: domain.ModeInPerson,
			OccurredAt: at, ReportedAt: at, Items: "化肥×3包", ValueFen: novVisitFen, Text: "帮他定了生猪计划"},
		&store.CheckIn{PairingID: p2.ID, CadreID: zhang, HouseholdID: p2.HouseholdID, Kind: domain.KindContact, Mode: domain.ModePhone,
			OccurredAt: at.Add(24 * time.Hour), ReportedAt: at.Add(24 * time.Hour), Text: "问春耕准备"},
	))
	return h
}

// replies sends one text and returns the raw replies (files included).
func (h *harness) replies(code, text string) []bot.Reply {
	h.t.Helper()
	h.seq++
	m := bot.Message{Kind: bot.KindText, Text: text, Transport: "fake", Account: "bot1", ID: fmt.Sprintf("m%d", h.seq), Time: h.clk.Now()}
	return h.handle(bot.Inbound{Message: m, PersonID: int64(h.person(code)), InboxID: int64(h.seq)})
}
