package handlers_test

import (
	"context"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

func TestCheckInReports(t *testing.T) {
	cases := []struct {
		name    string
		from    string
		in      string
		reply   []string
		not     []string // words the reply must not hold
		written int      // check-ins stored for 张伟 afterwards
		kind    domain.CheckInKind
		hh      string
		items   string
		fen     int64
		text    string
		day     string
	}{
		{name: "visit by name with goods money and text", from: CadreZhang, in: "走访 王春发 送化肥3包 现金500元 帮他定了蔬菜和生猪计划",
			reply:   []string{"已记录", "走访｜王春发｜今天", "化肥×3包", "500元", "帮他定了蔬菜和生猪计划", "撤销"},
			written: 1, kind: domain.KindVisit, hh: HHWang, items: "化肥×3包", fen: 50000, text: "帮他定了蔬菜和生猪计划", day: "2026-11-23"},
		{name: "yesterday's call by list number", from: CadreZhang, in: "电话 3 昨天 问了孩子上学的事",
			reply: []string{"联系｜李秀英｜昨天｜电话", "问了孩子上学的事"}, written: 1, kind: domain.KindContact, hh: HHLi, text: "问了孩子上学的事", day: "2026-11-22"},
		{name: "pinyin initials", from: CadreZhang, in: "/visit wqj 看房子漏不漏雨",
			reply: []string{"走访｜王秋菊"}, written: 1, kind: domain.KindVisit, hh: HHWangQiu, text: "看房子漏不漏雨", day: "2026-11-23"},
		{name: "household code", from: CadreZhang, in: "送温暖 H03 棉被2床", reply: []string{"送温暖｜李秀英", "棉被×2床"},
			written: 1, kind: domain.KindWarmth, hh: HHLi, items: "棉被×2床", day: "2026-11-23"},
		{name: "name glued to the keyword and text", from: CadreZhang, in: "走访王春发家，送了两袋大米",
			reply: []string{"走访｜王春发", "大米×2袋"}, written: 1, kind: domain.KindVisit, hh: HHWang, items: "大米×2袋", day: "2026-11-23"},
		{name: "full width and traditional", from: CadreZhang, in: "辦實事　２　幫忙交了醫保", reply: []string{"办实事｜王秋菊", "帮忙交了医保"},
			written: 1, kind: domain.KindDeed, hh: HHWangQiu, text: "帮忙交了医保", day: "2026-11-23"},
		{name: "too late is refused and nothing written", from: CadreZhang, in: "走访 1 2026-08-01",
			reply: []string{"2026年8月1日", "超过60天", "没有记录"}},
		{name: "future date", from: CadreZhang, in: "走访 1 2026-12-01", reply: []string{"不能晚于今天"}},
		{name: "list number beyond the list", from: CadreZhang, in: "走访 7 送米", reply: []string{"您只有3户，没有第7户"}},
		{name: "another cadre's household gets the question an unknown name gets", from: CadreZhang, in: "走访 刘大山 送米20斤",
			reply: []string{"报的是哪一户？回复数字：", "1. 王春发"}},
		{name: "households cannot report visits", from: HeadWang, in: "走访 1 送米", reply: []string{"不是您这个身份能用的命令", "诉求"}},
		{name: "coordinators cannot report visits", from: CoordLi, in: "/visit 1", reply: []string{"不是您这个身份能用的命令", "逾期"}},
		{name: "voice-to-text sentence without leading keyword", from: CadreZhang, in: "今天上午走访了李秀英，送了米20斤",
			reply: []string{"走访｜李秀英", "米×20斤"}, written: 1, kind: domain.KindVisit, hh: HHLi, items: "米×20斤", day: "2026-11-23"},
		{name: "went to the home, no keyword at all", from: CadreZhang, in: "昨天去了李秀英家，聊了聊收成",
			reply: []string{"走访｜李秀英｜昨天"}, written: 1, kind: domain.KindVisit, hh: HHLi, text: "聊了聊收成", day: "2026-11-22"},
		{name: "the home named first, no keyword at all", from: CadreZhang, in: "王春发家今天去了 送了两桶油",
			reply: []string{"走访｜王春发｜今天", "油×2桶"}, written: 1, kind: domain.KindVisit, hh: HHWang, items: "油×2桶", day: "2026-11-23"},
		{name: "went to look at, no keyword at all", from: CadreZhang, in: "今天去看了王春发 带了米两袋",
			reply: []string{"走访｜王春发｜今天", "米×2袋"}, written: 1, kind: domain.KindVisit, hh: HHWang, items: "米×2袋", day: "2026-11-23"},
		{name: "a day of this month alone is that day, not today", from: CadreZhang, in: "3号 走访 李秀英",
			reply: []string{"走访｜李秀英｜11月3日"}, written: 1, kind: domain.KindVisit, hh: HHLi, day: "2026-11-03"},
		{name: "the household first, the money after, no keyword", from: CadreZhang, in: "王春发家孩子考上大学了 送了500元",
			reply: []string{"走访｜王春发｜今天", "500元"}, written: 1, kind: domain.KindVisit, hh: HHWang, fen: 50000, text: "孩子考上大学了", day: "2026-11-23"},
		{name: "the household first, giving to the cadre, is not understood", from: CadreZhang, in: "王春发给了我一袋花生",
			reply: []string{"没看懂这条"}},
		{name: "a video call without a keyword", from: CadreZhang, in: "和王春发视频了 问了问身体",
			reply: []string{"联系｜王春发｜今天｜微信"}, written: 1, kind: domain.KindContact, hh: HHWang, text: "视频了 问了问身体", day: "2026-11-23"},
		{name: "a deed without a keyword", from: CadreZhang, in: "帮李秀英办了医保",
			reply: []string{"办实事｜李秀英｜今天"}, written: 1, kind: domain.KindDeed, hh: HHLi, text: "办了医保", day: "2026-11-23"},
		{name: "comfort money without 元 is money", from: CadreZhang, in: "慰问王春发 米一袋 慰问金200",
			reply: []string{"送温暖｜王春发｜今天", "200元"}, written: 1, kind: domain.KindWarmth, hh: HHWang, items: "米×1袋", fen: 20000, day: "2026-11-23"},
		{name: "grandma 李 is the one 李 household", from: CadreZhang, in: "去看了李奶奶 身体还行",
			reply: []string{"走访｜李秀英｜今天"}, written: 1, kind: domain.KindVisit, hh: HHLi, text: "李奶奶 身体还行", day: "2026-11-23"},
		{name: "uncle 王 asks among the two 王 households only", from: CadreZhang, in: "走访 王大爷 送米20斤",
			reply: []string{"1. 王春发", "2. 王秋菊"}},
		{name: "tomorrow's visit is a plan and nothing is written", from: CadreZhang, in: "明天走访王春发 送米20斤",
			reply: []string{"以后的安排", "没有记录", "计划 下周走访王春发"}},
		{name: "the household going somewhere is not a report", from: CadreZhang, in: "王春发去了县医院",
			reply: []string{"没看懂这条"}},
		{name: "a surname's home of one household is that household", from: CadreZhang, in: "去了李家 老人不在 跟邻居聊了几句",
			reply: []string{"走访｜李秀英｜今天", "老人不在 跟邻居聊了几句"}, written: 1, kind: domain.KindVisit, hh: HHLi, text: "老人不在 跟邻居聊了几句", day: "2026-11-23"},
		{name: "a surname's home of two households asks among those two only", from: CadreZhang, in: "走访 王家",
			reply: []string{"1. 王春发", "2. 王秋菊"}, not: []string{"李秀英"}},
		{name: "a village named after a family is no household", from: CadreZhang, in: "去了李家村 路修好了",
			reply: []string{"没看懂这条"}},
		{name: "old 李's home leaves the diary", from: CadreZhang, in: "去了老李家 跟她聊了聊",
			reply: []string{"走访｜李秀英｜今天", "跟她聊了聊"}, not: []string{"老李"}, written: 1, kind: domain.KindVisit, hh: HHLi, text: "跟她聊了聊", day: "2026-11-23"},
		{name: "given name, kinship and home", from: CadreZhang, in: "到秀英大姐家看了看",
			reply: []string{"走访｜李秀英｜今天"}, written: 1, kind: domain.KindVisit, hh: HHLi, text: "看了看", day: "2026-11-23"},
		{name: "a deed with 帮 and 把", from: CadreZhang, in: "帮李秀英把医保续上了",
			reply: []string{"办实事｜李秀英｜今天", "把医保续上了"}, written: 1, kind: domain.KindDeed, hh: HHLi, text: "把医保续上了", day: "2026-11-23"},
		{name: "a deed with 给", from: CadreZhang, in: "给王春发办了低保续期",
			reply: []string{"办实事｜王春发｜今天", "办了低保续期"}, written: 1, kind: domain.KindDeed, hh: HHWang, text: "办了低保续期", day: "2026-11-23"},
		{name: "dialect: 俺, 昨儿个 and a closing 哈", from: CadreZhang, in: "俺昨儿个去了老李家 坐了坐哈",
			reply: []string{"走访｜李秀英｜昨天", "坐了坐"}, not: []string{"俺", "哈"}, written: 1, kind: domain.KindVisit, hh: HHLi, text: "坐了坐", day: "2026-11-22"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			got := h.send(tc.from, tc.in)
			wantContains(t, got, tc.reply...)
			wantNot(t, got, tc.not...)
			cs := h.checkIns(CadreZhang)
			if len(cs) != tc.written {
				t.Fatalf("stored %d check-ins, want %d (reply %q)", len(cs), tc.written, got)
			}
			if tc.written == 0 {
				return
			}
			c := cs[0]
			if c.Kind != tc.kind || c.HouseholdID != h.household(tc.hh) || c.Items != tc.items || c.ValueFen != tc.fen || c.Text != tc.text {
				t.Errorf("row = %+v\nwant kind %s household %s items %q fen %d text %q", c, tc.kind, tc.hh, tc.items, tc.fen, tc.text)
			}
			if d := c.OccurredAt.In(clock.Shanghai).Format("2006-01-02"); d != tc.day {
				t.Errorf("occurred on %s, want %s", d, tc.day)
			}
			if c.SourceMsgID == nil || *c.SourceMsgID != "fake:bot1:m1" {
				t.Errorf("source id = %v, want fake:bot1:m1", c.SourceMsgID)
			}
			if a := h.audit("checkin", int64(c.ID)); len(a) != 1 || a[0].Action != store.ActCreate || *a[0].ActorID != h.person(CadreZhang) {
				t.Errorf("audit = %+v, want one create by 张伟", a)
			}
		})
	}
}

