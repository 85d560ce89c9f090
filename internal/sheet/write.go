package sheet

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// Formats the table writers support.
const (
	FormatCSV  = "csv"
	FormatJSON = "json"
	FormatXLSX = "xlsx"
)

// Field is one output column: the Chinese header for csv/xlsx and the key for json.
type Field struct {
	Header string
	Key    string
	Width  float64 // xlsx column width; 0 = default
}

// TableWriter writes rows of values (string, int, int64, float64, bool, time.Time, nil) in one format.
type TableWriter interface {
	Row(values ...any) error
	Close() error // flushes; for xlsx this writes the whole workbook to the underlying writer
}

// NewTableWriter starts a table in format on w. sheetName names the xlsx worksheet.
func NewTableWriter(w io.Writer, format, sheetName string, fields []Field) (TableWriter, error) {
	switch format {
	case FormatCSV:
		return newCSVWriter(w, fields)
	case FormatJSON:
		return &jsonWriter{w: w, fields: fields}, nil
	case FormatXLSX:
		return newXLSXWriter(w, sheetName, fields)
	}
	return nil, fmt.Errorf("unknown format %q (use csv, json or xlsx)", format)
}

// csvWriter writes UTF-8 CSV that Excel on Chinese Windows opens as it is: a byte order mark first
// (without it Excel reads the file as GBK and shows mojibake), and no cell it would run as a formula.
type csvWriter struct {
	cw *csv.Writer
}

// utf8BOM starts every CSV export; the importer skips it.
const utf8BOM = "\xef\xbb\xbf"

func newCSVWriter(w io.Writer, fields []Field) (*csvWriter, error) {
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return nil, err
	}
	c := &csvWriter{cw: csv.NewWriter(w)}
	h := make([]string, len(fields))
	for i, f := range fields {
		h[i] = f.Header
	}
	return c, c.cw.Write(h)
}

func (c *csvWriter) Row(values ...any) error {
	rec := make([]string, len(values))
	for i, v := range values {
		if s, ok := v.(string); ok {
			rec[i] = NeutralizeFormula(s)
		} else {
			rec[i] = textOf(v) // numbers, times and yes/no are written by us and never start a formula
		}
	}
	return c.cw.Write(rec)
}

// NeutralizeFormula defuses a text cell for CSV as OWASP recommends against CSV injection: a cell
// starting with = + - @, a tab or a carriage return would be run as a formula by Excel, WPS or
// LibreOffice (=HYPERLINK(…), -2+3, @SUM(…)), so it gets a leading apostrophe and is shown as text.
// The .xlsx writer needs none of this: its cells are typed strings, never formulas.
func NeutralizeFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (c *csvWriter) Close() error {
	c.cw.Flush()
	return c.cw.Error()
}

// textOf renders a value for csv: times as "2026-11-05 14:30" in their own zone.
func textOf(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return x.Format("2006-01-02 15:04")
	case *int:
		if x == nil {
			return ""
		}
		return fmt.Sprint(*x)
	case bool:
		if x {
			return "是"
		}
		return "否"
	}
	return fmt.Sprint(v)
}

// jsonWriter writes one JSON array of objects keyed by Field.Key, streaming row by row.
type jsonWriter struct {
	w      io.Writer
	fields []Field
	n      int
}

// Row writes one object with the keys in column order (a map would sort them).
func (j *jsonWriter) Row(values ...any) error {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, v := range values {
		if i >= len(j.fields) {
			break
		}
		if t, ok := v.(time.Time); ok {
			v = t.Format(time.RFC3339)
		}
		key, _ := json.Marshal(j.fields[i].Key)
		val, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(key)
		b.WriteByte(':')
		b.Write(val)
	}
	b.WriteByte('}')
	sep := ",\n"
	if j.n == 0 {
		sep = "[\n"
	}
	j.n++
	_, err := fmt.Fprintf(j.w, "%s%s", sep, b.Bytes())
	return err
}

func (j *jsonWriter) Close() error {
	end := "\n]\n"
	if j.n == 0 {
		end = "[]\n"
	}
	_, err := io.WriteString(j.w, end)
	return err
}

// xlsxWriter streams rows into one worksheet with a bold frozen header and date-formatted times.
type xlsxWriter struct {
	w         io.Writer
	f         *excelize.File
	sw        *excelize.StreamWriter
	row       int
	timeStyle int
}

func newXLSXWriter(w io.Writer, sheetName string, fields []Field) (*xlsxWriter, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheetName); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheetName)
	if err != nil {
		return nil, err
	}
	x := &xlsxWriter{w: w, f: f, sw: sw, row: 1}
	fmtStr := "yyyy-mm-dd hh:mm"
	if x.timeStyle, err = f.NewStyle(&excelize.Style{CustomNumFmt: &fmtStr}); err != nil {
		return nil, err
	}
	hdr, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return nil, err
	}
	for i, fl := range fields { // widths and panes must precede the first row
		if fl.Width > 0 {
			if err := sw.SetColWidth(i+1, i+1, fl.Width); err != nil {
				return nil, err
			}
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	cells := make([]any, len(fields))
	for i, fl := range fields {
		cells[i] = excelize.Cell{StyleID: hdr, Value: fl.Header}
	}
	return x, sw.SetRow("A1", cells)
}

func (x *xlsxWriter) Row(values ...any) error {
	x.row++
	cells := make([]any, len(values))
	for i, v := range values {
		switch t := v.(type) {
		case time.Time:
			if t.IsZero() {
				cells[i] = nil
			} else { // Excel has no zones: write the wall clock the value carries
				cells[i] = excelize.Cell{StyleID: x.timeStyle, Value: time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)}
			}
		case bool, *int:
			cells[i] = textOf(v)
		default:
			cells[i] = v
		}
	}
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, cells)
}

func (x *xlsxWriter) Close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	_, err := x.f.WriteTo(x.w)
	return err
}
