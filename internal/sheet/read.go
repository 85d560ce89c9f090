// Package sheet reads the import spreadsheets county staff keep (.xlsx and .csv, Chinese headers)
// into the store, and writes tables (csv, json, xlsx) for exports.
package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// MaxRows bounds a sheet so a mistaken file (a whole database dump) fails clearly, not slowly.
const MaxRows = 1_000_000

// maxFileBytes bounds what is read into memory.
const maxFileBytes = 256 << 20

// Table is a sheet as text: the header and the data rows with their spreadsheet row numbers.
type Table struct {
	Header []string
	Rows   []Row
}

// Row is one data row; Num is the row number a user sees in Excel (the header is row 1).
type Row struct {
	Num   int
	Cells []string
}

// Cell returns column i of the row, "" past the end.
func (r Row) Cell(i int) string {
	if i < 0 || i >= len(r.Cells) {
		return ""
	}
	return r.Cells[i]
}

// ReadFile reads a table from r, choosing the format from the file name's extension.
func ReadFile(name string, r io.Reader) (Table, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".txt":
		return ReadCSV(r)
	case ".xlsx", ".xlsm":
		return ReadXLSX(r)
	case ".xls":
		return Table{}, errors.New("old .xls files are not supported; open the file in Excel or WPS and save it as .xlsx")
	}
	return Table{}, fmt.Errorf("%s: unsupported file type; use .xlsx or .csv", filepath.Base(name))
}

// ReadCSV reads comma-separated text in UTF-8 (with or without a BOM) or GBK, the encoding
// Excel on Chinese Windows uses for "CSV".
func ReadCSV(r io.Reader) (Table, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxFileBytes+1))
	if err != nil {
		return Table{}, fmt.Errorf("read csv: %w", err)
	}
	if len(b) > maxFileBytes {
		return Table{}, fmt.Errorf("csv file is larger than %d MiB", maxFileBytes>>20)
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(b) {
		dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
		if err != nil || !utf8.Valid(dec) {
			return Table{}, errors.New("csv file is neither UTF-8 nor GBK text")
		}
		b = dec
	}
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	var lines [][]string
	inner := 0 // line breaks inside quoted cells so far
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Table{}, fmt.Errorf("csv: %w", err)
		}
		if len(lines) > MaxRows {
			return Table{}, fmt.Errorf("csv has more than %d rows", MaxRows)
		}
		// The row Excel shows is the text line of the record (csv.Reader skips blank lines, which
		// Excel shows as rows) minus the line breaks inside quoted cells of earlier records.
		line, _ := cr.FieldPos(0)
		lines = append(lines, append([]string{fmt.Sprint(line - inner)}, rec...))
		for _, f := range rec {
			inner += strings.Count(f, "\n")
		}
	}
	return fromLines(lines)
}

// ReadXLSX reads the first visible worksheet of an .xlsx workbook, skipping a 填表说明 sheet.
// Cells are read raw, so dates typed into date-formatted cells arrive as Excel serial numbers
// (parseDate handles both).
func ReadXLSX(r io.Reader) (t Table, err error) {
	defer func() { // a damaged workbook must be an error, never a crash
		if p := recover(); p != nil {
			t, err = Table{}, fmt.Errorf("xlsx: damaged workbook (%v)", p)
		}
	}()
	f, err := excelize.OpenReader(io.LimitReader(r, maxFileBytes), excelize.Options{UnzipSizeLimit: 1 << 30, UnzipXMLSizeLimit: 512 << 20})
	if err != nil {
		return Table{}, fmt.Errorf("xlsx: %w", err)
	}
	defer f.Close()
	name := dataSheet(f)
	if name == "" {
		return Table{}, errors.New("xlsx: the workbook has no visible worksheet")
	}
	rows, err := f.Rows(name)
	if err != nil {
		return Table{}, fmt.Errorf("xlsx: %w", err)
	}
	defer rows.Close()
	var lines [][]string
	for n := 1; rows.Next(); n++ {
		if n > MaxRows+1 {
			return Table{}, fmt.Errorf("xlsx has more than %d rows", MaxRows)
		}
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return Table{}, fmt.Errorf("xlsx row %d: %w", n, err)
		}
		lines = append(lines, append([]string{fmt.Sprint(n)}, cols...))
	}
	return fromLines(lines)
}

// dataSheet picks the worksheet to read: the first visible one that is not a 填表说明
// (instructions) sheet, which county templates often put first.
func dataSheet(f *excelize.File) string {
	first := ""
	for _, name := range f.GetSheetList() {
		if visible, err := f.GetSheetVisible(name); err != nil || !visible {
			continue
		}
		if first == "" {
			first = name
		}
		if !strings.Contains(name, "说明") && !strings.EqualFold(name, "readme") {
			return name
		}
	}
	return first
}

// fromLines turns numbered lines (line number first) into a Table: the first non-blank line is
// the header, blank lines are skipped but keep their numbers.
func fromLines(lines [][]string) (Table, error) {
	var t Table
	for _, l := range lines {
		num, cells := l[0], l[1:]
		for i := range cells {
			cells[i] = cleanCell(cells[i])
		}
		if blank(cells) {
			continue
		}
		if t.Header == nil {
			t.Header = cells
			continue
		}
		var n int
		_, _ = fmt.Sscan(num, &n)
		t.Rows = append(t.Rows, Row{Num: n, Cells: cells})
	}
	if t.Header == nil {
		return Table{}, errors.New("the sheet is empty: the first row must be the column headers")
	}
	return t, nil
}

// cleanCell trims spaces, including the full-width and non-breaking spaces pasted from Word.
func cleanCell(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == '\u3000' || r == '\u00a0' || r == '\ufeff'
	})
}

func blank(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}
