package handlers

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"unicode"
	"unicode/utf8"

	"qinqi/bot"
	"qinqi/internal/domain"
	"qinqi/store"
)

// Caller is one inbound message with its resolved sender, as every command sees it.
type Caller struct {
	In     bot.Inbound
	Person store.Person
	Text   string   // normalised message text
	Args   string   // the text after the command keyword
	Word   string   // the keyword that matched
	Before []string // said before the command's own replies: a question this message dropped
}

// ID is the sender's person id.
func (c *Caller) ID() domain.PersonID { return c.Person.ID }

// Is reports whether the sender holds role.
func (c *Caller) Is(role domain.Role) bool { return c.Person.Roles.Has(role) }

// cmdFunc runs one command; see errors.go for what its error means.
type cmdFunc func(ctx context.Context, c *Caller) ([]bot.Reply, error)

// route is one row of the table: the words that select a command and who may use it.
type route struct {
	id      string
	words   []string // Chinese keywords; the first is the one shown in help
	slash   string
	aliases []string // short forms and synonyms
	roles   []domain.Role
	run     cmdFunc
}

var (
	anyone      = []domain.Role{domain.RoleHousehold, domain.RoleCadre, domain.RoleCoordinator, domain.RoleAdmin}
	households  = []domain.Role{domain.RoleHousehold}
	cadres      = []domain.Role{domain.RoleCadre}
	cadresCoord = []domain.Role{domain.RoleCadre, domain.RoleCoordinator, domain.RoleAdmin}
	coordinator = []domain.Role{domain.RoleCoordinator, domain.RoleAdmin}
)

// table is the command language. The longest matching keyword wins, so "诉求列表" beats "诉求"
// wherever the rows stand; the order is the order of 帮助. Adding a command: one row here, one
// file with its func, its texts in replies.go. The func returns its replies, refuse(text) when the
// message cannot be done as sent, or the store's error wrapped with %w (see errors.go).
func (r *Router) table() []route {
	return []route{
		{id: "help", words: []string{"帮助", "怎么用", "使用说明", "怎么报", "怎么填", "不会用"}, slash: "/help", aliases: []string{"?", "help", "h"}, roles: anyone, run: r.help},
		{id: "list", words: []string{"我的亲戚", "亲戚", "我的户", "名单", "本月任务", "我的任务", "这个月任务"}, slash: "/list", roles: cadres, run: r.list},
		{id: "contact", words: []string{"联系", "电话", "打电话", "微信", "联络", "通电话"}, slash: "/contact", aliases: []string{"/call"}, roles: cadres, run: r.checkIn},
		{id: "visit", words: []string{"走访", "入户", "家访", "走动"}, slash: "/visit", roles: cadres, run: r.checkIn},
		{id: "policy", words: []string{"讲政策", "政策宣讲", "宣讲"}, slash: "/policy", roles: cadres, run: r.checkIn},
		{id: "warmth", words: []string{"送温暖", "慰问"}, slash: "/warmth", roles: cadres, run: r.checkIn},
		{id: "deed", words: []string{"办实事", "代办"}, slash: "/deed", roles: cadres, run: r.checkIn},
		{id: "undo", words: []string{"撤销", "撤回", "删除上一条"}, slash: "/undo", roles: cadres, run: r.undo},
		{id: "amend", words: []string{"补充"}, slash: "/amend", roles: cadres, run: r.amend},
		{id: "plan", words: []string{"计划", "工作计划"}, slash: "/plan", roles: cadres, run: r.plan},
		{id: "requests", words: append([]string{"诉求列表", "待办"}, statusWords...), slash: "/requests", roles: cadresCoord, run: r.requestList},
		{id: "accept", words: []string{"受理"}, slash: "/accept", roles: cadresCoord, run: r.accept},
		{id: "resolve", words: []string{"办结"}, slash: "/resolve", aliases: []string{"/done"}, roles: cadresCoord, run: r.resolve},
		{id: "transfer", words: []string{"转办"}, slash: "/transfer", roles: cadresCoord, run: r.transfer},
		{id: "request", words: []string{"诉求", "求助", "反映"}, slash: "/request", roles: households, run: r.request},
		{id: "complaint", words: []string{"投诉", "我要投诉", "我想投诉", "要投诉"}, slash: "/complain", roles: households, run: r.complaint},
		{id: "rate", words: []string{"评价", "打分"}, slash: "/rate", roles: households, run: r.rate},
		{id: "myrequests", words: statusWords, slash: "/myrequests", roles: households, run: r.myRequests},
		// a household's 撤回; below undo, so one who is both a cadre and a household keeps the undo (see match)
		{id: "withdraw", words: []string{"撤回", "撤销"}, slash: "/withdraw", roles: households, run: r.withdraw},
		{id: "mycadre", words: []string{"我的干部", "联系卡", "服务卡"}, slash: "/mycadre", roles: households, run: r.myCadre},
		{id: "menu", words: []string{"菜单", "目录"}, slash: "/menu", roles: households, run: r.menu},
		{id: "overdue", words: []string{"逾期", "逾期名单", "督办"}, slash: "/overdue", aliases: []string{"/od"}, roles: coordinator, run: r.overdue},
		{id: "stats", words: []string{"统计", "数据", "月报"}, slash: "/stats", aliases: []string{"/st"}, roles: coordinator, run: r.stats},
		{id: "ranking", words: []string{"排名", "排行", "季度排名"}, slash: "/ranking", aliases: []string{"/rank"}, roles: coordinator, run: r.ranking},
		{id: "export", words: []string{"导出", "台账", "民情台账"}, slash: "/export", aliases: []string{"/xlsx"}, roles: coordinator, run: r.export},
		{id: "chart", words: []string{"统计图", "图表", "柱状图"}, slash: "/chart", aliases: []string{"/png"}, roles: coordinator, run: r.chart},
		{id: "relay", words: []string{"接力", "交接", "接力帮扶", "移交", "转交"}, slash: "/relay", roles: coordinator, run: r.relay},
		{id: "campaigns", words: []string{"活动", "走访活动", "节日走访"}, slash: "/campaigns", aliases: []string{"/windows"}, roles: coordinator, run: r.campaigns},
		{id: "leave", words: []string{"请假", "登记请假"}, slash: "/leave", roles: coordinator, run: r.askLeave},
		{id: "askleave", words: []string{"请假", "我要请假", "我想请假"}, slash: "/leave", roles: cadres, run: r.askLeave},
		{id: "leaveend", words: []string{"销假", "提前销假", "结束请假"}, slash: "/back", roles: coordinator, run: r.askLeaveEnd},
		{id: "askleaveend", words: []string{"销假", "我要销假"}, slash: "/back", roles: cadres, run: r.askLeaveEnd},
		{id: "callbacks", words: []string{"回访清单", "回访名单"}, slash: "/callbacks", roles: coordinator, run: r.callbackList},
		{id: "callback", words: []string{"回访", "电话回访"}, slash: "/callback", roles: coordinator, run: r.callback},
		{id: "verify", words: []string{"核实", "核实异议"}, slash: "/verify", roles: coordinator, run: r.verify},
		{id: "bindcode", words: []string{"绑定码", "生成绑定码"}, slash: "/bindcode", aliases: []string{"/code"}, roles: coordinator, run: r.bindCode},
		{id: "cadrecard", words: []string{"查干部"}, slash: "/cadre", roles: coordinator, run: r.cadreHouseholds},
		{id: "nudge", words: []string{"提醒干部", "督促干部"}, slash: "/nudge", roles: coordinator, run: r.nudge},
	}
}

