// Package bench measures qinqi against the ceilings of the machine it runs on: the raw single-row
// INSERT rate of the same database with the same durability settings, the Redis round trip, and then
// the qinqi paths, each printed with its ratio to the ceiling. `qinqi bench` runs it; docs/BENCHMARKS.md
// holds one run's output with the command that produced it.
package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"time"
)

// Env is what a suite may use. Empty MySQLDSN or RedisAddr skip the cases that need them.
type Env struct {
	MySQLDSN  string // a user allowed to create databases, e.g. qinqi:qinqi@tcp(127.0.0.1:3306)/
	RedisAddr string // e.g. 127.0.0.1:6379
	TempDir   string // SQLite files and spools go here
	Scale     int    // largest pairing count for the scaling suites (default 1,000,000)
	Duration  time.Duration
	Log       *slog.Logger
	// Households is the county the check-in suite seeds (default 2,000).
	Households int
	// Rate is the check-in suite's open-loop arrival rate in messages per second (default 500).
	Rate float64
	// InboxWorkers is the check-in suite's inbox Workers (serial queues); 0 means the production default.
	InboxWorkers int
}

// Row is one measured figure. Ceiling and Ratio are zero when the path has no ceiling.
type Row struct {
	Suite   string
	Case    string  // e.g. "check-in path, 8 senders"
	Backend string  // sqlite, mariadb, redis, cpu
	Value   float64 // in Unit
	Unit    string  // msg/s, rows/s, s, MB, …
	Ceiling float64 // the matching ceiling in the same unit
	Extra   string  // p50/p99, memory, notes
	Target  string  // the target, e.g. "≥ 1000 msg/s"
	Met     *bool   // nil when there is no target
}

// Report collects rows as suites produce them and prints each immediately, so a long run shows progress.
type Report struct {
	Rows []Row
	out  io.Writer
}

// NewReport prints rows to out as they are added.
func NewReport(out io.Writer) *Report { return &Report{out: out} }

// Add records a row and prints it.
func (r *Report) Add(row Row) {
	r.Rows = append(r.Rows, row)
	fmt.Fprintln(r.out, formatRow(row))
}

// Ceiling returns the value of an earlier row (suite, case, backend), or 0.
func (r *Report) Ceiling(suite, cas, backend string) float64 {
	for _, row := range r.Rows {
		if row.Suite == suite && row.Case == cas && row.Backend == backend {
			return row.Value
		}
	}
	return 0
}

func formatRow(row Row) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-9s | %-44s | %-7s | %12s %-6s", row.Suite, row.Case, row.Backend, human(row.Value), row.Unit)
	if row.Ceiling > 0 {
		fmt.Fprintf(&b, " | ceiling %s = %.0f%%", human(row.Ceiling), 100*row.Value/row.Ceiling)
	}
	if row.Extra != "" {
		fmt.Fprintf(&b, " | %s", row.Extra)
	}
	if row.Target != "" {
		fmt.Fprintf(&b, " | target %s %s", row.Target, verdict(row.Met))
	}
	return b.String()
}

func human(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

// Met is a helper for Row.Met.
func Met(ok bool) *bool { return &ok }

// Suite is one group of measurements.
type Suite struct {
	Name string
	What string
	Run  func(ctx context.Context, env Env, rep *Report) error
}

// Header describes the machine, printed before the rows.
func Header(w io.Writer, now time.Time) {
	fmt.Fprintf(w, "qinqi bench · %s · %s/%s · %d CPUs · %s\n", now.Format("2006-01-02 15:04 MST"),
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
}
