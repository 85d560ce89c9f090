package handlers

import (
	"context"
	"io"
	"time"

	"qinqi/bot"
	"qinqi/internal/report"
)

// chart answers 统计图 [月份] with a PNG bar chart of the five activity kinds per unit.
func (r *Router) chart(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	return r.sendReport(ctx, c, "chart", report.ChartFileName, true,
		func(ctx context.Context, sc report.Scope, p report.Period, now time.Time, w io.Writer) error {
			return report.WriteChart(ctx, r.extra.Coord, sc, p, now, w)
		}, replyChartDone)
}