// TestCheckInForeignAndUnknownLookAlike: a cadre cannot probe the county's list. A household of
// another cadre and a name that is nobody's get the same reply, word for word, and nothing is written.
func TestCheckInForeignAndUnknownLookAlike(t *testing.T) {
	h := newHarness(t)
	foreign := h.send(CadreZhang, "走访 刘大山 送米20斤")
	h2 := newHarness(t)
	unknown := h2.send(CadreZhang, "走访 刘大水 送米20斤")
	if foreign != unknown {
		t.Fatalf("foreign household answered %q, unknown name %q: the difference tells the county's list", foreign, unknown)
	}
	wantNot(t, foreign, "刘大山", "不是您的结对户")
	if n := len(h.checkIns(CadreZhang)); n != 0 {
		t.Fatalf("a question must not write; have %d check-ins", n)
	}
}

func TestCheckInSameMessageTwice(t *testing.T) {
	h := newHarness(t)
	m := bot.Message{Kind: bot.KindText, Text: "走访 1 送米20斤", Transport: "fake", Account: "bot1", ID: "dup-1"}
	in := bot.Inbound{Message: m, PersonID: int64(h.person(CadreZhang)), InboxID: 7}
	first := h.handle(in)
	second := h.handle(in)
	wantContains(t, first[0].Text, "已记录")
	wantContains(t, second[0].Text, "已经记过了", "米×20斤")
	if n := len(h.checkIns(CadreZhang)); n != 1 {
		t.Fatalf("the same message made %d check-ins, want 1", n)
	}
}

