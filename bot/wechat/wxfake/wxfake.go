// Package wxfake is a fake WeChat web server for offline tests: the real openwechat code talks to it
// through Transport, which rewrites every request to a 127.0.0.1 httptest server. It implements the
// login, sync and send endpoints the library uses, and gives
// tests controls: queue inbound messages, kick a session, answer 1205, go down, count requests and
// list what the bot sent. Several bot accounts can log in to one Server.
package wxfake

import (
	"encoding/json"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Contact is a friend of a bot account, or a member of a group.
type Contact struct {
	UserName    string // per-session key, "@…"
	NickName    string
	RemarkName  string // set by the account owner on the phone
	DisplayName string // group card, for group members
}

// Group is a group chat the bot account is in.
type Group struct {
	UserName string // "@@…"
	NickName string
	Members  []Contact
}

// Account is one WeChat account (phone) the bot can log in as.
type Account struct {
	Uin      int64
	UserName string // the bot's own key, "@…"
	NickName string
	Friends  []Contact
	Groups   []Group
}

// Sent is one message the bot sent to the fake.
type Sent struct {
	Uin      int64
	Endpoint string // webwxsendmsg, webwxsendmsgimg, webwxsendappmsg
	From     string
	To       string
	Content  string // text, or the app-message XML for files
	Title    string // file name the recipient sees (webwxsendappmsg)
	MediaID  string
}

// Upload is one file the bot uploaded.
type Upload struct {
	Uin       int64
	Name      string
	Data      []byte
	HadTicket bool // the webwx_data_ticket cookie reached the file host
}

// Verify is one friend request the bot accepted.
type Verify struct {
	Uin      int64
	UserName string
	Ticket   string
	Content  string
}

type account struct {
	Account
	queue   []map[string]any
	wake    chan struct{}
	kick    bool   // answer the next synccheck with 1101
	syncRet string // when set, every synccheck answers this retcode
	syncKey int64
	media   map[string][]byte // MsgID → bytes for webwxgetmsgimg / webwxgetvoice / webwxgetmedia
	msgSeq  int64
}

// Server is the fake. Create it with New and stop it with Close.
type Server struct {
	addr string // fixed for the server's life, also across Disappear and Reappear

	srvMu sync.Mutex // guards srv, which Reappear replaces
	srv   *httptest.Server

	// PollWait is how long synccheck blocks when nothing is queued (the real server holds ~25 s);
	// set it before the first request or use SetPollWait.
	PollWait time.Duration

	mu       sync.Mutex
	accounts []*account
	uuids    map[string]*uuidState
	uuidSeq  int
	down     bool
	manual   bool // QR codes are scanned only through Scan
	requests map[string][]time.Time
	attempts []time.Time // every request Transport tried, reaching the server or not
	sent     []Sent
	uploads  []Upload
	verifies []Verify
	mediaSeq int
	hold     *hold
}

// hold withholds the answer to one send; see HoldSend.
type hold struct {
	at      int // the hold applies when len(sent) reaches at
	reached chan struct{}
	release chan struct{}
}

type uuidState struct {
	acct  *account
	polls int
}

// New starts a fake serving the given accounts on 127.0.0.1.
func New(accounts ...Account) *Server {
	s := &Server{PollWait: time.Second, uuids: map[string]*uuidState{}, requests: map[string][]time.Time{}}
	for _, a := range accounts {
		s.accounts = append(s.accounts, &account{Account: a, wake: make(chan struct{}, 1), syncKey: 1000,
			media: map[string][]byte{}})
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.addr = strings.TrimPrefix(s.srv.URL, "http://")
	return s
}

// Close stops the server: the same as Disappear, without a Reappear.
func (s *Server) Close() { s.Disappear() }

// Disappear closes the listener and every connection: from now on connections are refused, as
// when WeChat's servers are unreachable. Reappear listens again on the same address.
func (s *Server) Disappear() {
	s.mu.Lock()
	for _, a := range s.accounts {
		select {
		case a.wake <- struct{}{}:
		default:
		}
	}
	s.mu.Unlock()
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Reappear serves again on the address the server had, with all its state.
func (s *Server) Reappear() error {
	l, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("wxfake: listen again on %s: %w", s.addr, err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	srv.Listener = l
	srv.Start()
	s.srvMu.Lock()
	s.srv = srv
	s.srvMu.Unlock()
	return nil
}

// SetPollWait changes PollWait while the server runs.
func (s *Server) SetPollWait(d time.Duration) {
	s.mu.Lock()
	s.PollWait = d
	s.mu.Unlock()
}

// Addr is host:port of the listener.
func (s *Server) Addr() string { return s.addr }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	ep := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	s.mu.Lock()
	s.requests[ep] = append(s.requests[ep], time.Now())
	down := s.down
	s.mu.Unlock()
	if down {
		hangUp(w)
		return
	}
	h, ok := s.handlers()[ep]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h(w, r)
}

// hangUp closes the connection without an answer, as a dead network would.
func hangUp(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

func (s *Server) handlers() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"jslogin":              s.jslogin,
		"login":                s.login,
		"webwxnewloginpage":    s.newLoginPage,
		"webwxinit":            s.webInit,
		"webwxstatusnotify":    s.ok,
		"synccheck":            s.syncCheck,
		"webwxsync":            s.webSync,
		"webwxgetcontact":      s.getContact,
		"webwxbatchgetcontact": s.batchGetContact,
		"webwxsendmsg":         s.sendMsg,
		"webwxsendmsgimg":      s.sendMsg,
		"webwxsendappmsg":      s.sendMsg,
		"webwxverifyuser":      s.verifyUser,
		"webwxuploadmedia":     s.uploadMedia,
		"webwxpushloginurl":    s.pushLogin,
		"webwxlogout":          s.ok,
		"webwxgetmsgimg":       s.getMedia,
		"webwxgetvoice":        s.getMedia,
		"webwxgetmedia":        s.getMedia,
	}
}

func (s *Server) jslogin(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	s.uuidSeq++
	id := fmt.Sprintf("uuid%03d==", s.uuidSeq)
	s.uuids[id] = &uuidState{}
	s.mu.Unlock()
	fmt.Fprintf(w, `window.QRLogin.code = 200; window.QRLogin.uuid = "%s";`, id)
}

// login answers the QR long poll: first 201 (scanned), then 200 with the redirect. The "phone"
// that scans is the first account not already claimed by another pending QR code.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("uuid")
	s.mu.Lock()
	st, ok := s.uuids[id]
	if ok && st.acct == nil && !s.manual {
		st.acct = s.freeAccountLocked()
	}
	if ok && st.acct == nil {
		s.mu.Unlock()
		time.Sleep(50 * time.Millisecond) // nobody scans: wait as the real long poll does
		fmt.Fprint(w, `window.code=408;`)
		return
	}
	if !ok {
		s.mu.Unlock()
		fmt.Fprint(w, `window.code=400;`)
		return
	}
	st.polls++
	polls := st.polls
	s.mu.Unlock()
	if polls == 1 {
		fmt.Fprint(w, `window.code=201;window.userAvatar = 'data:img/jpg;base64,AAAA';`)
		return
	}
	fmt.Fprintf(w, `window.code=200;
window.redirect_uri="https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=T-%s&uuid=%s&lang=zh_CN&scan=1";`, id, id)
}

func (s *Server) freeAccountLocked() *account {
	claimed := map[*account]bool{}
	for _, st := range s.uuids {
		if st.acct != nil {
			claimed[st.acct] = true
		}
	}
	for _, a := range s.accounts {
		if !claimed[a] {
			return a
		}
	}
	return nil
}

func (s *Server) newLoginPage(w http.ResponseWriter, r *http.Request) {
	ticket := strings.TrimPrefix(r.URL.Query().Get("ticket"), "T-")
	s.mu.Lock()
	st := s.uuids[ticket]
	s.mu.Unlock()
	if st == nil || st.acct == nil {
		fmt.Fprint(w, `<error><ret>1203</ret><message>unknown ticket</message></error>`)
		return
	}
	a := st.acct
	for _, c := range []*http.Cookie{
		{Name: "wxuin", Value: strconv.FormatInt(a.Uin, 10), Domain: "qq.com", Path: "/"},
		{Name: "wxsid", Value: sid(a.Uin), Domain: "qq.com", Path: "/"},
		{Name: "webwx_data_ticket", Value: "ticket-" + strconv.FormatInt(a.Uin, 10), Domain: "qq.com", Path: "/"},
	} {
		http.SetCookie(w, c)
	}
	fmt.Fprintf(w, `<error><ret>0</ret><message></message><skey>%s</skey><wxsid>%s</wxsid><wxuin>%d</wxuin><pass_ticket>pt%d</pass_ticket><isgrayscale>1</isgrayscale></error>`,
		skey(a.Uin), sid(a.Uin), a.Uin, a.Uin)
}

func skey(uin int64) string { return fmt.Sprintf("@crypt_%d", uin) }
func sid(uin int64) string  { return fmt.Sprintf("sid%d", uin) }

// baseRequest is the part of every POST body that names the session.
type baseRequest struct {
	BaseRequest struct {
		Uin  int64
		Sid  string
		Skey string
	}
}

// accountOf finds the session from the skey/uin query parameters or the JSON BaseRequest.
func (s *Server) accountOf(r *http.Request, body []byte) *account {
	q := r.URL.Query()
	key := q.Get("skey")
	uin, _ := strconv.ParseInt(q.Get("uin"), 10, 64)
	if key == "" && uin == 0 && len(body) > 0 {
		var br baseRequest
		if json.Unmarshal(body, &br) == nil {
			key, uin = br.BaseRequest.Skey, br.BaseRequest.Uin
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.accounts {
		if (key != "" && key == skey(a.Uin)) || (uin != 0 && uin == a.Uin) {
			return a
		}
	}
	return nil
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func baseResponse(ret int) map[string]any { return map[string]any{"Ret": ret, "ErrMsg": ""} }

func (s *Server) ok(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, map[string]any{"BaseResponse": baseResponse(0)})
}

func (s *Server) syncKeyLocked(a *account) map[string]any {
	return map[string]any{"Count": 2, "List": []map[string]int64{{"Key": 1, "Val": a.syncKey}, {"Key": 2, "Val": a.syncKey + 1}}}
}

func (s *Server) webInit(w http.ResponseWriter, r *http.Request) {
	body := readBody(r)
	a := s.accountOf(r, body)
	if a == nil {
		writeJSON(w, map[string]any{"BaseResponse": baseResponse(1101)})
		return
	}
	s.mu.Lock()
	key := s.syncKeyLocked(a)
	s.mu.Unlock()
	writeJSON(w, map[string]any{
		"BaseResponse": baseResponse(0),
		"User":         map[string]any{"UserName": a.UserName, "NickName": a.NickName, "Uin": a.Uin},
		"SyncKey":      key,
		"ContactList":  []any{},
		"Count":        0,
	})
}

// syncCheck blocks until a message is queued or PollWait passes, like the real long poll.
func (s *Server) syncCheck(w http.ResponseWriter, r *http.Request) {
	a := s.accountOf(r, nil)
	if a == nil {
		fmt.Fprint(w, `window.synccheck={retcode:"1101",selector:"0"}`)
		return
	}
	s.mu.Lock()
	ret := a.syncRet
	if a.kick {
		a.kick, ret = false, "1101"
	}
	pending := len(a.queue)
	wait := s.PollWait
	s.mu.Unlock()
	if ret != "" {
		fmt.Fprintf(w, `window.synccheck={retcode:"%s",selector:"0"}`, ret)
		return
	}
	if pending == 0 {
		select {
		case <-a.wake:
		case <-time.After(wait):
		case <-r.Context().Done():
			return
		}
		s.mu.Lock()
		pending = len(a.queue)
		ret = a.syncRet // SetSyncRet and Kick answer a poll already waiting
		if a.kick {
			a.kick, ret = false, "1101"
		}
		s.mu.Unlock()
		if ret != "" {
			fmt.Fprintf(w, `window.synccheck={retcode:"%s",selector:"0"}`, ret)
			return
		}
	}
	sel := "0"
	if pending > 0 {
		sel = "2"
	}
	fmt.Fprintf(w, `window.synccheck={retcode:"0",selector:"%s"}`, sel)
}

func (s *Server) webSync(w http.ResponseWriter, r *http.Request) {
	a := s.accountOf(r, readBody(r))
	if a == nil {
		writeJSON(w, map[string]any{"BaseResponse": baseResponse(1101)})
		return
	}
	s.mu.Lock()
	msgs := a.queue
	a.queue = nil
	a.syncKey += 10
	key := s.syncKeyLocked(a)
	s.mu.Unlock()
	if msgs == nil {
		msgs = []map[string]any{}
	}
	writeJSON(w, map[string]any{"BaseResponse": baseResponse(0), "AddMsgCount": len(msgs), "AddMsgList": msgs, "SyncKey": key})
}

func userJSON(c Contact) map[string]any {
	return map[string]any{"UserName": c.UserName, "NickName": c.NickName, "RemarkName": c.RemarkName,
		"DisplayName": c.DisplayName, "VerifyFlag": 0}
}

func (s *Server) getContact(w http.ResponseWriter, r *http.Request) {
	a := s.accountOf(r, nil)
	if a == nil {
		writeJSON(w, map[string]any{"BaseResponse": baseResponse(1101)})
		return
	}
	s.mu.Lock()
	var list []map[string]any
	for _, f := range a.Friends {
		list = append(list, userJSON(f))
	}
	for _, g := range a.Groups {
		list = append(list, map[string]any{"UserName": g.UserName, "NickName": g.NickName, "MemberCount": len(g.Members)})
	}
	s.mu.Unlock()
	writeJSON(w, map[string]any{"BaseResponse": baseResponse(0), "MemberCount": len(list), "MemberList": list, "Seq": 0})
}

func (s *Server) batchGetContact(w http.ResponseWriter, r *http.Request) {
	body := readBody(r)
	a := s.accountOf(r, body)
	var req struct{ List []struct{ UserName string } }
	if a == nil || json.Unmarshal(body, &req) != nil {
		writeJSON(w, map[string]any{"BaseResponse": baseResponse(1)})
		return
	}
	s.mu.Lock()
	var out []map[string]any
	for _, it := range req.List {
		out = append(out, s.detailLocked(a, it.UserName))
	}
	s.mu.Unlock()
	writeJSON(w, map[string]any{"BaseResponse": baseResponse(0), "Count": len(out), "ContactList": out})
}

func (s *Server) detailLocked(a *account, userName string) map[string]any {
	for _, g := range a.Groups {
		if g.UserName != userName {
			continue
		}
		members := []map[string]any{userJSON(Contact{UserName: a.UserName, NickName: a.NickName})}
		for _, m := range g.Members {
			members = append(members, userJSON(m))
		}
		return map[string]any{"UserName": g.UserName, "NickName": g.NickName, "MemberCount": len(members), "MemberList": members}
	}
	for _, f := range a.Friends {
		if f.UserName == userName {
			return userJSON(f)
		}
	}
	return map[string]any{"UserName": userName}
}

func (s *Server) sendMsg(w http.ResponseWriter, r *http.Request) {
	body := readBody(r)
	a := s.accountOf(r, body)
	var req struct {
		Msg struct {
			Type                                       int
			Content, FromUserName, ToUserName, MediaId string
		}
	}
	if a == nil || json.Unmarshal(body, &req) != nil {
		writeJSON(w, map[string]any{"BaseResponse": baseResponse(1101)})
		return
	}
	ep := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	sent := Sent{Uin: a.Uin, Endpoint: ep, From: req.Msg.FromUserName, To: req.Msg.ToUserName,
		Content: req.Msg.Content, MediaID: req.Msg.MediaId, Title: between(req.Msg.Content, "<title>", "</title>")}
	s.mu.Lock()
	s.sent = append(s.sent, sent)
	n := len(s.sent)
	h := s.hold
	if h != nil && h.at == n {
		s.hold = nil
	} else {
		h = nil
	}
	s.mu.Unlock()
	if h != nil {
		close(h.reached)
		select {
		case <-h.release:
		case <-r.Context().Done():
			return // the bot went away without its answer
		}
	}
	writeJSON(w, map[string]any{"BaseResponse": baseResponse(0), "MsgID": strconv.Itoa(9000 + n), "LocalID": "1"})
}

func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return ""
	}
	rest := s[i+len(from):]
	j := strings.Index(rest, to)
	if j < 0 {
		return ""
	}
	return rest[:j]
}

func (s *Server) verifyUser(w http.ResponseWriter, r *http.Request) {
	body := readBody(r)
	a := s.accountOf(r, body)
	var req struct {
		VerifyContent  string
		VerifyUserList []struct{ Value, VerifyUserTicket string }
	}
	if a == nil || json.Unmarshal(body, &req) != nil || len(req.VerifyUserList) == 0 {
		writeJSON(w, map[string]any{"BaseResponse": baseResponse(1)})
		return
	}
	s.mu.Lock()
	for _, v := range req.VerifyUserList {
		s.verifies = append(s.verifies, Verify{Uin: a.Uin, UserName: v.Value, Ticket: v.VerifyUserTicket, Content: req.VerifyContent})
	}
	s.mu.Unlock()
	s.ok(w, r)
}

func (s *Server) uploadMedia(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		writeJSON(w, map[string]any{"BaseResponse": baseResponse(1)})
		return
	}
	a := s.accountOf(r, []byte(r.FormValue("uploadmediarequest")))
	f, hdr, err := r.FormFile("filename")
	if a == nil || err != nil {
		writeJSON(w, map[string]any{"BaseResponse": baseResponse(1)})
		return
	}
	defer f.Close()
	var buf strings.Builder
	_, _ = copyTo(&buf, f)
	s.mu.Lock()
	s.mediaSeq++
	id := fmt.Sprintf("@media_%d", s.mediaSeq)
	s.uploads = append(s.uploads, Upload{Uin: a.Uin, Name: hdr.Filename, Data: []byte(buf.String()),
		HadTicket: r.FormValue("webwx_data_ticket") == "ticket-"+strconv.FormatInt(a.Uin, 10)})
	s.mu.Unlock()
	writeJSON(w, map[string]any{"BaseResponse": baseResponse(0), "MediaId": id})
}

