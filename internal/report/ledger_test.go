package report_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"qinqi/internal/domain"
	"qinqi/internal/report"
	"qinqi/internal/report/reporttest"
	"qinqi/internal/testenv"
	"qinqi/store"
)

func TestLedgerTotalsEqualTheDatabase(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			reporttest.Seed(t, s)
			nov := report.MonthOf(reporttest.Now)
			var buf bytes.Buffer
			if err := report.WriteLedger(ctx, s, report.Scope{All: true, Name: "全县"}, nov, reporttest.Now, &buf); err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatalf("open ledger: %v", err)
			}
			defer f.Close()
			if got := f.GetSheetList(); strings.Join(got, ",") != "走访台账,干部汇总,单位汇总,诉求" {
				t.Fatalf("sheets = %v", got)
			}
			rows := sheetRows(t, f, report.SheetCheckIns)
			if rows[0][0] != "日期" || rows[0][6] != "类型" || rows[0][9] != "金额（元）" {
				t.Errorf("header = %v", rows[0])
			}
			byKind := map[string]int64{}
			var fen int64
			for _, r := range rows[1:] {
				byKind[r[6]]++
				fen += yuanToFen(t, r[9])
			}
			tallies, err := s.CheckInTallies(ctx, store.StatsFilter{From: nov.From, To: nov.To})
			if err != nil {
				t.Fatal(err)
			}
			var dbFen int64
			dbKind := map[string]int64{}
			for _, k := range tallies {
				dbKind[k.Kind.Label()] += k.N
				dbFen += k.ValueFen
			}
			for _, k := range domain.CheckInKinds {
				if byKind[k.Label()] != dbKind[k.Label()] {
					t.Errorf("%s: sheet %d, database %d", k.Label(), byKind[k.Label()], dbKind[k.Label()])
				}
			}
			if fen != dbFen || fen != reporttest.NovValueFen {
				t.Errorf("money: sheet %d fen, database %d, fixture %d", fen, dbFen, reporttest.NovValueFen)
			}
			units := sheetRows(t, f, report.SheetUnits)
			last := units[len(units)-1]
			if last[1] != "合计" || last[14] != strconv.Itoa(reporttest.NovVisits) || yuanToFen(t, last[18]) != reporttest.NovValueFen ||
				last[5] != "1/3" || last[7] != "1/2" {
				t.Errorf("unit total row = %v", last)
			}
			cadres := sheetRows(t, f, report.SheetCadres)
			for _, r := range cadres[1:] {
				if strings.Contains(r[3], "0000") || (r[3] != "" && !strings.Contains(r[3], "****")) {
					t.Errorf("cadre phone not masked: %v", r)
				}
			}
			reqs := sheetRows(t, f, report.SheetRequests)
			if len(reqs) != 3 || reqs[1][5] != "137****0001" || reqs[1][13] != "是" || reqs[2][13] != "否" {
				t.Errorf("requests sheet = %v", reqs)
			}
			if panes, err := f.GetPanes(report.SheetCheckIns); err != nil || !panes.Freeze || panes.YSplit != 2 {
				t.Errorf("header row not frozen: %+v %v", panes, err)
			}
		})
	}
}

func TestLedgerOfACoordinatorHoldsOnlyTheirUnits(t *testing.T) {
	ctx := context.Background()
	s := testenv.SQLite(t)
	fx := reporttest.Seed(t, s)
	var buf bytes.Buffer
	scope := report.Scope{Units: []domain.UnitID{fx.Edu.ID}, Name: "县教育局"}
	if err := report.WriteLedger(ctx, s, scope, report.MonthOf(reporttest.Now), reporttest.Now, &buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, r := range sheetRows(t, f, report.SheetCheckIns)[1:] {
		if r[1] != "县教育局" {
			t.Errorf("foreign row in ledger: %v", r)
		}
	}
	if n := len(sheetRows(t, f, report.SheetCheckIns)); n != 3 {
		t.Errorf("check-in rows = %d, want 2 + header", n)
	}
}

func sheetRows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("rows of %s: %v", sheet, err)
	}
	if len(rows) == 0 || !strings.Contains(rows[0][0], "民情台账·"+sheet) || !strings.Contains(rows[0][0], "制表日期") {
		t.Fatalf("%s has no title row: %v", sheet, rows)
	}
	rows = rows[1:] // the title; the header row is rows[0] from here
	for i := range rows {
		for len(rows[i]) < 20 {
			rows[i] = append(rows[i], "")
		}
	}
	return rows
}

