package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"qinqi/store"
)

// runCheck verifies derived data against its source. Today that is the per-pairing summaries the
// daily scans read, against check_ins.
func runCheck(ctx context.Context, args []string, io IO) error {
	var c common
	fs := newFlags("check", "summaries [-rebuild] [-config FILE] [-db FILE]", io)
	c.register(fs)
	rebuild := fs.Bool("rebuild", false, "rewrite every summary from check_ins first (safe while the bot runs)")
	if len(args) == 0 || args[0] != "summaries" {
		fs.Usage()
		return errUsage
	}
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	_, s, err := c.openDB(ctx, io, false)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := requireSchema(ctx, s); err != nil { // a check changes no schema: `qinqi migrate` does
		return err
	}
	if *rebuild {
		n, err := s.RebuildSummaries(ctx, time.Now().Add(-store.SummaryHorizon))
		if err != nil {
			return err
		}
		fmt.Fprintf(io.Out, "rebuilt %d summaries from check_ins\n", n)
	}
	res, err := s.CheckSummaries(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(io.Out, summaryVerdict(res))
	if res.Mismatched > 0 {
		return errors.New("summaries differ from check_ins; `qinqi check summaries -rebuild` rewrites them")
	}
	return nil
}

// summaryVerdict is the one line CheckSummaries' result prints as.
func summaryVerdict(r store.SummaryCheck) string {
	if r.Mismatched == 0 {
		return fmt.Sprintf("checked %d pairings: every summary agrees with check_ins", r.Pairings)
	}
	ids := make([]string, len(r.Examples))
	for i, id := range r.Examples {
		ids[i] = fmt.Sprint(id)
	}
	more := ""
	if r.Mismatched > len(r.Examples) {
		more = ", …"
	}
	return fmt.Sprintf("checked %d pairings: %d summaries differ from check_ins (pairing ids %s%s)",
		r.Pairings, r.Mismatched, strings.Join(ids, ", "), more)
}