func (s *Server) pushLogin(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.uuidSeq++
	id := fmt.Sprintf("uuid%03d==", s.uuidSeq)
	st := &uuidState{}
	uin, _ := strconv.ParseInt(r.URL.Query().Get("uin"), 10, 64)
	for _, a := range s.accounts {
		if a.Uin == uin {
			st.acct = a
		}
	}
	s.uuids[id] = st
	s.mu.Unlock()
	writeJSON(w, map[string]string{"ret": "0", "msg": "all ok", "uuid": id})
}

func (s *Server) getMedia(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	id := q.Get("MsgID") + q.Get("msgid") + q.Get("mediaid")
	s.mu.Lock()
	var data []byte
	for _, a := range s.accounts {
		if d, ok := a.media[id]; ok {
			data = d
		}
	}
	s.mu.Unlock()
	if data == nil {
		http.NotFound(w, r)
		return
	}
	_, _ = w.Write(data)
}

// ---- controls ----

func (s *Server) acct(uin int64) *account {
	for _, a := range s.accounts {
		if a.Uin == uin {
			return a
		}
	}
	panic(fmt.Sprintf("wxfake: unknown account %d", uin))
}

func (s *Server) enqueue(uin int64, m map[string]any) string {
	s.mu.Lock()
	a := s.acct(uin)
	a.msgSeq++
	id := strconv.FormatInt(uin*1000+a.msgSeq, 10)
	m["MsgId"] = id
	m["NewMsgId"], _ = strconv.ParseInt(id, 10, 64)
	m["CreateTime"] = time.Now().Unix()
	if _, ok := m["ToUserName"]; !ok {
		m["ToUserName"] = a.UserName
	}
	a.queue = append(a.queue, m)
	s.mu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
	return id
}