func yuanToFen(t *testing.T, s string) int64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("money cell %q: %v", s, err)
	}
	return int64(v*100 + 0.5)
}

// TestLedgerMasksNumbersInFreeText: a phone or ID number typed into a diary note or a request is
// masked in the ledger; the database keeps it.
func TestLedgerMasksNumbersInFreeText(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			f := reporttest.Seed(t, s)
			at := reporttest.Now.Add(-time.Hour)
			note := "留了儿子电话13912345678，身份证33010219551107123X"
			if err := s.InsertFixture(ctx,
				&store.CheckIn{PairingID: f.P1.ID, CadreID: f.Cadre1.ID, HouseholdID: f.HH1.ID, Kind: domain.KindVisit,
					OccurredAt: at, ReportedAt: at, Text: note},
				&store.Request{HouseholdID: f.HH1.ID, PersonID: f.HeadPerson1.ID, Kind: domain.ReqRequest, Category: domain.CatOther,
					Text: "回电0571-88881234", Status: domain.StatusNew, AckDueAt: at, DueAt: at, CreatedAt: at},
			); err != nil {
				t.Fatal(err)
			}
			x := countyLedger(t, s)
			var all []string
			for _, sh := range []string{report.SheetCheckIns, report.SheetRequests} {
				for _, r := range sheetRows(t, x, sh) {
					all = append(all, strings.Join(r, "|"))
				}
			}
			text := strings.Join(all, "\n")
			for _, raw := range []string{"13912345678", "33010219551107123X", "88881234"} {
				if strings.Contains(text, raw) {
					t.Errorf("ledger shows %s", raw)
				}
			}
			for _, m := range []string{"139****5678", "330*************3X", "0571-****1234"} {
				if !strings.Contains(text, m) {
					t.Errorf("ledger lacks %s", m)
				}
			}
		})
	}
}

// TestLedgerIsReadyToPrint: every sheet prints landscape, one page wide, with its title and
// header on each page and page numbers; sub-units stand under their parent.
func TestLedgerIsReadyToPrint(t *testing.T) {
	s := testenv.SQLite(t)
	reporttest.Seed(t, s)
	f := countyLedger(t, s)
	titles := map[string]bool{}
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" {
			titles[dn.Scope] = strings.HasSuffix(dn.RefersTo, "!$1:$2")
		}
	}
	for _, sh := range f.GetSheetList() {
		t.Run(sh, func(t *testing.T) {
			pl, err := f.GetPageLayout(sh)
			if err != nil || pl.Orientation == nil || *pl.Orientation != "landscape" || pl.FitToWidth == nil || *pl.FitToWidth != 1 ||
				pl.FitToHeight == nil || *pl.FitToHeight != 0 {
				t.Errorf("page layout %+v %v", pl, err)
			}
			props, err := f.GetSheetProps(sh)
			if err != nil || props.FitToPage == nil || !*props.FitToPage {
				t.Errorf("not fitted to the page: %+v %v", props, err)
			}
			hf, err := f.GetHeaderFooter(sh)
			if err != nil || !strings.Contains(hf.OddFooter, "&P") || !strings.Contains(hf.OddFooter, "&N") {
				t.Errorf("footer %+v %v", hf, err)
			}
			if !titles[sh] {
				t.Errorf("no print titles (rows 1–2) for %s", sh)
			}
			title, _ := f.GetCellValue(sh, "A1")
			for _, want := range []string{"全县", "2026年11月", "制表日期：2026-11-25"} {
				if !strings.Contains(title, want) {
					t.Errorf("title %q lacks %q", title, want)
				}
			}
		})
	}
	units := sheetRows(t, f, report.SheetUnits)
	if units[1][1] != "县农业农村局" || units[2][1] != "　　农技推广站" || units[3][1] != "县教育局" {
		t.Errorf("unit order %q %q %q: the sub-unit belongs under its parent", units[1][1], units[2][1], units[3][1])
	}
	cis := sheetRows(t, f, report.SheetCheckIns)
	labels := map[string]int{}
	for _, r := range cis[1:] {
		labels[r[14]]++
	}
	if labels["户主确认"] != 1 || labels["已询问"] != 1 || labels["户主称有出入，待核实"] != 2 {
		t.Errorf("户主确认 column %v", labels)
	}
}

