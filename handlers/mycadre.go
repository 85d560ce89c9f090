package handlers

import (
	"context"

	"qinqi/bot"
)

// myCadre shows the contact card of each paired cadre: name, unit, masked phone, service promise
// and the unit's office phone.
func (r *Router) myCadre(ctx context.Context, c *Caller) []bot.Reply {
	_, pairs, errReply := r.myHousehold(ctx, c)
	if errReply != nil {
		return errReply
	}
	cards := make([]string, 0, len(pairs))
	for _, p := range pairs {
		cadre, err := r.store.PersonByID(ctx, p.CadreID)
		if err != nil {
			return r.fail(ctx, "cadre of household", err)
		}
		unitName, office := "", r.cfg.Contact.OfficePhone
		if cadre.UnitID != nil {
			if u, err := r.store.UnitByID(ctx, *cadre.UnitID); err == nil {
				unitName = u.Name
				if u.OfficePhone != "" {
					office = u.OfficePhone
				}
			}
		}
		promise := cadre.Promise
		if promise == "" {
			promise = r.cfg.Contact.Promise
		}
		cards = append(cards, cardText(cadre.Name, cadre.Title, unitName, cadre.Phone, promise, office))
	}
	return say(replyCard(cards))
}
