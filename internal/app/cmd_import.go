package app

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"qinqi/internal/clock"
	"qinqi/internal/sheet"
)

func runImport(ctx context.Context, args []string, io IO) error {
	var c common
	fs := newFlags("import", "regions|units|households|people|pairings FILE   or   all DIR", io)
	c.register(fs)
	pos, err := parseAnywhere(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		fmt.Fprintln(io.Err, "qinqi import: want a sheet kind and a file, e.g. qinqi import households 帮扶户.xlsx")
		fs.Usage()
		return errUsage
	}
	jobs, err := importJobs(pos[0], pos[1])
	if err != nil {
		return err
	}
	_, s, err := c.openDB(ctx, io, true)
	if err != nil {
		return err
	}
	defer s.Close()
	for _, j := range jobs {
		res, err := sheet.ImportFile(ctx, s, j.kind, j.path, sheet.Options{Now: clock.Real{}.Now()})
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(j.path), err)
		}
		fmt.Fprintln(io.Out, res)
	}
	return nil
}

type importJob struct {
	kind sheet.Kind
	path string
}

// importJobs expands "all DIR" into the five sheets in load order, each as .xlsx or .csv.
func importJobs(kindArg, path string) ([]importJob, error) {
	if kindArg != "all" {
		k, err := sheet.ParseKind(kindArg)
		if err != nil {
			return nil, err
		}
		return []importJob{{k, path}}, nil
	}
	var jobs []importJob
	for _, k := range sheet.Kinds {
		for _, ext := range []string{".xlsx", ".csv"} {
			p := filepath.Join(path, string(k)+ext)
			if _, err := os.Stat(p); err == nil {
				jobs = append(jobs, importJob{k, p})
				break
			}
		}
	}
	if len(jobs) == 0 {
		return nil, fmt.Errorf("%s holds none of regions, units, households, people, pairings (.xlsx or .csv)", path)
	}
	return jobs, nil
}

// parseAnywhere parses flags that may come before, between or after the positional arguments
// (stdlib flag stops at the first positional one; people type `import households x.csv -db d.db`).
func parseAnywhere(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parse(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
