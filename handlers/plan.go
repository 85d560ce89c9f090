package handlers

import (
	"context"
	"errors"

	"qinqi/bot"
	"qinqi/store"
)

// plan records the cadre's work plan for the current month (计划 …), or shows it (计划).
func (r *Router) plan(ctx context.Context, c *Caller) []bot.Reply {
	now := r.now()
	month := now.Format("2006-01")
	label := now.Format("1月")
	if c.Args == "" {
		p, err := r.store.WorkPlanOf(ctx, c.ID(), month)
		if errors.Is(err, store.ErrNotFound) {
			return say(replyPlanNone(label))
		}
		if err != nil {
			return r.fail(ctx, "work plan", err)
		}
		return say(replyPlanShow(label, p.Text))
	}
	p, err := r.store.UpsertWorkPlan(ctx, c.ID(), month, c.Args, now)
	if err != nil {
		return r.fail(ctx, "save work plan", err)
	}
	return say(replyPlanSaved(label, p.Text))
}
