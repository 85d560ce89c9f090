package handlers

import (
	"context"
	"fmt"
	"time"

	"qinqi/bot"
	"qinqi/internal/calendar"
	"qinqi/internal/clock"
)

// campaigns answers 活动 with the visit windows open today (and how many of the caller's
// pairings have reported in each) and the next window to come.
func (r *Router) campaigns(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	if r.extra.Windows == nil {
		return nil, refuse(replyCoordUnavailable)
	}
	sc, err := r.scopeOf(ctx, c)
	if err != nil {
		return nil, err
	}
	now := r.now()
	active, err := r.extra.Windows.Active(now)
	if err != nil {
		return nil, fmt.Errorf("campaigns active: %w", err)
	}
	lines := []string{replyCampaignsHead(sc.Name)}
	if len(active) == 0 {
		lines = append(lines, replyCampaignsNoneOpen)
	}
	for _, w := range active {
		total, done, err := r.extra.Coord.PairingsReported(ctx, sc.filterUnits(), now, w.Start, w.End.AddDate(0, 0, 1))
		if err != nil {
			return nil, fmt.Errorf("campaigns progress: %w", err)
		}
		lines = append(lines, replyCampaignOpen(w.Name, windowDays(w), daysLeft(w, now), done, total))
	}
	next, ok, err := r.extra.Windows.Next(now)
	if err != nil {
		return nil, fmt.Errorf("campaigns next: %w", err)
	}
	if ok {
		lines = append(lines, replyCampaignNext(next.Name, windowDays(next)))
	}
	lines = append(lines, replyCampaignsFoot)
	return say(lines...), nil
}

func windowDays(w calendar.Window) string {
	return w.Start.Format("1月2日") + "–" + w.End.Format("1月2日")
}

func daysLeft(w calendar.Window, now time.Time) int {
	return int(w.End.Sub(clock.Day(now)).Hours()/24+0.5) + 1
}
