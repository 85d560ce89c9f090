package handlers

import (
	"context"

	"qinqi/bot"
	"qinqi/internal/domain"
)

// help lists only the commands of the caller's roles, one line each.
func (r *Router) help(_ context.Context, c *Caller) ([]bot.Reply, error) {
	var lines []string
	seen := map[string]bool{}
	for _, rt := range r.commandsFor(c.Person.Roles) {
		if line, ok := helpLine[rt.id]; ok && !seen[line] {
			seen[line] = true
			lines = append(lines, line)
		}
	}
	if r.roleOf(c) == domain.RoleHousehold {
		lines = append(lines, replyHelpAnswers(r.cfg.CheckIn.HouseholdDialogTTL))
	}
	return say(replyHelp(r.roleOf(c), lines)), nil
}
