package sheet_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/sheet"
	"qinqi/store"
)

var update = flag.Bool("update", false, "regenerate testdata/import/*.xlsx from testdata/import/csv")

// demoDir holds the example county sheets as a clerk keeps them (区划.xlsx …); its csv folder
// holds the same sheets as regions.csv … (the source of the .xlsx files, see -update).
const demoDir = "../../testdata/import"

// xlsxNames are the Chinese file names of the example .xlsx sheets.
var xlsxNames = map[sheet.Kind]string{sheet.Regions: "区划", sheet.Units: "单位", sheet.Households: "帮扶户", sheet.People: "人员", sheet.Pairings: "结对", sheet.Visits: "走访台账"}

// demoFile is the example sheet of kind k in format ext (".csv" or ".xlsx").
func demoFile(k sheet.Kind, ext string) string {
	if ext == ".csv" {
		return filepath.Join(demoDir, "csv", string(k)+".csv")
	}
	return filepath.Join(demoDir, xlsxNames[k]+ext)
}

// now is when the tests import: after every demo pairing started.
var now = time.Date(2026, 11, 23, 10, 0, 0, 0, clock.Shanghai)

func table(t testing.TB, csv string) sheet.Table {
	t.Helper()
	tb, err := sheet.ReadCSV(strings.NewReader(csv))
	if err != nil {
		t.Fatalf("read csv: %v", err)
	}
	return tb
}

// importDemo loads the example county from .csv or .xlsx files, in load order.
func importDemo(t testing.TB, s *store.Store, ext string) []sheet.Result {
	t.Helper()
	var out []sheet.Result
	for _, k := range sheet.Kinds {
		res, err := sheet.ImportFile(context.Background(), s, k, demoFile(k, ext), sheet.Options{Now: now})
		if err != nil {
			t.Fatalf("import %s%s: %v", k, ext, err)
		}
		out = append(out, res)
	}
	return out
}

// importKinds imports the first n demo kinds from csv (regions, units, households, people …).
func importKinds(t testing.TB, s *store.Store, n int) {
	t.Helper()
	for _, k := range sheet.Kinds[:n] {
		if _, err := sheet.ImportFile(context.Background(), s, k, demoFile(k, ".csv"), sheet.Options{Now: now}); err != nil {
			t.Fatalf("import %s: %v", k, err)
		}
	}
}

// dump renders the organisation tables as sorted text with codes in place of ids, so two
// databases (or one database before and after a re-import) can be compared.
func dump(t testing.TB, s *store.Store) string {
	t.Helper()
	ctx := context.Background()
	var lines []string
	regions, err := s.AllRegions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	regionCode := map[domain.RegionID]string{}
	for _, r := range regions {
		regionCode[r.ID] = r.Code
	}
	for _, r := range regions {
		lines = append(lines, fmt.Sprintf("region %s %s %s parent=%s", r.Code, r.Name, r.Level, ptrCode(r.ParentID, regionCode)))
	}
	units, err := s.AllUnits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	unitCode := map[domain.UnitID]string{}
	for _, u := range units {
		unitCode[u.ID] = u.Code
	}
	for _, u := range units {
		lines = append(lines, fmt.Sprintf("unit %s %s parent=%s head=%s headset=%v phone=%s", u.Code, u.Name, ptrCode(u.ParentID, unitCode), u.HeadCode, u.HeadID != nil, u.OfficePhone))
	}
	lines = append(lines, dumpPeople(t, s, unitCode)...)
	return strings.Join(sortedLines(lines), "\n")
}

