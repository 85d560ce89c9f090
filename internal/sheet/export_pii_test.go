package sheet_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"qinqi/internal/domain"
	"qinqi/internal/sheet"
)

// TestExportCheckInsMasksFreeText: the diary text's phone and ID numbers are masked unless the full
// text is asked for (the command audits that).
func TestExportCheckInsMasksFreeText(t *testing.T) {
	at := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	rows := fakeCheckIns{{ID: 1, OccurredAt: at, ReportedAt: at, Kind: domain.KindVisit, Text: "儿子电话13912345678 身份证33010219551107123X"}}
	from, to := at.AddDate(0, 0, -2), at.AddDate(0, 0, 2)
	var masked, full bytes.Buffer
	if _, err := sheet.ExportCheckIns(context.Background(), rows, &masked, sheet.FormatCSV, from, to); err != nil {
		t.Fatal(err)
	}
	if s := masked.String(); strings.Contains(s, "13912345678") || strings.Contains(s, "33010219551107123X") || !strings.Contains(s, "139****5678") {
		t.Errorf("masked export:\n%s", s)
	}
	if _, err := sheet.ExportCheckInsFullText(context.Background(), rows, &full, sheet.FormatCSV, from, to); err != nil {
		t.Fatal(err)
	}
	if s := full.String(); !strings.Contains(s, "13912345678") {
		t.Errorf("full-text export:\n%s", s)
	}
}
