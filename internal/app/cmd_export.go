package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/sheet"
	"qinqi/store"
)

// runExport dispatches on what to export: the raw check-ins here, the ledger and the chart in
// cmd_export_report.go.
func runExport(ctx context.Context, args []string, io IO) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(io.Err, "Usage: qinqi export checkins|ledger|chart|callbacks|burden [flags]   (qinqi export checkins -h for the flags)")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return errUsage
	}
	switch args[0] {
	case "checkins":
		return runExportCheckIns(ctx, args[1:], io)
	case "ledger":
		return runExportLedger(ctx, args[1:], io)
	case "chart":
		return runExportChart(ctx, args[1:], io)
	case "callbacks":
		return runExportCallbacks(ctx, args[1:], io)
	case "burden":
		return runExportBurden(ctx, args[1:], io)
	}
	return fmt.Errorf("unknown export %q (use checkins, ledger, chart, callbacks or burden)", args[0])
}

// exportKinds says what each `qinqi export` kind writes, for its -h.
func exportKinds() map[string]string {
	return map[string]string{
		"checkins":  "write the raw check-in table of a date range as csv, json or xlsx",
		"ledger":    "write the 民情台账 workbook of a month, quarter or year",
		"chart":     "draw the activity bar chart of a period as a .png, the picture 统计图 sends in chat",
		"callbacks": "write the month's phone call-back list, with full phone numbers (each export is audit-logged)",
		"burden":    "write the burden meter of a month: what qinqi sent and asked each cadre, and how soon they reported",
	}
}

func runExportCheckIns(ctx context.Context, args []string, io IO) error {
	var c common
	fs := newFlags("export", "checkins --from 2026-11-01 --to 2026-11-30 [--format csv|json|xlsx] [-o FILE]", io)
	c.register(fs)
	from := fs.String("from", "", "first day, YYYY-MM-DD (required)")
	to := fs.String("to", "", "last day, inclusive, YYYY-MM-DD (required)")
	format := fs.String("format", "", "csv, json or xlsx (default: from the -o extension, else csv)")
	out := fs.String("o", "", "output file (default: standard output)")
	full := fs.Bool("full-text", false, "diary texts as typed, phone and ID numbers unmasked (written to the audit log)")
	if err := parse(fs, args); err != nil {
		return err
	}
	start, end, err := dayRange(*from, *to)
	if err != nil {
		return err
	}
	f := exportFormat(*format, *out)
	cfg, s, err := c.openDB(ctx, io, false)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := requireSchema(ctx, s); err != nil {
		return err
	}
	w, finish, err := openExport(*out, f, io)
	if err != nil {
		return err
	}
	export := sheet.ExportCheckIns
	if *full {
		export = sheet.ExportCheckInsFullText
	}
	n, err := export(ctx, s, w, f, start, end)
	if err = finish(err); err != nil {
		return err
	}
	if *full {
		if err := s.Audit(ctx, store.AuditEntry{Action: store.ActFullText, Entity: "export", At: clock.Real{}.Now(),
			Detail: fmt.Sprintf("check-ins %s..%s with full text, %d row(s)", *from, *to, n)}); err != nil {
			return fmt.Errorf("export written, but not audited: %w", err)
		}
	}
	if *out != "" {
		fmt.Fprintf(io.Err, "wrote %d check-in(s) to %s\n", n, *out)
	}
	fmt.Fprintf(io.Err, "读取 (read from) %s\n", dbLabel(cfg))
	return nil
}

// dayRange parses inclusive YYYY-MM-DD bounds into [start, end) in Asia/Shanghai.
func dayRange(from, to string) (time.Time, time.Time, error) {
	if from == "" || to == "" {
		return time.Time{}, time.Time{}, errors.New("--from and --to are required, e.g. --from 2026-11-01 --to 2026-11-30")
	}
	a, err := time.ParseInLocation(time.DateOnly, from, clock.Shanghai)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("--from %q is not a date like 2026-11-01", from)
	}
	b, err := time.ParseInLocation(time.DateOnly, to, clock.Shanghai)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("--to %q is not a date like 2026-11-30", to)
	}
	if b.Before(a) {
		return time.Time{}, time.Time{}, errors.New("--to is before --from")
	}
	return a, b.AddDate(0, 0, 1), nil
}

// exportFormat takes --format, else the -o extension, else csv.
func exportFormat(format, out string) string {
	if format != "" {
		return strings.ToLower(format)
	}
	if ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), "."); ext == "json" || ext == "xlsx" {
		return ext
	}
	return sheet.FormatCSV
}

// openExport opens -o, written under a temporary name, or standard output; xlsx is refused on a
// terminal. finish(err) keeps the file only when err is nil (a failed export leaves no half file)
// and returns err joined with any error of its own.
func openExport(out, format string, io IO) (io.Writer, func(error) error, error) {
	if out == "" {
		if format == sheet.FormatXLSX && isTerminal(io.Out) {
			return nil, nil, errors.New("xlsx is binary: give -o FILE.xlsx or redirect standard output to a file")
		}
		return io.Out, func(err error) error { return err }, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".qinqi-export-*")
	if err != nil {
		return nil, nil, fmt.Errorf("cannot write %s: %w", out, err)
	}
	return tmp, func(err error) error {
		if err = errors.Join(err, tmp.Close()); err != nil {
			_ = os.Remove(tmp.Name())
			return err
		}
		return os.Rename(tmp.Name(), out)
	}, nil
}

// exportTarget is openExport for callers that finish unconditionally: done() always keeps the
// file. Prefer openExport, whose finish(err) drops the file of a failed export.
func exportTarget(out, format string, io IO) (io.Writer, func() error, error) {
	w, finish, err := openExport(out, format, io)
	if err != nil {
		return nil, nil, err
	}
	return w, func() error { return finish(nil) }, nil
}

// isTerminal reports whether w is a character device (a terminal), not a file or pipe.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