func dumpPeople(t testing.TB, s *store.Store, unitCode map[domain.UnitID]string) []string {
	ctx := context.Background()
	var lines []string
	people, err := s.PeopleByCodes(ctx, codesIn(t, "people.csv"))
	if err != nil {
		t.Fatal(err)
	}
	personCode := map[domain.PersonID]string{}
	for _, p := range people {
		personCode[p.ID] = p.Code
	}
	hhs, err := s.HouseholdsByCodes(ctx, codesIn(t, "households.csv"))
	if err != nil {
		t.Fatal(err)
	}
	hhCode := map[domain.HouseholdID]string{}
	for _, h := range hhs {
		hhCode[h.ID] = h.Code
		lines = append(lines, fmt.Sprintf("household %s %s %s region=%v %s members=%d tags=%s difficult=%v lat=%v lng=%v head=%s",
			h.Code, h.HeadName, h.Initials, h.RegionID != nil, h.Address, h.Members, h.Tags, h.Difficult, fptr(h.Lat), fptr(h.Lng), ptrCode(h.HeadID, personCode)))
	}
	for _, p := range people {
		lines = append(lines, fmt.Sprintf("person %s %s %s %s %s roles=%s unit=%s title=%s hh=%s",
			p.Code, p.Name, p.Initials, p.Phone, p.IDNumber, p.Roles, ptrCode(p.UnitID, unitCode), p.Title, ptrCode(p.HouseholdID, hhCode)))
	}
	pairings, err := s.PairingsByCodes(ctx, codesIn(t, "pairings.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pairings {
		end := "-"
		if p.EndOn != nil {
			end = p.EndOn.In(clock.Shanghai).Format(time.DateOnly)
		}
		lines = append(lines, fmt.Sprintf("pairing %s cadre=%s hh=%s program=%v start=%s end=%s reason=%s",
			p.Code, personCode[p.CadreID], hhCode[p.HouseholdID], p.ProgramID != nil, p.StartOn.In(clock.Shanghai).Format(time.DateOnly), end, p.EndReason))
	}
	return lines
}

func ptrCode[ID comparable](id *ID, codes map[ID]string) string {
	if id == nil {
		return "-"
	}
	return codes[*id]
}

func fptr(f *float64) string {
	if f == nil {
		return "-"
	}
	return fmt.Sprint(*f)
}

func sortedLines(l []string) []string { slices.Sort(l); return l }

// codesIn returns the first column of a demo csv.
func codesIn(t testing.TB, file string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(demoDir, "csv", file))
	if err != nil {
		t.Fatal(err)
	}
	tb := table(t, string(b))
	var out []string
	for _, r := range tb.Rows {
		out = append(out, r.Cell(0))
	}
	return out
}

// writeXLSX turns a csv template into the workbook county staff would keep: numbers as numbers and
// dates as real Excel dates (serials with a date format), everything else as text.
func writeXLSX(t testing.TB, csvPath, xlsxPath string) {
	t.Helper()
	b, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	tb := table(t, string(b))
	f := excelize.NewFile()
	defer f.Close()
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	set := func(col, row int, v any, style int) {
		cell, _ := excelize.CoordinatesToCellName(col, row)
		if err := f.SetCellValue("Sheet1", cell, v); err != nil {
			t.Fatal(err)
		}
		if style != 0 {
			_ = f.SetCellStyle("Sheet1", cell, cell, style)
		}
	}
	for i, h := range tb.Header {
		set(i+1, 1, h, 0)
	}
	for _, r := range tb.Rows {
		for i, h := range tb.Header {
			v := r.Cell(i)
			switch {
			case v == "":
			case h == "家庭人口" || h == "经度" || h == "纬度" || h == "金额":
				var x float64
				fmt.Sscan(v, &x)
				set(i+1, r.Num, x, 0)
			case strings.HasSuffix(h, "日期"):
				set(i+1, r.Num, mustDate(t, v), dateStyle)
			default:
				set(i+1, r.Num, v, 0)
			}
		}
	}
	if err := f.SaveAs(xlsxPath); err != nil {
		t.Fatal(err)
	}
}

func mustDate(t testing.TB, s string) time.Time {
	for _, layout := range []string{"2006-01-02", "2006/1/2", "2006年1月2日"} {
		if d, err := time.Parse(layout, s); err == nil {
			return d
		}
	}
	t.Fatalf("test data date %q", s)
	return time.Time{}
}

func TestUpdateXLSXTemplates(t *testing.T) {
	if !*update {
		t.Skip("run with -update to regenerate testdata/import/*.xlsx from testdata/import/csv")
	}
	for _, k := range sheet.Kinds {
		writeXLSX(t, demoFile(k, ".csv"), demoFile(k, ".xlsx"))
	}
}
