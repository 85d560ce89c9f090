package sheet_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/sheet"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// TestExportsNeverWriteFormulas (CSV injection): report text, imported names and the photo column
// that start with = + - @, a tab or a carriage return come out of export checkins as text, in CSV
// (neutralised with a leading apostrophe, as OWASP recommends) and in xlsx (typed strings).
func TestExportsNeverWriteFormulas(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			importKinds(t, s, 5) // the organisation, not the 走访台账: the export below has only this test's rows
			for kind, csv := range map[sheet.Kind]string{
				sheet.Units:      "单位编号,单位名称\nU01,+SUM(1;2)\n",
				sheet.Regions:    "区划编号,名称,级别,上级区划\nQ0101,@cmd,村,Q01\n",
				sheet.Households: "户编号,户主姓名,所属村\nH001,\"=HYPERLINK(\"\"http://x.example\"\",\"\"点我\"\")\",Q0101\n",
				sheet.People:     "人员编号,姓名,角色,所属单位\nP001,-陈建国,干部,U01\n",
			} {
				if _, err := sheet.Import(ctx, s, kind, table(t, csv), sheet.Options{Now: now}); err != nil {
					t.Fatalf("import %s: %v", kind, err)
				}
			}
			p, err := s.PairingByCode(ctx, "J001")
			if err != nil {
				t.Fatal(err)
			}
			at := time.Date(2026, 11, 5, 10, 0, 0, 0, clock.Shanghai)
			texts := []struct{ text, place, items, photo string }{
				{"=1+1 送米面油", "\t=2+2", "\r=3+3", `=IMAGE("http://x.example/a.png")`},
				{"-500元 帮卖苹果", "+86 村口", "@SUM(A1)", "-photo"},
			}
			for i, x := range texts {
				c, _, err := s.CreateCheckIn(ctx, store.CheckIn{PairingID: p.ID, CadreID: p.CadreID, HouseholdID: p.HouseholdID,
					Kind: domain.KindVisit, OccurredAt: at.Add(time.Duration(i) * time.Hour), ReportedAt: at, Text: x.text, Place: x.place, Items: x.items}, 0)
				if err != nil {
					t.Fatal(err)
				}
				if err := s.AttachEvidence(ctx, c.ID, store.Evidence{PhotoRef: x.photo}, 0, at); err != nil {
					t.Fatal(err)
				}
			}
			from, to := clock.Date(2026, 11, 1), clock.Date(2026, 12, 1)
			for _, export := range []func(context.Context, sheet.CheckInSource, *bytes.Buffer, string) (int, error){
				func(ctx context.Context, src sheet.CheckInSource, w *bytes.Buffer, f string) (int, error) {
					return sheet.ExportCheckIns(ctx, src, w, f, from, to)
				},
				func(ctx context.Context, src sheet.CheckInSource, w *bytes.Buffer, f string) (int, error) {
					return sheet.ExportCheckInsFullText(ctx, src, w, f, from, to)
				},
			} {
				var c, x bytes.Buffer
				if n, err := export(ctx, s, &c, sheet.FormatCSV); err != nil || n != 2 {
					t.Fatalf("csv: %d, %v", n, err)
				}
				checkCSVCells(t, c.Bytes())
				if n, err := export(ctx, s, &x, sheet.FormatXLSX); err != nil || n != 2 {
					t.Fatalf("xlsx: %d, %v", n, err)
				}
				checkXLSXCells(t, x.Bytes(), []string{"=1+1 送米面油", "\t=2+2", "+SUM(1;2)", "@cmd", "-陈建国", `=IMAGE("http://x.example/a.png")`})
			}
		})
	}
}

// checkCSVCells: no cell starts a formula, and the neutralised ones keep their text after the '.
func checkCSVCells(t *testing.T, b []byte) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		t.Error("csv without a UTF-8 byte order mark")
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, rec := range recs {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("csv cell %q would run as a formula", cell)
			}
			seen[cell] = true
		}
	}
	for _, want := range []string{"'=1+1 送米面油", "'\t=2+2", "'\r=3+3", `'=IMAGE("http://x.example/a.png")`, "'-500元 帮卖苹果",
		"'+86 村口", "'@SUM(A1)", "'-photo", "'+SUM(1;2)", "'@cmd", "'-陈建国", `'=HYPERLINK("http://x.example","点我")`} {
		if !seen[want] {
			t.Errorf("csv lacks the cell %q", want)
		}
	}
}

// checkXLSXCells: no cell holds a formula, and the texts are there as typed.
func checkXLSXCells(t *testing.T, b []byte, want []string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheetName := f.GetSheetList()[0]
	rows, err := f.GetRows(sheetName, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if formula, err := f.GetCellFormula(sheetName, cell); err != nil || formula != "" {
				t.Errorf("xlsx cell %s holds the formula %q (%v)", cell, formula, err)
			}
			seen[v] = true
		}
	}
	for _, w := range want {
		if !seen[w] {
			t.Errorf("xlsx lacks the text %q", w)
		}
	}
}
