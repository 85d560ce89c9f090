package wecom

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"time"

	"qinqi/bot"
	"qinqi/bot/wxofficial"
	"qinqi/internal/clock"
)

// inMessage is a decrypted callback: a member's message or an event.
type inMessage struct {
	ToUserName   string  `xml:"ToUserName"`
	FromUserName string  `xml:"FromUserName"`
	CreateTime   int64   `xml:"CreateTime"`
	MsgType      string  `xml:"MsgType"`
	Content      string  `xml:"Content"`
	MsgID        string  `xml:"MsgId"`
	AgentID      int     `xml:"AgentID"`
	MediaID      string  `xml:"MediaId"`
	PicURL       string  `xml:"PicUrl"`
	Format       string  `xml:"Format"`
	LocationX    float64 `xml:"Location_X"`
	LocationY    float64 `xml:"Location_Y"`
	Label        string  `xml:"Label"`
	FileName     string  `xml:"FileName"`
	Event        string  `xml:"Event"`
	EventKey     string  `xml:"EventKey"`
}

// ServeHTTP is the app's callback URL (/wecom/callback): GET verifies the URL when an
// administrator saves it, POST carries members' messages. A message is handed to the inbox and
// answered with an empty 200 at once; replies go out later through message/send, so WeCom never
// waits the 5 s after which it retries. A retried message has the same MsgId and is stored once.
func (c *Channel) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		c.verifyURL(w, r)
	case http.MethodPost:
		c.callback(w, r)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// verifyURL answers WeCom's check of the callback URL with the decrypted echostr.
func (c *Channel) verifyURL(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	echo := q.Get("echostr")
	if err := c.crypto.Verify(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), echo); err != nil {
		c.log.Warn("callback URL check refused: bad signature")
		w.WriteHeader(http.StatusForbidden)
		return
	}
	plain, err := c.crypto.Decrypt(echo)
	if err != nil {
		c.log.Warn("callback URL check refused: echostr does not decrypt for this corp id")
		w.WriteHeader(http.StatusForbidden)
		return
	}
	c.health.Callback(r.Context())
	_, _ = w.Write(plain)
}

func (c *Channel) callback(w http.ResponseWriter, r *http.Request) {
	plain, err := c.crypto.OpenCallback(w, r)
	if err != nil {
		status := wxofficial.Refused(w, err)
		c.log.Warn("callback refused", "status", status, "err", err)
		return
	}
	var in inMessage
	if err := xml.Unmarshal(plain, &in); err != nil || in.FromUserName == "" {
		c.log.Warn("callback ignored: decrypted body is not a message")
		return // 200: WeCom retrying it would not help
	}
	c.health.Callback(r.Context())
	if in.AgentID != 0 && in.AgentID != c.agent {
		c.log.Warn("callback ignored: message for another app", "agent_id", in.AgentID)
		return
	}
	m, ok := c.convert(in)
	if !ok {
		return
	}
	c.mu.Lock()
	deliver, ctx := c.deliver, c.ctx
	c.mu.Unlock()
	if deliver == nil { // not receiving (starting or stopping): WeCom will send it again
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	wxofficial.Deliver(ctx, w, r, deliver, m, wxofficial.DurableWait)
}

// convert maps a callback to a bot.Message; false for what is not a message to handle.
func (c *Channel) convert(in inMessage) (bot.Message, bool) {
	m := bot.Message{Transport: Transport, Account: c.o.Account, ID: in.MsgID, SenderKey: in.FromUserName,
		Time: time.Unix(in.CreateTime, 0).In(clock.Shanghai)}
	if in.CreateTime == 0 {
		m.Time = time.Time{} // the inbox stamps it
	}
	switch in.MsgType {
	case "text":
		m.Kind, m.Text = bot.KindText, in.Content
	case "image":
		m.Kind, m.MediaRef = bot.KindImage, in.MediaID
	case "voice":
		m.Kind, m.MediaRef = bot.KindVoice, in.MediaID
	case "file":
		m.Kind, m.MediaRef, m.Label = bot.KindFile, in.MediaID, in.FileName
	case "location":
		m.Kind, m.Lat, m.Lng, m.Label = bot.KindLocation, in.LocationX, in.LocationY, in.Label
	case "event":
		// enter_agent (the member opened the app) and the rest carry nothing to answer.
		c.log.Debug("event ignored", "event", in.Event)
		return m, false
	default:
		if c.types.First(in.MsgType) {
			c.log.Warn("message type not handled; ignored (logged once per type)", "msg_type", in.MsgType)
		}
		return m, false
	}
	if m.ID == "" {
		m.ID = in.FromUserName + ":" + strconv.FormatInt(in.CreateTime, 10)
	}
	return m, true
}
