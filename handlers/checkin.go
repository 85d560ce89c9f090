package handlers

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/store"
)

// checkIn records 联系 / 走访 / 讲政策 / 送温暖 / 办实事. An unclear household becomes one numbered
// question; everything else that was understood is kept with the question.
func (r *Router) checkIn(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	now := r.now()
	d, err := ParseCheckIn(c.Text, now)
	if err != nil {
		return nil, refuse(parseErrorReply(err))
	}
	if maxBack := r.cfg.CheckIn.MaxDaysBack; maxBack > 0 && d.Day.Before(clock.Day(now).AddDate(0, 0, -maxBack)) {
		return nil, refuse(replyTooOld(d.Day, maxBack))
	}
	hhs, err := r.store.HouseholdsOfCadre(ctx, c.ID(), now)
	if err != nil {
		return nil, fmt.Errorf("households of cadre: %w", err)
	}
	if len(hhs) == 0 {
		return nil, refuse(replyNoHH)
	}
	picked, text, res := resolveHousehold(d, hhs)
	d.Text = text
	switch res.kind {
	case resolvedOne:
		return r.saveCheckIn(ctx, c, d, picked[0], sourceID(c.In))
	case resolvedBadNumber:
		return nil, refuse(replyNoSuchNumber(res.number, len(hhs)))
	case resolvedNone:
		others, err := r.store.HouseholdsMatching(ctx, d.Household)
		if err != nil {
			return nil, fmt.Errorf("households matching: %w", err)
		}
		if len(others) > 0 {
			return nil, refuse(replyNotYourHousehold(d.Household))
		}
		d.Text = strings.TrimSpace(d.Household + " " + d.Text)
		picked, res.ref = hhs, ""
	}
	return r.askHousehold(ctx, c, d, res.ref, picked)
}

func parseErrorReply(err error) string {
	switch {
	case errors.Is(err, ErrFutureDate):
		return replyFutureDate
	case errors.Is(err, ErrBadDate):
		return replyBadDate
	case errors.Is(err, ErrMoneyTooLarge):
		return replyBigMoney
	}
	return roleExample[store.RoleCadre]
}

// askHousehold keeps the draft and asks which household was meant.
func (r *Router) askHousehold(ctx context.Context, c *Caller, d CheckInDraft, ref string, options []store.PairedHousehold) ([]bot.Reply, error) {
	labels := make([]string, len(options))
	ids := make([]store.HouseholdID, len(options))
	for i, o := range options {
		labels[i] = householdLabel(o.Household)
		ids[i] = o.Household.ID
	}
	q := replyPickHousehold(ref, labels)
	if !r.saveDialog(ctx, c.ID(), dialog{Kind: dlgPickHousehold, Draft: &d, Options: ids, Source: sourceID(c.In)}) {
		return say(q, replyKVDown), nil
	}
	return say(q), nil
}

// pickHousehold completes a report with the household chosen by number. The question is dropped
// only once the answer is settled, so a retry after a store failure still finds it.
func (r *Router) pickHousehold(ctx context.Context, c *Caller, d dialog, n int) ([]bot.Reply, error) {
	if n < 1 || n > len(d.Options) || d.Draft == nil {
		return nil, refuse(replyPickRange(len(d.Options)))
	}
	hhs, err := r.store.HouseholdsOfCadre(ctx, c.ID(), r.now())
	if err != nil {
		return nil, fmt.Errorf("households of cadre: %w", err)
	}
	for _, h := range hhs {
		if h.Household.ID == d.Options[n-1] {
			out, err := r.saveCheckIn(ctx, c, *d.Draft, h, d.Source)
			if !failed(err) {
				r.dropDialog(ctx, c.ID())
			}
			return out, err
		}
	}
	r.dropDialog(ctx, c.ID())
	return nil, refuse(replyNotYourHousehold(strconv.Itoa(n)))
}

// saveCheckIn writes the report once per source message and says exactly what was recorded.
func (r *Router) saveCheckIn(ctx context.Context, c *Caller, d CheckInDraft, h store.PairedHousehold, source string) ([]bot.Reply, error) {
	items := ItemsString(d.Goods)
	if err := fits(d.Text, maxReportChars); err != nil {
		return nil, err
	}
	if err := fits(items, maxItemsChars); err != nil {
		return nil, err
	}
	now := r.now()
	occurred := d.Day.Add(12 * time.Hour) // a past day without a time: noon, safely inside the day
	if d.Day.Equal(clock.Day(now)) {
		occurred = now
	}
	ci := store.CheckIn{PairingID: h.Pairing.ID, CadreID: c.ID(), HouseholdID: h.Household.ID, Kind: d.Kind, Mode: d.Mode,
		OccurredAt: occurred, ReportedAt: now, Text: d.Text, Items: items, ValueFen: d.ValueFen}
	if source != "" {
		ci.SourceMsgID = &source
	}
	saved, created, err := r.store.CreateCheckIn(ctx, ci, c.ID())
	if err != nil {
		return nil, fmt.Errorf("create check-in: %w", err)
	}
	return say(replyCheckInSaved(saved, h.Household.HeadName, clock.Day(saved.OccurredAt), clock.Day(now), !created, r.cfg.CheckIn.UndoWindow)), nil
}

// sourceID is the idempotency key of an inbound message: transport:account:msgid, or a digest of
// it when that is longer than the columns keeping it (source_msg_id holds 96).
func sourceID(in bot.Inbound) string {
	if in.ID == "" {
		return ""
	}
	s := fmt.Sprintf("%s:%s:%s", in.Transport, in.Account, in.ID)
	if len(s) > 96 {
		sum := sha1.Sum([]byte(s))
		s = "h:" + hex.EncodeToString(sum[:])
	}
	return s
}

func householdLabel(h store.Household) string {
	if h.Address != "" {
		return fmt.Sprintf("%s（%s）", h.HeadName, h.Address)
	}
	return fmt.Sprintf("%s（%s）", h.HeadName, h.Code)
}
