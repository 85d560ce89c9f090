package report

import (
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"
)

// Every sheet a county office prints starts with a title row (what, unit, period, date issued)
// above the header row, prints landscape on A4 one page wide (as many pages down as it takes) with
// the two top rows repeated on every page and "第 N 页，共 M 页" in the footer.

// paperA4 is the OOXML paper size code of A4.
const paperA4 = 9

// SheetTitle is the title row: "民情台账·走访台账　县农业农村局（含下属单位）　2026年11月　制表日期：2026-12-01".
func SheetTitle(what, scope, period string, issued time.Time) string {
	return fmt.Sprintf("%s　%s　%s　制表日期：%s", what, scope, period, issued.Format("2006-01-02"))
}

// printSetup sets the page of sheet: landscape A4, fit to one page wide, rows 1–2 repeated on each
// page, page numbers in the footer. It must run before the sheet's stream writer is opened: the
// stream writer writes the sheet's settings as they are at that moment.
func printSetup(f *excelize.File, sheet string) error {
	o, wide, tall, size := "landscape", 1, 0, paperA4
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &o, FitToWidth: &wide, FitToHeight: &tall, Size: &size}); err != nil {
		return fmt.Errorf("report: page layout of %s: %w", sheet, err)
	}
	fit := true
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return fmt.Errorf("report: fit %s to the page: %w", sheet, err)
	}
	top, bottom, side := 0.6, 0.7, 0.4
	if err := f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Top: &top, Bottom: &bottom, Left: &side, Right: &side}); err != nil {
		return fmt.Errorf("report: margins of %s: %w", sheet, err)
	}
	if err := f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddFooter: "&C第 &P 页，共 &N 页"}); err != nil {
		return fmt.Errorf("report: footer of %s: %w", sheet, err)
	}
	err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$1:$2", sheet), Scope: sheet})
	if err != nil {
		return fmt.Errorf("report: print titles of %s: %w", sheet, err)
	}
	return nil
}

// paperStyles are the cell styles of printed sheets.
type paperStyles struct {
	title, header, text, wrap, date, dateTime, money, number int
}

func newPaperStyles(f *excelize.File) (paperStyles, error) {
	var st paperStyles
	border := []excelize.Border{{Type: "left", Color: "999999", Style: 1}, {Type: "right", Color: "999999", Style: 1},
		{Type: "top", Color: "999999", Style: 1}, {Type: "bottom", Color: "999999", Style: 1}}
	fill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}
	dateFmt, dtFmt, moneyFmt := "yyyy-mm-dd", "yyyy-mm-dd hh:mm", "#,##0.00"
	top := &excelize.Alignment{Vertical: "top"}
	styles := []struct {
		dst *int
		s   excelize.Style
	}{
		{&st.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}, Alignment: &excelize.Alignment{Vertical: "center"}}},
		{&st.header, excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill, Border: border,
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&st.text, excelize.Style{Border: border, Alignment: top}},
		{&st.wrap, excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}},
		{&st.date, excelize.Style{Border: border, Alignment: top, CustomNumFmt: &dateFmt}},
		{&st.dateTime, excelize.Style{Border: border, Alignment: top, CustomNumFmt: &dtFmt}},
		{&st.money, excelize.Style{Border: border, Alignment: top, CustomNumFmt: &moneyFmt}},
		{&st.number, excelize.Style{Border: border, Alignment: top}},
	}
	for _, x := range styles {
		id, err := f.NewStyle(&x.s)
		if err != nil {
			return st, fmt.Errorf("report: style: %w", err)
		}
		*x.dst = id
	}
	return st, nil
}

// paperSheet is one printed sheet being streamed: the title in row 1, the header in row 2, data
// rows from 3.
type paperSheet struct {
	sw    *excelize.StreamWriter
	st    paperStyles
	cols  int
	row   int
	style []int // per column: the style of data cells that are not excelize.Cell already
	// height of data rows in points; 0 lets the spreadsheet size them (a form filled in by hand
	// needs room to write).
	height float64
}

// openPaper sets up the page, column widths, the title row (merged across the columns), the header
// row and the frozen panes below it. style gives each column's data style (nil: plain text).
func openPaper(f *excelize.File, st paperStyles, name, title string, header []string, widths []float64, style []int) (*paperSheet, error) {
	if err := printSetup(f, name); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return nil, fmt.Errorf("report: %s: %w", name, err)
	}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return nil, fmt.Errorf("report: %s: %w", name, err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return nil, fmt.Errorf("report: %s: %w", name, err)
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: st.title, Value: title}}, excelize.RowOpts{Height: 24}); err != nil {
		return nil, fmt.Errorf("report: %s: %w", name, err)
	}
	last, _ := excelize.CoordinatesToCellName(len(header), 1)
	if err := sw.MergeCell("A1", last); err != nil {
		return nil, fmt.Errorf("report: %s: %w", name, err)
	}
	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = excelize.Cell{StyleID: st.header, Value: h}
	}
	if err := sw.SetRow("A2", cells, excelize.RowOpts{Height: 30}); err != nil {
		return nil, fmt.Errorf("report: %s: %w", name, err)
	}
	if style == nil {
		style = make([]int, len(header))
		for i := range style {
			style[i] = st.text
		}
	}
	return &paperSheet{sw: sw, st: st, cols: len(header), row: 2, style: style}, nil
}

// add writes the next data row; plain values get their column's style (with borders).
func (s *paperSheet) add(values ...any) error {
	s.row++
	cells := make([]any, s.cols)
	for i := range cells {
		var v any = ""
		if i < len(values) {
			v = values[i]
		}
		if c, ok := v.(excelize.Cell); ok {
			cells[i] = c
			continue
		}
		cells[i] = excelize.Cell{StyleID: s.style[i], Value: v}
	}
	cell, err := excelize.CoordinatesToCellName(1, s.row)
	if err != nil {
		return err
	}
	if s.height > 0 {
		return s.sw.SetRow(cell, cells, excelize.RowOpts{Height: s.height})
	}
	return s.sw.SetRow(cell, cells)
}

func (s *paperSheet) flush(name string) error {
	if err := s.sw.Flush(); err != nil {
		return fmt.Errorf("report: %s: %w", name, err)
	}
	return nil
}

// writeOne ends a workbook of one sheet: flushes the sheet and writes the file to w.
func writeOne(f *excelize.File, s *paperSheet, name string, w io.Writer) error {
	if err := s.flush(name); err != nil {
		return err
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("report: %s: write: %w", name, err)
	}
	return nil
}
