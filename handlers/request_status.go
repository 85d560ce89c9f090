package handlers

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"qinqi/bot"
	"qinqi/internal/domain"
	"qinqi/store"
)

// statusWords start a question about requests already made. Cadres and coordinators who say them
// mean their own 诉求列表 (the "requests" row shares them); households mean what they reported.
var statusWords = []string{"我的诉求", "诉求进度", "办理进度", "查诉求"}

// progressWords mark a household's sentence as a question about something already reported
// ("我反映的事情办得怎么样了", "低保的事有消息没有"), not a new matter. They are question-shaped on
// purpose: a new matter seldom ends in "怎么样了".
var progressWords = []string{"怎么样了", "咋样了", "怎样了", "办得怎么样", "办的怎么样", "弄得怎么样", "处理得怎么样", "进度", "有消息", "有没有消息", "有回音", "有结果",
	"办好了吗", "办好没", "办好了没", "办了没", "办了吗", "办没办", "解决了吗", "解决了没", "解决没",
	"处理了吗", "处理了没", "到哪一步", "到哪了", "结果呢", "催一下", "催一催", "催催", "帮我催", "还没办好", "还没人办"}

// AsksProgress reports whether a household's sentence asks how something already reported is going.
func AsksProgress(text string) bool {
	t := shape(text)
	return containsAnyOf(t, progressWords) || chases(t)
}

// statusAskRunes bounds "查一下我的诉求", "看看我的诉求": a short sentence around the command's words
// is the question; a long one is more likely a matter that mentions them.
const statusAskRunes = 12

// AsksStatus reports whether a household's sentence (no command starts it) asks for 我的诉求 in other
// words, or how something already reported is going.
func AsksStatus(text string) bool {
	t := shape(text)
	return AsksProgress(t) || containsAnyOf(t, statusWords) && utf8.RuneCountInString(t) <= statusAskRunes
}

// statusShown bounds the household's list to one phone screen; statusRecent is how long a
// resolved request stays in it.
const (
	statusShown  = 8
	statusRecent = 90 * 24 * time.Hour
)

// myRequests (我的诉求) is 诉求列表 for those who handle requests. For a household it is the state
// of what they reported; words after it that are no progress question ("我的诉求是水管坏了") are a
// new request and are filed as one.
func (r *Router) myRequests(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	if !c.Is(domain.RoleHousehold) || allowed(c.Person.Roles, cadresCoord) {
		return r.requestList(ctx, c)
	}
	rest := trimSeps(strings.TrimPrefix(trimSeps(c.Args), "是"))
	if rest != "" && !AsksProgress(rest) {
		c.Args = rest
		return r.request(ctx, c)
	}
	out, has, err := r.requestProgress(ctx, c)
	if err == nil && !has {
		return say(replyNoRequestsYet), nil
	}
	return out, err
}

// progressAsked answers "反映的事怎么样了" or "投诉的事有消息没有" (a keyword, then a progress question)
// with the state of the household's requests rather than filing the question as a new one; handled
// is false when they have none on file.
func (r *Router) progressAsked(ctx context.Context, c *Caller, args string, asks func(string) bool) ([]bot.Reply, bool, error) {
	if !c.Is(domain.RoleHousehold) || !asks(args) {
		return nil, false, nil
	}
	return r.requestProgress(ctx, c)
}

// requestProgress answers a household with the state of their requests; has is false (and nothing
// is said) when they have none, so a caller can treat the sentence as a new matter instead.
func (r *Router) requestProgress(ctx context.Context, c *Caller) (out []bot.Reply, has bool, err error) {
	if c.Person.HouseholdID == nil { // the requests are all that is read: no household row, no pairings
		return nil, false, refuse(replyNoHHOfMine)
	}
	all, err := r.store.RequestsOfHousehold(ctx, *c.Person.HouseholdID)
	if err != nil {
		return nil, false, fmt.Errorf("requests of household: %w", err)
	}
	if len(all) == 0 {
		return nil, false, nil
	}
	shown, left := StatusPick(all, r.now(), statusShown)
	lines := make([]string, 0, len(shown))
	names := map[domain.PersonID]string{}
	for _, q := range shown {
		who, err := r.handlerName(ctx, q, names)
		if err != nil {
			return nil, false, err
		}
		lines = append(lines, replyStatusLine(q, who))
	}
	chased := ""
	if chases(c.Text) {
		if chased, err = r.chase(ctx, c, all); err != nil {
			return nil, false, err
		}
	}
	return say(replyRequestStatus(lines, left, chased)), true, nil
}

// handlerName is the name of the cadre handling a request, as the household may see it: never for
// a complaint (its assignee is the unit's coordinator, and the cadre must not learn of it from here).
func (r *Router) handlerName(ctx context.Context, q store.Request, names map[domain.PersonID]string) (string, error) {
	if q.Kind == domain.ReqComplaint || q.AssigneeID == nil {
		return "", nil
	}
	if n, ok := names[*q.AssigneeID]; ok {
		return n, nil
	}
	p, err := r.store.PersonByID(ctx, *q.AssigneeID)
	if err != nil {
		return "", fmt.Errorf("assignee of request %d: %w", q.ID, err)
	}
	names[*q.AssigneeID] = p.Name
	return p.Name, nil
}

// StatusPick chooses what a household is shown of its requests (given oldest first): every open one,
// newest first, then those resolved or withdrawn within statusRecent, newest first, at most max in
// all. left counts the open and recent ones that did not fit; older closed ones are not counted.
func StatusPick(all []store.Request, now time.Time, max int) (shown []store.Request, left int) {
	var open, done []store.Request
	for i := len(all) - 1; i >= 0; i-- {
		q := all[i]
		switch {
		case q.Status.Open():
			open = append(open, q)
		case q.ResolvedAt != nil && now.Sub(*q.ResolvedAt) <= statusRecent,
			q.Status == domain.StatusWithdrawn && now.Sub(q.UpdatedAt) <= statusRecent:
			done = append(done, q)
		}
	}
	shown = append(open, done...)
	if len(shown) > max {
		return shown[:max], len(shown) - max
	}
	return shown, 0
}
