package sheet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"qinqi/internal/domain"
	"qinqi/store"
)

// Kind is what a sheet holds.
type Kind string

// The import kinds, in the order a county loads them.
const (
	Regions    Kind = "regions"
	Units      Kind = "units"
	Households Kind = "households"
	People     Kind = "people"
	Pairings   Kind = "pairings"
	Visits     Kind = "visits"
)

// kindInfo describes one kind: the names a file or an argument may give it, the kinds whose codes
// its rows refer to, and its importer.
type kindInfo struct {
	kind  Kind
	names []string // file base names, the Chinese first (README); ParseKind accepts these and the aliases
	alias []string // further words for ParseKind only
	deps  []Kind
	new   func(o Options) importer
}

// kinds lists every kind in load order: later sheets refer to codes from earlier ones.
var kinds = []kindInfo{
	{Regions, []string{"区划", "regions"}, []string{"region"}, nil,
		func(Options) importer { return &regionImport{} }},
	{Units, []string{"单位", "units"}, []string{"unit"}, nil,
		func(Options) importer { return &unitImport{} }},
	{Households, []string{"帮扶户", "贫困户", "households"}, []string{"household", "户"}, []Kind{Regions},
		func(Options) importer { return &householdImport{} }},
	{People, []string{"人员", "干部", "people"}, []string{"person", "persons"}, []Kind{Units, Households},
		func(Options) importer { return &personImport{} }},
	{Pairings, []string{"结对", "pairings"}, []string{"pairing"}, []Kind{People, Households},
		func(o Options) importer { return &pairingImport{now: o.Now} }},
	{Visits, []string{"走访台账", "民情日志", "民情日记", "走访记录", "visits"}, []string{"visit", "走访", "台账", "日志"}, []Kind{People, Households, Pairings},
		func(o Options) importer { return &visitImport{now: o.Now} }},
}

// Kinds lists the kinds in load order.
var Kinds = func() []Kind {
	out := make([]Kind, len(kinds))
	for i, k := range kinds {
		out[i] = k.kind
	}
	return out
}()

func infoOf(k Kind) (kindInfo, bool) {
	for _, ki := range kinds {
		if ki.kind == k {
			return ki, true
		}
	}
	return kindInfo{}, false
}

// ParseKind accepts the English kind or its Chinese name.
func ParseKind(s string) (Kind, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, ki := range kinds {
		if slices.Contains(ki.names, s) || slices.Contains(ki.alias, s) {
			return ki.kind, nil
		}
	}
	return "", fmt.Errorf("unknown sheet kind %q (use %s)", s, kindList())
}

func kindList() string {
	var parts []string
	for _, ki := range kinds {
		parts = append(parts, strings.Join(ki.names, "/"))
	}
	return strings.Join(parts, ", ")
}

// FileKind names the kind a file in an import folder holds, from its base name: 区划.xlsx,
// 帮扶户.csv, people.xlsx … (.xlsx, .xlsm or .csv, any case).
func FileKind(name string) (Kind, bool) {
	ext := strings.ToLower(filepath.Ext(name))
	if ext != ".xlsx" && ext != ".xlsm" && ext != ".csv" {
		return "", false
	}
	base := strings.ToLower(strings.TrimSpace(strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))))
	for _, ki := range kinds {
		if slices.Contains(ki.names, base) {
			return ki.kind, true
		}
	}
	return "", false
}

// FolderNames lists the file names `import all` looks for, for messages.
func FolderNames() string {
	var parts []string
	for _, ki := range kinds {
		parts = append(parts, strings.Join(ki.names, "/"))
	}
	return strings.Join(parts, ", ") + " (.xlsx or .csv)"
}

// Options carry what an import needs besides the sheet.
type Options struct {
	Now   time.Time       // the two-active-cadres rule is checked at this instant, visits may not be later; also the audit time
	Actor domain.PersonID // who imports, for the audit log; 0 is the operator at the command line
}

// Result summarises a successful import of one sheet.
type Result struct {
	Kind    Kind
	Name    string // the file, when imported from one
	Rows    int
	Created int
	Updated int
	Notes   []string // things worth knowing that are not errors (ignored columns, pending heads)
}

func (r Result) String() string {
	s := fmt.Sprintf("%s: %d row(s), %d new, %d updated", r.Kind, r.Rows, r.Created, r.Updated)
	if r.Name != "" {
		s = r.Name + " → " + s
	}
	for _, n := range r.Notes {
		s += "\n  note: " + n
	}
	return s
}

// Source is one sheet to import: its kind, the name messages call it by (the file name) and its
// table, or the error that kept it from being read.
type Source struct {
	Kind  Kind
	Name  string
	Table Table
	Err   error
}

// ReadSource reads the file at path as a sheet of kind k; a file that cannot be read is a Source
// with Err set, so a folder import reports every file's problems at once.
func ReadSource(k Kind, path string) Source {
	src := Source{Kind: k, Name: filepath.Base(path)}
	f, err := os.Open(path)
	if err != nil {
		src.Err = fmt.Errorf("cannot open the file: %w", errors.Unwrap(err))
		return src
	}
	defer f.Close()
	src.Table, src.Err = ReadFile(path, f)
	return src
}

// ImportFile reads path (.xlsx or .csv) and imports it.
func ImportFile(ctx context.Context, st *store.Store, kind Kind, path string, o Options) (Result, error) {
	src := ReadSource(kind, path)
	if src.Err != nil {
		return Result{}, src.Err
	}
	return Import(ctx, st, kind, src.Table, o)
}

// Import validates every row and, only if all are good, writes them in one transaction.
// A RowErrors error lists every bad row; nothing is written then.
func Import(ctx context.Context, st *store.Store, kind Kind, t Table, o Options) (Result, error) {
	res, err := ImportSet(ctx, st, []Source{{Kind: kind, Table: t}}, o)
	var fe FileErrors
	if errors.As(err, &fe) && len(fe) == 1 && fe[0].Errs != nil {
		return Result{}, fe[0].Errs
	}
	if err != nil {
		return Result{}, err
	}
	return res[0], nil
}

// ImportSet imports several sheets (at most one of each kind) in load order in ONE transaction:
// one bad row in any of them and nothing is written. Every sheet is checked, so one run lists
// every problem: a sheet whose references point into a sheet with problems is checked on its own
// rows only, and says so.
func ImportSet(ctx context.Context, st *store.Store, srcs []Source, o Options) ([]Result, error) {
	if o.Now.IsZero() {
		return nil, errors.New("sheet: Options.Now is required")
	}
	jobs, err := planSet(srcs, o)
	if err != nil {
		return nil, err
	}
	var results []Result
	err = st.Tx(ctx, func(tx *store.Store) error {
		results = nil
		bad := map[Kind]bool{}
		for _, j := range jobs {
			res, err := j.run(ctx, tx, bad, o)
			if err != nil {
				return err
			}
			results = append(results, res)
		}
		if fe := collect(jobs); len(fe) > 0 {
			return fe
		}
		return finish(ctx, tx, jobs, results)
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}
