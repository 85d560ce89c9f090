package sheet

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// column is one field of an import template: its canonical Chinese header and accepted aliases.
type column struct {
	key      string   // internal name
	names    []string // canonical header first, then aliases
	required bool
	private  bool // errors never quote the cell (身份证号)
}

// RowError is one problem with one row; Row 0 means the sheet as a whole (e.g. a missing column).
type RowError struct {
	Row int
	Msg string
}

func (e RowError) Error() string {
	if e.Row == 0 {
		return e.Msg
	}
	return fmt.Sprintf("row %d: %s", e.Row, e.Msg)
}

// RowErrors lists every problem found in a sheet; when an import returns it, nothing was written.
type RowErrors []RowError

func (es RowErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return fmt.Sprintf("%d problem(s), nothing was imported:\n%s", len(es), strings.Join(lines, "\n"))
}

// layout maps a template's columns onto a sheet's header.
type layout struct {
	idx     map[string]int    // key → column index
	header  map[string]string // key → header text as written in the sheet, else the template's
	private map[string]bool   // keys whose cells errors never quote
	ignored []string          // headers that match no column
}

// normHeader folds the ways people decorate headers: spaces, "*" or "（必填）" marks, full-width brackets.
func normHeader(h string) string {
	h = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u3000', '*', '＊', '\n', '\r', '\t':
			return -1
		case '（':
			return '('
		case '）':
			return ')'
		}
		return r
	}, h)
	for _, suffix := range []string{"(必填)", "(选填)", "(可选)"} {
		h = strings.TrimSuffix(h, suffix)
	}
	return strings.ToLower(h)
}

// mapHeader finds each template column in the header; it reports missing required columns and
// columns given twice, and lists the headers it ignores.
func mapHeader(cols []column, header []string) (layout, RowErrors) {
	l := layout{idx: map[string]int{}, header: map[string]string{}, private: map[string]bool{}}
	byName := map[string]string{}
	for _, c := range cols {
		l.private[c.key] = c.private
		for _, n := range c.names {
			byName[normHeader(n)] = c.key
		}
	}
	var errs RowErrors
	for i, h := range header {
		if h == "" {
			continue
		}
		key, ok := byName[normHeader(h)]
		if !ok {
			l.ignored = append(l.ignored, h)
			continue
		}
		if _, dup := l.idx[key]; dup {
			prev := l.header[key]
			errs = append(errs, RowError{Msg: maskIDs(fmt.Sprintf("columns %q and %q both mean %s; keep one", prev, h, canonical(cols, key)))})
			continue
		}
		l.idx[key], l.header[key] = i, h
	}
	if len(l.idx) == 0 { // a sheet without its header row, or another kind of sheet
		var names []string
		for _, c := range cols {
			if c.required {
				names = append(names, c.names[0])
			}
		}
		return l, RowErrors{{Msg: fmt.Sprintf("the first row names none of this sheet's columns (%s …): is the header row missing, or is this file another sheet?", strings.Join(names, ", "))}}
	}
	for _, c := range cols {
		if _, ok := l.idx[c.key]; !ok {
			l.header[c.key] = c.names[0] // for messages about a column the sheet lacks
		}
		if _, ok := l.idx[c.key]; c.required && !ok {
			msg := fmt.Sprintf("missing column %s", c.names[0])
			if len(c.names) > 1 {
				msg += fmt.Sprintf(" (also accepted: %s)", strings.Join(c.names[1:], ", "))
			}
			errs = append(errs, RowError{Msg: msg})
		}
	}
	return l, errs
}

func canonical(cols []column, key string) string {
	for _, c := range cols {
		if c.key == key {
			return c.names[0]
		}
	}
	return key
}

// has reports whether the sheet has the column at all (absent optional columns leave DB values alone).
func (l layout) has(key string) bool { _, ok := l.idx[key]; return ok }

// rowReader reads one row's cells by key and collects that row's errors.
type rowReader struct {
	l    layout
	row  Row
	errs *RowErrors
}

func (r rowReader) get(key string) string {
	i, ok := r.l.idx[key]
	if !ok {
		return ""
	}
	return r.row.Cell(i)
}

// fail records "row N: <header> "<value>" <why>": the row, the column and the rule. The value is
// quoted only when it helps and is safe to print (see quoted); an ID number never appears.
func (r rowReader) fail(key, format string, a ...any) {
	msg := r.l.header[key] + quoted(r.get(key), r.l.private[key]) + " " + maskIDs(fmt.Sprintf(format, a...))
	*r.errs = append(*r.errs, RowError{Row: r.row.Num, Msg: msg})
}

// maxQuoted is the longest cell an error repeats; a longer one is named by its column alone.
const maxQuoted = 40

// reIDLike finds what may be an ID number: 15 or more digits in a row, with a trailing X.
var reIDLike = regexp.MustCompile(`[0-9]{15,}[Xx]?`)

// quoted is the cell as an error shows it after the column name: nothing for an empty, private
// or long cell, otherwise the text in quotes with any ID number masked.
func quoted(v string, private bool) string {
	if v == "" || private || utf8.RuneCountInString(v) > maxQuoted {
		return ""
	}
	return " " + strconv.Quote(maskIDs(v))
}

// maskIDs hides ID-number-like runs but for their first 3 and last 2 characters.
func maskIDs(s string) string {
	return reIDLike.ReplaceAllStringFunc(s, func(id string) string {
		return id[:3] + strings.Repeat("*", len(id)-5) + id[len(id)-2:]
	})
}

// checkLen records a cell longer than max characters (the width of its database column) and
// reports whether the cell fits.
func (r rowReader) checkLen(key string, max int) bool {
	if n := utf8.RuneCountInString(r.get(key)); n > max {
		r.fail(key, "is %d characters long; at most %d fit", n, max)
		return false
	}
	return true
}

// need returns the cell or records that it is empty.
func (r rowReader) need(key string) string {
	v := r.get(key)
	if v == "" {
		r.fail(key, "is empty")
	}
	return v
}