// QueueText queues a private text from a friend; it returns the message id.
func (s *Server) QueueText(uin int64, from, text string) string {
	return s.enqueue(uin, map[string]any{"MsgType": 1, "FromUserName": from, "Content": html.EscapeString(text)})
}

// QueueSelfText queues a text the account owner typed on the phone to a friend.
func (s *Server) QueueSelfText(uin int64, to, text string) string {
	s.mu.Lock()
	self := s.acct(uin).UserName
	s.mu.Unlock()
	return s.enqueue(uin, map[string]any{"MsgType": 1, "FromUserName": self, "ToUserName": to, "Content": html.EscapeString(text)})
}

// QueueGroupText queues a group message from member; with at set the text starts with "@<bot>\u2005".
func (s *Server) QueueGroupText(uin int64, group, member, text string, at bool) string {
	s.mu.Lock()
	nick := s.acct(uin).NickName
	s.mu.Unlock()
	if at {
		text = "@" + nick + "\u2005" + text
	}
	return s.enqueue(uin, map[string]any{"MsgType": 1, "FromUserName": group,
		"Content": member + ":<br/>" + html.EscapeString(text)})
}

// QueueFriendRequest queues a friend request whose verify text is verify.
func (s *Server) QueueFriendRequest(uin int64, userName, nick, verify, ticket string) string {
	content := fmt.Sprintf(`<msg fromusername="wxid_x" encryptusername="v1_x" fromnickname="%s" content="%s" ticket="%s" scene="30"/>`,
		html.EscapeString(nick), html.EscapeString(verify), ticket)
	return s.enqueue(uin, map[string]any{"MsgType": 37, "FromUserName": "fmessage", "Content": html.EscapeString(content),
		"RecommendInfo": map[string]any{"UserName": userName, "NickName": nick, "Content": verify, "Ticket": ticket, "OpCode": 2, "Scene": 30}})
}

