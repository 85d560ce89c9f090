package handlers_test

import (
	"strings"
	"testing"

	"qinqi/bot"
	"qinqi/handlers"
	"qinqi/internal/clock"
)

func TestRouterHelpShowsOnlyTheCallersCommands(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		name, from, in string
		want, not      []string
	}{
		{"cadre", CadreZhang, "帮助", []string{"干部可用的命令", "走访 王春发", "撤销", "诉求列表"}, []string{"评价 5", "我的干部", "导出"}},
		{"household by slash", HeadWang, "/help", []string{"您可以这样用", "诉求 就医", "评价 5", "我的干部", "回复数字就行，2小时内都算数", "直接说“来过了”“没来”"}, []string{"走访", "撤销", "受理"}},
		{"coordinator by question mark", CoordLi, "?", []string{"受理 12", "诉求列表"}, []string{"走访 王春发", "评价 5"}},
		{"traditional help", HeadWang, "幫助", []string{"我的干部"}, []string{"走访"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := h.send(tc.from, tc.in)
			wantContains(t, got, tc.want...)
			wantNot(t, got, tc.not...)
		})
	}
}

func TestRouterUnknownUnboundAndWrongRole(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		name, from, in string
		want           []string
	}{
		{"unknown from a cadre gets a cadre example", CadreZhang, "今天好冷", []string{"没看懂", "走访 王春发 送米20斤"}},
		{"a cadre's 打卡 is told there is none", CadreZhang, "今天要打卡吗", []string{"不用打卡", "走访 王春发 送米20斤"}},
		{"a coordinator's 打卡 is told there is none", CoordLi, "谁打卡了", []string{"不设打卡", "统计", "逾期"}},
		{"a greeting from a cadre is greeted back", CadreZhang, "在吗", []string{"您好", "走访 王春发 送米20斤"}},
		{"unknown from a household gets a household example", HeadWang, "吃了吗", []string{"诉求 就医", "菜单"}},
		{"unknown from a coordinator names this month", CoordLi, "在吗", []string{"没看懂", "统计 11月"}},
		{"unbound sender is asked to bind", Unbound, "走访 1", []string{"请先绑定", "绑定 六位数字"}},
		{"household cannot list requests", HeadWang, "诉求列表", []string{"“诉求列表”不是您这个身份能用的命令"}},
		{"a household's sentence may start with a cadre's word", HeadWang, "电话多少", []string{"【联系卡】张伟"}},
		{"a household's report-shaped command is told whose it is", HeadWang, "走访 1 送米", []string{"“走访”不是您这个身份能用的命令"}},
		{"cadre cannot rate", CadreZhang, "评价 5", []string{"不是您这个身份能用的命令", "走访"}},
		{"cadre cannot file a household request", CadreZhang, "诉求 就医 看病", []string{"不是您这个身份能用的命令"}},
		{"slash prefix of a longer word is not the command", CadreZhang, "/visitor", []string{"没看懂"}},
		{"the demo clock's line is an ordinary message in chat", CadreZhang, "# advance 3d", []string{"没看懂", "走访 王春发 送米20斤"}},
		{"file messages get a hint", CadreZhang, "", []string{"这种消息我还处理不了"}},
		{"a coordinator's file message gets this month's example", CoordLi, "", []string{"这种消息我还处理不了", "统计 11月"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			if tc.in == "" {
				got = h.msg(tc.from, bot.Message{Kind: bot.KindFile, MediaRef: "a.pdf"})
			} else {
				got = h.send(tc.from, tc.in)
			}
			wantContains(t, got, tc.want...)
		})
	}
	if n := len(h.checkIns(CadreZhang)); n != 0 {
		t.Fatalf("no command above may write a check-in, have %d", n)
	}
}

func TestRouterNormalisesWhatPhonesSend(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"group mention with U+2005", "@亲戚助手\u2005走访 1 送米20斤", "走访｜王春发"},
		{"full-width slash and digits", "／ｖｉｓｉｔ　１　送米２０斤", "走访｜王春发"},
		{"traditional keyword", "聯繫 1 問了春耕", "联系｜王春发"},
		{"upper-case slash", "/CALL 1 问春耕", "联系｜王春发"},
		{"zero-width space inside", "走访\u200b 1 送米20斤", "走访｜王春发"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			wantContains(t, h.send(CadreZhang, tc.in), "已记录", tc.want)
			if n := len(h.checkIns(CadreZhang)); n != 1 {
				t.Fatalf("have %d check-ins, want 1", n)
			}
		})
	}
}

func TestRouterWithKVDown(t *testing.T) {
	h := newHarnessWith(t, func(*clock.Fake) handlers.Dialogs { return downDialogs{} })
	t.Run("a complete report still works", func(t *testing.T) {
		wantContains(t, h.send(CadreZhang, "走访 1 送米20斤"), "已记录", "走访｜王春发")
	})
	t.Run("a report that needs a question says the question cannot be kept", func(t *testing.T) {
		got := h.send(CadreZhang, "走访 王 送油2桶")
		wantContains(t, got, "1. 王春发", "2. 王秋菊", "系统暂时记不住后续问题")
	})
	t.Run("the menu still shows", func(t *testing.T) {
		wantContains(t, h.send(HeadWang, "菜单"), "1. 我的干部", "记不住后续问题")
	})
	t.Run("a cadre's number cannot answer a question that was lost", func(t *testing.T) {
		got := h.send(CadreZhang, "2")
		wantContains(t, got, "记不住刚才问的问题", "这条没有记录")
	})
	t.Run("a household's menu digit needs no state", func(t *testing.T) {
		got := h.send(HeadWang, "1")
		if strings.Contains(got, "记不住刚才") {
			t.Fatalf("household digit answered %q", got)
		}
	})
	if n := len(h.checkIns(CadreZhang)); n != 1 {
		t.Fatalf("have %d check-ins, want 1", n)
	}
}
