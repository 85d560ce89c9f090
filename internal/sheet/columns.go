package sheet

import (
	"fmt"
	"strings"
)

// column is one field of an import template: its canonical Chinese header and accepted aliases.
type column struct {
	key      string   // internal name
	names    []string // canonical header first, then aliases
	required bool
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
	l := layout{idx: map[string]int{}, header: map[string]string{}}
	byName := map[string]string{}
	for _, c := range cols {
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
			errs = append(errs, RowError{Msg: fmt.Sprintf("columns %q and %q both mean %s; keep one", prev, h, canonical(cols, key))})
			continue
		}
		l.idx[key], l.header[key] = i, h
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

// fail records "row N: <header> "<value>" <why>".
func (r rowReader) fail(key, format string, a ...any) {
	msg := fmt.Sprintf("%s %q %s", r.l.header[key], r.get(key), fmt.Sprintf(format, a...))
	if r.get(key) == "" {
		msg = fmt.Sprintf("%s %s", r.l.header[key], fmt.Sprintf(format, a...))
	}
	*r.errs = append(*r.errs, RowError{Row: r.row.Num, Msg: msg})
}

// need returns the cell or records that it is empty.
func (r rowReader) need(key string) string {
	v := r.get(key)
	if v == "" {
		r.fail(key, "is empty")
	}
	return v
}