// QueueLocation queues a shared location as web WeChat delivers it (MsgType 1 with a map URL).
func (s *Server) QueueLocation(uin int64, from string, lat, lng float64, label string) string {
	content := html.EscapeString(label) + ":<br/>/cgi-bin/mmwebwx-bin/webwxgetpubliclinkimg?url=xxx&amp;msgid=1&amp;pictype=location"
	u := fmt.Sprintf("https://apis.map.qq.com/uri/v1/geocoder?coord=%.6f,%.6f&referer=wxwebapp", lat, lng)
	return s.enqueue(uin, map[string]any{"MsgType": 1, "FromUserName": from, "Content": content, "Url": u})
}

// QueueImage queues an image; its bytes are served by webwxgetmsgimg.
func (s *Server) QueueImage(uin int64, from string, data []byte) string {
	id := s.enqueueMedia(uin, data)
	got := s.enqueue(uin, map[string]any{"MsgType": 3, "FromUserName": from, "Content": "&lt;msg&gt;&lt;img /&gt;&lt;/msg&gt;"})
	if got != id {
		panic("wxfake: media queued concurrently with other messages")
	}
	return got
}

// QueueVoice queues a voice note; its bytes are served by webwxgetvoice.
func (s *Server) QueueVoice(uin int64, from string, data []byte) string {
	id := s.enqueueMedia(uin, data)
	got := s.enqueue(uin, map[string]any{"MsgType": 34, "FromUserName": from, "VoiceLength": 3000})
	if got != id {
		panic("wxfake: media queued concurrently with other messages")
	}
	return got
}

