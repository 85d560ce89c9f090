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

	"qinqi/internal/domain"

	"github.com/hajimehoshi/bitmapfont/v3"
	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// The chart is drawn at a small logical size with a 12-px pixel font that covers simplified
// Chinese (bitmapfont's Ark Pixel glyphs, embedded in the Go module, so no system font is needed)
// and then scaled up ×chartScale with nearest-neighbour, which keeps the glyphs crisp.
//
// Made to be printed and read on paper: every bar carries its value, unit names are shown in full
// (wrapped over up to three lines; a longer name keeps its start and end around "…", which stays
// unambiguous among sibling units), the plot is exactly as wide as its groups (no empty third),
// and a period without any report says so (无数据) instead of drawing an empty frame.
const (
	chartScale    = 2
	chartLeft     = 44 // room for the y-axis labels
	chartTop      = 40 // title and legend
	chartPlotH    = 200
	barW          = 14
	groupGap      = 18
	maxChartUnits = 16
	labelRunes    = 6  // unit-name characters per line
	labelLines    = 3  // lines per unit name
	lineH         = 14 // pixels per label line
	valueH        = 12 // room above the tallest bar for its value
)

// ChartFace is the font the chart draws with; tests use it to check glyph coverage.
func ChartFace() font.Face { return bitmapfont.FaceSC }

// KindColors are the bar colours of the five kinds, in domain.CheckInKinds order.
var KindColors = []color.RGBA{
	{0x4E, 0x79, 0xA7, 0xFF}, {0xF2, 0x8E, 0x2B, 0xFF}, {0x59, 0xA1, 0x4F, 0xFF},
	{0xE1, 0x57, 0x59, 0xFF}, {0x76, 0xB7, 0xB2, 0xFF},
}

var (
	chartInk  = color.RGBA{0x33, 0x33, 0x33, 0xFF}
	chartGrid = color.RGBA{0xE0, 0xE0, 0xE0, 0xFF}
	chartNote = color.RGBA{0x99, 0x99, 0x99, 0xFF}
)

// Chart draws the report as a PNG bar chart: one group per unit (the busiest maxChartUnits when
// there are more), one bar per activity kind with its value on top, a Chinese title and legend and
// the full unit names.
func Chart(r Report, w io.Writer) error {
	units := chartUnits(r.ByUnit)
	barsW := len(domain.CheckInKinds) * barW
	groupW := max(barsW, labelRunes*12) + groupGap
	title := fmt.Sprintf("%s %s 五类帮扶活动（次数，仅供了解）", r.Scope.Name, r.Period.Label())
	if len(units) < len(r.ByUnit) {
		title += fmt.Sprintf("（%d 个单位中最活跃的 %d 个）", len(r.ByUnit), len(units))
	}
	width := max(chartLeft+len(units)*groupW+8, measure(title)+16, 330)
	height := chartTop + valueH + chartPlotH + 6 + labelLines*lineH + 4
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	text(img, 8, 16, title, chartInk)
	legend(img, 8, 32)

	top := int64(0)
	for _, u := range units {
		for _, k := range domain.CheckInKinds {
			top = max(top, u.Counts[k])
		}
	}
	base := chartTop + valueH + chartPlotH
	step, ticks := niceTicks(top)
	scaleMax := step * int64(ticks)
	for i := 0; i <= ticks; i++ {
		y := base - i*chartPlotH/ticks
		fill(img, chartLeft, y, width-8, y+1, chartGrid)
		lbl := strconv.FormatInt(step*int64(i), 10)
		text(img, chartLeft-4-measure(lbl), y+4, lbl, chartInk)
	}
	fill(img, chartLeft, chartTop+valueH, chartLeft+1, base+1, chartInk)
	// the groups fill the plot: spread over the width when the title made it wider
	groupW = max(groupW, (width-chartLeft-8)/max(len(units), 1))
	names := ChartNames(units)
	for gi, u := range units {
		x0 := chartLeft + gi*groupW + (groupW-barsW)/2
		for ki, k := range domain.CheckInKinds {
			v := u.Counts[k]
			h := int(v * chartPlotH / scaleMax)
			fill(img, x0+ki*barW+1, base-h, x0+(ki+1)*barW-1, base, KindColors[ki])
			if v > 0 {
				lbl := shortCount(v)
				text(img, x0+ki*barW+(barW-measure(lbl))/2, base-h-2, lbl, chartInk)
			}
		}
		for li, line := range names[gi] {
			text(img, chartLeft+gi*groupW+(groupW-measure(line))/2, base+lineH+li*lineH, line, chartInk)
		}
	}
	if top == 0 {
		note := "无数据：本期没有登记的联系和走访"
		if len(units) == 0 {
			note = "无数据：范围内没有单位"
		}
		text(img, chartLeft+(width-chartLeft-measure(note))/2, base-chartPlotH/2, note, chartNote)
	}
	big := image.NewRGBA(image.Rect(0, 0, width*chartScale, height*chartScale))
	draw.NearestNeighbor.Scale(big, big.Bounds(), img, img.Bounds(), draw.Src, nil)
	if err := png.Encode(w, big); err != nil {
		return fmt.Errorf("report: chart: %w", err)
	}
	return nil
}

// ChartNames wraps each unit's full name over up to labelLines lines of labelRunes characters.
// A longer name keeps its start ("青山县农业…") and its last two lines, so sibling units that
// share a long prefix and differ at the end stay apart.
func ChartNames(units []UnitFigures) [][]string {
	out := make([][]string, len(units))
	for i, u := range units {
		r := []rune(u.Unit.Name)
		if len(r) > labelRunes*labelLines {
			out[i] = append(out[i], string(r[:labelRunes-1])+"…")
			r = r[len(r)-labelRunes*(labelLines-1):]
		}
		for len(r) > 0 {
			n := min(labelRunes, len(r))
			out[i] = append(out[i], string(r[:n]))
			r = r[n:]
		}
	}
	return out
}

// shortCount writes a bar's value so it fits over the bar: 1234 → 1.2k.
func shortCount(v int64) string {
	if v >= 1000 {
		return strconv.FormatFloat(float64(v)/1000, 'f', 1, 64) + "k"
	}
	return strconv.FormatInt(v, 10)
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
	for i, k := range domain.CheckInKinds {
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

// WriteChart computes the statistics of scope for p and draws them as PNG to w.
func WriteChart(ctx context.Context, src Source, scope Scope, p Period, now time.Time, w io.Writer) error {
	r, err := Stats(ctx, src, scope, p, now)
	if err != nil {
		return err
	}
	return Chart(r, w)
}