// interceptor looks at a message before the command table (pending answers, spot-check replies).
// handled is false when the message is not for it; replies and err follow the commands' convention.
type interceptor func(ctx context.Context, c *Caller) (out []bot.Reply, handled bool, err error)

// interceptors run in order before the table: a pending numbered question first, then the
// household's answers. The answer to a visit confirmation or call-back question
// (handlers/confirm.go) goes right after dialogAnswer, before householdDigit, so "1" after such a
// question is not a menu choice or a rating; whichever question was asked last gets the digit.
func (r *Router) interceptors() []interceptor {
	return []interceptor{r.dialogAnswer, r.householdAnswer, r.householdDigit}
}

// Handle implements bot.Handler and is the one place where errors become replies: a refusal
// (*UserError) is answered with its text; any other error is logged and returned, and the inbox
// keeps the message to handle it again. It never panics on user input.
func (r *Router) Handle(ctx context.Context, in bot.Inbound) ([]bot.Reply, error) {
	out, err := r.handle(ctx, in)
	if err == nil {
		return out, nil
	}
	if ue, ok := asUserError(err); ok {
		return say(ue.Text), nil
	}
	r.log.WarnContext(ctx, "message not handled, kept for a retry", "inbox_id", in.InboxID, "person_id", in.PersonID, "error", err)
	return nil, fmt.Errorf("handlers: %w", err)
}