// QueueFile queues a file attachment (app message type 6); its bytes are served by webwxgetmedia.
func (s *Server) QueueFile(uin int64, from, name string, data []byte) string {
	s.mu.Lock()
	s.mediaSeq++
	media := fmt.Sprintf("@file_%d", s.mediaSeq)
	s.acct(uin).media[media] = data
	s.mu.Unlock()
	xml := fmt.Sprintf("<msg><appmsg appid=\"\" sdkver=\"0\"><title>%s</title><type>6</type><appattach><totallen>%d</totallen><attachid>%s</attachid></appattach></appmsg></msg>",
		html.EscapeString(name), len(data), media)
	return s.enqueue(uin, map[string]any{"MsgType": 49, "AppMsgType": 6, "FromUserName": from, "FileName": name,
		"MediaId": media, "FileSize": strconv.Itoa(len(data)), "Content": html.EscapeString(xml)})
}

// enqueueMedia reserves the next message id and stores data under it.
func (s *Server) enqueueMedia(uin int64, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.acct(uin)
	id := strconv.FormatInt(uin*1000+a.msgSeq+1, 10)
	a.media[id] = data
	return id
}

// SetManualScan(true) stops the automatic scanning of QR codes: each one then waits for Scan,
// so a test decides which phone scans which account's code.
func (s *Server) SetManualScan(manual bool) {
	s.mu.Lock()
	s.manual = manual
	s.mu.Unlock()
}

