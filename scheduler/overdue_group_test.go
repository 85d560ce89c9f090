package scheduler

import "testing"

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
