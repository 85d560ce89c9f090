package handlers

import (
	"context"

	"qinqi/bot"
	"qinqi/internal/domain"
)

// menu shows the numbered menu for households who prefer digits to words.
func (r *Router) menu(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	if !r.saveDialog(ctx, c.ID(), dialog{Kind: dlgMenu}) {
		return say(replyMenu(), replyKVDown), nil
	}
	return say(replyMenu()), nil
}

// menuChoice runs one menu item; 2 (提诉求) asks for the category as a second numbered question.
func (r *Router) menuChoice(ctx context.Context, c *Caller, n int) ([]bot.Reply, error) {
	switch n {
	case 1:
		return r.myCadre(ctx, c)
	case 2:
		if !r.saveDialog(ctx, c.ID(), dialog{Kind: dlgRequestCategory}) {
			return say(replyRequestEmpty), nil
		}
		return say(replyCategoryMenu()), nil
	case 3:
		return r.askRating(ctx, c, "")
	case 4:
		return r.askComplaint(ctx, c)
	case 5:
		return r.help(ctx, c)
	case 6: // appended, so the digits households already know keep their meaning
		c.Args = ""
		return r.myRequests(ctx, c)
	case 7:
		return r.takeBack(ctx, c, TakeBack{})
	}
	return nil, refuse(replyPickRange(len(menuItems)), replyMenu())
}

// pickCategory takes the category digit and waits for the matter itself (text or voice).
func (r *Router) pickCategory(ctx context.Context, c *Caller, n int) ([]bot.Reply, error) {
	if n < 1 || n > len(domain.RequestCategories) {
		return nil, refuse(replyPickRange(len(domain.RequestCategories)))
	}
	cat := domain.RequestCategories[n-1]
	if !r.saveDialog(ctx, c.ID(), dialog{Kind: dlgRequestText, Category: cat}) {
		return say(replyRequestEmpty), nil
	}
	return say(replyAskRequestText(cat)), nil
}
