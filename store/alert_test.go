package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// alertCounty is one cadre with two paired households.
func alertCounty(t *testing.T, st *store.Store) (domain.PersonID, [2]domain.PairingID) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.UpsertPeople(ctx, []store.Person{{Code: "K", Name: "张干部", Roles: domain.MakeRoles(domain.RoleCadre)}}, nil))
	must(st.UpsertHouseholds(ctx, []store.Household{{Code: "A", HeadName: "王一"}, {Code: "B", HeadName: "王二"}}, nil))
	k, err := st.PersonByCode(ctx, "K")
	must(err)
	hh, err := st.HouseholdsByCodes(ctx, []string{"A", "B"})
	must(err)
	start := clock.Date(2026, 1, 1)
	must(st.UpsertPairings(ctx, []store.Pairing{{Code: "PA", CadreID: k.ID, HouseholdID: hh["A"].ID, StartOn: start},
		{Code: "PB", CadreID: k.ID, HouseholdID: hh["B"].ID, StartOn: start, EndOn: ptrTime(clock.Date(2026, 11, 20))}}))
	ps, err := st.PairingsByCodes(ctx, []string{"PA", "PB"})
	must(err)
	return k.ID, [2]domain.PairingID{ps["PA"].ID, ps["PB"].ID}
}

func ptrTime(t time.Time) *time.Time { return &t }

func TestAlertSpells(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			k, ps := alertCounty(t, st)
			at := clock.Date(2026, 11, 2).Add(8 * time.Hour)
			fresh, err := st.AddAlerts(ctx, []store.Alert{
				{Key: "a", Level: domain.AlertCadre, PairingID: ps[0], RecipientID: k, CreatedAt: at},
				{Key: "b", Level: domain.AlertCadre, PairingID: ps[1], RecipientID: k, CreatedAt: at},
				{Key: "a", Level: domain.AlertCadre, PairingID: ps[0], RecipientID: k, CreatedAt: at}})
			if err != nil || len(fresh) != 2 {
				t.Fatalf("AddAlerts = %d fresh, %v; want 2 (one key twice)", len(fresh), err)
			}
			if ids, err := st.OpenAlertPairings(ctx); err != nil || len(ids) != 2 || ids[0] != ps[0] {
				t.Errorf("OpenAlertPairings = %v, %v", ids, err)
			}
			if err := st.ResolveAlerts(ctx, []domain.AlertID{fresh[1].ID}, at.Add(24*time.Hour)); err != nil {
				t.Fatal(err)
			}
			open, err := st.OpenAlertsOf(ctx, ps[:])
			if err != nil || len(open) != 1 || open[0].Key != "a" {
				t.Errorf("open after resolving b = %v, %v", open, err)
			}
			ends, err := st.SpellEnds(ctx, ps[:], clock.Date(2026, 11, 21))
			if err != nil || ends[ps[0]] != (store.SpellEnd{CadreName: "张干部", HeadName: "王一", Active: true}) ||
				ends[ps[1]] != (store.SpellEnd{CadreName: "张干部", HeadName: "王二", Active: false}) {
				t.Errorf("SpellEnds = %+v, %v", ends, err)
			}
		})
	}
}

// TestUnsentAlerts: the overdue scan's second pass reads the open alerts no message carried, of the
// recipients asked for, with the cadre's and the household head's names for their lines.
func TestUnsentAlerts(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			k, ps := alertCounty(t, st)
			at := clock.Date(2026, 11, 2).Add(8 * time.Hour)
			fresh, err := st.AddAlerts(ctx, []store.Alert{
				{Key: "sent", Level: domain.AlertCadre, PairingID: ps[0], RecipientID: k, CreatedAt: at},
				{Key: "resolved", Level: domain.AlertCadre, PairingID: ps[1], RecipientID: k, CreatedAt: at},
				{Key: "unsent", Level: domain.AlertHead, PairingID: ps[1], RecipientID: k, Reason: "已逾期9天", CreatedAt: at}})
			if err != nil || len(fresh) != 3 {
				t.Fatalf("AddAlerts = %d, %v", len(fresh), err)
			}
			m, err := st.EnqueueOutbox(ctx, store.OutboxMessage{Key: "overdue:x", PersonID: &k, Text: "x", CreatedAt: at})
			if err != nil {
				t.Fatal(err)
			}
			if err := st.LinkAlerts(ctx, map[domain.OutboxID][]domain.AlertID{m.ID: {fresh[0].ID}}); err != nil {
				t.Fatal(err)
			}
			if err := st.ResolveAlerts(ctx, []domain.AlertID{fresh[1].ID}, at); err != nil {
				t.Fatal(err)
			}
			got, err := st.UnsentAlertsOf(ctx, []domain.PersonID{k})
			want := store.UnsentAlert{ID: fresh[2].ID, Level: domain.AlertHead, PairingID: ps[1], RecipientID: k, Reason: "已逾期9天",
				CadreID: k, CadreName: "张干部", HeadName: "王二"}
			if err != nil || len(got) != 1 || got[0] != want {
				t.Errorf("UnsentAlertsOf = %+v, %v; want only %+v", got, err, want)
			}
			if got, err := st.UnsentAlertsOf(ctx, []domain.PersonID{k + 1000}); err != nil || len(got) != 0 {
				t.Errorf("another recipient's unsent alerts = %+v, %v", got, err)
			}
		})
	}
}