func (r *Router) handle(ctx context.Context, in bot.Inbound) ([]bot.Reply, error) {
	c := &Caller{In: in, Text: Normalize(r.fold, in.Text)}
	if in.PersonID == 0 {
		return nil, refuse(replyUnbound)
	}
	p, err := r.store.PersonByID(ctx, domain.PersonID(in.PersonID))
	if errors.Is(err, store.ErrNotFound) {
		return nil, refuse(replyUnbound)
	}
	if err != nil {
		return nil, fmt.Errorf("load sender: %w", err)
	}
	c.Person = p
	for _, pre := range r.pre {
		if out, handled, err := pre(ctx, c); handled || err != nil {
			return out, err
		}
	}
	switch in.Kind { // a question the message dropped (c.Before) is said first whatever its kind
	case bot.KindLocation, bot.KindImage:
		out, err := r.media(ctx, c)
		return withBefore(c, out, err)
	case bot.KindVoice:
		out, err := r.voice(ctx, c)
		return withBefore(c, out, err)
	case bot.KindText, "":
	default:
		return withBefore(c, nil, refuse(replyUnsupported(r.roleOf(c), r.now())))
	}
	out, err := r.dispatch(ctx, c)
	return withBefore(c, out, err)
}

// withBefore puts c.Before ahead of what the command said, refusals included, as a message of its
// own: the command's own answer stays word for word what it always is (a question asked again and
// again is the same text, which the outbox's repeat guard must let through).
func withBefore(c *Caller, out []bot.Reply, err error) ([]bot.Reply, error) {
	if len(c.Before) == 0 {
		return out, err
	}
	if ue, ok := asUserError(err); ok {
		out, err = say(ue.Text), nil
	}
	if err != nil {
		return nil, err
	}
	return append(say(c.Before...), out...), nil
}

// dispatch finds the command by its keyword and checks the role before anything runs.
func (r *Router) dispatch(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	rt, word, ok := r.match(c.Text, c.Person.Roles)
	if !ok || !allowed(c.Person.Roles, rt.roles) { // a cadre's "诉求3已经解决了" starts with a household's word
		if rt2, word2, ok2 := r.rephrase(ctx, c); ok2 {
			rt, word, ok = rt2, word2, true
		}
	}
	if !ok {
		return r.unrouted(ctx, c)
	}
	if !allowed(c.Person.Roles, rt.roles) {
		// a household's "电话多少" or "补充一下…" starts with a cadre's word but is their own
		// sentence; "走访 1" or "诉求列表" is a command, and told whose it is
		if next, _ := utf8.DecodeRuneInString(c.Text[len(word):]); unicode.Is(unicode.Han, next) {
			if out, handled, err := r.householdFreeText(ctx, c); handled || err != nil {
				return out, err
			}
		}
		return nil, refuse(replyWrongRole(word, r.roleOf(c)))
	}
	c.Word = word
	c.Args = trimSeps(c.Text[len(word):])
	r.log.DebugContext(ctx, "command", "cmd", rt.id, "person_id", c.Person.ID)
	out, err := rt.run(ctx, c)
	if failed(err) {
		return nil, fmt.Errorf("%s: %w", rt.id, err)
	}
	return out, err
}

// rephrase reads a message no keyword starts the way its sender talks, and puts it in command form
// when it is one: a coordinator's "打印11月台账" or "谁还没去", a cadre's "1号办好了 水管修好了" or
// "2号受理了".
func (r *Router) rephrase(ctx context.Context, c *Caller) (route, string, bool) {
	if c.Is(domain.RoleCoordinator) || c.Is(domain.RoleAdmin) {
		t, changed := CoordPhrase(c.Text, r.isPeriod)
		if changed {
			if rt, word, ok := r.match(t, c.Person.Roles); ok {
				c.Text = t
				return rt, word, true
			}
		}
		if r.namesCadreInScope(ctx, c, t) { // "陈建国", "查 陈建国": that cadre's households
			c.Text = "查干部 " + t
			return r.match(c.Text, c.Person.Roles)
		}
	}
	if allowed(c.Person.Roles, cadresCoord) {
		for _, phrase := range []func(string) (string, int64, bool, bool){ResolvePhrase, AcceptPhrase} {
			if t, id, said, explicit := phrase(c.Text); said && (explicit || r.inHand(ctx, c, id)) {
				c.Text = t
				return r.match(t, c.Person.Roles)
			}
		}
	}
	return route{}, "", false
}

// namesCadreInScope: t is nothing but the name of a cadre of the caller's units (2 to 4 Han
// characters; a household's or a stranger's name is not one).
func (r *Router) namesCadreInScope(ctx context.Context, c *Caller, t string) bool {
	if n := utf8.RuneCountInString(t); n < 2 || n > 4 || strings.ContainsFunc(t, func(r rune) bool { return !unicode.Is(unicode.Han, r) }) {
		return false
	}
	sc, err := r.scopeOf(ctx, c)
	if err != nil {
		return false
	}
	hits, err := r.cadresNamed(ctx, sc, t)
	if err != nil {
		r.log.WarnContext(ctx, "cadre by name", "error", err)
	}
	return len(hits) > 0
}

