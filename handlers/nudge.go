package handlers

import (
	"context"
	"regexp"
	"strings"
	"unicode/utf8"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/store"
)

// A coordinator reminds one of their cadres the way they would by phone: 提醒干部 陈建国 [话],
// or as they say it — "提醒一下陈建国", "督促陈建国抓紧走访", "给陈建国发个消息 让他这周去一趟赵家".
// The cadre gets the coordinator's words (or a plain default) with how to see what is due; the
// note waits out quiet hours like every notice that answers no message of the cadre's. Only a
// cadre of the caller's units can be reminded, and the coordinator is told it went.

// nudgeSaid is a reminder said in a sentence; the cadre's name and the words after it are read
// by the command (nudgeTarget), which knows the names.
var nudgeSaid = []*regexp.Regexp{
	regexp.MustCompile(`^(?:提醒|督促|催)(?:一下|下)?\s*(.+)$`),
	regexp.MustCompile(`^(?:给|跟|帮我给|帮我跟)(.+?)(?:发个消息|发消息|发个信息|发信息|带个话|带句话|捎个话|说一声|说一下)[，,\s]*(.*)$`),
}

// nudgePhrase is a coordinator's reminder in command form, or "" when the sentence is none.
func nudgePhrase(t string) string {
	for _, re := range nudgeSaid {
		if m := re.FindStringSubmatch(t); m != nil {
			words := ""
			if len(m) > 2 {
				words = m[2]
			}
			return strings.TrimSpace("提醒干部 " + strings.TrimSpace(m[1]) + " " + words)
		}
	}
	return ""
}

// nudge sends a coordinator's reminder to a cadre of their units.
func (r *Router) nudge(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	args := trimSeps(c.Args)
	if args == "" {
		return nil, refuse(replyNudgeUsage)
	}
	cadre, words, err := r.nudgeTarget(ctx, c, args)
	if err != nil {
		return nil, err
	}
	if err := fits(words, maxReasonChars); err != nil {
		return nil, err
	}
	qs, _ := config.ClockTime(r.cfg.Outbox.QuietStart) // validated with the configuration
	qe, _ := config.ClockTime(r.cfg.Outbox.QuietEnd)
	held := ""
	if clock.InQuiet(r.now(), qs, qe) {
		held = r.cfg.Outbox.QuietEnd
	}
	return []bot.Reply{
		{Text: replyNudged(cadre.Name, words, held), Urgent: true},
		{To: int64(cadre.ID), Text: noteNudge(c.Person.Name, nudgeWords(words))},
	}, nil
}

// nudgeTarget reads the cadre (a person code or name of the caller's units, the name glued to the
// words or not: "陈建国抓紧走访") and the words after it.
func (r *Router) nudgeTarget(ctx context.Context, c *Caller, args string) (store.Person, string, error) {
	first, rest, _ := strings.Cut(args, " ")
	sc, err := r.scopeOf(ctx, c)
	if err != nil {
		return store.Person{}, "", err
	}
	if p, err := r.cadreIn(ctx, sc, first); err == nil {
		return p, trimSeps(rest), nil
	} else if _, refused := asUserError(err); !refused {
		return store.Person{}, "", err
	}
	cadres, err := r.cadresOfScope(ctx, sc)
	if err != nil {
		return store.Person{}, "", err
	}
	for n := min(4, utf8.RuneCountInString(first)); n >= 2; n-- { // the longest name that is one; two 陈建国s are asked apart
		name := string([]rune(first)[:n])
		hits := named(cadres, name)
		switch len(hits) {
		case 0:
			continue
		case 1:
			return hits[0], trimSeps(first[len(name):] + " " + rest), nil
		}
		return store.Person{}, "", refuseAmbiguous(name, hits)
	}
	return store.Person{}, "", refuse(replyCadreUnknown(first))
}

// nudgeWords drops the reminder's "让他", so the note reads as the coordinator's own words.
func nudgeWords(words string) string {
	for _, p := range []string{"让他", "让她", "叫他", "叫她"} {
		if rest, ok := strings.CutPrefix(words, p); ok {
			return trimSeps(rest)
		}
	}
	return words
}
