package handlers

import (
	"context"
	"errors"
	"fmt"
	"math"

	"qinqi/bot"
	"qinqi/internal/domain"
	"qinqi/store"
)

// media handles a location or photo. From a cadre it attaches to their report of the last
// config.CheckIn.AttachWindow — to each household's report when that message named several, since
// the photo or place is of the one visit; a far location is flagged, never refused (evidence is
// optional).
func (r *Router) media(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	if !c.Is(domain.RoleCadre) {
		if c.Is(domain.RoleHousehold) {
			return r.householdMedia(ctx, c)
		}
		return nil, refuse(replyUnsupported(r.roleOf(c), r.now()))
	}
	now := r.now()
	last, err := r.store.LastCheckInOfCadre(ctx, c.ID())
	if errors.Is(err, store.ErrNotFound) || (err == nil && now.Sub(last.ReportedAt) > r.cfg.CheckIn.AttachWindow) {
		return nil, refuse(replyNoRecentCheckIn(r.cfg.CheckIn.AttachWindow))
	}
	if err != nil {
		return nil, fmt.Errorf("last check-in: %w", err)
	}
	reports, err := r.store.CheckInsReportedAt(ctx, c.ID(), last.ReportedAt)
	if err != nil {
		return nil, fmt.Errorf("reports of the last message: %w", err)
	}
	var done []attached
	for _, ci := range reports {
		if ci.ID != last.ID && !sameMessage(last, ci) {
			continue
		}
		hh, err := r.store.HouseholdByID(ctx, ci.HouseholdID)
		if err != nil {
			return nil, fmt.Errorf("household of check-in: %w", err)
		}
		e := r.evidence(c.In, hh)
		if err := r.store.AttachEvidence(ctx, ci.ID, e, c.ID(), now); err != nil {
			return nil, fmt.Errorf("attach evidence: %w", err)
		}
		done = append(done, attached{hh.HeadName, e})
	}
	return say(replyAttached(last.Kind, done, r.cfg.CheckIn.FarMeters)), nil
}

// attached is one household's report that took the evidence.
type attached struct {
	head string
	e    store.Evidence
}

// evidence is what a location or photo message attaches to a report for household hh.
func (r *Router) evidence(in bot.Inbound, hh store.Household) store.Evidence {
	var e store.Evidence
	if in.Kind != bot.KindLocation {
		e.PhotoRef = in.MediaRef
		if e.PhotoRef == "" {
			e.PhotoRef = sourceID(in)
		}
		return e
	}
	lat, lng := in.Lat, in.Lng
	e.Lat, e.Lng = &lat, &lng
	if hh.Lat != nil && hh.Lng != nil {
		d := int(math.Round(haversineMeters(lat, lng, *hh.Lat, *hh.Lng)))
		e.DistanceM, e.Far = &d, d > r.cfg.CheckIn.FarMeters
	}
	return e
}

// haversineMeters is the great-circle distance; WeChat locations are GCJ-02 like the registered
// ones, so no datum shift is needed between them.
func haversineMeters(lat1, lng1, lat2, lng2 float64) float64 {
	const earth = 6371000.0
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earth * math.Asin(math.Min(1, math.Sqrt(a)))
}
