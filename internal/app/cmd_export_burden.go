package app

import (
	"context"
	"fmt"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/report"
)

// runExportBurden writes the burden meter of a month: for each cadre with a pairing, the messages
// qinqi sent them, the follow-up questions it asked, the reminders, and the median time from a
// reminder to their next report.
func runExportBurden(ctx context.Context, args []string, stdio IO) error {
	var c common
	fs := newFlags("export", "burden --month 2026-11 [--unit CODE] [--format csv|json|xlsx] [-o FILE]", stdio)
	c.register(fs)
	month := fs.String("month", "", "the month, YYYY-MM (required)")
	unit := fs.String("unit", "", "unit code: only this unit and its sub-units (default: every unit)")
	format := fs.String("format", "", "csv, json or xlsx (default: from the -o extension, else csv)")
	out := fs.String("o", "", "output file (default: standard output)")
	if err := parse(fs, args); err != nil {
		return err
	}
	from, err := time.ParseInLocation("2006-01", *month, clock.Shanghai)
	if err != nil {
		return fmt.Errorf("--month %q: give the month as YYYY-MM, e.g. 2026-11", *month)
	}
	cfg, s, err := c.openDB(ctx, stdio, false)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := requireSchema(ctx, s); err != nil {
		return err
	}
	sc, err := cliScope(ctx, s, *unit)
	if err != nil {
		return err
	}
	rows, err := s.BurdenOf(ctx, from, from.AddDate(0, 1, 0), sc.Units)
	if err != nil {
		return err
	}
	w, finish, err := openExport(*out, exportFormat(*format, *out), stdio)
	if err != nil {
		return err
	}
	if err := finish(report.WriteBurden(rows, exportFormat(*format, *out), w)); err != nil {
		return err
	}
	fmt.Fprintf(stdio.Err, "%s\n", report.BurdenLine(report.SumBurden(rows)))
	fmt.Fprintf(stdio.Err, "读取 (read from) %s\n", dbLabel(cfg))
	return nil
}