func TestUnitTreePutsSubUnitsUnderTheirParent(t *testing.T) {
	id := func(n int64) *domain.UnitID { u := domain.UnitID(n); return &u }
	u := func(n int64, code string, parent *domain.UnitID) report.UnitFigures {
		return report.UnitFigures{Unit: store.Unit{ID: domain.UnitID(n), Code: code, Name: code, ParentID: parent}}
	}
	// by code: 科A (child of 局Z) sorts before its parent; 站 is a grandchild; 外 has its parent out of scope.
	in := []report.UnitFigures{u(1, "A科", id(3)), u(2, "B站", id(1)), u(3, "Z局", nil), u(4, "外", id(99)), u(5, "Y局", nil)}
	var got []string
	for _, t := range report.UnitTree(in) {
		got = append(got, strings.Repeat("-", t.Depth)+t.Unit.Code)
	}
	if want := "Z局,-A科,--B站,外,Y局"; strings.Join(got, ",") != want {
		t.Errorf("tree %v, want %s", got, want)
	}
}

// TestLedgerShowsSalesApart: sales help (帮销) has its own two columns in 走访台账 and never enters
// 金额 or the units' money total (the county replay counted 帮着卖了苹果800斤 as aid).
func TestLedgerShowsSalesApart(t *testing.T) {
	ctx := context.Background()
	s := testenv.SQLite(t)
	f := reporttest.Seed(t, s)
	at := reporttest.Now.Add(-time.Hour)
	if err := s.InsertFixture(ctx, &store.CheckIn{PairingID: f.P1.ID, CadreID: f.Cadre1.ID, HouseholdID: f.HH1.ID, Kind: domain.KindDeed,
		Mode: domain.ModeInPerson, OccurredAt: at, ReportedAt: at, SalesItems: "苹果×800斤", SalesFen: 160000}); err != nil {
		t.Fatal(err)
	}
	x := countyLedger(t, s)
	rows := sheetRows(t, x, report.SheetCheckIns)
	if rows[0][9] != "金额（元）" || rows[0][10] != "帮销物品" || rows[0][11] != "帮销金额（元）" {
		t.Fatalf("header = %v", rows[0])
	}
	var fen int64
	sales := 0
	for _, r := range rows[1:] {
		if r[9] != "" {
			fen += yuanToFen(t, r[9])
		}
		if r[10] != "" || r[11] != "" {
			sales++
			if r[10] != "苹果800斤" || yuanToFen(t, r[11]) != 160000 || (r[9] != "" && yuanToFen(t, r[9]) != 0) {
				t.Errorf("sales row = %v", r)
			}
		}
	}
	if sales != 1 || fen != reporttest.NovValueFen {
		t.Errorf("%d sales rows, money column %d fen; want 1 and %d", sales, fen, reporttest.NovValueFen)
	}
	units := sheetRows(t, x, report.SheetUnits)
	if last := units[len(units)-1]; yuanToFen(t, last[18]) != reporttest.NovValueFen {
		t.Errorf("units' money total = %v, want %d fen", last[18], reporttest.NovValueFen)
	}
}

// countyLedger writes the whole county's ledger for the month of reporttest.Now and opens it.
func countyLedger(t *testing.T, s *store.Store) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := report.WriteLedger(context.Background(), s, report.Scope{All: true, Name: "全县"}, report.MonthOf(reporttest.Now), reporttest.Now, &buf); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = x.Close() })
	return x
}
