package handlers_test

import (
	"testing"
	"time"
	"unicode/utf8"

	"qinqi/handlers"
	"qinqi/internal/report"
)

func TestCoordPhrase(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	isPeriod := func(s string) bool { _, err := report.ParsePeriod(s, now); return err == nil }
	cases := []struct{ name, in, want string }{
		{"print the ledger", "打印台账", "台账"},
		{"month before the ledger", "11月台账", "台账 11月"},
		{"month with 的 before the stats", "11月的统计", "统计 11月"},
		{"last month, sent to me", "上个月台账发我一下", "台账 上个月"},
		{"print with a month", "打印一下11月的民情台账", "民情台账 11月"},
		{"chart is not stats", "本月统计图", "统计图 本月"},
		{"quarter ranking", "2026Q4排名", "排名 2026Q4"},
		{"please export", "请导出11月", "导出11月"},
		{"who has not gone", "谁还没去？", "逾期"},
		{"which households not visited", "哪些户没去啊", "逾期"},
		{"not a period before the word", "陈建国的台账", ""},
		{"words after the command word", "11月台账里王春发那条错了", ""},
		{"a command typed the usual way needs nothing", "统计 11月", ""},
		{"nothing of the kind", "陈建国的电话是多少", ""},
		{"has a cadre been visiting", "陈建国最近去了吗", "查干部 陈建国"},
		{"has a cadre been visiting this month", "陈建国这个月走访了没有？", "查干部 陈建国"},
		{"everyone this month is no cadre", "这个月去了没有", ""},
		{"a cadre said with a latin code is no name", "P01走访了吗", ""},
		{"a request word alone", "请", ""},
		{"overdue asked with 的", "看看逾期的", "逾期"},
		{"print the overdue list", "打印逾期名单", "逾期 全部"},
		{"remind a cadre", "提醒一下陈建国", "提醒干部 陈建国"},
		{"a message for a cadre", "帮我给陈建国发个消息，让他抓紧", "提醒干部 陈建国 让他抓紧"},
		{"urge a cadre, glued", "督促陈建国抓紧走访", "提醒干部 陈建国抓紧走访"},
		{"the overdue list exported", "把逾期的都导出来", "逾期 全部"},
		{"the visits of this month", "这个月走访情况", "统计 这个月"},
		{"the work of last month", "上个月的工作情况", "统计 上个月"},
		{"the visits, no period", "走访情况", "统计"},
		{"a week is still 统计, answered there", "本周走访情况", "统计 本周"},
		{"how many visited this month", "这个月走访了多少户", "统计 这个月"},
		{"how many visited this week", "这周走访了几户", "统计 这周"},
		{"stats with 的 after the month", "统计12月的", "统计12月"},
		{"a name with 的 is no command", "陈建国的", "陈建国"},
		{"a leave told in a sentence", "陈建国请假了 12月10号到20号", "请假 陈建国 12月10号到20号"},
		{"a leave to come, with a reason", "陈建国要请假，12-10到12-20 住院", "请假 陈建国 12-10到12-20 住院"},
		{"a leave without dates is still 请假, which asks for them", "陈建国请假了", "请假 陈建国"},
		{"back from leave told in a sentence", "陈建国销假了", "销假 陈建国"},
		{"back at work", "陈建国回来上班了", "销假 陈建国"},
		{"ending a leave is not a new leave", "陈建国结束请假", "销假 陈建国"},
		{"the coordinator's own leave names nobody", "我请假了", ""},
		{"the ledger sent to me", "把台账发给我", "台账"},
		{"download the ledger", "下载台账", "台账"},
		{"last month's ledger, send it", "上个月的台账发我", "台账 上个月"},
		{"last month's ledger for a meeting", "上个月的台账 开会用", "台账 上个月"},
		{"November's ledger for a meeting", "11月台账 开会要用", "台账 11月"},
		{"households nobody went to", "哪些户没人去过", "逾期"},
		{"a leave with a space before 请假", "陈建国 请假 12.8-12.10", "请假 陈建国 12.8-12.10"},
		{"a relay told in a sentence", "把陈建国的户交给李明", "接力 陈建国 李明"},
		{"a relay of the paired households", "陈建国的结对户都转给曾志强", "接力 陈建国 曾志强"},
		{"a relay by codes", "把P001的户交给P003", "接力 P001 P003"},
		{"a relay to oneself is none", "把陈建国的户交给陈建国", "陈建国的户交给陈建国"},
		{"how is a cadre doing", "曾志强怎么样", "查干部 曾志强"},
		{"how is a cadre doing now", "陈建国怎么样了", "查干部 陈建国"},
		{"how is today is no cadre", "今天怎么样", ""},
		{"a cadre's households", "陈建国的户", "查干部 陈建国"},
		{"how often a cadre went", "陈建国这个月走访了几次", "查干部 陈建国"},
		{"how many this month is no cadre", "这个月走访了几户", "统计 这个月"},
		{"查 strips to the name", "查 陈建国", "陈建国"},
		{"查询 is not 查 and 询", "查询统计", "统计"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, changed := handlers.CoordPhrase(tc.in, isPeriod)
			if tc.want == "" && changed || tc.want != "" && got != tc.want {
				t.Fatalf("CoordPhrase(%q) = %q %v, want %q", tc.in, got, changed, tc.want)
			}
		})
	}
}

