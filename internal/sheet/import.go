package sheet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

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
)

// Kinds lists the kinds in load order: later sheets refer to codes from earlier ones.
var Kinds = []Kind{Regions, Units, Households, People, Pairings}

// ParseKind accepts the English kind or its Chinese name.
func ParseKind(s string) (Kind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "regions", "region", "区划":
		return Regions, nil
	case "units", "unit", "单位":
		return Units, nil
	case "households", "household", "帮扶户", "户":
		return Households, nil
	case "people", "person", "persons", "人员":
		return People, nil
	case "pairings", "pairing", "结对":
		return Pairings, nil
	}
	return "", fmt.Errorf("unknown sheet kind %q (use regions, units, households, people or pairings)", s)
}

// Options carry what an import needs besides the sheet.
type Options struct {
	Now   time.Time      // the two-active-cadres rule is checked at this instant; also the audit time
	Actor store.PersonID // who imports, for the audit log; 0 is the operator at the command line
}

// Result summarises a successful import.
type Result struct {
	Kind    Kind
	Rows    int
	Created int
	Updated int
	Notes   []string // things worth knowing that are not errors (ignored columns, pending heads)
}

func (r Result) String() string {
	s := fmt.Sprintf("%s: %d row(s), %d new, %d updated", r.Kind, r.Rows, r.Created, r.Updated)
	for _, n := range r.Notes {
		s += "\nnote: " + n
	}
	return s
}

// ImportFile reads path (.xlsx or .csv) and imports it.
func ImportFile(ctx context.Context, st *store.Store, kind Kind, path string, o Options) (Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return Result{}, fmt.Errorf("cannot open %s: %w", path, err)
	}
	defer f.Close()
	t, err := ReadFile(path, f)
	if err != nil {
		return Result{}, err
	}
	return Import(ctx, st, kind, t, o)
}

// Import validates every row and, only if all are good, writes them in one transaction.
// A RowErrors error lists every bad row; nothing is written then.
func Import(ctx context.Context, st *store.Store, kind Kind, t Table, o Options) (Result, error) {
	if o.Now.IsZero() {
		return Result{}, errors.New("sheet: Options.Now is required")
	}
	var imp importer
	switch kind {
	case Regions:
		imp = &regionImport{}
	case Units:
		imp = &unitImport{}
	case Households:
		imp = &householdImport{}
	case People:
		imp = &personImport{}
	case Pairings:
		imp = &pairingImport{now: o.Now}
	default:
		return Result{}, fmt.Errorf("unknown sheet kind %q", kind)
	}
	l, errs := mapHeader(imp.columns(), t.Header)
	if len(errs) > 0 {
		return Result{}, errs
	}
	res := Result{Kind: kind, Rows: len(t.Rows)}
	if len(l.ignored) > 0 {
		res.Notes = append(res.Notes, "ignored column(s) "+strings.Join(l.ignored, ", "))
	}
	var rowErrs RowErrors
	imp.parse(l, t.Rows, &rowErrs)
	err := st.Tx(ctx, func(tx *store.Store) error {
		if err := imp.resolve(ctx, tx, &rowErrs); err != nil {
			return err
		}
		if len(rowErrs) > 0 {
			sort.SliceStable(rowErrs, func(i, j int) bool { return rowErrs[i].Row < rowErrs[j].Row })
			return rowErrs
		}
		if err := imp.write(ctx, tx, &res); err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEntry{Actor: o.Actor, Action: store.ActUpsert, Entity: "sheet:" + string(kind),
			Detail: fmt.Sprintf("%d rows, %d new, %d updated", res.Rows, res.Created, res.Updated), At: o.Now})
	})
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

// importer is one sheet kind: parse rows (no database), resolve references (read-only, inside the
// transaction), then write.
type importer interface {
	columns() []column
	parse(l layout, rows []Row, errs *RowErrors)
	resolve(ctx context.Context, tx *store.Store, errs *RowErrors) error
	write(ctx context.Context, tx *store.Store, res *Result) error
}

// seenCodes reports a code that appears twice in one sheet.
type seenCodes map[string]int

func (s seenCodes) check(r rowReader, key, code string) bool {
	if prev, ok := s[code]; ok {
		r.fail(key, "already appears in row %d", prev)
		return false
	}
	s[code] = r.row.Num
	return true
}

// codeOf reads and validates the row's key column.
func codeOf(r rowReader, key string, seen seenCodes) (string, bool) {
	code := r.need(key)
	if code == "" {
		return "", false
	}
	if err := checkCode(code); err != nil {
		r.fail(key, "%v", err)
		return "", false
	}
	return code, seen.check(r, key, code)
}

// countNew counts the codes that do not exist yet, for the summary.
func countNew[T any](existing map[string]T, codes []string, res *Result) {
	for _, c := range codes {
		if _, ok := existing[c]; ok {
			res.Updated++
		} else {
			res.Created++
		}
	}
}

// errUnknownRef is a reference that matches no code and no name.
var errUnknownRef = errors.New("is neither a known code nor a known name")

// refError explains a failed lookup, pointing at the sheet to import first when nothing matched.
func refError(err error, first string) string {
	if errors.Is(err, errUnknownRef) {
		return fmt.Sprintf("%v (import the %s sheet first)", err, first)
	}
	return err.Error()
}

// nameIndex resolves a reference written as a code or as a unique name.
type nameIndex struct {
	byCode map[string]bool
	byName map[string][]string
}

func newNameIndex() nameIndex {
	return nameIndex{byCode: map[string]bool{}, byName: map[string][]string{}}
}

func (n nameIndex) add(code, name string) {
	if n.byCode[code] {
		// the file row replaces the database row of the same code: drop the old name
		for nm, codes := range n.byName {
			n.byName[nm] = removeString(codes, code)
		}
	}
	n.byCode[code] = true
	n.byName[name] = append(n.byName[name], code)
}

// lookup returns the code ref means, or an error saying why it means none or several.
func (n nameIndex) lookup(ref string) (string, error) {
	if n.byCode[ref] {
		return ref, nil
	}
	switch codes := n.byName[ref]; len(codes) {
	case 0:
		return "", errUnknownRef
	case 1:
		return codes[0], nil
	default:
		sort.Strings(codes)
		return "", fmt.Errorf("is the name of %d entries (%s); write the code instead", len(codes), strings.Join(codes, ", "))
	}
}

func removeString(list []string, s string) []string {
	out := list[:0]
	for _, v := range list {
		if v != s {
			out = append(out, v)
		}
	}
	return out
}

// localDay turns a parsed calendar date into midnight in the store's zone.
func localDay(d time.Time, loc *time.Location) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
}