// TestCheckInSameReportFromANewMessage: a cadre who saw no answer sends the report again; it is
// recorded once and the answer says when, and how to record a second visit that really happened.
func TestCheckInSameReportFromANewMessage(t *testing.T) {
	h := newHarness(t)
	wantContains(t, h.send(CadreZhang, "走访 王春发 送化肥3包 现金500元"), "已记录 ✔")
	h.clk.Advance(4 * time.Minute)
	got := h.send(CadreZhang, "走访 王春发 送化肥3包 现金500元")
	wantContains(t, got, "这条没有再记：王春发 今天的走访 10:30 已经记过了（#1）", "回复 1")
	wantNot(t, got, "已记录 ✔")
	if cs := h.checkIns(CadreZhang); len(cs) != 1 || cs[0].ValueFen != 50000 {
		t.Fatalf("check-ins = %+v, want one of 500元", cs)
	}
	t.Run("words added make another report once the cadre says it was another visit", func(t *testing.T) {
		wantContains(t, h.send(CadreZhang, "走访 王春发 送化肥3包 现金500元 下午又去了一次"), "这条没有再记", "回复 1")
		wantContains(t, h.send(CadreZhang, "1"), "已记录 ✔", "下午又去了一次")
		if n := len(h.checkIns(CadreZhang)); n != 2 {
			t.Fatalf("have %d check-ins, want 2", n)
		}
	})
	t.Run("after 撤销 the same report is recorded again", func(t *testing.T) {
		wantContains(t, h.send(CadreZhang, "撤销"), "已撤销")
		wantContains(t, h.send(CadreZhang, "走访 王春发 送化肥3包 现金500元 下午又去了一次"), "这条没有再记", "#1")
		wantContains(t, h.send(CadreZhang, "再记一条"), "已记录 ✔")
		if n := len(h.checkIns(CadreZhang)); n != 3 {
			t.Fatalf("have %d check-ins, want 3 (one undone)", n)
		}
	})
	t.Run("the same words for another day are another report", func(t *testing.T) {
		wantContains(t, h.send(CadreZhang, "昨天 走访 王春发 送化肥3包 现金500元"), "已记录 ✔")
	})
}