// Scan scans the QR code uuid with the phone of account uin.
func (s *Server) Scan(uuid string, uin int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.uuids[uuid]; ok {
		st.acct = s.acct(uin)
	}
}

// HoldSend makes the nth message sent from now on (1: the next one) arrive, counted in Sent, while
// its answer is withheld until release is called or the bot hangs up: WeChat took the message and
// the bot never heard so. reached is closed when that message has arrived.
func (s *Server) HoldSend(nth int) (reached <-chan struct{}, release func()) {
	h := &hold{reached: make(chan struct{}), release: make(chan struct{})}
	s.mu.Lock()
	h.at = len(s.sent) + nth
	s.hold = h
	s.mu.Unlock()
	return h.reached, sync.OnceFunc(func() { close(h.release) })
}

// Kick makes the account's next synccheck answer retcode 1101 (logged out elsewhere).
func (s *Server) Kick(uin int64) {
	s.mu.Lock()
	a := s.acct(uin)
	a.kick = true
	s.mu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// SetSyncRet makes every synccheck of the account answer retcode ret ("1205"), the one waiting
// now included; "" restores normal.
func (s *Server) SetSyncRet(uin int64, ret string) {
	s.mu.Lock()
	a := s.acct(uin)
	a.syncRet = ret
	s.mu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// SetDown makes the server hang up on every request (true) or serve again (false).
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	s.down = down
	for _, a := range s.accounts {
		select {
		case a.wake <- struct{}{}:
		default:
		}
	}
	s.mu.Unlock()
	if down {
		s.srvMu.Lock()
		s.srv.CloseClientConnections()
		s.srvMu.Unlock()
	}
}

// Count is how many requests reached an endpoint ("synccheck", "jslogin", …).
func (s *Server) Count(endpoint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests[endpoint])
}

