package handlers

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"qinqi/bot"
	"qinqi/internal/domain"
	"qinqi/store"
)

// A household's photo or voice message is a matter like a sentence, and goes where the household's
// answer sends it: a photo of the leaking roof after "我家房子漏雨了" waits with the sentence for
// 1/2/3; a voice message after "投诉" is the complaint and goes to the unit, never to the cadre; a
// photo a few minutes after a request is added to that request; a photo alone is asked about like a
// sentence. Nothing of it is dropped with "收到了".

// heldMedia is a photo or voice message kept with a household's matter until it is sent on.
type heldMedia struct {
	Kind  string `json:"kind"`            // bot.KindImage or bot.KindVoice
	Ref   string `json:"ref,omitempty"`   // a stored file or the channel's media id
	Heard string `json:"heard,omitempty"` // the platform's recognised text of a voice message
}

func mediaOf(in bot.Inbound) heldMedia {
	return heldMedia{Kind: string(in.Kind), Ref: in.MediaRef, Heard: strings.TrimSpace(in.Text)}
}

// words is how the media stands in the matter's text ("（照片）", "（语音，平台识别）…").
func (m heldMedia) words() string {
	switch {
	case m.Kind == string(bot.KindImage):
		return "（照片）"
	case m.Heard != "":
		return "（语音，平台识别）" + m.Heard
	}
	return "（语音留言）"
}

// sendable: a photo or a voice message the household may send on as a matter.
func sendable(k bot.Kind) bool { return k == bot.KindImage || k == bot.KindVoice }

// isMedia: any message that is not text.
func isMedia(k bot.Kind) bool { return k != bot.KindText && k != "" }

// withMedia joins a matter's words and the words of its media.
func withMedia(text string, m heldMedia) string {
	if text == "" {
		return m.words()
	}
	return text + " " + m.words()
}

// householdMediaWaiting answers a household's photo, voice, location or file while question d
// waits: kept with a sentence or a complaint being told, added to a dispute being explained, and
// never dropping the question.
func (r *Router) householdMediaWaiting(ctx context.Context, c *Caller, d dialog) ([]bot.Reply, error) {
	if !sendable(c.In.Kind) {
		return nil, refuse(replyHouseholdMediaKept)
	}
	m := mediaOf(c.In)
	var out []bot.Reply
	var err error
	switch d.Kind {
	case dlgRequestOffer:
		return r.offerRequest(ctx, c, withMedia(d.Text, m), append(d.Media, m))
	case dlgRequestText:
		out, err = r.newRequest(ctx, c, store.Request{Kind: domain.ReqRequest, Category: d.Category, Text: m.words()}, []heldMedia{m})
	case dlgComplaintText:
		out, err = r.fileComplaint(ctx, c, m.words(), []heldMedia{m})
	case dlgDiscNote: // after "3 有出入": what differs, said or shown; the cadre must not hear it
		out, err = r.addDiscNote(ctx, c, d, m.words(), []heldMedia{m})
	default: // a menu, a score, a note on a visit: the photo or voice is a matter of its own
		r.dropDialog(ctx, c.ID())
		return r.householdMedia(ctx, c)
	}
	if !failed(err) {
		r.dropDialog(ctx, c.ID())
	}
	return out, err
}

// householdMedia answers a household's photo, voice, location or file with no question waiting.
func (r *Router) householdMedia(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	switch c.In.Kind {
	case bot.KindVoice:
		return r.voice(ctx, c)
	case bot.KindImage:
		if out, added, err := r.photoToRecent(ctx, c); added || err != nil {
			return out, err
		}
		m := mediaOf(c.In)
		return r.offerRequest(ctx, c, m.words(), []heldMedia{m})
	}
	return nil, refuse(replyHouseholdMedia)
}