// Cadres often call a head by the given name alone.
func TestCheckInByGivenName(t *testing.T) {
	h := newHarness(t)
	wantContains(t, h.send(CadreZhang, "走访 秋菊 送油2桶"), "已记录", "走访｜王秋菊", "油×2桶")
	cs := h.checkIns(CadreZhang)
	if len(cs) != 1 || cs[0].HouseholdID != h.household(HHWangQiu) {
		t.Fatalf("check-ins = %+v, want one for 王秋菊", cs)
	}
}

func TestCheckInAmbiguousNameAsksOneQuestion(t *testing.T) {
	h := newHarness(t)
	got := h.send(CadreZhang, "走访 王 送油2桶 聊了春耕")
	wantContains(t, got, "“王”对应不止一户", "1. 王春发", "2. 王秋菊", "回复数字")
	wantNot(t, got, "李秀英")
	if n := len(h.checkIns(CadreZhang)); n != 0 {
		t.Fatalf("a question must not write; have %d check-ins", n)
	}
	t.Run("out of range answer asks again", func(t *testing.T) {
		wantContains(t, h.send(CadreZhang, "5"), "请回复1到2之间的数字")
	})
	t.Run("digit answer completes the report", func(t *testing.T) {
		got := h.send(CadreZhang, "2")
		wantContains(t, got, "已记录", "走访｜王秋菊", "油×2桶", "聊了春耕")
		cs := h.checkIns(CadreZhang)
		if len(cs) != 1 || cs[0].HouseholdID != h.household(HHWangQiu) || cs[0].Items != "油×2桶" {
			t.Fatalf("check-ins = %+v, want one for 王秋菊 with 油×2桶", cs)
		}
		if *cs[0].SourceMsgID != "fake:bot1:m1" {
			t.Errorf("the report keeps the id of the message that started it, got %s", *cs[0].SourceMsgID)
		}
	})
	t.Run("a second digit is no longer an answer", func(t *testing.T) {
		wantContains(t, h.send(CadreZhang, "1"), "没看懂")
		if n := len(h.checkIns(CadreZhang)); n != 1 {
			t.Fatalf("have %d check-ins, want 1", n)
		}
	})
}

