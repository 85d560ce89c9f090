package sheet_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/sheet"
	"qinqi/store"
)

// fakeCheckIns is a CheckInSource over a fixed list.
type fakeCheckIns []store.CheckInRecord

func (f fakeCheckIns) EachCheckIn(_ context.Context, from, to time.Time, fn func(store.CheckInRecord) error) error {
	for _, r := range f {
		if !r.OccurredAt.Before(from) && r.OccurredAt.Before(to) {
			if err := fn(r); err != nil {
				return err
			}
		}
	}
	return nil
}

var exportRows = fakeCheckIns{
	{ID: 1, OccurredAt: time.Date(2026, 11, 5, 8, 30, 0, 0, clock.Shanghai), ReportedAt: time.Date(2026, 11, 6, 20, 0, 0, 0, clock.Shanghai),
		Kind: domain.KindWarmth, Mode: domain.ModeInPerson, CadreCode: "P001", CadreName: "陈建国", CadrePhone: "13800000001",
		UnitName: "青山县农业农村局", HouseholdCode: "H001", HeadName: "王春发", VillageName: "李家村", Text: "送米面油", Items: "米×20斤", ValueFen: 30000},
	{ID: 2, OccurredAt: time.Date(2026, 12, 1, 9, 0, 0, 0, clock.Shanghai), Kind: domain.KindContact, CadrePhone: "13800000002"},
}

var novFrom, novTo = clock.Date(2026, 11, 1), clock.Date(2026, 12, 1)

func TestExportCheckIns(t *testing.T) {
	ctx := context.Background()
	t.Run("csv", func(t *testing.T) {
		var b bytes.Buffer
		n, err := sheet.ExportCheckIns(ctx, exportRows, &b, sheet.FormatCSV, novFrom, novTo)
		if err != nil || n != 1 {
			t.Fatalf("n = %d, %v; want 1", n, err)
		}
		if !strings.HasPrefix(b.String(), "\ufeff") {
			t.Error("the csv does not start with a UTF-8 byte order mark")
		}
		lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(b.String(), "\ufeff")), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "编号,发生时间,上报时间,类型") {
			t.Fatalf("csv = %q", b.String())
		}
		for _, want := range []string{"2026-11-05 08:30", "送温暖", "当面", "138****0001", "300", "王春发"} {
			if !strings.Contains(lines[1], want) {
				t.Errorf("row %q lacks %q", lines[1], want)
			}
		}
		if strings.Contains(b.String(), "13800000001") {
			t.Error("full phone number in the export")
		}
	})
	t.Run("json", func(t *testing.T) {
		var b bytes.Buffer
		if _, err := sheet.ExportCheckIns(ctx, exportRows, &b, sheet.FormatJSON, novFrom, novTo); err != nil {
			t.Fatal(err)
		}
		var rows []map[string]any
		if err := json.Unmarshal(b.Bytes(), &rows); err != nil {
			t.Fatalf("invalid json %q: %v", b.String(), err)
		}
		if len(rows) != 1 || rows[0]["cadre_phone"] != "138****0001" || rows[0]["value_yuan"] != 300.0 || rows[0]["occurred_at"] != "2026-11-05T08:30:00+08:00" {
			t.Errorf("json rows = %v", rows)
		}
	})
	t.Run("json with no rows is an empty array", func(t *testing.T) {
		var b bytes.Buffer
		if _, err := sheet.ExportCheckIns(ctx, exportRows, &b, sheet.FormatJSON, novTo.AddDate(1, 0, 0), novTo.AddDate(1, 1, 0)); err != nil {
			t.Fatal(err)
		}
		var rows []any
		if err := json.Unmarshal(b.Bytes(), &rows); err != nil || len(rows) != 0 {
			t.Errorf("json = %q, %v", b.String(), err)
		}
	})
	t.Run("xlsx reads back", func(t *testing.T) {
		var b bytes.Buffer
		if _, err := sheet.ExportCheckIns(ctx, exportRows, &b, sheet.FormatXLSX, novFrom, novTo); err != nil {
			t.Fatal(err)
		}
		tb, err := sheet.ReadXLSX(&b)
		if err != nil {
			t.Fatal(err)
		}
		if tb.Header[0] != "编号" || len(tb.Rows) != 1 || tb.Rows[0].Cell(7) != "138****0001" || tb.Rows[0].Cell(10) != "王春发" {
			t.Fatalf("xlsx table = %v", tb)
		}
		serial, err := strconv.ParseFloat(tb.Rows[0].Cell(1), 64)
		if err != nil {
			t.Fatalf("发生时间 cell %q is not an Excel date: %v", tb.Rows[0].Cell(1), err)
		}
		if at, err := excelize.ExcelDateToTime(serial, false); err != nil || at.Format("2006-01-02 15:04") != "2026-11-05 08:30" {
			t.Errorf("发生时间 reads back as %v, %v; want the Beijing wall clock 2026-11-05 08:30", at, err)
		}
	})
	t.Run("unknown format", func(t *testing.T) {
		if _, err := sheet.ExportCheckIns(ctx, exportRows, &bytes.Buffer{}, "pdf", novFrom, novTo); err == nil {
			t.Error("pdf accepted")
		}
	})
}
