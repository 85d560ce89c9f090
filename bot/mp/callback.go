package mp

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"time"

	"qinqi/bot"
	"qinqi/bot/wxofficial"
	"qinqi/internal/clock"
)

// BindScene prefixes the scene value of a bind QR code: "bind:482913".
const BindScene = "bind:"

// inMessage is a decrypted callback: a household's message or an event.
type inMessage struct {
	FromUserName string  `xml:"FromUserName"`
	CreateTime   int64   `xml:"CreateTime"`
	MsgType      string  `xml:"MsgType"`
	Content      string  `xml:"Content"`
	MsgID        string  `xml:"MsgId"`
	MediaID      string  `xml:"MediaId"`
	Recognition  string  `xml:"Recognition"` // voice: the platform's speech recognition, when switched on
	LocationX    float64 `xml:"Location_X"`
	LocationY    float64 `xml:"Location_Y"`
	Label        string  `xml:"Label"`
	Event        string  `xml:"Event"`
	EventKey     string  `xml:"EventKey"`
}

// ServeHTTP is the 服务号's server URL (/mp/callback). GET is the platform's URL check (plain
// signature, echostr answered as is); POST carries messages in 安全模式, answered with an empty 200
// at once (the platform retries after 5 s; a retry has the same MsgId and is stored once).
func (c *Channel) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		if err := c.crypto.Verify(q.Get("signature"), q.Get("timestamp"), q.Get("nonce"), ""); err != nil {
			c.log.Warn("server URL check refused: bad signature")
			w.WriteHeader(http.StatusForbidden)
			return
		}
		c.health.Callback(r.Context())
		_, _ = w.Write([]byte(q.Get("echostr")))
	case http.MethodPost:
		c.callback(w, r)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
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
		return
	}
	c.health.Callback(r.Context())
	m, ok := c.convert(in)
	c.noteWindow(r, in)
	if !ok {
		return
	}
	c.mu.Lock()
	deliver, ctx := c.deliver, c.ctx
	c.mu.Unlock()
	if deliver == nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	wxofficial.Deliver(ctx, w, r, deliver, m, wxofficial.DurableWait)
}

// noteWindow records the interaction that opens the 48-hour window (messages, follows and scans
// do), or closes it when the household unfollows.
func (c *Channel) noteWindow(r *http.Request, in inMessage) {
	if in.MsgType == "event" && in.Event == "unsubscribe" {
		_ = c.o.KV.Del(r.Context(), c.windowKey(in.FromUserName))
		return
	}
	at := c.o.Clock.Now()
	if in.CreateTime > 0 && time.Unix(in.CreateTime, 0).Before(at) {
		at = time.Unix(in.CreateTime, 0)
	}
	c.touch(r.Context(), in.FromUserName, at)
}

// convert maps a callback to a bot.Message; false for what is not a message to handle.
func (c *Channel) convert(in inMessage) (bot.Message, bool) {
	m := bot.Message{Transport: Transport, Account: c.o.Account, ID: in.MsgID, SenderKey: in.FromUserName}
	if in.CreateTime > 0 {
		m.Time = time.Unix(in.CreateTime, 0).In(clock.Shanghai)
	}
	switch in.MsgType {
	case "text":
		m.Kind, m.Text = bot.KindText, in.Content
	case "voice":
		m.Kind, m.MediaRef, m.Text = bot.KindVoice, in.MediaID, in.Recognition
	case "image":
		m.Kind, m.MediaRef = bot.KindImage, in.MediaID
	case "location":
		m.Kind, m.Lat, m.Lng, m.Label = bot.KindLocation, in.LocationX, in.LocationY, in.Label
	case "event":
		return c.event(in, m)
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

// event turns a scan of a bind QR code (SCAN, or subscribe when the household follows by
// scanning) into the bind command the inbox already handles, so binding by scan shares the
// code checks, try limits and replies of binding by typing. Other events carry nothing to answer.
func (c *Channel) event(in inMessage, m bot.Message) (bot.Message, bool) {
	scene := in.EventKey
	switch in.Event {
	case "subscribe":
		scene = strings.TrimPrefix(scene, "qrscene_")
	case "SCAN":
	default:
		c.log.Debug("event ignored", "event", in.Event)
		return m, false
	}
	code, ok := strings.CutPrefix(scene, BindScene)
	if !ok {
		c.log.Debug("follow or scan without a bind code", "event", in.Event)
		return m, false
	}
	m.Kind, m.Text = bot.KindText, "绑定 "+code
	m.ID = "scan:" + in.FromUserName + ":" + strconv.FormatInt(in.CreateTime, 10)
	return m, true
}
