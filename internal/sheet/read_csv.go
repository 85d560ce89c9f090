package sheet

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// csvScanner splits RFC 4180 text into records, one per spreadsheet row (a blank line is a row;
// a quoted cell over several lines is one). It differs from encoding/csv where county files need
// it to:
//   - a quote inside a cell that does not start with one is kept as text (王"二");
//   - a quoted cell must be closed properly: a closing quote followed by anything but a comma, a
//     line end or a second quote, a quote never closed, or a quoted cell that runs over a line
//     break into text with commas (rows swallowed by a missing quote) is an error naming the row
//     where the cell began, never a cell that silently takes in the rows below it;
//   - a cell over MaxCellChars is measured, not kept.
type csvScanner struct {
	b   []byte
	pos int
	row int // spreadsheet row of the record last returned
}

// csvProblem is a malformed record: the column (0-based) and what is wrong.
type csvProblem struct {
	col int
	msg string
}

// next returns the next record, or nil at the end. long gives the length in characters of cells
// that were over the limit (their text is dropped).
func (s *csvScanner) next() (rec []string, long map[int]int, bad *csvProblem) {
	if s.pos >= len(s.b) {
		return nil, nil, nil
	}
	s.row++
	for {
		col := len(rec)
		text, chars, last, bad := s.cell(col)
		if bad != nil {
			return nil, nil, bad
		}
		if chars > MaxCellChars {
			if long == nil {
				long = map[int]int{}
			}
			long[col] = chars
			text = ""
		}
		rec = append(rec, text)
		if last {
			return rec, long, nil
		}
	}
}

// cell reads one cell and the separator after it; last reports that the record ended.
func (s *csvScanner) cell(col int) (text string, chars int, last bool, bad *csvProblem) {
	if s.pos < len(s.b) && s.b[s.pos] == '"' {
		return s.quoted(col)
	}
	start := s.pos
	end := start
	for end < len(s.b) && s.b[end] != ',' && s.b[end] != '\n' && s.b[end] != '\r' {
		end++
	}
	raw := s.b[start:end]
	last = s.separator(end)
	chars = utf8.RuneCount(raw)
	if chars > MaxCellChars {
		return "", chars, last, nil
	}
	return string(raw), chars, last, nil
}

// separator moves past the comma or line end at i and reports whether it ended the record.
func (s *csvScanner) separator(i int) bool {
	switch {
	case i >= len(s.b):
		s.pos = i
		return true
	case s.b[i] == ',':
		s.pos = i + 1
		return false
	case s.b[i] == '\r' && i+1 < len(s.b) && s.b[i+1] == '\n':
		s.pos = i + 2
		return true
	}
	s.pos = i + 1 // \n, or a lone \r as old Mac Excel writes
	return true
}

// quoted reads a cell that starts with a quote.
func (s *csvScanner) quoted(col int) (string, int, bool, *csvProblem) {
	var out bytes.Buffer
	chars, lines := 0, 0
	i := s.pos + 1
	for {
		q := bytes.IndexByte(s.b[i:], '"')
		if q < 0 {
			return "", 0, false, &csvProblem{col, fmt.Sprintf(
				"starts with a quote (\") that is never closed, so every row below would be read into this one cell; add the closing quote or remove the opening one%s", linesNote(lines+bytes.Count(s.b[i:], []byte("\n"))))}
		}
		part := s.b[i : i+q]
		chars += utf8.RuneCount(part)
		lines += bytes.Count(part, []byte("\n"))
		if out.Len() <= MaxCellChars*utf8.UTFMax {
			out.Write(part)
		}
		i += q + 1
		if i < len(s.b) && s.b[i] == '"' { // "" is one quote
			out.WriteByte('"')
			chars++
			i++
			continue
		}
		if i < len(s.b) && s.b[i] != ',' && s.b[i] != '\n' && s.b[i] != '\r' {
			return "", 0, false, &csvProblem{col, "has a quoted part followed by more text (\"…\"…); a cell that starts with a quote must end with one, and a quote inside it is written twice (\"\")" + linesNote(lines)}
		}
		text := strings.ReplaceAll(out.String(), "\r\n", "\n")
		if lines > 0 && swallowed(text) {
			return "", 0, false, &csvProblem{col, fmt.Sprintf(
				"starts with a quote (\") that closes only %d line(s) further down, taking in what look like further rows; check for a missing closing quote", lines)}
		}
		last := s.separator(i)
		if chars > MaxCellChars {
			return "", chars, last, nil
		}
		return text, chars, last, nil
	}
}

// swallowed reports whether a multi-line cell carries commas after a line break: an address
// written over two lines has none, the rows a missing quote took in have one between each cell.
func swallowed(text string) bool {
	_, after, _ := strings.Cut(text, "\n")
	return strings.Contains(after, ",")
}

func linesNote(lines int) string {
	if lines == 0 {
		return ""
	}
	return fmt.Sprintf(" (the cell runs over %d line break(s))", lines)
}