// unrouted answers a message that is no command: a cadre's report without a keyword or question
// about their households, a household's sentence, or "not understood".
func (r *Router) unrouted(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	if c.Is(domain.RoleCadre) {
		if asksList(c.Text) { // "哪些户还没去", "这个月还要去哪几家": a question, not a report
			return r.list(ctx, c)
		}
		if prefixOf(c.Text, pieceStarts) != "" { // "还给了慰问金300元" right after a report: more of it
			if out, handled, err := r.continuation(ctx, c); handled || err != nil {
				return out, err
			}
		}
		if _, _, found := cutKindKeyword(c.Text, keywordScanRunes); found || mayGoTo(c.Text, keywordScanRunes) {
			return r.checkIn(ctx, c) // voice-to-text: "今天上午走访了王春发…", "昨天去了王春发家"
		}
		if out, handled, err := r.continuation(ctx, c); handled || err != nil { // "送了两袋米" after "走访王春发"
			return out, err
		}
		if mayGive(c.Text, keywordScanRunes) { // "王春发 送了500元": the household first, the giving after
			return r.checkIn(ctx, c)
		}
		if strings.Contains(c.Text, "销假") { // "我回来了 销假": passed on to the coordinators
			return r.askLeaveEnd(ctx, c)
		}
		if strings.Contains(c.Text, "请假") { // "我今天不舒服 请假": passed on to the coordinators
			return r.askLeave(ctx, c)
		}
		if matter, pleasant := MatterOf(c.Text); pleasant && !matter && !c.Is(domain.RoleHousehold) {
			return say(replyCadreGreet), nil
		}
	}
	if out, handled, err := r.householdFreeText(ctx, c); handled || err != nil {
		return out, err
	}
	if strings.Contains(c.Text, "打卡") { // there is no punch-clock, and saying so beats 没看懂
		if r.roleOf(c) == domain.RoleCadre {
			return say(replyNoPunchCadre), nil
		}
		if r.roleOf(c) != domain.RoleHousehold {
			return say(replyNoPunchCoord), nil
		}
	}
	return nil, refuse(replyUnknown(r.roleOf(c), r.now()))
}

// match returns the row with the longest keyword that starts the text; where rows share a keyword
// ("我的诉求": a cadre's list, a household's own requests), the first row roles may use. Slash
// commands match case-insensitively and must end at a non-letter ("/visit2" yes, "/visitor" no).
func (r *Router) match(text string, roles domain.Roles) (route, string, bool) {
	lower := asciiLower(text)
	var best route
	bestWord := ""
	for _, rt := range r.routes {
		for w := range rt.keywords() {
			if !strings.HasPrefix(lower, w) || len(w) < len(bestWord) ||
				len(w) == len(bestWord) && (allowed(roles, best.roles) || !allowed(roles, rt.roles)) {
				continue
			}
			if next, _ := utf8.DecodeRuneInString(lower[len(w):]); isASCIIWord(w) && next < utf8.RuneSelf && isDigitOrASCIILetter(next) && !(next >= '0' && next <= '9') {
				continue
			}
			best, bestWord = rt, text[:len(w)]
		}
	}
	return best, bestWord, bestWord != ""
}

// keywords yields the row's words, its slash command and its aliases, in that order. An iterator,
// not a list: match looks at every row for every message, and a list built per row was about 40
// allocations a message.
func (rt route) keywords() iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, w := range rt.words {
			if !yield(w) {
				return
			}
		}
		if rt.slash != "" && !yield(rt.slash) {
			return
		}
		for _, w := range rt.aliases {
			if !yield(w) {
				return
			}
		}
	}
}

func isASCIIWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func allowed(have domain.Roles, want []domain.Role) bool {
	for _, w := range want {
		if have.Has(w) {
			return true
		}
	}
	return false
}

// roleOf picks the role whose help a person sees: the most capable one they hold.
func (r *Router) roleOf(c *Caller) domain.Role {
	for _, role := range []domain.Role{domain.RoleAdmin, domain.RoleCoordinator, domain.RoleCadre, domain.RoleHousehold} {
		if c.Is(role) {
			return role
		}
	}
	return domain.RoleHousehold
}

// commandsFor lists the rows a role may use, in table order (for 帮助).
func (r *Router) commandsFor(roles domain.Roles) []route {
	var out []route
	for _, rt := range r.routes {
		if rt.id != "help" && allowed(roles, rt.roles) {
			out = append(out, rt)
		}
	}
	return out
}

// asked marks replies as a follow-up question to the sender (counted by the burden meter).
func asked(rs []bot.Reply) []bot.Reply {
	for i := range rs {
		rs[i].Question = true
	}
	return rs
}

func say(lines ...string) []bot.Reply {
	return []bot.Reply{{Text: strings.Join(lines, "\n"), Urgent: true}}
}