// Total is how many requests reached the server since t.
func (s *Server) Total(since time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, ts := range s.requests {
		for _, t := range ts {
			if !t.Before(since) {
				n++
			}
		}
	}
	return n
}

// Attempts is how many requests Transport tried since t, whether or not they reached the server
// (while it has disappeared they are refused before it can count them).
func (s *Server) Attempts(since time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, t := range s.attempts {
		if !t.Before(since) {
			n++
		}
	}
	return n
}

func (s *Server) noteAttempt() {
	s.mu.Lock()
	s.attempts = append(s.attempts, time.Now())
	s.mu.Unlock()
}

// Requests returns the arrival times of requests to an endpoint.
func (s *Server) Requests(endpoint string) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.requests[endpoint]...)
}

// Sent lists what the bot sent, in order.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// Uploads lists the files the bot uploaded.
func (s *Server) Uploads() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Upload(nil), s.uploads...)
}

// Verifies lists the friend requests the bot accepted.
func (s *Server) Verifies() []Verify {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Verify(nil), s.verifies...)
}

// SetFriends replaces an account's friend list (as seen by webwxgetcontact from now on).
func (s *Server) SetFriends(uin int64, friends []Contact) {
	s.mu.Lock()
	s.acct(uin).Friends = append([]Contact(nil), friends...)
	s.mu.Unlock()
}