// photoToRecent adds a photo to the household's request or complaint made in the last
// config.CheckIn.AttachWindow and not yet resolved, and sends it to whoever has that matter: the
// cadre for a request, the unit's coordinators for a complaint.
func (r *Router) photoToRecent(ctx context.Context, c *Caller) ([]bot.Reply, bool, error) {
	hh, pairs, err := r.myHousehold(ctx, c)
	if err != nil {
		return nil, false, err
	}
	rs, err := r.store.RequestsOfHousehold(ctx, hh.ID)
	if err != nil {
		return nil, false, fmt.Errorf("requests of household: %w", err)
	}
	now := r.now()
	var last store.Request
	for _, q := range rs {
		if q.Status.Open() && now.Sub(q.CreatedAt) <= r.cfg.CheckIn.AttachWindow && q.ID > last.ID {
			last = q
		}
	}
	if last.ID == 0 {
		return nil, false, nil
	}
	to, err := r.matterRecipients(ctx, last, pairs)
	if err != nil {
		return nil, false, err
	}
	m := mediaOf(c.In)
	_, err = r.store.ChangeRequest(ctx, last.ID, c.ID(), store.ActAttach, now, func(q *store.Request) error {
		q.Text = clipText(q.Text+" "+m.words(), maxRequestChars)
		if q.MediaRef == "" {
			q.MediaRef = m.Ref
		}
		return nil
	}, func(q store.Request) []store.OutboxMessage {
		var out []store.OutboxMessage
		for _, p := range to {
			out = append(out, r.note(c.In, q.ID, "added", p, notePhotoAdded(q, hh.HeadName, attachHint([]heldMedia{m}))))
			out = append(out, r.mediaNotes(c, q, hh.HeadName, p, []heldMedia{m})...)
		}
		return out
	})
	if err != nil {
		return nil, true, fmt.Errorf("add photo to request: %w", err)
	}
	return say(replyPhotoAdded(last)), true, nil
}

// matterRecipients are who hold a household's matter: a complaint's unit coordinators who are not
// one of the household's cadres (complaintHandlers: a cadre who coordinates his unit was sent the
// photo added to a complaint about himself), a request's assignee.
func (r *Router) matterRecipients(ctx context.Context, q store.Request, pairs []store.Pairing) ([]domain.PersonID, error) {
	if q.Kind != domain.ReqComplaint {
		if q.AssigneeID == nil {
			return nil, nil
		}
		return []domain.PersonID{*q.AssigneeID}, nil
	}
	coords, err := r.complaintHandlers(ctx, q.UnitID, pairs)
	if err != nil {
		return nil, fmt.Errorf("handlers of complaint %d: %w", q.ID, err)
	}
	return personIDs(coords), nil
}

// mediaNotes forwards each photo or recording left on this machine as a file, after the notice (a
// channel's media id alone cannot be sent on; the notice's text says a photo or voice came).
func (r *Router) mediaNotes(c *Caller, q store.Request, hh string, to domain.PersonID, media []heldMedia) []store.OutboxMessage {
	return r.mediaFiles(hh, media, func(action string) store.OutboxMessage { return r.note(c.In, q.ID, action, to, "") })
}

// mediaFiles are the file messages of media, each made by base from its action ("audio", "image2" …).
func (r *Router) mediaFiles(hh string, media []heldMedia, base func(action string) store.OutboxMessage) []store.OutboxMessage {
	var out []store.OutboxMessage
	for i, m := range media {
		path := localFile(m.Ref)
		if path == "" {
			continue
		}
		action, what, ext, kind := "audio", "语音", ".amr", store.OutFile
		if m.Kind == string(bot.KindImage) {
			action, what, ext, kind = "image", "照片", ".jpg", store.OutImage
		}
		name := fmt.Sprintf("%s-%s-%s", what, hh, r.now().Format("0102-1504"))
		if i > 0 {
			action += fmt.Sprint(i + 1)
			name += fmt.Sprintf("-%d", i+1)
		}
		n := base(action)
		n.FilePath, n.Kind = path, kind
		if e := filepath.Ext(path); e != "" {
			ext = e
		}
		n.FileName = name + ext
		out = append(out, n)
	}
	return out
}

// attachHint is what a notice says of the photos and recordings that come with it.
func attachHint(media []heldMedia) string {
	for _, m := range media {
		if localFile(m.Ref) != "" {
			return noteFilesFollow
		}
	}
	if len(media) > 0 {
		return noteFilesUnseen
	}
	return ""
}
