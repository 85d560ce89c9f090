package app

import (
	"context"
	"errors"
)

// TEMPORARY: placeholders so `qinqi export` compiles before the conversation helper (H6) adds the
// real runExportLedger and runExportChart in cmd_export_report.go. H6: delete this whole file in
// the same commit that adds cmd_export_report.go.

func runExportLedger(ctx context.Context, args []string, io IO) error {
	return errors.New("export ledger: not available in this build yet")
}

func runExportChart(ctx context.Context, args []string, io IO) error {
	return errors.New("export chart: not available in this build yet")
}
