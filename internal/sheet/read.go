// Package sheet reads the import spreadsheets county staff keep (.xlsx and .csv, Chinese headers)
// into the store, and writes tables (csv, json, xlsx) for exports.
package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Limits on a sheet. A file over any of them is refused before its rows are read (an .xlsx is
// measured inside its zip first), so a mistaken or hostile file (a database dump, a zip bomb, a
// 50 MB cell) fails in seconds and in bounded memory. docs/import-templates.md lists them.
const (
	MaxRows      = 200_000   // data rows of one sheet
	MaxCells     = 4_000_000 // cells of one sheet, counting each row up to its last filled cell
	MaxCellChars = 1_000     // characters in one cell
	MaxFileBytes = 64 << 20  // the file as stored
	maxErrors    = 100       // problems listed before the reader stops looking
)

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

// readAll reads at most MaxFileBytes.
func readAll(r io.Reader, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	if len(b) > MaxFileBytes {
		return nil, fmt.Errorf("the %s file is larger than %d MB; a county sheet is far smaller (split it, or remove what is not data)", what, MaxFileBytes>>20)
	}
	return b, nil
}

// ReadCSV reads comma-separated text in UTF-8 (with or without a BOM) or GBK, the encoding
// Excel on Chinese Windows uses for "CSV". Quoting follows RFC 4180 as Excel writes it; a quote
// that opens a cell and is never closed is an error with its row, never a cell that swallows the
// rows below it.
func ReadCSV(r io.Reader) (Table, error) {
	b, err := readAll(r, "csv")
	if err != nil {
		return Table{}, err
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(b) {
		dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
		if err != nil || !utf8.Valid(dec) {
			return Table{}, errors.New("the csv file is neither UTF-8 nor GBK text")
		}
		b = dec
	}
	tb := newBuilder()
	sc := csvScanner{b: b}
	for tb.ok() {
		rec, long, bad := sc.next()
		if bad != nil {
			tb.errs = append(tb.errs, RowError{Row: sc.row, Msg: tb.columnName(bad.col) + " " + bad.msg})
			break
		}
		if rec == nil {
			break
		}
		tb.add(sc.row, rec, long)
	}
	return tb.table()
}

// ReadXLSX reads the first visible worksheet of an .xlsx workbook, skipping a 填表说明 sheet.
// Cells are read raw, so dates typed into date-formatted cells arrive as Excel serial numbers
// (parseDate handles both). The workbook is measured inside its zip first (checkZip).
func ReadXLSX(r io.Reader) (t Table, err error) {
	defer func() { // a damaged workbook must be an error, never a crash
		if p := recover(); p != nil {
			t, err = Table{}, fmt.Errorf("xlsx: damaged workbook (%v)", p)
		}
	}()
	b, err := readAll(r, "xlsx")
	if err != nil {
		return Table{}, err
	}
	if err := checkZip(b); err != nil {
		return Table{}, err
	}
	// Worksheets over 16 MB are unpacked to a temporary file and streamed from there.
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: 16 << 20})
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
	tb := newBuilder()
	for n := 1; tb.ok() && rows.Next(); n++ {
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return Table{}, fmt.Errorf("xlsx row %d: %w", n, err)
		}
		tb.add(n, cols, nil)
	}
	if err := rows.Error(); err != nil {
		return Table{}, fmt.Errorf("xlsx: %w", err)
	}
	return tb.table()
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

// builder turns numbered lines into a Table: the first non-blank line is the header, blank
// lines are skipped but keep their numbers, and the limits are checked as lines arrive.
type builder struct {
	t     Table
	cells int
	errs  RowErrors
	stop  bool // a limit was passed: reading further would only cost time
}

func newBuilder() *builder { return &builder{} }

func (b *builder) ok() bool { return !b.stop && len(b.errs) < maxErrors }

// add takes one line; long maps a column to its true length in characters when the reader
// kept only the start of a cell that was over the limit.
func (b *builder) add(num int, cells []string, long map[int]int) {
	for i := range cells {
		n := long[i]
		if n == 0 {
			n = utf8.RuneCountInString(cells[i])
		}
		if n > MaxCellChars {
			b.errs = append(b.errs, RowError{Row: num, Msg: fmt.Sprintf("%s is %s characters long; a cell holds at most %s",
				b.columnName(i), thousands(n), thousands(MaxCellChars))})
			cells[i] = ""
			continue
		}
		cells[i] = cleanCell(cells[i])
	}
	cells = trimTrailingBlank(cells)
	if blank(cells) {
		return
	}
	if b.t.Header == nil {
		b.t.Header = cells
		return
	}
	b.cells += len(cells)
	switch {
	case len(b.t.Rows) >= MaxRows:
		b.limit(fmt.Sprintf("the sheet has more than %s data rows, the most one import takes; split it", thousands(MaxRows)))
	case b.cells > MaxCells:
		b.limit(fmt.Sprintf("the sheet has more than %s cells (rows × columns up to the last filled one), the most one import takes; delete unused columns or split it", thousands(MaxCells)))
	default:
		b.t.Rows = append(b.t.Rows, Row{Num: num, Cells: cells})
	}
}

func (b *builder) limit(msg string) {
	b.errs = append(b.errs, RowError{Msg: msg})
	b.stop = true
}

// columnName names column i by its header, and by its letter when the header is empty or this
// is the header row itself.
func (b *builder) columnName(i int) string {
	letter, _ := excelize.ColumnNumberToName(i + 1)
	if b.t.Header != nil && i < len(b.t.Header) && b.t.Header[i] != "" {
		return b.t.Header[i]
	}
	return "column " + letter
}

func (b *builder) table() (Table, error) {
	if len(b.errs) > 0 {
		return Table{}, b.errs
	}
	if b.t.Header == nil {
		return Table{}, errors.New("the sheet is empty: the first row must be the column headers")
	}
	return b.t, nil
}

func trimTrailingBlank(cells []string) []string {
	n := len(cells)
	for n > 0 && strings.TrimSpace(cells[n-1]) == "" {
		n--
	}
	return cells[:n]
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

// thousands writes n with thousands separators: 52,428,800.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
