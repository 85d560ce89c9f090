package sheet

import (
	"context"
	"slices"
	"strings"

	"qinqi/store"
)

// The case rule: codes are compared ignoring upper and lower case, on both databases (MariaDB's
// collation already makes H113 and h113 one row; SQLite would keep two). So a sheet may not hold
// two codes that differ only in case, a new code may not differ only in case from a stored one,
// and a reference written in another case (h113 in the pairings sheet) finds the stored row.

// fold is the form codes are compared in.
func fold(code string) string { return strings.ToLower(code) }

// seenAt is where a code first appeared in a sheet.
type seenAt struct {
	row  int
	code string
}

// seenCodes reports a code that appears twice in one sheet, in any case.
type seenCodes map[string]seenAt

func (s seenCodes) check(r rowReader, key, code string) bool {
	if prev, ok := s[fold(code)]; ok {
		if prev.code == code {
			r.fail(key, "already appears in row %d", prev.row)
		} else {
			r.fail(key, "is the same code as %q in row %d (codes ignore upper and lower case)", prev.code, prev.row)
		}
		return false
	}
	s[fold(code)] = seenAt{r.row.Num, code}
	return true
}

// codeBook holds the stored codes of one table by their folded form.
type codeBook map[string][]string

func loadCodes(ctx context.Context, tx *store.Store, t store.CodeTable) (codeBook, error) {
	codes, err := tx.AllCodes(ctx, t)
	if err != nil {
		return nil, err
	}
	b := make(codeBook, len(codes))
	for _, c := range codes {
		b.add(c)
	}
	return b, nil
}

func (b codeBook) add(code string) {
	if f := fold(code); !slices.Contains(b[f], code) {
		b[f] = append(b[f], code)
	}
}

// spelling returns code as stored: itself when stored so, else the stored code that differs only
// in case, else code unchanged (not stored).
func (b codeBook) spelling(code string) string {
	have := b[fold(code)]
	if len(have) == 0 || slices.Contains(have, code) {
		return code
	}
	return have[0]
}

// checkKey refuses a row's own code that differs only in case from a stored code: writing it
// would overwrite that row on MariaDB and add a second one on SQLite.
func (b codeBook) checkKey(r rowReader, key, code string) bool {
	if code == "" {
		return true
	}
	if have := b.spelling(code); have != code {
		r.fail(key, "differs from the existing code %q only in upper/lower case; codes ignore case, so write %q to update that row, or choose another code", have, have)
		return false
	}
	return true
}