func TestCheckInSeveralHouseholdsOneMessage(t *testing.T) {
	t.Run("named together: one report each, one reply, one undo", func(t *testing.T) {
		h := newHarness(t)
		wantContains(t, h.send(CadreZhang, "今天走访了王春发和李秀英 送米各一袋"),
			"已记录 ✔（2户，每户一条）", "走访｜王春发、李秀英｜今天", "米×1袋")
		cs := h.checkIns(CadreZhang)
		if len(cs) != 2 || cs[0].HouseholdID != h.household(HHWang) || cs[1].HouseholdID != h.household(HHLi) ||
			cs[0].Items != "米×1袋" || cs[1].Items != "米×1袋" || *cs[0].SourceMsgID == *cs[1].SourceMsgID {
			t.Fatalf("check-ins = %+v, want one for 王春发 and one for 李秀英, each 米×1袋 with its own source", cs)
		}
		wantContains(t, h.send(CadreZhang, "撤销"), "已撤销：走访｜王春发、李秀英｜今天")
		for _, c := range h.checkIns(CadreZhang) {
			if c.UndoneAt == nil {
				t.Fatalf("check-in %d of the message is not undone", c.ID)
			}
		}
	})
	t.Run("list numbers", func(t *testing.T) {
		h := newHarness(t)
		wantContains(t, h.send(CadreZhang, "电话 1、3 提醒交医保"), "已记录 ✔（2户，每户一条）", "联系｜王春发、李秀英｜今天｜电话", "提醒交医保")
		wantContains(t, h.send(CadreZhang, "走访 1、5"), "您只有3户，没有第5户")
		if n := len(h.checkIns(CadreZhang)); n != 2 {
			t.Fatalf("have %d check-ins, want 2", n)
		}
	})
	t.Run("the same message handled again records nothing more", func(t *testing.T) {
		h := newHarness(t)
		m := bot.Message{Kind: bot.KindText, Text: "走访 1、2 送米各一袋", Transport: "fake", Account: "bot1", ID: "dup-2"}
		in := bot.Inbound{Message: m, PersonID: int64(h.person(CadreZhang))}
		wantContains(t, h.handle(in)[0].Text, "已记录 ✔（2户")
		wantContains(t, h.handle(in)[0].Text, "这条已经记过了")
		if n := len(h.checkIns(CadreZhang)); n != 2 {
			t.Fatalf("have %d check-ins, want 2", n)
		}
	})
	apart := func(h *harness) {
		got := h.send(CadreZhang, "走访王春发，听说李秀英住院了")
		wantContains(t, got, "这条提到了2户", "1. 王春发", "2. 李秀英", "3. 这2户都记")
		wantNot(t, got, "王秋菊")
		if n := len(h.checkIns(CadreZhang)); n != 0 {
			t.Fatalf("a question must not write; have %d check-ins", n)
		}
	}
	t.Run("named apart: one of them, the other name stays in the diary", func(t *testing.T) {
		h := newHarness(t)
		apart(h)
		wantContains(t, h.send(CadreZhang, "1"), "已记录 ✔\n走访｜王春发｜今天", "内容：听说李秀英住院了")
		if cs := h.checkIns(CadreZhang); len(cs) != 1 || cs[0].HouseholdID != h.household(HHWang) || cs[0].Text != "听说李秀英住院了" {
			t.Fatalf("check-ins = %+v, want one for 王春发", cs)
		}
	})
	t.Run("named apart: all of them", func(t *testing.T) {
		h := newHarness(t)
		apart(h)
		wantContains(t, h.send(CadreZhang, "3"), "已记录 ✔（2户，每户一条）", "内容：王春发，听说李秀英住院了")
		if n := len(h.checkIns(CadreZhang)); n != 2 {
			t.Fatalf("have %d check-ins, want 2", n)
		}
	})
	t.Run("named apart: a number past all of them asks again", func(t *testing.T) {
		h := newHarness(t)
		apart(h)
		wantContains(t, h.send(CadreZhang, "4"), "请回复1到3之间的数字")
	})
}

