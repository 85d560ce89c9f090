package sheet_test

import (
	"bytes"
	"os"
	"testing"

	"qinqi/internal/sheet"
)

// checkTable asserts what importers rely on: a header with content, data rows below it in
// ascending spreadsheet order, no blank rows.
func checkTable(t *testing.T, tb sheet.Table) {
	t.Helper()
	hasHeader := false
	for _, h := range tb.Header {
		hasHeader = hasHeader || h != ""
	}
	if !hasHeader {
		t.Fatalf("table without header content: %v", tb.Header)
	}
	last := 1
	for _, r := range tb.Rows {
		if r.Num <= last {
			t.Fatalf("row numbers not ascending after the header: %d after %d", r.Num, last)
		}
		last = r.Num
		blank := true
		for _, c := range r.Cells {
			blank = blank && c == ""
		}
		if blank {
			t.Fatalf("blank row %d kept", r.Num)
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	for _, k := range sheet.Kinds {
		if b, err := os.ReadFile(demoFile(k, ".csv")); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("\xef\xbb\xbf户编号,户主姓名\r\n\r\nH1,\"王,春发\"\r\n"))
	f.Add([]byte("a,\"b\n\n\",c\n1,2\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tb, err := sheet.ReadCSV(bytes.NewReader(b))
		if err != nil {
			return
		}
		checkTable(t, tb)
	})
}

func FuzzReadXLSX(f *testing.F) {
	for _, k := range []sheet.Kind{sheet.Regions, sheet.Units} {
		if b, err := os.ReadFile(demoFile(k, ".xlsx")); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<20 {
			return
		}
		tb, err := sheet.ReadXLSX(bytes.NewReader(b))
		if err != nil {
			return
		}
		checkTable(t, tb)
	})
}
