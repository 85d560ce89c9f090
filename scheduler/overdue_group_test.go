package scheduler

import (
	"reflect"
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
		if got := nextGroup(of(c.sizes...)); got != c.want {
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
