package handlers

import (
	"regexp"
	"strconv"
	"strings"
)

// Coordinators type the way they talk to a colleague: "打印11月台账", "11月的统计", "上个月台账发我
// 一下", "谁还没去". CoordPhrase rewrites such a message into the form the routing table reads
// ("台账 11月", "统计 11月", "逾期"): polite or request words at either end are dropped, and a
// period said before the command word moves after it. It is tried only on a coordinator's message
// that no command took, so a command typed the usual way never changes.

// coordLeads are request words a coordinator puts before the command ("打印台账", "帮我导出").
var coordLeads = []string{"麻烦帮我", "帮我", "给我", "麻烦", "请", "打印一下", "打印", "下载一下", "下载", "发一下", "发我", "我要", "要",
	"看一下", "看看", "查看", "查一下", "查询", "查查", "查", "把"}

// coordTails are request words after it ("上个月台账发我一下", "看看逾期的").
var coordTails = []string{"开会要用", "开会用", "开会", "汇报要用", "汇报用", "发我一下", "发给我", "发一下", "发我", "给我", "看一下", "看看", "谢谢", "吧", "呢", "一下", "的"}

// overdueAsks are the ways of asking who has not visited: 逾期.
var overdueAsks = []string{"谁还没去", "谁没去", "谁还没走访", "谁没走访", "谁还没联系", "谁没联系", "哪些还没去", "哪些没去", "哪些户没去", "谁没走到",
	"没人去", "没人走访", "没人联系"}

// periodWords are the words of the commands that take a period (统计 导出 台账 统计图 排名), and
// how a coordinator asks for the statistics in other words ("这个月走访情况"), each with the command
// it is; longest first so 统计图 is not read as 统计.
var periodWords = []struct{ said, cmd string }{
	{"民情台账", "民情台账"}, {"走访了多少户", "统计"}, {"走访了几户", "统计"}, {"走访情况", "统计"}, {"工作情况", "统计"}, {"统计图", "统计图"},
	{"台账", "台账"}, {"导出", "导出"}, {"统计", "统计"}, {"排名", "排名"},
}

// weekWords are weeks, which no report is counted by: "本周走访情况" is still 统计, and its answer
// says which periods there are instead of "not understood".
var weekWords = []string{"本周", "这周", "这一周", "上周", "上一周", "本星期", "这星期", "这个星期", "上个星期",
	"这礼拜", "这个礼拜", "上礼拜", "上个礼拜", "近一周", "最近一周"}

// leaveSaid is a cadre's leave told in a sentence: the name, 请假, then the dates and the reason.
var leaveSaid = regexp.MustCompile(`^(\p{Han}{2,4}?)\s*(?:要|已经|)请假(.*)$`)

// leaveEndSaid is a cadre back from leave told in a sentence: "陈建国销假了", "陈建国回来上班了".
var leaveEndSaid = regexp.MustCompile(`^(\p{Han}{2,4}?)\s*(?:已经)?(?:销假|提前销假|回来上班|结束请假)(?:了)?$`)

// relaySaid is a relay told in a sentence: "把陈建国的户交给李明", "陈建国的结对户都转给曾志强"; the two
// cadres are read as 接力 reads them (names or person codes of the caller's units).
var relaySaid = regexp.MustCompile(`^把?(\p{Han}{2,4}?|[A-Za-z]+\d+)(?:的)?(?:结对户|帮扶户|户|亲戚|结对)?(?:都|全部|全都)?(?:交给|转给|移交给|交接给|转交给)(\p{Han}{2,4}|[A-Za-z]+\d+)(?:了)?$`)

// nudgeFillers are the only tails cut from a reminder said in a sentence: its other words are the
// coordinator's own and go to the cadre as said ("让他明天来开会" keeps 开会, "把台账交一下" 一下).
var nudgeFillers = []string{"谢谢", "吧", "呢", "啊", "哈"}

// withoutLeads is a message without the request words before it (coordLeads) and the fillers
// after it (nudgeFillers).
func withoutLeads(text string) string {
	t := trimSeps(text)
	for w := prefixOf(t, coordLeads); w != "" && len(w) < len(t); w = prefixOf(t, coordLeads) {
		t = trimSeps(t[len(w):])
	}
	for w := suffixOf(t, nudgeFillers); w != "" && len(w) < len(t); w = suffixOf(t, nudgeFillers) {
		t = trimSeps(t[:len(t)-len(w)])
	}
	return t
}

// IsWeek tells whether a period command's words name a week.
func IsWeek(words string) bool {
	for _, w := range weekWords {
		if words == w {
			return true
		}
	}
	return false
}

