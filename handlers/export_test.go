package handlers_test

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"qinqi/internal/report"
)

func TestExportCommandSendsTheLedger(t *testing.T) {
	h := newCoordHarness(t)
	cases := []struct {
		name, who, text string
		file            string
		rows            int // title + header + check-in rows
		money           float64
	}{
		{"month of own units", CoordLi, "导出 11月", "民情台账-2026-11.xlsx", 4, 500},
		{"default month, slash", CoordLi, "/export", "民情台账-2026-11.xlsx", 4, 500},
		{"other unit gets an empty ledger", CoordChen, "导出 2026-11", "民情台账-2026-11.xlsx", 2, 0},
		{"quarter", AdminSun, "导出 2026Q4", "民情台账-2026Q4.xlsx", 4, 500},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs := h.replies(c.who, c.text)
			if len(rs) != 2 || rs[0].Text == "" || rs[1].FileName != c.file || rs[1].FilePath == "" {
				t.Fatalf("replies = %+v", rs)
			}
			wantContains(t, rs[0].Text, "民情台账已生成")
			if filepath.Dir(rs[1].FilePath) != h.cfg.Outbox.FileDir {
				t.Errorf("file %s not in the outbox file dir", rs[1].FilePath)
			}
			f, err := excelize.OpenFile(rs[1].FilePath)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, err := f.GetRows(report.SheetCheckIns, excelize.Options{RawCellValue: true})
			if err != nil || len(rows) != c.rows {
				t.Fatalf("rows = %d (%v), want %d", len(rows), err, c.rows)
			}
			var money float64
			for _, r := range rows[2:] {
				var v float64
				if len(r) > 9 {
					v, _ = strconv.ParseFloat(r[9], 64)
				}
				money += v
			}
			if money != c.money {
				t.Errorf("money = %v, want %v", money, c.money)
			}
		})
	}
	t.Run("bad month changes nothing", func(t *testing.T) {
		before, _ := os.ReadDir(h.cfg.Outbox.FileDir)
		rs := h.replies(CoordLi, "导出 13月")
		after, _ := os.ReadDir(h.cfg.Outbox.FileDir)
		if len(rs) != 1 || rs[0].FilePath != "" || len(after) != len(before) {
			t.Errorf("replies %+v, files %d → %d", rs, len(before), len(after))
		}
		wantContains(t, rs[0].Text, "没看懂")
	})
	t.Run("cadre may not", func(t *testing.T) {
		wantContains(t, h.send(CadreZhang, "导出"), "不是您这个身份")
	})
}

func TestChartCommandSendsAPNG(t *testing.T) {
	h := newCoordHarness(t)
	rs := h.replies(CoordLi, "统计图 11月")
	if len(rs) != 2 || !rs[1].Image || rs[1].FileName != "帮扶活动图-2026-11.png" {
		t.Fatalf("replies = %+v", rs)
	}
	b, err := os.ReadFile(rs[1].FilePath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil || len(b) < 2000 {
		t.Errorf("png %d bytes: %v", len(b), err)
	}
	wantContains(t, h.send(HeadWang, "统计图"), "不是您这个身份")
}