func TestSheetImportsAndHistory(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			k, ps := alertCounty(t, st)
			if first, last, err := st.SheetImports(ctx); err != nil || !first.IsZero() || !last.IsZero() {
				t.Errorf("no import yet: %v %v %v", first, last, err)
			}
			for _, at := range []time.Time{clock.Date(2026, 11, 3).Add(9 * time.Hour), clock.Date(2026, 11, 8).Add(7 * time.Hour)} {
				if err := st.Audit(ctx, store.AuditEntry{Action: store.ActUpsert, Entity: "sheet:visits", At: at}); err != nil {
					t.Fatal(err)
				}
			}
			if err := st.Audit(ctx, store.AuditEntry{Action: store.ActCreate, Entity: "checkin", At: clock.Date(2026, 12, 1)}); err != nil {
				t.Fatal(err)
			}
			first, last, err := st.SheetImports(ctx)
			if err != nil || !first.Equal(clock.Date(2026, 11, 3).Add(9*time.Hour)) || !last.Equal(clock.Date(2026, 11, 8).Add(7*time.Hour)) {
				t.Errorf("SheetImports = %v, %v, %v", first, last, err)
			}
			for i, d := range []int{3, 5, 9} {
				_, _, err := st.CreateCheckIn(ctx, store.CheckIn{PairingID: ps[0], CadreID: k, HouseholdID: 1, Kind: domain.KindContact,
					OccurredAt: clock.Date(2026, 10, d), ReportedAt: clock.Date(2026, 10, d), Text: string(rune('a' + i))}, k)
				if err != nil {
					t.Fatal(err)
				}
			}
			h, err := st.HistoryOf(ctx, ps[:], clock.Date(2026, 10, 9))
			if err != nil || len(h[ps[0]]) != 2 || len(h[ps[1]]) != 0 {
				t.Errorf("HistoryOf = %v, %v; want the two check-ins before 10-09", h, err)
			}
		})
	}
}

// TestAlertSpellsMigration: alerts written before spells are closed by the upgrade when the pairing
// was contacted after them, and stay open (so nobody is alerted again) when it was not.
func TestAlertSpellsMigration(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			k, ps := alertCounty(t, st)
			if err := st.DowngradeAlertSpellsForTest(ctx); err != nil {
				t.Fatal(err)
			}
			at := clock.Date(2026, 11, 2).Add(8 * time.Hour)
			for i, p := range ps {
				if err := st.AddOldAlertForTest(ctx, store.Alert{Key: string(rune('a' + i)), Level: domain.AlertCadre, PairingID: p, RecipientID: k, CreatedAt: at}); err != nil {
					t.Fatal(err)
				}
			}
			if _, _, err := st.CreateCheckIn(ctx, store.CheckIn{PairingID: ps[0], CadreID: k, HouseholdID: 1, Kind: domain.KindVisit,
				OccurredAt: at.Add(48 * time.Hour), ReportedAt: at.Add(48 * time.Hour)}, k); err != nil {
				t.Fatal(err)
			}
			if err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			open, err := st.OpenAlertsOf(ctx, ps[:])
			if err != nil || len(open) != 1 || open[0].PairingID != ps[1] {
				t.Errorf("open after the upgrade = %+v, %v; want only the uncontacted pairing's", open, err)
			}
		})
	}
}