// CoordPhrase returns the message in command form, and whether it changed. isPeriod tells whether
// words are a period the commands accept (report.ParsePeriod).
func CoordPhrase(text string, isPeriod func(string) bool) (string, bool) {
	t := trimSeps(text)
	for changed := true; changed; {
		changed = false
		if w := prefixOf(t, coordLeads); w != "" && len(w) < len(t) {
			t, changed = trimSeps(t[len(w):]), true
		}
		if w := suffixOf(t, coordTails); w != "" && len(w) < len(t) {
			t, changed = trimSeps(t[:len(t)-len(w)]), true
		}
	}
	if strings.Contains(text, "逾期") && containsAnyOf(asciiLower(text), overdueFileWords) { // "打印逾期名单"
		return "逾期 全部", true
	}
	if containsAnyOf(t, overdueAsks) {
		return "逾期", true
	}
	if m := leaveEndSaid.FindStringSubmatch(t); m != nil {
		return "销假 " + m[1], true
	}
	if m := leaveSaid.FindStringSubmatch(t); m != nil { // "陈建国请假了 12月10号到20号"
		rest := trimSeps(strings.TrimPrefix(m[2], "了"))
		return strings.TrimSpace("请假 " + m[1] + " " + rest), true // without dates 请假 asks for them
	}
	if m := relaySaid.FindStringSubmatch(t); m != nil && m[1] != m[2] {
		return "接力 " + m[1] + " " + m[2], true
	}
	if n := nudgePhrase(t); n != "" { // "提醒一下陈建国", "给陈建国发个消息 让他抓紧"
		if said := nudgePhrase(withoutLeads(text)); said != "" { // the words as said: "…来开会", "…交一下"
			n = said
		}
		return n, true
	}
	if name, ok := cadreAsked(t, isPeriod); ok {
		return "查干部 " + name, true
	}
	for _, w := range periodWords {
		at := strings.Index(t, w.said)
		if at < 0 {
			continue
		}
		period := strings.TrimSuffix(trimSeps(t[:at]), "的")
		rest := trimSeps(t[at+len(w.said):])
		switch {
		case period == "" && w.said != w.cmd && rest == "":
			return w.cmd, true
		case period == "":
			return t, t != trimSeps(text)
		case (isPeriod(period) || IsWeek(period)) && rest == "":
			return w.cmd + " " + period, true
		}
		return "", false
	}
	return t, t != trimSeps(text) // "看看逾期的": the command once the request words are gone
}

// PeriodArg is the period in what follows a period command, without the words a coordinator adds
// after it: "12月的台账" and "上个月的" are 12月 and 上个月; a command word alone ("导出台账", "台账
// 导出") or the words alone ("台账 开会用") name no period, so it is "".
func PeriodArg(args string) string {
	t := trimSeps(args)
	for changed := true; changed; {
		changed = false
		if w := suffixOf(t, coordTails); w != "" { // "台账 开会用": this month's
			t, changed = trimSeps(t[:len(t)-len(w)]), true
		}
		for _, w := range periodWords {
			if strings.HasSuffix(t, w.said) {
				t, changed = trimSeps(t[:len(t)-len(w.said)]), true
			}
			if strings.HasPrefix(t, w.said) { // "导出台账 11月": the args are "台账 11月"
				t, changed = trimSeps(t[len(w.said):]), true
			}
		}
	}
	return t
}

// resolvedSaid is a cadre saying a request is done in their own words: "1号办好了 水管修好了",
// "诉求3已经解决了". ResolvePhrase makes it "办结 1 水管修好了"; without words of what was done it is
// "办结 1", which asks for them, as the household is told the result. "3号办好了低保" may also be a
// day of the month, so a number said without 诉求 or # is not explicit: the router then takes it
// only when the caller has that request in hand (open and assigned to them).
var resolvedSaid = regexp.MustCompile(`^(?:诉求)?[#＃]?(\d{1,9})\s*号?\s*(?:诉求)?\s*(?:已经|已)?(?:办好了|办好|办完了|办完|办结了|解决了|解决好了|搞定了|弄好了)[\s，,。.！!]*(.*)$`)

// ResolvePhrase returns the message as 办结, the request's number, whether it was one, and
// whether it named a request beyond doubt (诉求 or #).
func ResolvePhrase(text string) (cmd string, id int64, ok, explicit bool) {
	return requestPhrase(resolvedSaid, "办结", text)
}

// requestPhrase reads text with re, whose first group is the request's number and whose optional
// second group is the words that go after it (办结's result); explicit is whether 诉求 or # came
// before those words.
func requestPhrase(re *regexp.Regexp, cmd, text string) (string, int64, bool, bool) {
	t := trimSeps(text)
	m := re.FindStringSubmatch(t)
	if m == nil {
		return "", 0, false, false
	}
	rest := ""
	if len(m) > 2 {
		rest = m[2]
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	explicit := strings.Contains(t[:len(t)-len(rest)], "诉求") || strings.ContainsAny(text, "#＃")
	return strings.TrimSpace(cmd + " " + m[1] + " " + rest), id, id > 0, explicit
}

// acceptedSaid is a cadre saying they have taken a request on: "2号受理了", "诉求2 已受理", "#2受理".
// As with resolvedSaid, a number said without 诉求 or # counts only for a request in hand.
var acceptedSaid = regexp.MustCompile(`^(?:诉求)?[#＃]?(\d{1,9})\s*号?\s*(?:诉求)?\s*(?:我)?(?:已经|已)?(?:受理了|受理|接下了)[\s，,。.！!]*$`)

// AcceptPhrase returns the message as 受理, the request's number, whether it was one, and whether
// it named a request beyond doubt (诉求 or #).
func AcceptPhrase(text string) (cmd string, id int64, ok, explicit bool) {
	return requestPhrase(acceptedSaid, "受理", text)
}
