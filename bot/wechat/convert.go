package wechat

import (
	"encoding/xml"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/eatmoreapple/openwechat"

	"qinqi/bot"
	"qinqi/internal/clock"
)

// maxFriendRequests bounds the per-login memory of pending friend requests.
const maxFriendRequests = 1000

// onMessage runs on the library's sync goroutine with the library lock held. It maps the message
// and queues it for Receive without blocking; panics (ours or the library's parse paths) are logged.
func (g *generation) onMessage(msg *openwechat.Message) {
	defer func() {
		if r := recover(); r != nil {
			g.s.log.Error("wechat: dropped a message whose parsing panicked", "panic", fmt.Sprint(r))
		}
	}()
	m, ok := g.convert(msg)
	if !ok {
		return
	}
	g.s.w.inbox.push(m)
}

func (g *generation) convert(msg *openwechat.Message) (bot.Message, bool) {
	log := g.s.log
	if msg.IsSendBySelf() {
		return bot.Message{}, false // the owner typing on the phone is not talking to the bot
	}
	m := bot.Message{Transport: "wechat", Account: g.s.acct.Name, ID: msgID(msg), Time: g.msgTime(msg)}
	switch {
	case msg.IsFriendAdd():
		return g.friendRequest(msg, m)
	case msg.IsSendByGroup():
		if !g.groupSender(msg, &m) {
			return bot.Message{}, false
		}
	case msg.IsSendByFriend():
		sender, err := msg.Sender()
		if err == nil && sender != nil {
			if sender.IsMP() {
				return bot.Message{}, false // official accounts push articles, not requests
			}
			m.SenderName = sender.NickName
		}
		m.SenderKey = msg.FromUserName
	default:
		return bot.Message{}, false // system notices, file helper, status notifications
	}
	if !g.body(msg, &m) {
		log.Debug("wechat: unsupported message type ignored", "msg_type", int(msg.MsgType), "app_type", int(msg.AppMsgType))
		return bot.Message{}, false
	}
	if m.Group && m.AtBot && m.Kind == bot.KindText {
		m.Text = stripAt(m.Text, g.selfNames(msg)...)
	}
	return m, true
}

func msgID(msg *openwechat.Message) string {
	if msg.NewMsgId != 0 {
		return strconv.FormatInt(msg.NewMsgId, 10)
	}
	return msg.MsgId
}

func (g *generation) msgTime(msg *openwechat.Message) time.Time {
	if msg.CreateTime > 0 {
		return time.Unix(msg.CreateTime, 0).In(clock.Shanghai)
	}
	return g.s.w.opt.Clock.Now()
}

// groupSender resolves the member who wrote in a group; without one the message is dropped, since
// answering the wrong person is worse than not answering.
func (g *generation) groupSender(msg *openwechat.Message, m *bot.Message) bool {
	member, err := msg.SenderInGroup()
	if err != nil || member == nil {
		g.s.log.Warn("wechat: group message from an unknown member dropped", "err", errString(err))
		return false
	}
	m.Group = true
	m.GroupKey = msg.FromUserName
	m.SenderKey = member.UserName
	m.SenderName = member.DisplayName
	if m.SenderName == "" {
		m.SenderName = member.NickName
	}
	m.AtBot = msg.IsAt()
	return true
}

func errString(err error) string {
	if err == nil {
		return "no member"
	}
	return err.Error()
}

// selfNames are the names a group member types after "@" to mention the bot.
func (g *generation) selfNames(msg *openwechat.Message) []string {
	names := []string{g.selfNick}
	if grp, err := msg.Sender(); err == nil && grp != nil {
		if me := grp.MemberList.SearchByUserName(1, g.self); me.Count() > 0 && me.First().DisplayName != "" {
			names = append(names, me.First().DisplayName)
		}
	}
	return names
}

func (g *generation) friendRequest(msg *openwechat.Message, m bot.Message) (bot.Message, bool) {
	ri := msg.RecommendInfo
	if ri.UserName == "" {
		g.s.log.Warn("wechat: friend request without a user name dropped")
		return bot.Message{}, false
	}
	m.Kind = bot.KindFriendRequest
	m.SenderKey = ri.UserName
	m.SenderName = ri.NickName
	m.Text = ri.Content
	if m.Text == "" {
		if c, err := msg.FriendAddMessageContent(); err == nil {
			m.Text = c.Content
		}
	}
	g.frMu.Lock()
	if _, seen := g.friendReqs[m.ID]; !seen {
		g.frOrder = append(g.frOrder, m.ID)
	}
	g.friendReqs[m.ID] = ri
	if len(g.frOrder) > maxFriendRequests {
		delete(g.friendReqs, g.frOrder[0])
		g.frOrder = g.frOrder[1:]
	}
	g.frMu.Unlock()
	return m, true
}

