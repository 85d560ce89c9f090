package wecom

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"qinqi/bot"
	"qinqi/bot/wxofficial"
)

// Limits of message/send and media/upload (WeCom's documentation): text content up to 2,048
// bytes; images up to 10 MB, files up to 20 MB.
const (
	maxTextBytes  = 2000 // below 2,048 so a split never lands on the limit
	maxImageBytes = 10 << 20
	maxFileBytes  = 20 << 20
)

// Send delivers text, or an image or file uploaded through media/upload just before (a media id
// lives three days, so nothing is uploaded ahead). Text goes as plain text even for digests:
// markdown and textcards are not shown to members who use the app through the 微信插件.
func (c *Channel) Send(ctx context.Context, account string, out bot.Outgoing) error {
	if account != c.o.Account {
		return bot.Permanent(fmt.Errorf("wecom: account %q is not this app (%q)", account, c.o.Account))
	}
	if d := c.api.Paused(ctx); d > 0 {
		return bot.Unavailable(d, errors.New("wecom: paused after the frequency limit"))
	}
	var err error
	if out.File != nil {
		err = c.sendMedia(ctx, out)
	} else {
		err = c.sendText(ctx, out)
	}
	return wxofficial.SendOutcome(ctx, c.api, c.health, err)
}

// partsTTL is how long the parts of a long text already delivered are remembered: longer than the
// outbox keeps retrying a message.
const partsTTL = 72 * time.Hour

// sendText sends a text in parts of at most maxTextBytes. When a part fails, the parts already
// delivered are recorded in the shared KV under the outbox key, so the outbox's retry (on this
// instance or another) sends only the rest and the member never reads a part twice.
func (c *Channel) sendText(ctx context.Context, out bot.Outgoing) error {
	parts := splitText(out.Text, maxTextBytes)
	key := ""
	if len(parts) > 1 && out.Key != "" {
		key = "wecom:" + c.o.Account + ":parts:" + out.Key + ":" + out.To
	}
	done := c.partsDone(ctx, key, len(parts))
	for i := done; i < len(parts); i++ {
		if err := c.send(ctx, out.To, "text", map[string]any{"content": parts[i]}); err != nil {
			if i > done {
				if kerr := c.o.KV.Set(ctx, key, strconv.Itoa(i), partsTTL); kerr != nil {
					c.log.Warn("parts delivered not recorded; a retry repeats them", "err", kerr)
				}
			}
			return err
		}
	}
	if done > 0 {
		_ = c.o.KV.Del(ctx, key) // only a leftover with its TTL when this fails
	}
	return nil
}

// partsDone is how many parts of the text an earlier try delivered (0 without a record).
func (c *Channel) partsDone(ctx context.Context, key string, parts int) int {
	if key == "" {
		return 0
	}
	v, err := c.o.KV.Get(ctx, key)
	if err != nil {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n >= parts {
		return 0
	}
	return n
}

// send is POST /cgi-bin/message/send to one member.
func (c *Channel) send(ctx context.Context, to, msgtype string, content map[string]any) error {
	body := map[string]any{"touser": to, "agentid": c.agent, "msgtype": msgtype, msgtype: content, "safe": 0}
	var out struct {
		InvalidUser string `json:"invaliduser"`
	}
	if err := c.api.Call(ctx, http.MethodPost, "message/send", nil, wxofficial.JSONBody(body), &out); err != nil {
		return err
	}
	if out.InvalidUser != "" { // accepted by the API, but this member cannot get it
		return &wxofficial.APIError{API: "message/send", Code: wxofficial.CodeInvisibleUser, Msg: "invaliduser"}
	}
	return nil
}

// sendMedia uploads the file as a temporary medium and sends it.
func (c *Channel) sendMedia(ctx context.Context, out bot.Outgoing) error {
	kind, limit := "file", maxFileBytes
	if out.Image {
		kind, limit = "image", maxImageBytes
	}
	data, err := io.ReadAll(io.LimitReader(out.File, int64(limit)+1))
	if err != nil {
		return bot.Permanent(fmt.Errorf("wecom: read %s: %w", kind, err))
	}
	if len(data) > limit {
		return bot.Permanent(fmt.Errorf("wecom: %s is larger than WeCom's %d MB", kind, limit>>20))
	}
	id, err := c.upload(ctx, kind, out.FileName, data)
	if err != nil {
		return err
	}
	return c.send(ctx, out.To, kind, map[string]any{"media_id": id})
}

// upload is POST /cgi-bin/media/upload?type=image|file with the multipart field "media".
func (c *Channel) upload(ctx context.Context, kind, name string, data []byte) (string, error) {
	if name == "" {
		name = kind
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
	var out struct {
		MediaID string `json:"media_id"`
	}
	if err := c.api.Call(ctx, http.MethodPost, "media/upload", url.Values{"type": {kind}}, body, &out); err != nil {
		return "", err
	}
	if out.MediaID == "" {
		return "", errors.New("wecom: media/upload returned no media_id")
	}
	return out.MediaID, nil
}

// splitText cuts text into parts of at most n bytes, at line ends where possible, never inside a
// character.
func splitText(text string, n int) []string {
	var parts []string
	for len(text) > n {
		cut := strings.LastIndexByte(text[:n], '\n')
		if cut <= 0 {
			cut = n
			for cut > 0 && !utf8.RuneStart(text[cut]) {
				cut--
			}
		}
		parts = append(parts, text[:cut])
		text = strings.TrimPrefix(text[cut:], "\n")
	}
	return append(parts, text)
}
