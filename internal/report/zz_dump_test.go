package report_test

import (
	"context"
	"os"
	"testing"

	"qinqi/internal/report"
	"qinqi/internal/report/reporttest"
	"qinqi/internal/testenv"
)

func TestZZDump(t *testing.T) {
	s := testenv.SQLite(t)
	reporttest.Seed(t, s)
	r, _ := report.Stats(context.Background(), s, report.Scope{All: true, Name: "全县"}, report.MonthOf(reporttest.Now), reporttest.Now)
	f, _ := os.Create("/tmp/h6chart.png")
	defer f.Close()
	_ = report.Chart(r, f)
}