// A report that counts its households ("今天走访了2户") asks which ones, and the answer may name several;
// counting all of the cadre's households offers all of them as the last choice. The count is no content.
func TestCheckInCountedHouseholds(t *testing.T) {
	t.Run("two of three: answered with two numbers", func(t *testing.T) {
		h := newHarness(t)
		wantContains(t, h.send(CadreZhang, "今天走访了2户 都挺好"), "这条说的是2户，是哪几户", "例如：1 2", "3. 李秀英")
		wantContains(t, h.send(CadreZhang, "1 3"), "已记录 ✔（2户，每户一条）", "走访｜王春发、李秀英", "内容：都挺好")
		cs := h.checkIns(CadreZhang)
		if len(cs) != 2 || cs[0].HouseholdID != h.household(HHWang) || cs[1].HouseholdID != h.household(HHLi) || cs[0].Text != "都挺好" {
			t.Fatalf("check-ins %+v, want 王春发's and 李秀英's, text 都挺好", cs)
		}
	})
	t.Run("as many as the cadre has: all is a choice", func(t *testing.T) {
		h := newHarness(t)
		wantContains(t, h.send(CadreZhang, "慰问了三家 送米"), "4. 这3户都记")
		wantContains(t, h.send(CadreZhang, "4"), "已记录 ✔（3户，每户一条）", "内容：送米")
		if cs := h.checkIns(CadreZhang); len(cs) != 3 || cs[0].Text != "送米" {
			t.Fatalf("check-ins %+v, want three, text 送米", cs)
		}
	})
	t.Run("one named among more counted: asked, not recorded for the one", func(t *testing.T) {
		h := newHarness(t)
		wantContains(t, h.send(CadreZhang, "走访了王春发等2户 送米"), "这条说的是2户，是哪几户")
		if cs := h.checkIns(CadreZhang); len(cs) != 0 {
			t.Fatalf("check-ins %+v before the answer", cs)
		}
		wantContains(t, h.send(CadreZhang, "王春发和王秋菊"), "走访｜王春发、王秋菊", "内容：送米")
	})
	t.Run("a count of people is not of households", func(t *testing.T) {
		h := newHarness(t)
		wantContains(t, h.send(CadreZhang, "走访王春发 他家3口人都在"), "走访｜王春发", "他家3口人都在")
		wantContains(t, h.send(CadreZhang, "帮王春发联系了3家收购商"), "已记录 ✔\n", "｜王春发｜", "3家收购商")
	})
}

func TestCheckInMissingHouseholdAsksAmongAll(t *testing.T) {
	h := newHarness(t)
	got := h.send(CadreZhang, "讲政策 讲了医保缴费")
	wantContains(t, got, "报的是哪一户", "1. 王春发", "2. 王秋菊", "3. 李秀英")
	wantNot(t, got, "刘大山")
	got = h.send(CadreZhang, "3")
	wantContains(t, got, "讲政策｜李秀英", "讲了医保缴费")
}

// The household question answered in words: a name, part of it or "第二个" picks; words that name
// none ask again and keep the report; a new report drops it and says so.
func TestCheckInQuestionAnsweredInWords(t *testing.T) {
	cases := []struct {
		name, answer string
		reply        []string
		hh           string // household of the one check-in written, "" for none
	}{
		{"the full name with 那户", "李秀英那户", []string{"讲政策｜李秀英", "讲了医保缴费"}, HHLi},
		{"the surname alone when one has it", "李", []string{"讲政策｜李秀英"}, HHLi},
		{"an ordinal", "第二个", []string{"讲政策｜王秋菊"}, HHWangQiu},
		{"the given name and a word of kinship", "秀英大姐", []string{"讲政策｜李秀英", "讲了医保缴费"}, HHLi},
		{"a surname's home when one has it", "老李家", []string{"讲政策｜李秀英"}, HHLi},
		{"a surname two share asks again", "王", []string{"没看出您选的是哪一户", "刚才的报告还在等您选", "1. 王春发"}, ""},
		{"a new report drops the question and says so", "走访 1 送米20斤", []string{"上一条“讲政策 讲了医保缴费”还没选是哪一户，没有记录", "走访｜王春发"}, HHWang},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.send(CadreZhang, "讲政策 讲了医保缴费")
			wantContains(t, h.send(CadreZhang, tc.answer), tc.reply...)
			cs := h.checkIns(CadreZhang)
			if tc.hh == "" && len(cs) != 0 || tc.hh != "" && (len(cs) != 1 || cs[0].HouseholdID != h.household(tc.hh)) {
				t.Fatalf("check-ins %+v, want one for %q", cs, tc.hh)
			}
		})
	}
	t.Run("an answer naming two records the report for each", func(t *testing.T) {
		h := newHarness(t)
		h.send(CadreZhang, "讲政策 讲了医保缴费")
		wantContains(t, h.send(CadreZhang, "李秀英和王春发 都去了"), "已记录 ✔（2户，每户一条）", "讲政策｜李秀英、王春发", "讲了医保缴费")
		cs := h.checkIns(CadreZhang)
		if len(cs) != 2 || cs[0].HouseholdID != h.household(HHLi) || cs[1].HouseholdID != h.household(HHWang) {
			t.Fatalf("check-ins %+v, want 李秀英's and 王春发's", cs)
		}
		wantContains(t, h.send(CadreZhang, "1"), "没看懂") // the question is answered
	})
	t.Run("asked again, the digit still answers", func(t *testing.T) {
		h := newHarness(t)
		h.send(CadreZhang, "讲政策 讲了医保缴费")
		h.send(CadreZhang, "王")
		wantContains(t, h.send(CadreZhang, "1"), "讲政策｜王春发", "讲了医保缴费")
	})
}

