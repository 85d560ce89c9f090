package sheet_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"qinqi/internal/sheet"
	"qinqi/internal/testenv"
	"qinqi/store"
)

const benchHouseholds = 20_000

// writeBenchSheets writes a regions sheet (1 county, 28 townships, 334 villages) and a
// 20,000-household sheet in dir, as csv and xlsx.
func writeBenchSheets(b *testing.B, dir string) {
	b.Helper()
	var reg, hh strings.Builder
	reg.WriteString("区划编号,名称,级别,上级区划\nC,本县,县,\n")
	villages := benchHouseholds / 60
	for v := range villages + 1 {
		if v%12 == 0 {
			fmt.Fprintf(&reg, "T%d,第%d镇,乡镇,C\n", v/12, v/12)
		}
		fmt.Fprintf(&reg, "V%d,第%d村,村,T%d\n", v, v, v/12)
	}
	hh.WriteString("户编号,户主姓名,所属村,家庭住址,家庭人口,户类型/标签,重点户,经度,纬度\n")
	tags := []string{"脱贫户", "脱贫户、低保", "监测户", "特困、残疾", "留守儿童", "空巢老人、大病"}
	for i := range benchHouseholds {
		loc := ","
		if i%20 == 0 {
			loc = fmt.Sprintf("%.4f,%.4f", 119.5+float64(i%1000)/1000, 29.8+float64(i%700)/1000)
		}
		fmt.Fprintf(&hh, "H%06d,王%s,V%d,%d组%d号,%d,%s,%s,%s\n", i, string(rune('一'+i%300)), i/60, i%8+1, i%60+1, i%6+1, tags[i%len(tags)], []string{"否", "是"}[i%9/8], loc)
	}
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "regions.csv"), []byte(reg.String()), 0o644))
	must(os.WriteFile(filepath.Join(dir, "households.csv"), []byte(hh.String()), 0o644))
	tb, err := sheet.ReadCSV(strings.NewReader(hh.String()))
	must(err)
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	must(err)
	row := func(n int, cells []string) {
		vals := make([]any, len(cells))
		for i, c := range cells {
			vals[i] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, n)
		must(sw.SetRow(cell, vals))
	}
	row(1, tb.Header)
	for _, r := range tb.Rows {
		row(r.Num, r.Cells)
	}
	must(sw.Flush())
	must(f.SaveAs(filepath.Join(dir, "households.xlsx")))
}

// BenchmarkImportHouseholds imports 20,000 households into a database that holds only the
// regions (fresh), and again over itself (reimport: every row an update), per backend and format.
//
//	go test -bench ImportHouseholds -benchtime 3x -run '^$' ./internal/sheet/
func BenchmarkImportHouseholds(b *testing.B) {
	dir := b.TempDir()
	writeBenchSheets(b, dir)
	ctx := context.Background()
	opts := sheet.Options{Now: now}
	for _, be := range testenv.Backends() {
		for _, ext := range []string{".csv", ".xlsx"} {
			file := filepath.Join(dir, "households"+ext)
			b.Run(be.Name+"/"+strings.TrimPrefix(ext, ".")+"/fresh", func(b *testing.B) {
				n := 0
				for b.Loop() {
					n++
					b.StopTimer()
					s := be.Open(b)
					if _, err := sheet.ImportFile(ctx, s, sheet.Regions, filepath.Join(dir, "regions.csv"), opts); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					benchImport(b, ctx, s, file, opts)
				}
				b.ReportMetric(float64(benchHouseholds*n)/b.Elapsed().Seconds(), "rows/s")
			})
			b.Run(be.Name+"/"+strings.TrimPrefix(ext, ".")+"/reimport", func(b *testing.B) {
				s := be.Open(b)
				if _, err := sheet.ImportFile(ctx, s, sheet.Regions, filepath.Join(dir, "regions.csv"), opts); err != nil {
					b.Fatal(err)
				}
				benchImport(b, ctx, s, file, opts)
				n := 0
				for b.Loop() {
					n++
					benchImport(b, ctx, s, file, opts)
				}
				b.ReportMetric(float64(benchHouseholds*n)/b.Elapsed().Seconds(), "rows/s")
			})
		}
	}
}

func benchImport(b *testing.B, ctx context.Context, s *store.Store, file string, opts sheet.Options) {
	res, err := sheet.ImportFile(ctx, s, sheet.Households, file, opts)
	if err != nil {
		b.Fatal(err)
	}
	if res.Rows != benchHouseholds {
		b.Fatalf("imported %d rows, want %d", res.Rows, benchHouseholds)
	}
}

// BenchmarkReadHostileSheets measures what refusing a hostile sheet costs, and what reading the
// largest sheet the limits allow costs (B/op is all memory allocated, an upper bound of the peak):
//
//	go test -bench ReadHostileSheets -benchtime 1x -benchmem -run '^$' ./internal/sheet/
func BenchmarkReadHostileSheets(b *testing.B) {
	bomb := bombXLSX(b, func(w io.Writer) { // 2,000,000 rows: a 22 MB zip of 280 MB of XML
		for i := range 2_000_000 {
			fmt.Fprintf(w, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>王春发</t></is></c><c r="B%d"><v>%d</v></c></row>`, i+1, i+1, i+1, i)
		}
	})
	cell := []byte("户编号,户主姓名,所属村,家庭住址\nX1,王一,Q0101," + strings.Repeat("村", 50<<20/3) + "\n")
	rows := [][]string{{"户编号", "户主姓名", "所属村", "家庭住址", "家庭人口", "户类型/标签", "重点户", "经度", "纬度"}}
	for i := range sheet.MaxRows {
		rows = append(rows, []string{fmt.Sprintf("H%06d", i), "王春发", fmt.Sprintf("V%d", i/600), fmt.Sprintf("%d组%d号", i%8, i%60), "4", "脱贫户、低保", "否", "119.9123", "30.2231"})
	}
	largest := workbook(b, rows)
	for _, c := range []struct {
		name   string
		read   func(io.Reader) (sheet.Table, error)
		file   []byte
		refuse bool
	}{
		{"xlsx_zip_bomb_22MB", sheet.ReadXLSX, bomb, true},
		{"csv_50MB_cell", sheet.ReadCSV, cell, true},
		{"xlsx_200000_rows", sheet.ReadXLSX, largest, false},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.file)))
			for b.Loop() {
				if _, err := c.read(bytes.NewReader(c.file)); (err != nil) != c.refuse {
					b.Fatalf("err = %.200v", err)
				}
			}
		})
	}
}
