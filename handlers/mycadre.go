package handlers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"qinqi/bot"
	"qinqi/internal/domain"
	"qinqi/store"
)

// myCadre shows the contact card of each paired cadre: name, unit, masked phone, service promise
// and the unit's office phone.
func (r *Router) myCadre(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	_, pairs, err := r.myHousehold(ctx, c)
	if err != nil {
		return nil, err
	}
	cards := make([]string, 0, len(pairs))
	for _, p := range pairs {
		card, err := r.cadreCard(ctx, p.CadreID)
		if err != nil {
			return nil, err
		}
		note, err := r.relayedNote(ctx, p)
		if err != nil {
			return nil, err
		}
		cards = append(cards, note+card)
	}
	return say(replyCard(cards)), nil
}

// relayNoticeFor is how long after a relay the card says who the household's cadre was: a
// household that asks for the old cadre by name ("陈建国电话") is shown the new one's card.
const relayNoticeFor = 90 * 24 * time.Hour

// relayedNote is the line before the card of a pairing handed over from another cadre lately, ""
// for any other pairing.
func (r *Router) relayedNote(ctx context.Context, p store.Pairing) (string, error) {
	if p.RelayedFromID == nil || r.now().Sub(p.StartOn) > relayNoticeFor {
		return "", nil
	}
	old, err := r.store.PairingByID(ctx, *p.RelayedFromID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("relayed pairing: %w", err)
	}
	prev, err := r.store.PersonByID(ctx, old.CadreID)
	if err != nil {
		return "", fmt.Errorf("earlier cadre: %w", err)
	}
	return replyRelayedCard(prev.Name, p.StartOn), nil
}

// unitOffice is a unit's name and office phone; without a phone of its own, contact.office_phone.
func (r *Router) unitOffice(ctx context.Context, unit *domain.UnitID) (name, phone string, err error) {
	phone = r.cfg.Contact.OfficePhone
	if unit == nil {
		return "", phone, nil
	}
	u, err := r.store.UnitByID(ctx, *unit)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", "", fmt.Errorf("unit of cadre: %w", err)
	}
	if u.OfficePhone != "" {
		phone = u.OfficePhone
	}
	return u.Name, phone, nil
}

// cadreCard is a cadre's contact card as households see it.
func (r *Router) cadreCard(ctx context.Context, id domain.PersonID) (string, error) {
	cadre, err := r.store.PersonByID(ctx, id)
	if err != nil {
		return "", fmt.Errorf("cadre of household: %w", err)
	}
	unitName, office, err := r.unitOffice(ctx, cadre.UnitID)
	if err != nil {
		return "", err
	}
	promise := cadre.Promise
	if promise == "" {
		promise = r.cfg.Contact.Promise
	}
	return cardText(cadre.Name, cadre.Title, unitName, cadre.Phone, promise, office), nil
}