// TestCadreDigestReads: what the overdue scan reads and writes for a cadre's digest during the scan.
// Alerts inserted with their OutboxID are carried already; a cadre is owed something else when an
// open alert of theirs is unsent or past the cadre level, not for a sent or resolved cadre alert.
func TestCadreDigestReads(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			k, ps := alertCounty(t, st)
			at := clock.Date(2026, 11, 2).Add(8 * time.Hour)
			m, err := st.EnqueueOutbox(ctx, store.OutboxMessage{Key: "overdue:x", PersonID: &k, Text: "x", CreatedAt: at})
			if err != nil {
				t.Fatal(err)
			}
			if !store.OutboxTextIs(m, "x") || store.OutboxTextIs(m, "y") {
				t.Errorf("OutboxTextIs(%q) wrong", m.Text)
			}
			rows := []store.Alert{{Key: "sent", Level: domain.AlertCadre, PairingID: ps[0], RecipientID: k, OutboxID: &m.ID, CreatedAt: at},
				{Key: "resolved", Level: domain.AlertCadre, PairingID: ps[1], RecipientID: k, CreatedAt: at}}
			if err := st.InsertAlerts(ctx, rows); err != nil {
				t.Fatal(err)
			}
			if err := st.InsertAlerts(ctx, rows[:1]); !errors.Is(err, store.ErrAlertsRaced) { // another run's key: kept, said
				t.Fatalf("InsertAlerts over a stored key = %v; want ErrAlertsRaced", err)
			}
			if seen, err := st.ExistingAlertKeys(ctx, []string{"sent", "resolved", "new"}); err != nil || len(seen) != 2 || seen["new"] {
				t.Errorf("ExistingAlertKeys = %v, %v", seen, err)
			}
			as, err := st.Alerts(ctx, time.Time{}, time.Time{})
			if err != nil || len(as) != 2 || as[0].OutboxID == nil || *as[0].OutboxID != m.ID || as[1].OutboxID != nil {
				t.Fatalf("alerts = %+v, %v; want the first carried by %d", as, err, m.ID)
			}
			steps, err := st.OpenStepsOf(ctx, ps[:])
			want := []store.AlertStep{{PairingID: ps[0], Level: domain.AlertCadre, RecipientID: k},
				{PairingID: ps[1], Level: domain.AlertCadre, RecipientID: k, Unsent: true}}
			if err != nil || len(steps) != 2 || !slices.Contains(steps, want[0]) || !slices.Contains(steps, want[1]) {
				t.Errorf("OpenStepsOf = %+v, %v; want %+v", steps, err, want)
			}
			if err := st.ResolveAlerts(ctx, []domain.AlertID{as[1].ID}, at); err != nil {
				t.Fatal(err)
			}
			if steps, err := st.OpenStepsOf(ctx, ps[:]); err != nil || len(steps) != 1 || steps[0] != want[0] {
				t.Errorf("after resolving one, OpenStepsOf = %+v, %v; want %+v", steps, err, want[:1])
			}
			if owed, err := st.RecipientsWithPending(ctx, []domain.PersonID{k}); err != nil || len(owed) != 0 {
				t.Errorf("with a sent and a resolved cadre alert, RecipientsWithPending = %v, %v; want none", owed, err)
			}
			for _, a := range []store.Alert{{Key: "unsent", Level: domain.AlertCadre, PairingID: ps[1], RecipientID: k, CreatedAt: at},
				{Key: "head", Level: domain.AlertHead, PairingID: ps[1], RecipientID: k, OutboxID: &m.ID, CreatedAt: at}} {
				if err := st.InsertAlerts(ctx, []store.Alert{a}); err != nil {
					t.Fatal(err)
				}
				if owed, err := st.RecipientsWithPending(ctx, []domain.PersonID{k, k + 1000}); err != nil || len(owed) != 1 || !owed[k] {
					t.Errorf("with alert %s, RecipientsWithPending = %v, %v; want the cadre", a.Key, owed, err)
				}
				if err := st.ResolveAlerts(ctx, []domain.AlertID{lastAlert(t, st).ID}, at); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func lastAlert(t *testing.T, st *store.Store) store.Alert {
	t.Helper()
	as, err := st.Alerts(context.Background(), time.Time{}, time.Time{})
	if err != nil || len(as) == 0 {
		t.Fatalf("alerts = %v, %v", as, err)
	}
	return as[len(as)-1]
}

// TestInsertAlertsInBatches: more alerts than one INSERT carries go in whole, in order, with what
// the scan set (level, reason clipped to the column, spell date, outbox link); a key written before
// keeps the earlier row and is told (ErrAlertsRaced), so the caller can roll back and write again
// without it.
func TestInsertAlertsInBatches(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			k, ps := alertCounty(t, st)
			at := clock.Date(2026, 11, 2).Add(8 * time.Hour)
			since := clock.Date(2026, 10, 1)
			m, err := st.EnqueueOutbox(ctx, store.OutboxMessage{Key: "overdue:x", PersonID: &k, Text: "x", CreatedAt: at})
			if err != nil {
				t.Fatal(err)
			}
			long := strings.Repeat("逾", 300)
			if err := st.InsertAlerts(ctx, []store.Alert{{Key: "a-7", Level: domain.AlertCadre, PairingID: ps[1], RecipientID: k, Reason: "earlier", CreatedAt: at}}); err != nil {
				t.Fatal(err)
			}
			var rows []store.Alert
			for i := range 2100 {
				rows = append(rows, store.Alert{Key: fmt.Sprintf("a-%d", i), Level: domain.AlertHead, PairingID: ps[0], RecipientID: k,
					Reason: long, OverdueSince: since, OutboxID: &m.ID, CreatedAt: at})
			}
			inTx := func(rows []store.Alert) error {
				return st.Tx(ctx, func(tx *store.Store) error { return tx.InsertAlerts(ctx, rows) })
			}
			if err := inTx(rows[:10]); !errors.Is(err, store.ErrAlertsRaced) {
				t.Fatalf("InsertAlerts over a stored key = %v; want ErrAlertsRaced", err)
			}
			if err := st.ResolveAlerts(ctx, []domain.AlertID{lastAlert(t, st).ID}, at); err != nil {
				t.Fatal(err)
			}
			if err := inTx(rows[:8]); !errors.Is(err, store.ErrAlertsRaced) { // resolved, still stored
				t.Fatalf("InsertAlerts over a resolved alert's key = %v; want ErrAlertsRaced", err)
			}
			if err := inTx(rows[:7]); err != nil {
				t.Fatal(err)
			}
			if err := st.InsertAlerts(ctx, rows[8:]); err != nil {
				t.Fatal(err)
			}
			as, err := st.Alerts(ctx, time.Time{}, time.Time{})
			if err != nil || len(as) != 2100 {
				t.Fatalf("%d alerts, %v; want 2100", len(as), err)
			}
			if a := as[0]; a.Key != "a-7" || a.Reason != "earlier" || a.OutboxID != nil || a.ResolvedAt == nil {
				t.Errorf("the earlier row became %+v", a)
			}
			for i, a := range as[1:] {
				want := fmt.Sprintf("a-%d", i)
				if i >= 7 {
					want = fmt.Sprintf("a-%d", i+1)
				}
				if a.Key != want || a.Level != domain.AlertHead || a.PairingID != ps[0] || a.Reason != store.ClipAlertReason(long) ||
					!a.OverdueSince.Equal(since) || !a.CreatedAt.Equal(at) || a.OutboxID == nil || *a.OutboxID != m.ID || a.ResolvedAt != nil {
					t.Fatalf("alert %d = %+v, want %s as written", i+1, a, want)
				}
			}
		})
	}
}

// TestClipAlertReason: a reason is cut at 255 runes, not bytes; one that fits comes back as it was,
// invalid UTF-8 included (it is counted a byte a rune, as the cut counts it).
func TestClipAlertReason(t *testing.T) {
	fits := strings.Repeat("逾", 255)
	bad := strings.Repeat("x", 254) + "\xff"
	for _, c := range []struct{ name, in, want string }{
		{"short", "逾期12天", "逾期12天"},
		{"exactly 255 runes", fits, fits},
		{"256 runes", fits + "期", fits},
		{"invalid byte that fits", bad, bad},
		{"invalid byte past the end", bad + "y", strings.Repeat("x", 254) + "\uFFFD"},
	} {
		if got := store.ClipAlertReason(c.in); got != c.want {
			t.Errorf("%s: got %d runes %q…, want %q…", c.name, len([]rune(got)), got[:min(len(got), 12)], c.want[:min(len(c.want), 12)])
		}
	}
}
