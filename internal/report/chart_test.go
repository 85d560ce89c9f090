package report_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"

	"qinqi/internal/domain"
	"qinqi/internal/report"
	"qinqi/internal/report/reporttest"
	"qinqi/internal/testenv"
	"qinqi/store"
)

func TestChartIsAPNGWithBars(t *testing.T) {
	s := testenv.SQLite(t)
	reporttest.Seed(t, s)
	r, err := report.Stats(context.Background(), s, report.Scope{All: true, Name: "全县"}, report.MonthOf(reporttest.Now), reporttest.Now)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.Chart(r, &buf); err != nil {
		t.Fatal(err)
	}
	if buf.Len() < 2000 {
		t.Fatalf("PNG is only %d bytes", buf.Len())
	}
	img, err := png.Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 600 || b.Dy() < 400 {
		t.Errorf("size %v", b)
	}
	// Every kind that has a count shows its colour.
	for i, k := range domain.CheckInKinds {
		if n := countColour(img, report.KindColors[i]); n < 100 {
			t.Errorf("%s bars: %d pixels of their colour", k.Label(), n)
		}
	}
}

// TestChartFontDrawsChinese guards against tofu: every label character has a glyph in the chart
// font, and different characters draw different pixels (a missing-glyph box would be identical).
func TestChartFontDrawsChinese(t *testing.T) {
	face := report.ChartFace()
	labels := "联系走访讲政策送温暖办实事县农业农村局教育帮扶活动年月第四季度"
	for _, r := range labels {
		if _, ok := face.GlyphAdvance(r); !ok {
			t.Errorf("no glyph for %q", r)
		}
	}
	a, b := ink(face, '走'), ink(face, '访')
	if len(a) < 10 || len(b) < 10 {
		t.Fatalf("glyphs nearly empty: %d, %d pixels", len(a), len(b))
	}
	if equalSets(a, b) {
		t.Error("走 and 访 draw the same pixels: missing-glyph boxes")
	}
	if _, ok := face.GlyphAdvance('\uE000'); ok && equalSets(ink(face, '\uE000'), a) {
		t.Error("a private-use character draws like 走")
	}
}

func ink(face font.Face, r rune) map[image.Point]bool {
	img := image.NewGray(image.Rect(0, 0, 20, 20))
	d := font.Drawer{Dst: img, Src: image.White, Face: face, Dot: fixed.P(2, 15)}
	d.DrawString(string(r))
	out := map[image.Point]bool{}
	for y := 0; y < 20; y++ {
		for x := 0; x < 20; x++ {
			if img.GrayAt(x, y).Y > 128 {
				out[image.Pt(x, y)] = true
			}
		}
	}
	return out
}

func equalSets(a, b map[image.Point]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for p := range a {
		if !b[p] {
			return false
		}
	}
	return true
}

func countColour(img image.Image, c color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(bl>>8) == c.B {
				n++
			}
		}
	}
	return n
}

func TestChartKeepsTheBusiestUnits(t *testing.T) {
	r := report.Report{Scope: report.Scope{Name: "全市"}, Period: report.MonthOf(reporttest.Now)}
	for i := 0; i < 30; i++ {
		r.ByUnit = append(r.ByUnit, report.UnitFigures{Unit: store.Unit{Name: "第" + string(rune('一'+i%9)) + "单位"},
			Figures: report.Figures{Counts: map[domain.CheckInKind]int64{domain.KindVisit: int64(i * 37)}}})
	}
	var buf bytes.Buffer
	if err := report.Chart(r, &buf); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	// 16 groups of 78 px plus margins, doubled: wide but bounded however many units there are.
	if w := img.Bounds().Dx(); w < 2000 || w > 3000 {
		t.Errorf("width %d for 30 units", w)
	}
}

func TestChartNamesAreFullOrUnambiguous(t *testing.T) {
	units := []report.UnitFigures{
		{Unit: store.Unit{Name: "县教育局"}},
		{Unit: store.Unit{Name: "县农业农村局乡村振兴科"}},
		{Unit: store.Unit{Name: "青山县农业农村局农业技术推广服务中心第一站"}},
		{Unit: store.Unit{Name: "青山县农业农村局农业技术推广服务中心第二站"}},
	}
	got := report.ChartNames(units)
	cases := []struct {
		i    int
		want string
	}{
		{0, "县教育局"},
		{1, "县农业农村局/乡村振兴科"},
		{2, "青山县农业…/业技术推广服/务中心第一站"},
		{3, "青山县农业…/业技术推广服/务中心第二站"},
	}
	for _, c := range cases {
		if j := strings.Join(got[c.i], "/"); j != c.want {
			t.Errorf("%s → %q, want like %q", units[c.i].Unit.Name, j, c.want)
		}
		if len(got[c.i]) > 3 {
			t.Errorf("%s takes %d lines", units[c.i].Unit.Name, len(got[c.i]))
		}
	}
	if strings.Join(got[2], "") == strings.Join(got[3], "") {
		t.Error("two long names came out the same")
	}
}

func TestChartOfAnEmptyMonthSaysNoData(t *testing.T) {
	r := report.Report{Scope: report.Scope{Name: "全县"}, Period: report.MonthOf(reporttest.Now),
		ByUnit: []report.UnitFigures{{Unit: store.Unit{Name: "县教育局"}, Figures: report.Figures{Counts: map[domain.CheckInKind]int64{}}}}}
	var buf bytes.Buffer
	if err := report.Chart(r, &buf); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n := countColour(img, color.RGBA{0x99, 0x99, 0x99, 0xFF}); n < 200 {
		t.Errorf("the 无数据 note draws %d pixels", n)
	}
}

func TestChartHasNoEmptyThird(t *testing.T) {
	s := testenv.SQLite(t)
	reporttest.Seed(t, s)
	r, err := report.Stats(context.Background(), s, report.Scope{All: true, Name: "全县"}, report.MonthOf(reporttest.Now), reporttest.Now)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.Chart(r, &buf); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	// the last bar of any colour stands in the right sixth of the picture
	last := 0
	b := img.Bounds()
	for x := b.Min.X; x < b.Max.X; x++ {
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for _, c := range report.KindColors {
				if r, g, bl, _ := img.At(x, y).RGBA(); uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(bl>>8) == c.B {
					last = x
				}
			}
		}
	}
	if last < b.Dx()*5/6 {
		t.Errorf("last bar at x=%d of %d: the right of the chart is empty", last, b.Dx())
	}
}
