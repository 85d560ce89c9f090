package handlers

import (
	"context"

	"qinqi/bot"
)

// A cadre on one bar of signal sends "讲政策", is asked which household, and sends the photo before
// the digit. The photo (or location) is kept with the waiting report and attached once the answer
// records it; it neither drops the question nor goes to an older report.

// heldEvidence is a photo or location kept with a report that waits for its household.
type heldEvidence struct {
	Kind      bot.Kind `json:"kind"`
	Ref       string   `json:"ref,omitempty"`
	Lat       float64  `json:"lat,omitempty"`
	Lng       float64  `json:"lng,omitempty"`
	Transport string   `json:"transport,omitempty"`
	Account   string   `json:"account,omitempty"`
	ID        string   `json:"id,omitempty"`
}

// holdEvidence keeps the photo or location with the waiting report; when the question cannot be
// kept, the message is handled as it always was.
func (r *Router) holdEvidence(ctx context.Context, c *Caller, d dialog) ([]bot.Reply, bool, error) {
	in := c.In
	d.Held = append(d.Held, heldEvidence{Kind: in.Kind, Ref: in.MediaRef, Lat: in.Lat, Lng: in.Lng,
		Transport: in.Transport, Account: in.Account, ID: in.ID})
	if !r.saveDialog(ctx, c.ID(), d) {
		return nil, false, nil
	}
	return asked(say(replyEvidenceHeld(in.Kind == bot.KindLocation))), true, nil
}

// attachHeld attaches the kept photos and locations to the report the answer just recorded; a
// question asked again keeps them, a refusal leaves them unattached with the dropped question.
func (r *Router) attachHeld(ctx context.Context, c *Caller, d dialog, out []bot.Reply, err error) ([]bot.Reply, error) {
	if err != nil || len(d.Held) == 0 {
		return out, err
	}
	if _, waiting, _ := r.loadDialog(ctx, c.ID()); waiting {
		return out, nil
	}
	for _, h := range d.Held {
		e := *c
		e.In.Message = bot.Message{Kind: h.Kind, MediaRef: h.Ref, Lat: h.Lat, Lng: h.Lng, Transport: h.Transport, Account: h.Account, ID: h.ID}
		more, err := r.media(ctx, &e)
		if ue, ok := asUserError(err); ok {
			more, err = say(ue.Text), nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	return out, nil
}
