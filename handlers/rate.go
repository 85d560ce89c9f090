package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"qinqi/bot"
	"qinqi/internal/domain"
	"qinqi/store"
)

// rateWindow is how long after a resolution a bare digit still rates that request.
const rateWindow = 14 * 24 * time.Hour

// ParseRating reads "5 很满意", "5分 很满意" or "五 很好" into a 1–5 score and the opinion.
func ParseRating(args string) (int, string, bool) {
	args = strings.TrimSpace(shape(args))
	r := []rune(args)
	if len(r) == 0 {
		return 0, "", false
	}
	score := map[rune]int{'1': 1, '2': 2, '3': 3, '4': 4, '5': 5, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5}[r[0]]
	if score == 0 || (len(r) > 1 && r[1] >= '0' && r[1] <= '9') {
		return 0, "", false
	}
	rest := strings.TrimPrefix(string(r[1:]), "分")
	return score, trimSeps(strings.TrimSpace(rest)), true
}

// rate is 评价 1-5 [意见]; it rates the latest resolved request still waiting for a score, if any.
func (r *Router) rate(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	score, text, ok := ParseRating(c.Args)
	if !ok {
		return r.askRating(ctx, c, c.Args)
	}
	return r.saveRating(ctx, c, score, text)
}

// askRating asks for the score on its own, so the digit that comes next is the score and not a
// menu item ("评价" or menu item 3, then "5"); words said without a score ("评价 很好") are kept as
// the opinion of the score that follows.
func (r *Router) askRating(ctx context.Context, c *Caller, opinion string) ([]bot.Reply, error) {
	if !r.saveDialog(ctx, c.ID(), dialog{Kind: dlgRate, Text: opinion}) {
		return say(replyRateHelp), nil
	}
	before, err := r.monthRatingToReplace(ctx, c)
	if err != nil {
		return nil, err
	}
	if before.ID != 0 {
		return say(replyRateAskAgain(before.Score)), nil
	}
	return say(replyRateAsk), nil
}

// monthRatingToReplace is this month's rating a score given now would replace: none while a
// resolved request waits for its own score.
func (r *Router) monthRatingToReplace(ctx context.Context, c *Caller) (store.Rating, error) {
	hh, pairs, err := r.myHousehold(ctx, c)
	if err != nil {
		return store.Rating{}, err
	}
	if _, err := r.store.LatestUnratedRequest(ctx, hh.ID, r.now().Add(-rateWindow)); err == nil {
		return store.Rating{}, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return store.Rating{}, fmt.Errorf("unrated request: %w", err)
	}
	var cadre *domain.PersonID
	if len(pairs) > 0 {
		cadre = &pairs[0].CadreID
	}
	return r.ratedThisMonth(ctx, hh.ID, cadre)
}

func (r *Router) saveRating(ctx context.Context, c *Caller, score int, text string) ([]bot.Reply, error) {
	if err := fits(text, maxRatingChars); err != nil {
		return nil, err
	}
	hh, pairs, err := r.myHousehold(ctx, c)
	if err != nil {
		return nil, err
	}
	now := r.now()
	rt := store.Rating{HouseholdID: hh.ID, Score: score, Text: text, CreatedAt: now}
	if len(pairs) > 0 {
		rt.CadreID = &pairs[0].CadreID
	}
	var reqID domain.RequestID
	if req, err := r.store.LatestUnratedRequest(ctx, hh.ID, now.Add(-rateWindow)); err == nil {
		reqID, rt.RequestID = req.ID, &req.ID
		if req.AssigneeID != nil {
			rt.CadreID = req.AssigneeID
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("unrated request: %w", err)
	}
	if reqID == 0 {
		before, err := r.ratedThisMonth(ctx, hh.ID, rt.CadreID)
		if err != nil || before.ID != 0 {
			return r.rerate(ctx, c, before, score, text, err)
		}
	}
	if _, err := r.store.AddRating(ctx, rt, c.ID()); errors.Is(err, store.ErrDuplicate) {
		return nil, refuse(replyAlreadyRated)
	} else if err != nil {
		return nil, fmt.Errorf("add rating: %w", err)
	}
	return say(replyRated(score, reqID)), nil
}

// ratedThisMonth is the household's rating of no request for cadre given this month, if any: a
// household rates its cadre once a month, and rating again changes that score rather than adding a
// second one to the month's 满意度.
func (r *Router) ratedThisMonth(ctx context.Context, hh domain.HouseholdID, cadre *domain.PersonID) (store.Rating, error) {
	rs, err := r.store.RatingsOfHousehold(ctx, hh)
	if err != nil {
		return store.Rating{}, fmt.Errorf("ratings of household: %w", err)
	}
	month := r.now().Format("2006-01")
	var last store.Rating
	for _, g := range rs {
		if g.RequestID == nil && sameCadre(g.CadreID, cadre) && g.CreatedAt.In(r.now().Location()).Format("2006-01") == month && g.ID > last.ID {
			last = g
		}
	}
	return last, nil
}

func sameCadre(a, b *domain.PersonID) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// rerate replaces this month's rating with the new score and says what it was.
func (r *Router) rerate(ctx context.Context, c *Caller, before store.Rating, score int, text string, err error) ([]bot.Reply, error) {
	if err != nil {
		return nil, err
	}
	if text == "" { // "5" after "评价 5 很满意": the words stand
		text = before.Text
	}
	if err := r.store.ReplaceRating(ctx, before.ID, score, text, r.now(), c.ID()); err != nil {
		return nil, fmt.Errorf("replace rating: %w", err)
	}
	return say(replyRerated(before.Score, score)), nil
}

// householdDigit answers a household's bare digit: a 1–5 right after a resolution rates it, any
// other digit picks from the numbered menu.
func (r *Router) householdDigit(ctx context.Context, c *Caller) ([]bot.Reply, bool, error) {
	if !c.Is(domain.RoleHousehold) || c.Is(domain.RoleCadre) || c.In.Kind == bot.KindVoice {
		return nil, false, nil
	}
	n, ok := digitAnswer(c.Text)
	if !ok {
		return nil, false, nil
	}
	if n <= 5 && c.Person.HouseholdID != nil {
		_, err := r.store.LatestUnratedRequest(ctx, *c.Person.HouseholdID, r.now().Add(-rateWindow))
		if err == nil {
			out, err := r.saveRating(ctx, c, n, "")
			return out, true, err
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, true, fmt.Errorf("unrated request: %w", err)
		}
	}
	out, err := r.menuChoice(ctx, c, n)
	return out, true, err
}
