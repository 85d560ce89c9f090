package app

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"qinqi/internal/calendar"
	"qinqi/internal/clock"
)

// runCalendar prints a year's visit windows as configured, so operators can check the bounds.
func runCalendar(_ context.Context, args []string, io IO) error {
	fs := newFlags("calendar", "[flags] [year]", io)
	var c common
	c.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	year := clock.Real{}.Now().Year()
	if fs.NArg() > 1 {
		return fmt.Errorf("expected one year, got %d arguments", fs.NArg())
	}
	if fs.NArg() == 1 {
		y, err := strconv.Atoi(fs.Arg(0))
		if err != nil || y < 1901 || y > 2099 {
			return fmt.Errorf("year %q must be a number between 1901 and 2099", fs.Arg(0))
		}
		year = y
	}
	cfg, err := c.load()
	if err != nil {
		return err
	}
	cal, err := calendar.New(cfg.Windows, cfg.Campaigns)
	if err != nil {
		return err
	}
	ws, err := cal.Windows(year)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.Out, "%d 年走访窗口（Asia/Shanghai）\n", year)
	for _, w := range ws {
		req := "必访"
		if !w.Required {
			req = "可选"
		}
		fmt.Fprintf(io.Out, "%-18s %s  %s → %s  %3d天  %s  提醒：%s / %s / %s\n", w.Code, padWide(w.Name, 8), w.Start.Format(time.DateOnly),
			w.End.Format(time.DateOnly), w.Days(), req, w.Start.Format("01-02"), w.Halfway().Format("01-02"), w.End.Format("01-02"))
	}
	return nil
}

// padWide right-pads to a display width, counting a Chinese character as two columns.
func padWide(s string, width int) string {
	w := 0
	for _, r := range s {
		if r > 0x2e80 {
			w += 2
		} else {
			w++
		}
	}
	for ; w < width; w++ {
		s += " "
	}
	return s
}
