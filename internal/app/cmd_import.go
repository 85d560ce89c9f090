package app

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

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
		fmt.Fprintln(io.Err, "qinqi import: want a sheet kind and a file, e.g. qinqi import households 帮扶户.xlsx, or all and a folder")
		fs.Usage()
		return errUsage
	}
	srcs, notes, err := importSources(pos[0], pos[1])
	if err != nil {
		return err
	}
	cfg, s, err := c.openDB(ctx, io, true)
	if err != nil {
		return err
	}
	defer s.Close()
	defer tellInstances(ctx, cfg, s, io)()
	for _, n := range notes {
		fmt.Fprintln(io.Err, "note: "+n)
	}
	results, err := sheet.ImportSet(ctx, s, srcs, sheet.Options{Now: clock.Real{}.Now()})
	if err != nil {
		return fmt.Errorf("%w\n数据库未改动 (nothing written to) %s", err, dbLabel(cfg))
	}
	for _, r := range results {
		fmt.Fprintln(io.Out, r)
	}
	fmt.Fprintf(io.Out, "写入 (wrote to) %s\n", dbLabel(cfg))
	return nil
}

// importSources reads the sheets to import: one file of a kind, or every sheet of a folder
// ("all"), found by its name (区划.xlsx, 帮扶户.csv, people.xlsx …). notes list the folder's
// files that are not sheets.
func importSources(kindArg, path string) ([]sheet.Source, []string, error) {
	if kindArg != "all" && kindArg != "全部" {
		k, err := sheet.ParseKind(kindArg)
		if err != nil {
			return nil, nil, err
		}
		return []sheet.Source{sheet.ReadSource(k, path)}, nil, nil
	}
	found, ignored, err := folderSheets(path)
	if err != nil {
		return nil, nil, err
	}
	var srcs []sheet.Source
	for _, k := range sheet.Kinds {
		if p, ok := found[k]; ok {
			srcs = append(srcs, sheet.ReadSource(k, p))
		}
	}
	var notes []string
	if len(ignored) > 0 {
		notes = append(notes, fmt.Sprintf("not a sheet name, so not imported: %s (the names are %s)", strings.Join(ignored, ", "), sheet.FolderNames()))
	}
	return srcs, notes, nil
}

// folderSheets finds each kind's file in dir; two files for one kind are an error, and an old
// .xls under a sheet's name is kept so the import reports it rather than skipping the sheet.
func folderSheets(dir string) (map[sheet.Kind]string, []string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read the folder %s: %w", dir, err)
	}
	found := map[sheet.Kind]string{}
	var ignored []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, "~$") || strings.HasPrefix(name, ".") {
			continue // Excel's lock files, hidden files
		}
		k, ok := sheet.FileKind(name)
		if !ok && strings.EqualFold(filepath.Ext(name), ".xls") {
			k, ok = sheet.FileKind(strings.TrimSuffix(name, filepath.Ext(name)) + ".xlsx")
		}
		if !ok {
			ignored = append(ignored, name)
			continue
		}
		if prev, dup := found[k]; dup {
			return nil, nil, fmt.Errorf("%s and %s are both %s sheets; keep one of them in %s", filepath.Base(prev), name, k, dir)
		}
		found[k] = filepath.Join(dir, name)
	}
	if len(found) == 0 {
		return nil, nil, fmt.Errorf("%s holds no sheet to import; name the files %s", dir, sheet.FolderNames())
	}
	sort.Strings(ignored)
	return found, ignored, nil
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