func TestCheckInQuestionExpires(t *testing.T) {
	h := newHarnessWith(t, newClockDialogs)
	h.send(CadreZhang, "走访 王 送油2桶")
	h.clk.Advance(h.cfg.CheckIn.DialogTTL + time.Second)
	wantContains(t, h.send(CadreZhang, "1"), "没看懂")
	if n := len(h.checkIns(CadreZhang)); n != 0 {
		t.Fatalf("an expired question wrote %d check-ins", n)
	}
}

// TestSameNameHouseholds: two households named 周勇 in one cadre's list are told apart in 我的亲戚 by
// their addresses, and a report naming 周勇 asks one question showing the addresses.
func TestSameNameHouseholds(t *testing.T) {
	h := newHarness(t)
	h.must(h.st.UpsertHouseholds(h.ctx, []store.Household{
		{Code: "H-ZY1", HeadName: "周勇", Initials: "zy", Address: "李家村3组"},
		{Code: "H-ZY2", HeadName: "周勇", Initials: "zy", Address: "桃园村1组"},
	}, nil))
	since := clock.Date(2026, 1, 5)
	zhang := h.person(CadreZhang)
	h.must(h.st.UpsertPairings(h.ctx, []store.Pairing{
		{Code: "J-ZY1", CadreID: zhang, HouseholdID: h.household("H-ZY1"), StartOn: since},
		{Code: "J-ZY2", CadreID: zhang, HouseholdID: h.household("H-ZY2"), StartOn: since},
	}))
	list := h.send(CadreZhang, "我的亲戚")
	wantContains(t, list, "周勇（李家村3组）", "周勇（桃园村1组）", "1. 王春发｜")
	got := h.send(CadreZhang, "走访 周勇 送米20斤")
	wantContains(t, got, "“周勇”对应不止一户", "1. 周勇（李家村3组）", "2. 周勇（桃园村1组）")
	wantNot(t, got, "王春发")
	if n := len(h.checkIns(CadreZhang)); n != 0 {
		t.Fatalf("a question must not write; have %d check-ins", n)
	}
	wantContains(t, h.send(CadreZhang, "2"), "已记录", "走访｜周勇", "米×20斤")
}

