package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/report"
	"qinqi/internal/sheet"
	"qinqi/store"
)

// runExportCallbacks writes the call-back list (回访清单) of a month: the households without chat
// to phone, with full phone numbers. Every run is written to the audit log.
func runExportCallbacks(ctx context.Context, args []string, stdio IO) error {
	var c common
	fs := newFlags("export", "callbacks --month 2026-11 [--unit CODE] -o 回访清单-2026-11.xlsx", stdio)
	c.register(fs)
	month := fs.String("month", "", "the month asked about, YYYY-MM (required)")
	unit := fs.String("unit", "", "unit code: only this unit and its sub-units (default: every unit)")
	out := fs.String("o", "", "output file (default: standard output when it is not a terminal)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if _, err := time.Parse("2006-01", *month); err != nil {
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
	kinds := make([]domain.CheckInKind, len(cfg.Confirm.Kinds))
	for i, k := range cfg.Confirm.Kinds {
		kinds[i] = domain.CheckInKind(k)
	}
	var units []domain.UnitID
	if !sc.All {
		units = sc.Units
	}
	rows, err := s.CallbackList(ctx, *month, kinds, units)
	if err != nil {
		return err
	}
	now := clock.Real{}.Now()
	// the audit row goes first: a file with full phone numbers never exists without it
	if err := s.Audit(ctx, store.AuditEntry{Action: store.ActExport, Entity: store.EntCallback, At: now,
		Detail: fmt.Sprintf("cli month=%s unit=%s households=%d", *month, *unit, len(rows))}); err != nil {
		return fmt.Errorf("the call-back list was not written, the audit log refused the entry: %w", err)
	}
	w, done, err := exportTarget(*out, sheet.FormatXLSX, stdio)
	if err != nil {
		return err
	}
	if err := errors.Join(report.WriteCallbackList(rows, sc.Name, *month, now, w), done()); err != nil {
		return err
	}
	fmt.Fprintf(stdio.Err, "wrote the call-back list of %s for %s: %d household(s), full phone numbers (audit-logged)\n", sc.Name, *month, len(rows))
	fmt.Fprintf(stdio.Err, "读取 (read from) %s\n", dbLabel(cfg))
	return nil
}
