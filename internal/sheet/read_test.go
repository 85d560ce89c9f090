package sheet_test

import (
	"archive/zip"
	"bytes"

	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"qinqi/internal/sheet"
)

// readErr reads a csv that must be refused and returns the message.
func readErr(t *testing.T, csv string) string {
	t.Helper()
	tb, err := sheet.ReadCSV(strings.NewReader(csv))
	if err == nil {
		t.Fatalf("accepted; read %d rows: %v", len(tb.Rows), tb.Rows)
	}
	return err.Error()
}

func TestReadCSVQuotes(t *testing.T) {
	const head = "户编号,户主姓名,所属村,家庭住址\n"
	refused := []struct {
		name, csv, want string
	}{
		{"quote never closed swallows the rows below",
			head + "X1,王一,Q0101,\"李家村3组\nX2,王二,Q0101,桃花村\nX3,王三,Q0101,果园\n",
			`row 2: 家庭住址 starts with a quote (") that is never closed`},
		{"quote closed rows later by a quoted cell",
			head + "X1,王一,Q0101,\"李家村3组\nX2,王二,Q0101,桃花村\nX3,王三,Q0101,\"果园\"\n",
			`row 2: 家庭住址 has a quoted part followed by more text`},
		{"quote closed rows later at a line end",
			head + "X1,王一,Q0101,\"李家村3组\nX2,王二,Q0101,桃花村\"\nX3,王三,Q0101,果园\n",
			`row 2: 家庭住址 starts with a quote (") that closes only 1 line(s) further down, taking in what look like further rows`},
		{"text after a closing quote",
			head + "X1,\"王\"一,Q0101,\n",
			`row 2: 户主姓名 has a quoted part followed by more text`},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			if got := readErr(t, c.csv); !strings.Contains(got, c.want) {
				t.Errorf("error = %q\nwant it to contain %q", got, c.want)
			}
		})
	}
	t.Run("what Excel writes is read as Excel shows it", func(t *testing.T) {
		tb, err := sheet.ReadCSV(strings.NewReader(head +
			"X1,王\"一\",Q0101,\"李家村\r\n3组\"\r\n" + // a bare quote is text; a line break inside quotes is one row
			"X2,\"王\"\"二\"\"\",Q0101,\"桃花村,5号\"\r" + // doubled quotes; a lone \r (old Mac Excel) ends a row
			"X3,王三,Q0101,\"\"\n"))
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(tb.Rows)
		want := `[{2 [X1 王"一" Q0101 李家村` + "\n" + `3组]} {3 [X2 王"二" Q0101 桃花村,5号]} {4 [X3 王三 Q0101]}]`
		if got != want {
			t.Errorf("rows = %s\nwant   %s", got, want)
		}
	})
}

func TestReadRefusesLongCellsByLength(t *testing.T) {
	huge := strings.Repeat("村", 50<<20/3) // a 50 MB cell
	t.Run("csv", func(t *testing.T) {
		got := readErr(t, "户编号,户主姓名,家庭住址\nX1,王一,短\nX2,王二,"+huge+"\nX3,"+strings.Repeat("王", 1001)+",\n")
		for _, want := range []string{
			"row 3: 家庭住址 is 17,476,266 characters long; a cell holds at most 1,000",
			"row 4: 户主姓名 is 1,001 characters long; a cell holds at most 1,000",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("error lacks %q:\n%.300s", want, got)
			}
		}
		if len(got) > 500 {
			t.Errorf("the error repeats the cell: %d bytes", len(got))
		}
	})
	t.Run("xlsx cell over the limit", func(t *testing.T) {
		b := workbook(t, [][]string{{"户编号", "家庭住址"}, {"X1", "短"}, {"X2", strings.Repeat("村", 1200)}})
		_, err := sheet.ReadXLSX(bytes.NewReader(b))
		if err == nil || err.Error() != "1 problem(s), nothing was imported:\nrow 3: 家庭住址 is 1,200 characters long; a cell holds at most 1,000" {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("xlsx cell of megabytes", func(t *testing.T) {
		b := bombXLSX(t, func(w io.Writer) {
			fmt.Fprint(w, `<row r="1"><c r="A1" t="inlineStr"><is><t>户编号</t></is></c></row>`)
			fmt.Fprintf(w, `<row r="2"><c r="A2" t="inlineStr"><is><t>%s</t></is></c></row>`, huge)
		})
		_, err := sheet.ReadXLSX(bytes.NewReader(b))
		if err == nil || !strings.Contains(err.Error(), "row 2: a cell is about 17,476,266 characters long; a cell holds at most 1,000") || len(err.Error()) > 500 {
			t.Errorf("err = %.300v", err)
		}
	})
}

func TestReadBoundsRowsBeforeReadingThem(t *testing.T) {
	t.Run("csv", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("户编号,户主姓名\n")
		for i := range sheet.MaxRows + 1 {
			fmt.Fprintf(&b, "X%d,王\n", i)
		}
		if got := readErr(t, b.String()); !strings.Contains(got, "the sheet has more than 200,000 data rows") {
			t.Errorf("error = %.300s", got)
		}
	})
	t.Run("xlsx zip bomb", func(t *testing.T) {
		// 300,000 identical rows: 25 MB of XML in a zip of 60 KB (today's 22 MB bombs hold far more).
		row := `<row><c t="inlineStr"><is><t>x</t></is></c><c t="inlineStr"><is><t>y</t></is></c></row>`
		b := bombXLSX(t, func(w io.Writer) {
			for range 300_000 {
				io.WriteString(w, row)
			}
		})
		allocated := allocatedBy(func() {
			_, err := sheet.ReadXLSX(bytes.NewReader(b))
			if err == nil || !strings.Contains(err.Error(), "a worksheet has more than 200,000 rows") {
				t.Errorf("err = %v", err)
			}
		})
		// Refused while measuring, before a row is decoded: the file, the zip index, one buffer.
		if limit := uint64(len(b)) + 8<<20; allocated > limit {
			t.Errorf("refusing the bomb allocated %d MB, want under %d MB", allocated>>20, limit>>20)
		}
	})
	t.Run("xlsx that declares a huge part", func(t *testing.T) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Store, CompressedSize64: 3, UncompressedSize64: 4 << 30})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("<a/"))
		zw.Close()
		_, err = sheet.ReadXLSX(&buf)
		if err == nil || !strings.Contains(err.Error(), "the workbook unpacks to more than 512 MB") {
			t.Errorf("err = %v", err)
		}
	})
}

// allocatedBy returns the bytes fn allocated.
func allocatedBy(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// workbook writes rows into a one-sheet .xlsx.
func workbook(t testing.TB, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, c := range r {
			cells[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// bombXLSX is a valid workbook whose worksheet data is what rows writes.
func bombXLSX(t testing.TB, rows func(io.Writer)) []byte {
	t.Helper()
	base := workbook(t, [][]string{{"x"}})
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == "xl/worksheets/sheet1.xml" {
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
				`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
			rows(w)
			io.WriteString(w, `</sheetData></worksheet>`)
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.Copy(w, rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