// TestCheckInRefusalsSayWhy: a report the parser refuses is answered with its own reason — negative
// money (a minus sign or 负), an amount that cannot be read, one too large, a date before 2000, one
// that does not exist, one in the future — and nothing is written. The county replay stored -500元 as
// +500, 1e20元 as 20元, and answered 1999-12-31 with 日期不存在.
func TestCheckInRefusalsSayWhy(t *testing.T) {
	cases := []struct{ name, in, reply string }{
		{"minus sign", "送温暖 1 现金-500元", "金额不能是负数"},
		{"负", "走访 1 给了负500元", "金额不能是负数"},
		{"exponent", "送温暖 1 现金1e20元", "这个金额看不明白"},
		{"broken thousands", "送温暖 1 现金1,00元", "这个金额看不明白"},
		{"too large", "送温暖 1 现金99999999999元", "金额太大了"},
		{"before 2000", "走访 1 1999-12-31", "这个日期太早了（2000年以前）"},
		{"no such day", "走访 1 2026-02-30", "这个日期不存在"},
		{"future", "走访 1 2027-01-05", "日期不能晚于今天"},
	}
	h := newHarness(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := h.send(CadreZhang, tc.in)
			wantContains(t, got, tc.reply)
			for _, other := range cases {
				if other.reply != tc.reply {
					wantNot(t, got, other.reply)
				}
			}
			wantNot(t, got, "已记录")
			if n := len(h.checkIns(CadreZhang)); n != 0 {
				t.Fatalf("a refused report wrote %d check-ins", n)
			}
		})
	}
}

// A surname with a word of kinship asks only among the households of that surname, and the answer
// records the report as typed.
func TestCheckInKinshipWordAsksAmongTheSurname(t *testing.T) {
	h := newHarness(t)
	got := h.send(CadreZhang, "走访 王大爷 送米20斤")
	wantContains(t, got, "1. 王春发", "2. 王秋菊")
	wantNot(t, got, "李秀英")
	wantContains(t, h.send(CadreZhang, "2"), "走访｜王秋菊｜今天", "米×20斤")
	cs := h.checkIns(CadreZhang)
	if len(cs) != 1 || cs[0].HouseholdID != h.household(HHWangQiu) || cs[0].Items != "米×20斤" {
		t.Fatalf("check-ins %+v", cs)
	}
}

// A batch that read its senders' dialogs ahead (PreloadKeys) answers a pending question from what it
// read, and the question is gone once the batch committed.
func TestCheckInAnswerFromAPreloadedBatch(t *testing.T) {
	h := newHarness(t)
	wantContains(t, h.send(CadreZhang, "走访 王 送油2桶"), "回复数字")
	keys := h.r.PreloadKeys([]int64{int64(h.person(CadreZhang)), int64(h.person(CadreZhao))})
	_, ahead, err := h.kv.ReadAhead(context.Background(), nil, nil, 0, keys)
	if err != nil || ahead == nil {
		t.Fatalf("read ahead: %v, %v", ahead, err)
	}
	if err := h.kv.Set(context.Background(), keys[0], "{}", time.Minute); err != nil { // after the read: not seen
		t.Fatal(err)
	}
	err = h.st.Batch(store.WithReadAhead(context.Background(), ahead), func(bctx context.Context) error {
		h.ctx = bctx
		wantContains(t, h.send(CadreZhang, "2"), "已记录", "走访｜王秋菊", "油×2桶")
		return nil
	})
	h.ctx = context.Background()
	if err != nil {
		t.Fatal(err)
	}
	wantContains(t, h.send(CadreZhang, "1"), "没看懂")
}

// TestReportsInTheCadresOwnWords: a giving to households by list number is a report for each of
// them; 看了 and a household's name that ends the clause is a visit; 看了 with more after the name
// (the household's photo) stays not understood, and nothing is recorded.
func TestReportsInTheCadresOwnWords(t *testing.T) {
	h := newHarness(t)
	got := h.send(CadreZhang, "给1、2、3户都送了米")
	wantContains(t, got, "已记录 ✔（3户，每户一条）", "走访｜王春发、王秋菊、李秀英｜今天", "内容：送了米")
	if n := h.liveCheckIns(CadreZhang); n != 3 {
		t.Fatalf("%d reports, want 3", n)
	}
	wantContains(t, h.send(CadreZhang, "给9户送了米"), "没有第9户")
	wantContains(t, h.send(CadreZhang, "看了李秀英 她腿疼"), "已记录 ✔", "走访｜李秀英｜今天", "内容：她腿疼")
	wantContains(t, h.send(CadreZhang, "看了王春发发来的照片"), "没看懂")
	if n := h.liveCheckIns(CadreZhang); n != 4 {
		t.Fatalf("%d reports, want 4", n)
	}
}
