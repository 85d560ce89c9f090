package handlers

import (
	"context"
	"fmt"

	"qinqi/bot"
	"qinqi/internal/report"
)

// rankingShown caps the ranking lines in one chat message.
const rankingShown = 10

// ranking answers 排名 [季度] with the caller's units ranked by report.Rank on the configured
// outcome weights (config ranking:). Only units are ranked, never individual cadres, never on
// activity counts; and only when ranking.enabled is set: otherwise the reply says why not.
func (r *Router) ranking(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	if !r.cfg.Ranking.Enabled {
		return nil, refuse(replyRankingOff)
	}
	now := r.now()
	p, bad := parsePeriodArg(c.Args, now, report.QuarterOf(now))
	if bad != "" {
		return nil, refuse(bad)
	}
	sc, err := r.scopeOf(ctx, c)
	if err != nil {
		return nil, err
	}
	rep, err := report.Stats(ctx, r.extra.Coord, sc.Scope, p, now)
	if err != nil {
		return nil, fmt.Errorf("ranking: %w", err)
	}
	rk := report.Rank(rep, r.cfg.Ranking)
	if len(rk.Units) == 0 {
		return say(replyRankingEmpty(sc.Name, p.Label())), nil
	}
	return say(report.FormatRanking(rk, sc.Name, rankingShown), replyRankingFoot), nil
}
