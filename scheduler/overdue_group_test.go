package scheduler

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/policy"
	"qinqi/store"
)

// TestNextGroup: a transaction of digests carries at least one recipient, never splits one, and takes
// more only while their alerts stay within alertsPerTx.
func TestNextGroup(t *testing.T) {
	of := func(sizes ...int) []cadreAlerts {
		out := make([]cadreAlerts, len(sizes))
		for i, n := range sizes {
			out[i].alerts = make([]heldAlert, n)
		}
		return out
	}
	for _, c := range []struct {
		sizes []int
		want  int
	}{
		{nil, 0},
		{[]int{3, 4, 5}, 3},
		{[]int{alertsPerTx + 1, 1}, 1},
		{[]int{alertsPerTx - 1, 1, 1}, 2},
		{[]int{alertsPerTx / 2, alertsPerTx / 2, 1}, 2},
	} {
		if got := nextGroup(of(c.sizes...), 0); got != c.want {
			t.Errorf("nextGroup(%v) = %d, want %d", c.sizes, got, c.want)
		}
	}
}

// TestHeldAlertIsThePlannedRow: an alert held for a digest in its small form comes back as the row
// plan made, at every level (a coordinator's key names the coordinator).
func TestHeldAlertIsThePlannedRow(t *testing.T) {
	now := time.Date(2026, 3, 10, 8, 30, 0, 0, clock.Shanghai)
	since := clock.Day(now.AddDate(0, 0, -40))
	chart := store.OrgChart{Units: map[domain.UnitID]store.Unit{1: {ID: 1, HeadID: ptr(domain.PersonID(90))}},
		Coordinators: map[domain.UnitID][]domain.PersonID{1: {80, 81}}}
	hit := overdueHit{facts: store.PairingFacts{Pairing: store.Pairing{ID: 7, CadreID: 5}, CadreUnit: ptr(domain.UnitID(1)), HeadName: "王春发"},
		status: policy.Status{Overdue: true, OverdueSince: since.Add(9 * time.Hour)}}
	j := &OverdueScan{Escalation: config.Escalation{CoordinatorAfterDays: 7, HeadAfterDays: 14}}
	planned := j.plan(chart, []overdueHit{hit}, now, time.Time{})
	if len(planned) != 4 {
		t.Fatalf("planned %d alerts, want the cadre's, two coordinators' and the head's: %+v", len(planned), planned)
	}
	for _, a := range planned {
		h := hold(a, lineOf{head: "王春发", cadre: 5})
		if got := h.row(now); !reflect.DeepEqual(got, a) {
			t.Errorf("held and put back:\n got %+v\nwant %+v", got, a)
		}
		if h.head != "王春发" || h.cadre != 5 {
			t.Errorf("held line = %q, cadre %d; want 王春发, 5", h.head, h.cadre)
		}
	}
}

// TestDigestTextPastTheCap: a digest of more alerts than it lists reads as one written from every
// line: a head's own lines, then the coordinators', cut at digestCap, with every alert counted.
func TestDigestTextPastTheCap(t *testing.T) {
	j := &OverdueScan{Escalation: config.Escalation{HeadAfterDays: 14}}
	leave := map[domain.PersonID]bool{7: true}
	alert := func(level domain.AlertLevel, i int) store.UnsentAlert {
		return store.UnsentAlert{Level: level, Reason: fmt.Sprintf("逾期%d天", i), CadreID: domain.PersonID(i % 9), CadreName: fmt.Sprintf("干部%d", i),
			HeadName: fmt.Sprintf("户主%d", i)}
	}
	for _, c := range []struct {
		name                  string
		heads, coords, cadres int
	}{{"head past the cap", 25, 30, 0}, {"head short of it", 12, 30, 0}, {"coordinator", 0, 45, 0}, {"cadre", 0, 0, 33}, {"all", 3, 5, 21}} {
		var fresh []store.UnsentAlert
		for i := range c.cadres {
			fresh = append(fresh, alert(domain.AlertCadre, i))
		}
		for i := range c.coords {
			fresh = append(fresh, alert(domain.AlertCoordinator, i))
		}
		for i := range c.heads {
			fresh = append(fresh, alert(domain.AlertHead, 100+i))
		}
		res := Result{}
		got := j.digestText(fresh, leave, []string{"干部1 → 户主1：已联系"}, res)
		if want := everyLine(j, fresh, leave); got != want+"\n\n"+textSpellsEnded([]string{"干部1 → 户主1：已联系"}) {
			t.Errorf("%s: digest\n%s\nwant\n%s", c.name, got, want)
		}
		if res["alerts_head"] != c.heads || res["alerts_coordinator"] != c.coords || res["alerts_cadre"] != c.cadres {
			t.Errorf("%s: counts %v", c.name, res)
		}
	}
}

// everyLine is the digest of fresh written from every line.
func everyLine(j *OverdueScan, fresh []store.UnsentAlert, leave map[domain.PersonID]bool) string {
	byLevel := map[domain.AlertLevel][]string{}
	for _, a := range fresh {
		line := lineCadre(a.HeadName, a.Reason)
		if a.Level != domain.AlertCadre {
			line = lineCoordinator(a.CadreName, a.HeadName, a.Reason, leave[a.CadreID])
		}
		byLevel[a.Level] = append(byLevel[a.Level], line)
	}
	var parts []string
	switch {
	case len(byLevel[domain.AlertHead]) > 0:
		parts = append(parts, textOverdueHead(append(byLevel[domain.AlertHead], byLevel[domain.AlertCoordinator]...), j.Escalation.HeadAfterDays))
	case len(byLevel[domain.AlertCoordinator]) > 0:
		parts = append(parts, textOverdueCoordinator(byLevel[domain.AlertCoordinator]))
	}
	if len(byLevel[domain.AlertCadre]) > 0 {
		parts = append(parts, textOverdueCadre(byLevel[domain.AlertCadre]))
	}
	return strings.Join(parts, "\n\n")
}
