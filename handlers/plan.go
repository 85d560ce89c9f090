package handlers

import (
	"context"
	"errors"
	"fmt"

	"qinqi/bot"
	"qinqi/store"
)

// plan records the cadre's work plan for the current month (计划 …), or shows it (计划).
func (r *Router) plan(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	now := r.now()
	month := now.Format("2006-01")
	label := now.Format("1月")
	if c.Args == "" {
		p, err := r.store.WorkPlanOf(ctx, c.ID(), month)
		if errors.Is(err, store.ErrNotFound) {
			return say(replyPlanNone(label)), nil
		}
		if err != nil {
			return nil, fmt.Errorf("work plan: %w", err)
		}
		return say(replyPlanShow(label, p.Text)), nil
	}
	if err := fits(c.Args, maxPlanChars); err != nil {
		return nil, err
	}
	p, err := r.store.UpsertWorkPlan(ctx, c.ID(), month, c.Args, now)
	if err != nil {
		return nil, fmt.Errorf("save work plan: %w", err)
	}
	return say(replyPlanSaved(label, p.Text)), nil
}
