package sheet

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"qinqi/store"
)

// importer is one sheet kind: parse rows (no database), resolve references (read-only, inside the
// transaction), then write.
type importer interface {
	columns() []column
	parse(l layout, rows []Row, errs *RowErrors)
	resolve(ctx context.Context, tx *store.Store, errs *RowErrors) error
	write(ctx context.Context, tx *store.Store, res *Result) error
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
var errUnknownRef = errors.New("is neither a code nor a name")

// nameIndex resolves a reference written as a code (in any case) or as a unique name.
type nameIndex struct {
	sheet  string // the sheet the entries come from, for messages: "regions"
	codes  codeBook
	byName map[string][]string
}

func newNameIndex(sheet string) nameIndex {
	return nameIndex{sheet: sheet, codes: codeBook{}, byName: map[string][]string{}}
}

func (n nameIndex) add(code, name string) {
	if n.codes.spelling(code) == code && len(n.codes[fold(code)]) > 0 {
		// the file row replaces the database row of the same code: drop the old name
		for nm, codes := range n.byName {
			n.byName[nm] = removeString(codes, code)
		}
	}
	n.codes.add(code)
	n.byName[name] = append(n.byName[name], code)
}

// lookup returns the code ref means, or an error saying why it means none or several.
func (n nameIndex) lookup(ref string) (string, error) {
	if have := n.codes[fold(ref)]; len(have) > 0 {
		return n.codes.spelling(ref), nil
	}
	switch codes := n.byName[ref]; len(codes) {
	case 0:
		return "", fmt.Errorf("%w in the %s sheet or the database%s", errUnknownRef, n.sheet, n.suggest(ref))
	case 1:
		return codes[0], nil
	default:
		sort.Strings(codes)
		return "", fmt.Errorf("is the name of %d entries (%s); write the code instead", len(codes), strings.Join(codes, ", "))
	}
}

// suggest names up to three entries whose name contains ref or is contained in it (下宅 → 下宅村).
func (n nameIndex) suggest(ref string) string {
	var near []string
	for name, codes := range n.byName {
		if len(codes) > 0 && name != "" && (strings.Contains(name, ref) || strings.Contains(ref, name)) {
			near = append(near, name)
		}
	}
	if len(near) == 0 || len(near) > 3 {
		return ""
	}
	sort.Strings(near)
	return "; did you mean " + strings.Join(near, " or ") + "?"
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
