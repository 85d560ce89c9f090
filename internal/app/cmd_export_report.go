package app

import (
	"context"
	"errors"
	"fmt"
	"io"

	"qinqi/internal/clock"
	"qinqi/internal/report"
	"qinqi/internal/sheet"
	"qinqi/store"
)

// reportArgs are the flags shared by `export ledger` and `export chart`.
type reportArgs struct {
	common
	month string
	unit  string
	out   string
}

func parseReportArgs(what, synopsis string, args []string, io IO) (reportArgs, error) {
	var a reportArgs
	fs := newFlags("export", what+" "+synopsis, io)
	a.register(fs)
	fs.StringVar(&a.month, "month", "", "period: 2026-11, 2026Q4 or 2026 (default: this month)")
	fs.StringVar(&a.unit, "unit", "", "unit code: only this unit and its sub-units (default: every unit)")
	fs.StringVar(&a.out, "o", "", "output file (default: standard output when it is not a terminal)")
	return a, parse(fs, args)
}

// runExportLedger writes the 民情台账 .xlsx, the same file 导出 sends in chat.
func runExportLedger(ctx context.Context, args []string, stdio IO) error {
	a, err := parseReportArgs("ledger", "[--month 2026-11] [--unit CODE] -o 民情台账-2026-11.xlsx", args, stdio)
	if err != nil {
		return err
	}
	return a.run(ctx, stdio, "ledger", func(ctx context.Context, s *store.Store, sc report.Scope, p report.Period, w io.Writer) error {
		return report.WriteLedger(ctx, s, sc, p, clock.Real{}.Now(), w)
	})
}

// runExportChart writes the activity bar chart .png, the same picture 统计图 sends in chat.
func runExportChart(ctx context.Context, args []string, stdio IO) error {
	a, err := parseReportArgs("chart", "[--month 2026-11] [--unit CODE] -o chart.png", args, stdio)
	if err != nil {
		return err
	}
	return a.run(ctx, stdio, "chart", func(ctx context.Context, s *store.Store, sc report.Scope, p report.Period, w io.Writer) error {
		return report.WriteChart(ctx, s, sc, p, clock.Real{}.Now(), w)
	})
}

type reportWriter func(ctx context.Context, s *store.Store, sc report.Scope, p report.Period, w io.Writer) error

func (a reportArgs) run(ctx context.Context, stdio IO, what string, write reportWriter) error {
	p, err := report.ParsePeriod(a.month, clock.Real{}.Now())
	if err != nil {
		return fmt.Errorf("--month %q: use a month like 2026-11, a quarter like 2026Q4 or a year like 2026 that has started", a.month)
	}
	cfg, s, err := a.openDB(ctx, stdio, false)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := requireSchema(ctx, s); err != nil {
		return err
	}
	sc, err := cliScope(ctx, s, a.unit)
	if err != nil {
		return err
	}
	// Both files are binary; exportTarget refuses a terminal for the xlsx format.
	w, done, err := exportTarget(a.out, sheet.FormatXLSX, stdio)
	if err != nil {
		return err
	}
	if err = errors.Join(write(ctx, s, sc, p, w), done()); err != nil {
		return err
	}
	if a.out != "" {
		fmt.Fprintf(stdio.Err, "wrote the %s of %s for %s to %s\n", what, sc.Name, p.Slug(), a.out)
	}
	fmt.Fprintf(stdio.Err, "读取 (read from) %s\n", dbLabel(cfg))
	return nil
}

// cliScope is every unit, or the unit with this code and its sub-units.
func cliScope(ctx context.Context, s *store.Store, code string) (report.Scope, error) {
	if code == "" {
		return report.Scope{All: true, Name: "全部单位"}, nil
	}
	u, err := s.UnitByCode(ctx, code)
	if errors.Is(err, store.ErrNotFound) {
		return report.Scope{}, fmt.Errorf("--unit %q: no unit has this code", code)
	}
	if err != nil {
		return report.Scope{}, err
	}
	ids, err := s.UnitSubtree(ctx, u.ID)
	if err != nil {
		return report.Scope{}, err
	}
	return report.Scope{Units: ids, Name: u.Name}, nil
}
