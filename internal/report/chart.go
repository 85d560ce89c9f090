package report

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"strconv"
	"time"

	"github.com/hajimehoshi/bitmapfont/v3"
	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"

	"qinqi/store"
)

// The chart is drawn at a small logical size with a 12-px pixel font that covers simplified
// Chinese (bitmapfont's Ark Pixel glyphs, embedded in the Go module, so no system font is needed)
// and then scaled up ×chartScale with nearest-neighbour, which keeps the glyphs crisp.
const (
	chartScale    = 2
	chartLeft     = 44 // room for the y-axis labels
	chartTop      = 40 // title and legend
	chartBottom   = 34 // unit names
	chartPlotH    = 200
	barW          = 9
	groupGap      = 16
	maxChartUnits = 16
	maxLabelRunes = 6
)

// ChartFace is the font the chart draws with; tests use it to check glyph coverage.
func ChartFace() font.Face { return bitmapfont.FaceSC }

// KindColors are the bar colours of the five kinds, in store.CheckInKinds order.
var KindColors = []color.RGBA{
	{0x4E, 0x79, 0xA7, 0xFF}, {0xF2, 0x8E, 0x2B, 0xFF}, {0x59, 0xA1, 0x4F, 0xFF},
	{0xE1, 0x57, 0x59, 0xFF}, {0x76, 0xB7, 0xB2, 0xFF},
}

var (
	chartInk  = color.RGBA{0x33, 0x33, 0x33, 0xFF}
	chartGrid = color.RGBA{0xE0, 0xE0, 0xE0, 0xFF}
)

// Chart draws the report as a PNG bar chart: one group per unit (the busiest maxChartUnits when
// there are more), one bar per activity kind, with a Chinese title, legend and unit names.
func Chart(r Report, w io.Writer) error {
	units := chartUnits(r.ByUnit)
	barsW := len(store.CheckInKinds) * barW
	groupW := max(barsW+groupGap, maxLabelRunes*12+8) // a group is as wide as its name
	width := max(chartLeft+len(units)*groupW+16, 420)
	height := chartTop + chartPlotH + chartBottom
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)

	top := int64(0)
	for _, u := range units {
		for _, k := range store.CheckInKinds {
			top = max(top, u.Counts[k])
		}
	}
	step, ticks := niceTicks(top)
	scaleMax := step * int64(ticks)
	base := chartTop + chartPlotH
	for i := 0; i <= ticks; i++ {
		y := base - i*chartPlotH/ticks
		fill(img, chartLeft, y, width-8, y+1, chartGrid)
		lbl := strconv.FormatInt(step*int64(i), 10)
		text(img, chartLeft-4-measure(lbl), y+4, lbl, chartInk)
	}
	fill(img, chartLeft, chartTop, chartLeft+1, base+1, chartInk)
	for gi, u := range units {
		x0 := chartLeft + 4 + gi*groupW + (groupW-barsW)/2
		for ki, k := range store.CheckInKinds {
			h := int(u.Counts[k] * chartPlotH / scaleMax)
			fill(img, x0+ki*barW, base-h, x0+(ki+1)*barW-1, base, KindColors[ki])
		}
		name := shorten(u.Unit.Name, maxLabelRunes)
		text(img, x0+(barsW-measure(name))/2, base+16, name, chartInk)
	}
	title := fmt.Sprintf("%s %s 五类帮扶活动", r.Scope.Name, r.Period.Label())
	if len(units) < len(r.ByUnit) {
		title += fmt.Sprintf("（%d 个单位中最活跃的 %d 个）", len(r.ByUnit), len(units))
	}
	text(img, 8, 16, title, chartInk)
	legend(img, 8, 32)

	big := image.NewRGBA(image.Rect(0, 0, width*chartScale, height*chartScale))
	draw.NearestNeighbor.Scale(big, big.Bounds(), img, img.Bounds(), draw.Src, nil)
	if err := png.Encode(w, big); err != nil {
		return fmt.Errorf("report: chart: %w", err)
	}
	return nil
}

// ChartFileName is the name the recipient sees: 帮扶活动图-2026-11.png.
func ChartFileName(p Period) string { return "帮扶活动图-" + p.Slug() + ".png" }

func chartUnits(all []UnitFigures) []UnitFigures {
	if len(all) <= maxChartUnits {
		return all
	}
	picked := append([]UnitFigures(nil), all...)
	// Keep the busiest units; a stable insertion order keeps the chart reproducible.
	for i := 1; i < len(picked); i++ {
		for j := i; j > 0 && picked[j].Activities() > picked[j-1].Activities(); j-- {
			picked[j], picked[j-1] = picked[j-1], picked[j]
		}
	}
	return picked[:maxChartUnits]
}

func legend(img *image.RGBA, x, y int) {
	for i, k := range store.CheckInKinds {
		fill(img, x, y-8, x+8, y, KindColors[i])
		text(img, x+11, y, k.Label(), chartInk)
		x += 11 + measure(k.Label()) + 10
	}
}

// niceTicks picks a round step so that about five grid lines cover top.
func niceTicks(top int64) (step int64, ticks int) {
	if top <= 5 {
		return 1, 5
	}
	for mag := int64(1); ; mag *= 10 {
		for _, m := range []int64{1, 2, 5} {
			step = m * mag
			if top <= step*5 {
				return step, int((top + step - 1) / step)
			}
		}
	}
}

func fill(img *image.RGBA, x0, y0, x1, y1 int, c color.Color) {
	draw.Draw(img, image.Rect(x0, y0, x1, y1), image.NewUniform(c), image.Point{}, draw.Src)
}

func text(img *image.RGBA, x, baseline int, s string, c color.Color) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: ChartFace(), Dot: fixed.P(x, baseline)}
	d.DrawString(s)
}

func measure(s string) int { return font.MeasureString(ChartFace(), s).Ceil() }

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// WriteChart computes the statistics of scope for p and draws them as PNG to w.
func WriteChart(ctx context.Context, src Source, scope Scope, p Period, now time.Time, w io.Writer) error {
	r, err := Stats(ctx, src, scope, p, now)
	if err != nil {
		return err
	}
	return Chart(r, w)
}