func TestPeriodArg(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"the ledger after the month", "12月的台账", "12月"},
		{"的 after the month", "上个月的", "上个月"},
		{"thanks after the quarter", "2026Q4 谢谢", "2026Q4"},
		{"the stats word after the year", "2026年统计", "2026年"},
		{"a period alone", "11月", "11月"},
		{"the word alone is no period", "台账", ""},
		{"another command word is none either", "导出", ""},
		{"what it is for alone is no period", "开会用", ""},
		{"the ledger for a meeting", "台账 11月 开会", "11月"},
		{"empty", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := handlers.PeriodArg(tc.in); got != tc.want {
				t.Fatalf("PeriodArg(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// A coordinator's phrasing reaches the command: "打印11月台账" is the ledger of November, "谁还没去"
// the overdue list; a cadre's same words are not a coordinator's command.
func TestCoordinatorPhrasing(t *testing.T) {
	h := newCoordHarness(t)
	rs := h.replies(CoordLi, "打印11月台账")
	if len(rs) != 2 || rs[1].FileName != "民情台账-2026-11.xlsx" {
		t.Fatalf("replies = %+v, want the November ledger", rs)
	}
	wantContains(t, h.send(CoordLi, "11月的统计"), "2026年11月")
	wantContains(t, h.send(CoordLi, "谁还没去"), "逾期")
	wantContains(t, h.send(CoordLi, "看看逾期的"), "逾期")
	wantContains(t, h.send(CoordLi, "上个月走访情况"), "2026年10月")
	wantContains(t, h.send(CoordLi, "统计 上个月的"), "2026年10月")
	for _, week := range []string{"本周走访情况", "统计 上周", "导出 这个星期的", "这周走访了多少户"} {
		wantContains(t, h.send(CoordLi, week), "按月、季度或年算，没有按周", "统计 11月", "逾期")
	}
	rs = h.replies(CoordLi, "导出 11月的台账")
	if len(rs) != 2 || rs[1].FileName != "民情台账-2026-11.xlsx" {
		t.Fatalf("replies = %+v, want the November ledger", rs)
	}
	for _, said := range []string{"导出台账", "台账导出", "把台账发给我", "下载台账"} {
		rs = h.replies(CoordLi, said)
		if len(rs) != 2 || rs[1].FileName != "民情台账-2026-11.xlsx" {
			t.Fatalf("%s: replies = %+v, want this month's ledger", said, rs)
		}
	}
	wantContains(t, h.send(CoordLi, "张伟请假了 12月8号到20号 住院"), "已记录 张伟 请假 12月8日–12月20日")
	wantContains(t, h.send(CoordLi, "张伟请假了"), "请这样写：请假")
	wantContains(t, h.send(CadreZhang, "打印台账"), "没看懂")
}

// FuzzCoordPhrase: any text gives a rewrite that is valid UTF-8 and not empty when it changed, and
// a rewrite is read the same way again (it is already in command form).
func FuzzCoordPhrase(f *testing.F) {
	for _, s := range []string{"打印11月台账", "上个月台账发我一下", "谁还没去", "请", "11月的统计", "发我", "台账台账"} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	isPeriod := func(s string) bool { _, err := report.ParsePeriod(s, now); return err == nil }
	f.Fuzz(func(t *testing.T, in string) {
		got, changed := handlers.CoordPhrase(in, isPeriod)
		if !changed {
			return
		}
		if got == "" || !utf8.ValidString(got) && utf8.ValidString(in) {
			t.Fatalf("CoordPhrase(%q) = %q", in, got)
		}
		if again, changed := handlers.CoordPhrase(got, isPeriod); changed && again != got {
			t.Fatalf("CoordPhrase(%q) = %q, then %q", in, got, again)
		}
	})
}

func TestResolvePhrase(t *testing.T) {
	cases := []struct {
		name, in, want string
		explicit       bool
	}{
		{"number and done, with the result", "1号办好了 水管修好了", "办结 1 水管修好了", false},
		{"request word first", "诉求3已经解决了，低保批下来了", "办结 3 低保批下来了", true},
		{"request word after the number", "2号诉求办完了", "办结 2", true},
		{"hash", "#12 搞定了", "办结 12", true},
		{"done without a result", "1号办好了", "办结 1", false},
		{"a report is not a resolution", "走访 1 办好了医保", "", false},
		{"no number", "办好了", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, _, ok, explicit := handlers.ResolvePhrase(tc.in)
			if got != tc.want || ok != (tc.want != "") || explicit != tc.explicit {
				t.Fatalf("ResolvePhrase(%q) = %q %v %v, want %q explicit %v", tc.in, got, ok, explicit, tc.want, tc.explicit)
			}
		})
	}
}

func TestAcceptPhrase(t *testing.T) {
	cases := []struct {
		name, in, want string
		explicit       bool
	}{
		{"number and accepted", "2号受理了", "受理 2", false},
		{"request word first", "诉求2 已受理", "受理 2", true},
		{"hash", "#12受理", "受理 12", true},
		{"taken on", "3号我接下了", "受理 3", false},
		{"more words are not an acceptance", "2号受理了 明天去看", "", false},
		{"no number", "受理了", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, _, ok, explicit := handlers.AcceptPhrase(tc.in)
			if got != tc.want || ok != (tc.want != "") || explicit != tc.explicit {
				t.Fatalf("AcceptPhrase(%q) = %q %v %v, want %q explicit %v", tc.in, got, ok, explicit, tc.want, tc.explicit)
			}
		})
	}
}
