package mp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"qinqi/bot"
	"qinqi/bot/wxofficial"
	"qinqi/internal/clock"
)

// Purposes that may reach a household outside its 48-hour window, each through its own template.
const (
	PurposeRequest  = "request_status"     // 诉求 acknowledged, in progress, resolved
	PurposeConfirm  = "visit_confirmation" // did the cadre visit you?
	PurposeCallback = "callback_question"  // the monthly call-back (回访) question
)

// PurposeOf derives a message's purpose from its outbox key; "" for messages that have none
// (replies, which go out inside the window anyway, and general notices).
func PurposeOf(key string) string {
	switch {
	case strings.HasPrefix(key, "request:") || strings.Contains(key, ":request:"):
		return PurposeRequest
	case strings.HasPrefix(key, "confirm:") || strings.Contains(key, ":confirm:"):
		return PurposeConfirm
	case strings.HasPrefix(key, "spot:"):
		return PurposeCallback
	}
	return ""
}

// Send delivers a customer-service message while the household's window is open, else the
// template of the message's purpose, else holds the message (bot.Held) until the household
// writes again. Files cannot be sent by a 服务号; images can, inside the window.
func (c *Channel) Send(ctx context.Context, account string, out bot.Outgoing) error {
	if account != c.o.Account {
		return bot.Permanent(fmt.Errorf("mp: account %q is not this 服务号 (%q)", account, c.o.Account))
	}
	if d := c.api.Paused(ctx); d > 0 {
		return bot.Unavailable(d, errors.New("mp: paused after the frequency limit"))
	}
	if out.File != nil && !out.Image {
		return bot.Permanent(errors.New("mp: a 服务号 cannot send files to a household"))
	}
	if c.inWindow(ctx, out.To) {
		err := c.customerService(ctx, out)
		if wxofficial.Code(err) != wxofficial.CodeOutOfWindow {
			return wxofficial.SendOutcome(ctx, c.api, c.health, err)
		}
		_ = c.o.KV.Del(ctx, c.windowKey(out.To)) // the platform saw the window closed: trust it
	}
	purpose := PurposeOf(out.Key)
	t, ok := c.o.Templates[purpose]
	if !ok || out.File != nil {
		return bot.Held(c.o.HoldWait, c.holdReason(purpose, out.File != nil))
	}
	return wxofficial.SendOutcome(ctx, c.api, c.health, c.template(ctx, out, t))
}

func (c *Channel) holdReason(purpose string, image bool) string {
	switch {
	case image:
		return "household has not written within 48 hours; images wait for their next message"
	case purpose == "":
		return "household has not written within 48 hours; this message has no template purpose"
	}
	return "household has not written within 48 hours and mp.templates has no " + purpose + " template"
}

// customerService is POST /cgi-bin/message/custom/send (text, or an image uploaded just before).
func (c *Channel) customerService(ctx context.Context, out bot.Outgoing) error {
	body := map[string]any{"touser": out.To, "msgtype": "text", "text": map[string]string{"content": out.Text}}
	if out.File != nil {
		id, err := c.uploadImage(ctx, out)
		if err != nil {
			return err
		}
		body = map[string]any{"touser": out.To, "msgtype": "image", "image": map[string]string{"media_id": id}}
	}
	return c.api.Call(ctx, http.MethodPost, "message/custom/send", nil, wxofficial.JSONBody(body), nil)
}

// template is POST /cgi-bin/message/template/send with the purpose's keywords filled in.
func (c *Channel) template(ctx context.Context, out bot.Outgoing, t Template) error {
	data := map[string]map[string]string{}
	for field, what := range t.Fields {
		v := ""
		switch what {
		case "text":
			v = clipRunes(out.Text, t.MaxRunes)
		case "time":
			v = c.o.Clock.Now().In(clock.Shanghai).Format("2006-01-02 15:04")
		}
		data[field] = map[string]string{"value": v}
	}
	body := map[string]any{"touser": out.To, "template_id": t.ID, "data": data}
	return c.api.Call(ctx, http.MethodPost, "message/template/send", nil, wxofficial.JSONBody(body), nil)
}

// clipRunes keeps a keyword within the platform's limit (20 characters for "thing" keywords),
// ending a clipped text with "…".
func clipRunes(s string, n int) string {
	if n <= 0 {
		n = 20
	}
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// uploadImage is POST /cgi-bin/media/upload?type=image (a temporary medium, valid 3 days).
func (c *Channel) uploadImage(ctx context.Context, out bot.Outgoing) (string, error) {
	data, err := io.ReadAll(io.LimitReader(out.File, 10<<20+1))
	if err != nil || len(data) > 10<<20 {
		return "", bot.Permanent(fmt.Errorf("mp: image unreadable or over 10 MB: %v", err))
	}
	name := out.FileName
	if name == "" {
		name = "image.png"
	}
	body := func() (io.Reader, string, error) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, err := mw.CreateFormFile("media", name)
		if err == nil {
			_, err = fw.Write(data)
		}
		if err == nil {
			err = mw.Close()
		}
		return &buf, mw.FormDataContentType(), err
	}
	var res struct {
		MediaID string `json:"media_id"`
	}
	if err := c.api.Call(ctx, http.MethodPost, "media/upload", url.Values{"type": {"image"}}, body, &res); err != nil {
		return "", err
	}
	return res.MediaID, nil
}

// MaxQRLife is the longest a temporary QR code lives (30 days).
const MaxQRLife = 30 * 24 * time.Hour

// BindQR asks for a temporary parametric QR code carrying a bind code (POST /cgi-bin/qrcode/create,
// QR_STR_SCENE) and returns the URL to encode in the printed QR image. Scanning it follows the
// 服务号 and binds the household in one step.
func (c *Channel) BindQR(ctx context.Context, code string, life time.Duration) (string, error) {
	life = min(max(life, time.Minute), MaxQRLife)
	body := map[string]any{"expire_seconds": int(life / time.Second), "action_name": "QR_STR_SCENE",
		"action_info": map[string]any{"scene": map[string]string{"scene_str": BindScene + code}}}
	var res struct {
		Ticket string `json:"ticket"`
		URL    string `json:"url"`
	}
	err := c.api.Call(ctx, http.MethodPost, "qrcode/create", nil, wxofficial.JSONBody(body), &res)
	if err != nil {
		c.health.Failed(ctx, err)
		return "", fmt.Errorf("mp: qrcode/create: %w", err)
	}
	c.health.OK(ctx)
	if res.URL == "" {
		return "", errors.New("mp: qrcode/create returned no url")
	}
	return res.URL, nil
}
