package handlers

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"qinqi/bot"
	"qinqi/internal/report"
)

// export answers 导出 [月份] with the 民情台账 .xlsx of the caller's units as a file.
func (r *Router) export(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	return r.sendReport(ctx, c, "ledger", report.LedgerFileName, false,
		func(ctx context.Context, sc report.Scope, p report.Period, now time.Time, w io.Writer) error {
			return report.WriteLedger(ctx, r.extra.Coord, sc, p, now, w)
		}, replyExportDone)
}

// sendReport resolves period and scope, writes the file into the outbox file directory under a
// name unique to this message (so a re-processed message overwrites its own file) and replies
// with a line of text and the file.
func (r *Router) sendReport(ctx context.Context, c *Caller, kind string, name func(report.Period) string, image bool,
	write func(context.Context, report.Scope, report.Period, time.Time, io.Writer) error, done func(scope, period string) string) ([]bot.Reply, error) {
	now := r.now()
	p, bad := parsePeriodArg(c.Args, now, report.MonthOf(now))
	if bad != "" {
		return nil, refuse(bad)
	}
	sc, err := r.scopeOf(ctx, c)
	if err != nil {
		return nil, err
	}
	path, err := r.reportFile(c, kind, p, func(w io.Writer) error { return write(ctx, sc.Scope, p, now, w) })
	if err != nil {
		return nil, fmt.Errorf("%s file: %w", kind, err)
	}
	return []bot.Reply{
		{Text: done(sc.Name, p.Label()), Urgent: true},
		{FileName: name(p), FilePath: path, Image: image, Urgent: true},
	}, nil
}

// reportFile writes to a temporary name and renames, so the outbox never sends half a file.
func (r *Router) reportFile(c *Caller, kind string, p report.Period, write func(io.Writer) error) (string, error) {
	dir := r.cfg.Outbox.FileDir
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("file dir: %w", err)
	}
	ext := ".xlsx"
	if kind == "chart" {
		ext = ".png"
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%s-p%d-m%d%s", kind, p.Slug(), c.Person.ID, c.In.InboxID, ext))
	tmp, err := os.CreateTemp(dir, ".report-*")
	if err != nil {
		return "", fmt.Errorf("report file: %w", err)
	}
	werr := write(tmp)
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		_ = os.Remove(tmp.Name())
		return "", werr
	}
	return path, nil
}
