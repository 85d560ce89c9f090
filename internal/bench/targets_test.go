package bench

import (
	"io"
	"strings"
	"testing"
)

// The summary names every target of the issue: a measured one with its ceiling, ratio and verdict,
// one whose suite did not run as not measured.
func TestSummaryNamesEveryTarget(t *testing.T) {
	rep := NewReport(io.Discard)
	rep.Add(Row{Suite: "checkin", Case: "check-in path, 64 senders", Backend: backendSQLite, Value: 604, Unit: "msg/s",
		Ceiling: 5664, Target: "≥ 0.5 × ceiling", Met: Met(false)})
	rep.Add(Row{Suite: "checkin", Case: "open loop 500 msg/s, 64 senders", Backend: backendSQLite, Value: 12, Unit: "ms p99",
		Target: "p99 < 50 ms", Met: Met(true)})
	var b strings.Builder
	rep.Summary(&b)
	out := b.String()
	for _, want := range []string{
		"| sqlite  | check-in path, 64 senders                | 604 msg/s, ceiling 5664, ratio 0.11 · not met",
		"| sqlite  | open loop 500 msg/s, 64 senders          | 12.0 ms p99 · met",
		"| mariadb | check-in path, 64 senders                | not measured in this run",
		"festival reminders for 100,000 cadres < 30 s",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	// 13 target lines, and the two 1m scan targets once more with the recommended buffer pool
	if n := strings.Count(out, "\n"); n != 1+15 {
		t.Errorf("summary has %d lines, want a header and 15 target lines:\n%s", n, out)
	}
}
