package bench

import (
	"fmt"
	"io"
	"strings"
)

// issue14 names every target of the performance issue with the rows that measure it, so the
// summary can say "not measured" for a target whose suite or backend was left out of a run.
var issue14 = []struct {
	target   string
	suite    string
	cases    []string // row case names that carry this target
	backends []string
}{
	{"check-in path, 64 senders ≥ 0.5 × INSERT ceiling", "checkin", []string{"check-in path, 64 senders"}, []string{backendSQLite, backendMariaDB}},
	{"check-in path, 1 and 8 senders ≥ 0.3 × INSERT ceiling", "checkin", []string{"check-in path, 1 sender", "check-in path, 8 senders"}, []string{backendSQLite, backendMariaDB}},
	{"open loop 500 msg/s: p99 < 50 ms", "checkin", []string{"open loop 500 msg/s, 64 senders"}, []string{backendSQLite, backendMariaDB}},
	{"qinqi CPU per report ≤ 0.3 ms", "checkin", []string{cpuCase}, []string{backendSQLite, backendMariaDB}},
	{"overdue scan 1m pairings < 10 s and < 300 MB, normal day", "scale_scan", []string{"overdue scan 1m, again, alerts already raised", "overdue scan 1m, again, alerts already raised, recommended buffer pool"}, []string{backendMariaDB}},
	{"overdue scan 1m pairings < 10 s and < 300 MB, first day", "scale_scan", []string{"overdue scan 1m, first run of the day", "overdue scan 1m, first run of the day, recommended buffer pool"}, []string{backendMariaDB}},
	{"festival reminders for 100,000 cadres < 30 s", "scale_plan", []string{"festival reminders 1m (春节 opens), 100000 cadres"}, []string{backendMariaDB}},
}

// cpuCase is the row that carries the CPU-per-report target (measured on the 64-sender run).
const cpuCase = "qinqi CPU per report, 64 senders"

// Summary prints every target of the performance issue once more, with its value, ceiling and ratio
// where there is one, and "met", "not met" or "not measured" (suite or backend left out of the run).
func (r *Report) Summary(w io.Writer) {
	fmt.Fprintln(w, "targets (issue 14), from the rows above:")
	for _, t := range issue14 {
		for _, b := range t.backends {
			for _, c := range t.cases {
				row, ok := r.find(t.suite, c, b)
				if !ok {
					fmt.Fprintf(w, "  %-58s | %-7s | %-40s | not measured in this run\n", t.target, b, c)
					continue
				}
				fmt.Fprintf(w, "  %-58s | %-7s | %-40s | %s\n", t.target, b, c, verdictLine(row))
			}
		}
	}
}

func (r *Report) find(suite, cas, backend string) (Row, bool) {
	for _, row := range r.Rows {
		if row.Suite == suite && row.Case == cas && row.Backend == backend {
			return row, true
		}
	}
	return Row{}, false
}

// verdictLine is "604 msg/s, ceiling 5664, ratio 0.11 · not met".
func verdictLine(row Row) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", human(row.Value), row.Unit)
	if row.Ceiling > 0 {
		fmt.Fprintf(&b, ", ceiling %s, ratio %.2f", human(row.Ceiling), row.Value/row.Ceiling)
	}
	fmt.Fprintf(&b, " · %s", verdict(row.Met))
	return b.String()
}

func verdict(met *bool) string {
	switch {
	case met == nil:
		return "no target"
	case *met:
		return "met"
	}
	return "not met"
}