func (g *generation) friendRequestInfo(id string) (openwechat.RecommendInfo, bool) {
	g.frMu.Lock()
	defer g.frMu.Unlock()
	ri, ok := g.friendReqs[id]
	return ri, ok
}

// body sets kind, text and media of m; false for kinds the bot does not handle.
func (g *generation) body(msg *openwechat.Message, m *bot.Message) bool {
	switch {
	case msg.IsLocation():
		m.Kind = bot.KindLocation
		m.Lat, m.Lng, m.Label, _ = parseLocation(msg.Content, msg.Url, msg.OriContent)
		m.Text = m.Label
	case msg.IsText():
		m.Kind, m.Text = bot.KindText, msg.Content
	case msg.IsPicture():
		m.Kind, m.MediaRef = bot.KindImage, g.saveMedia(msg, m.ID+".jpg")
	case msg.IsVoice():
		m.Kind, m.MediaRef = bot.KindVoice, g.saveMedia(msg, m.ID+".mp3")
	case msg.HasAttachment():
		m.Kind, m.Text = bot.KindFile, msg.FileName
		m.MediaRef = g.saveMedia(msg, m.ID+"-"+safeFileName(msg.FileName))
	default:
		return false
	}
	return true
}

// saveMedia downloads the message's file under MediaDir/<account>/ and returns its path; "" when
// the download failed (the message is still delivered, so the sender gets an answer).
func (g *generation) saveMedia(msg *openwechat.Message, name string) string {
	dir := filepath.Join(g.s.w.opt.MediaDir, safeFileName(g.s.acct.Name))
	if err := os.MkdirAll(dir, 0o750); err != nil {
		g.s.log.Error("wechat: media directory", "err", err)
		return ""
	}
	path := filepath.Join(dir, name)
	if err := msg.SaveFileToLocal(path); err != nil {
		_ = os.Remove(path)
		g.s.log.Warn("wechat: media download failed", "err", scrub(err))
		return ""
	}
	return path
}

// stripAt removes "@<bot name>" mentions (followed by the U+2005 WeChat puts after them, a space,
// or the end of the text) and trims the rest.
func stripAt(text string, names ...string) string {
	for _, n := range names {
		if n == "" {
			continue
		}
		at := "@" + n
		text = strings.ReplaceAll(text, at+"\u2005", " ")
		text = strings.ReplaceAll(text, at+" ", " ")
		text = strings.TrimSuffix(text, at)
	}
	return strings.TrimSpace(strings.ReplaceAll(text, "\u2005", " "))
}

// parseLocation reads a shared location as web WeChat delivers it: Content is
// "<label>:\n/cgi-bin/…pictype=location", Url a map link with coord=lat,lng; OriContent may hold
// <msg><location x=lat y=lng label=…/></msg>. ok is false when no valid coordinates were found.
func parseLocation(content, mapURL, oriContent string) (lat, lng float64, label string, ok bool) {
	label = content
	for _, sep := range []string{":\n", ":<br/>"} {
		if i := strings.Index(label, sep); i >= 0 {
			label = label[:i]
			break
		}
	}
	if strings.Contains(label, "pictype=location") {
		label = ""
	}
	label = strings.TrimSpace(label)
	if u, err := url.Parse(mapURL); err == nil {
		q := u.Query()
		for _, key := range []string{"coord", "location", "latlng"} {
			if lat, lng, ok = parseLatLng(q.Get(key)); ok {
				return lat, lng, label, true
			}
		}
	}
	var x struct {
		Location struct {
			X       string `xml:"x,attr"`
			Y       string `xml:"y,attr"`
			Label   string `xml:"label,attr"`
			PoiName string `xml:"poiname,attr"`
		} `xml:"location"`
	}
	if oriContent != "" && xml.Unmarshal([]byte(oriContent), &x) == nil {
		if lat, lng, ok = parseLatLng(x.Location.X + "," + x.Location.Y); ok {
			if label == "" {
				label = strings.TrimSpace(x.Location.PoiName + " " + x.Location.Label)
			}
			return lat, lng, label, true
		}
	}
	return 0, 0, label, false
}

func parseLatLng(s string) (float64, float64, bool) {
	a, b, found := strings.Cut(s, ",")
	if !found {
		return 0, 0, false
	}
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	lng, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if err1 != nil || err2 != nil || math.IsNaN(lat) || math.IsNaN(lng) ||
		lat < -90 || lat > 90 || lng < -180 || lng > 180 || (lat == 0 && lng == 0) {
		return 0, 0, false
	}
	return lat, lng, true
}
