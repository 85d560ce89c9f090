package handlers_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"qinqi/handlers"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/hanzi"
)

// parseNow is Monday 2026-11-23 10:30 in Shanghai: 昨天 is the 22nd, 上周五 the 20th, 周三 the 18th.
var parseNow = time.Date(2026, 11, 23, 10, 30, 0, 0, clock.Shanghai)

type parseCase struct {
	name  string
	in    string
	kind  domain.CheckInKind
	mode  domain.ContactMode
	hh    string
	day   string // "" = today
	items string
	fen   int64
	text  string
	err   error
}

// The messages below are written the way cadres type on a phone in a village: missing and doubled
// spaces, full-width digits and punctuation, emoji, voice-to-text sentences, traditional characters.
var parseCases = []parseCase{
	{name: "issue example visit with goods money and text", in: "走访 王春发 送化肥3包 现金500元 帮他定了蔬菜和生猪计划",
		kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "王春发", items: "化肥×3包", fen: 50000, text: "帮他定了蔬菜和生猪计划"},
	{name: "list number with converted value", in: "走访 2 送米面油 折合300元",
		kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", fen: 30000, text: "送米面油"},
	{name: "a courtyard meeting is a policy talk", in: "开了院坝会 王春发 讲了低保政策", kind: domain.KindPolicy, mode: domain.ModeInPerson,
		hh: "王春发", text: "讲了低保政策"},
	{name: "slash visit", in: "/visit 2 看了看房子漏不漏雨", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", text: "看了看房子漏不漏雨"},
	{name: "slash visit upper case", in: "/VISIT 3 修好了水管", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "3", text: "修好了水管"},
	{name: "call with name", in: "电话 王春发 问春耕准备", kind: domain.KindContact, mode: domain.ModePhone, hh: "王春发", text: "问春耕准备"},
	{name: "phone then verb", in: "电话联系赵长顺 问了病情", kind: domain.KindContact, mode: domain.ModePhone, hh: "赵长顺", text: "问了病情"},
	{name: "wechat then verb", in: "微信沟通 2 孩子学费的事", kind: domain.KindContact, mode: domain.ModeWeChat, hh: "2", text: "孩子学费的事"},
	{name: "video call", in: "视频通话 李秀英 看了新房", kind: domain.KindContact, mode: domain.ModeWeChat, hh: "李秀英", text: "看了新房"},
	{name: "da dianhua", in: "打电话 李秀英 身体好些了", kind: domain.KindContact, mode: domain.ModePhone, hh: "李秀英", text: "身体好些了"},
	{name: "wechat contact", in: "微信 1 视频聊了半小时", kind: domain.KindContact, mode: domain.ModeWeChat, hh: "1", text: "视频聊了半小时"},
	{name: "lianxi defaults to phone", in: "联系 2 问孩子上学的事", kind: domain.KindContact, mode: domain.ModePhone, hh: "2", text: "问孩子上学的事"},
	{name: "lianxi by wechat mentioned in text", in: "联系 王春发 微信发了医保缴费通知", kind: domain.KindContact, mode: domain.ModeWeChat, hh: "王春发", text: "微信发了医保缴费通知"},
	{name: "lianxi face to face", in: "联系 3 在村委会当面聊的", kind: domain.KindContact, mode: domain.ModeInPerson, hh: "3", text: "在村委会当面聊的"},
	{name: "slash call", in: "/call 王春发 提醒交医保", kind: domain.KindContact, mode: domain.ModePhone, hh: "王春发", text: "提醒交医保"},
	{name: "policy talk", in: "讲政策 2 讲了小额信贷和雨露计划", kind: domain.KindPolicy, mode: domain.ModeInPerson, hh: "2", text: "讲了小额信贷和雨露计划"},
	{name: "warmth with goods", in: "送温暖 王春发 棉被2床 米20斤 油2桶", kind: domain.KindWarmth, mode: domain.ModeInPerson, hh: "王春发", items: "棉被×2床;米×20斤;油×2桶"},
	{name: "deed", in: "办实事 3 帮忙把低保年审材料交到镇上", kind: domain.KindDeed, mode: domain.ModeInPerson, hh: "3", text: "帮忙把低保年审材料交到镇上"},
	{name: "slash deed", in: "/deed 1 代缴了电费", kind: domain.KindDeed, mode: domain.ModeInPerson, hh: "1", text: "代缴了电费"},
	{name: "no space between keyword and name", in: "走访王春发 送米20斤", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "王春发", items: "米×20斤"},
	{name: "no spaces at all", in: "走访王春发送化肥3包", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "王春发", items: "化肥×3包"},
	{name: "double spaces", in: "走访   2    送米20斤   聊了聊", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", items: "米×20斤", text: "聊了聊"},
	{name: "ideographic spaces", in: "走访　２　送米２０斤", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", items: "米×20斤"},
	{name: "full width digits and yuan sign", in: "送温暖 ３ ￥５００ 慰问", kind: domain.KindWarmth, mode: domain.ModeInPerson, hh: "3", fen: 50000, text: "慰问"},
	{name: "chinese commas", in: "走访王春发，送化肥3包，现金500元，聊了春耕。", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "王春发", items: "化肥×3包", fen: 50000, text: "聊了春耕"},
	{name: "voice to text sentence", in: "今天上午走访了王春发家，送了两袋大米。", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "王春发家", day: "2026-11-23", items: "大米×2袋"},
	{name: "voice to text yesterday", in: "昨天去走访了李秀英，给了现金五百元", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "李秀英", day: "2026-11-22", fen: 50000},
	{name: "emoji after name", in: "走访 王春发👍 送米20斤", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "王春发", items: "米×20斤"},
	{name: "emoji in text", in: "走访 2 老人身体不错😊", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", text: "老人身体不错😊"},
	{name: "pinyin initials", in: "走访 wcf 看望老人", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "wcf", text: "看望老人"},
	{name: "household code", in: "走访 HH-0007 查看危房改造进度", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "HH-0007", text: "查看危房改造进度"},
	{name: "yesterday", in: "电话 王春发 昨天 问了麦子长势", kind: domain.KindContact, mode: domain.ModePhone, hh: "王春发", day: "2026-11-22", text: "问了麦子长势"},
	{name: "yesterday first", in: "昨天 走访 2 送油2桶", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", day: "2026-11-22", items: "油×2桶"},
	{name: "day before yesterday", in: "走访 2 前天去的 送米20斤", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", day: "2026-11-21", items: "米×20斤", text: "去的"},
	{name: "three days ago", in: "走访 2 大前天", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", day: "2026-11-20"},
	{name: "last friday", in: "走访 王春发 上周五 帮着收玉米", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "王春发", day: "2026-11-20", text: "帮着收玉米"},
	{name: "wednesday", in: "电话 2 周三打的 问药吃完没", kind: domain.KindContact, mode: domain.ModePhone, hh: "2", day: "2026-11-18", text: "打的 问药吃完没"},
	{name: "xingqi ri", in: "走访 2 星期天", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", day: "2026-11-22"},
	{name: "libai liu", in: "送温暖 1 上礼拜六 送棉衣1件", kind: domain.KindWarmth, mode: domain.ModeInPerson, hh: "1", day: "2026-11-21", items: "棉衣×1件"},
	{name: "month day", in: "走访 2 11月20日 入户核查", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", day: "2026-11-20", text: "入户核查"},
	{name: "month day with hao", in: "走访 2 11月20号", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", day: "2026-11-20"},
	{name: "march fifth is this year", in: "走访 2 3月5日", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", day: "2026-03-05"},
	{name: "dotted month day", in: "走访 2 3.5 送种子2袋", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", day: "2026-03-05", items: "种子×2袋"},
	{name: "dashed month day", in: "走访 2 11-20", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", day: "2026-11-20"},
	{name: "slashed month day", in: "走访 2 11/20 看房子", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", day: "2026-11-20", text: "看房子"},
	{name: "iso date", in: "走访 2 2026-11-20", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", day: "2026-11-20"},
	{name: "chinese full date", in: "走访 2 2026年11月20日 补报", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", day: "2026-11-20", text: "补报"},
	{name: "chinese numeral date", in: "走访 2 十一月二十日", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", day: "2026-11-20"},
	{name: "december is last year", in: "走访 2 12月30日", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", day: "2025-12-30"},
	{name: "a day a week ahead is in the future, not last year's", in: "走访 2 12月1日", err: handlers.ErrFutureDate},
	{name: "two days ago in words", in: "走访 2 两天前", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", day: "2026-11-21"},
	{name: "future date with year", in: "走访 2 2026-12-01", err: handlers.ErrFutureDate},
	{name: "impossible date", in: "走访 2 2月30日", err: handlers.ErrBadDate},
	{name: "tomorrow stays in the diary", in: "走访 2 约好明天再去", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", text: "约好明天再去"},
	{name: "yen sign", in: "送温暖 2 ¥500", kind: domain.KindWarmth, mode: domain.ModeInPerson, hh: "2", fen: 50000},
	{name: "kuai", in: "送温暖 2 给了500块", kind: domain.KindWarmth, mode: domain.ModeInPerson, hh: "2", fen: 50000},
	{name: "kuai qian", in: "送温暖 2 慰问300块钱", kind: domain.KindWarmth, mode: domain.ModeInPerson, hh: "2", fen: 30000, text: "慰问"},
	{name: "cash without unit", in: "送温暖 2 现金500", kind: domain.KindWarmth, mode: domain.ModeInPerson, hh: "2", fen: 50000},
	{name: "equivalent value", in: "走访 2 送米面油 折合300元", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", fen: 30000, text: "送米面油"},
	{name: "wan yuan", in: "办实事 2 协调产业奖补1.2万元", kind: domain.KindDeed, mode: domain.ModeInPerson, hh: "2", fen: 1200000, text: "协调产业奖补"},
	{name: "chinese numeral money", in: "送温暖 2 五百元", kind: domain.KindWarmth, mode: domain.ModeInPerson, hh: "2", fen: 50000},
	{name: "spoken thousand five", in: "送温暖 2 慰问金一千五", kind: domain.KindWarmth, mode: domain.ModeInPerson, hh: "2", fen: 150000},
	{name: "decimal yuan", in: "办实事 2 代缴电费86.5元", kind: domain.KindDeed, mode: domain.ModeInPerson, hh: "2", fen: 8650, text: "代缴电费"},
	{name: "two amounts add up", in: "送温暖 2 折合200元 现金300元", kind: domain.KindWarmth, mode: domain.ModeInPerson, hh: "2", fen: 50000},
	{name: "yuandan is not money", in: "走访 2 元旦前走访", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", text: "元旦前走访"},
	{name: "soap counted in kuai is goods", in: "送温暖 2 肥皂3块", kind: domain.KindWarmth, mode: domain.ModeInPerson, hh: "2", items: "肥皂×3块"},
	{name: "quantity before name", in: "送温暖 2 送了3袋米和2桶油", kind: domain.KindWarmth, mode: domain.ModeInPerson, hh: "2", items: "米×3袋;油×2桶"},
	{name: "chinese numeral quantity", in: "送温暖 王春发 棉被两床", kind: domain.KindWarmth, mode: domain.ModeInPerson, hh: "王春发", items: "棉被×2床"},
	{name: "kilograms", in: "送温暖 2 猪肉5公斤", kind: domain.KindWarmth, mode: domain.ModeInPerson, hh: "2", items: "猪肉×5公斤"},
	{name: "half jin is not a date", in: "送温暖 2 米3.5斤", kind: domain.KindWarmth, mode: domain.ModeInPerson, hh: "2", items: "米×3.5斤"},
	{name: "goods and money and date together", in: "送温暖 1 昨天 米20斤 油2桶 现金200元 老人很高兴", kind: domain.KindWarmth, mode: domain.ModeInPerson, hh: "1", day: "2026-11-22", items: "米×20斤;油×2桶", fen: 20000, text: "老人很高兴"},
	{name: "phone number is not money or date", in: "电话 2 打13800000001没人接", kind: domain.KindContact, mode: domain.ModePhone, hh: "2", text: "打13800000001没人接"},
	{name: "traditional visit keyword", in: "走訪 2 送米20斤", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", items: "米×20斤"},
	{name: "traditional warmth keyword", in: "送溫暖 2 現金500元", kind: domain.KindWarmth, mode: domain.ModeInPerson, hh: "2", fen: 50000},
	{name: "traditional deed keyword", in: "辦實事 3 幫忙辦醫保", kind: domain.KindDeed, mode: domain.ModeInPerson, hh: "3", text: "帮忙办医保"},
	{name: "at mention in group", in: "@亲戚助手\u2005走访 2 送米20斤", kind: domain.KindVisit, mode: domain.ModeInPerson, hh: "2", items: "米×20斤"},
	{name: "keyword only", in: "走访", kind: domain.KindVisit, mode: domain.ModeInPerson},
	{name: "keyword and date only", in: "走访 昨天", kind: domain.KindVisit, mode: domain.ModeInPerson, day: "2026-11-22"},
	{name: "household missing but goods given", in: "送温暖 米20斤", kind: domain.KindWarmth, mode: domain.ModeInPerson, items: "米×20斤"},
	{name: "no keyword", in: "王春发 送米20斤", err: handlers.ErrNoKind},
	{name: "empty", in: "   ", err: handlers.ErrNoKind},
	{name: "absurd amount", in: "送温暖 2 现金99999999999元", err: handlers.ErrMoneyTooLarge},
	{name: "xuanjiang", in: "宣讲 2 防电信诈骗", kind: domain.KindPolicy, mode: domain.ModeInPerson, hh: "2", text: "防电信诈骗"},
	{name: "chinese punctuation stays in the diary", in: "电话 2 问了李大娘身体，药还够吃", kind: domain.KindContact, mode: domain.ModePhone, hh: "2", text: "问了李大娘身体，药还够吃"},
	{name: "cash with a colon", in: "送温暖 2 现金：500", kind: domain.KindWarmth, mode: domain.ModeInPerson, hh: "2", fen: 50000},
	{name: "weiwen is warmth", in: "慰问 2 中秋送月饼2盒", kind: domain.KindWarmth, mode: domain.ModeInPerson, hh: "2", items: "月饼×2盒", text: "中秋"},
}

func TestParseCheckIn(t *testing.T) {
	fold := folder(t)
	if len(parseCases) < 60 {
		t.Fatalf("want at least 60 realistic cases, have %d", len(parseCases))
	}
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := handlers.ParseCheckIn(fold, tc.in, parseNow)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("ParseCheckIn(%q) error = %v, want %v", tc.in, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseCheckIn(%q): %v", tc.in, err)
			}
			wantDay := clock.Day(parseNow)
			if tc.day != "" {
				wantDay, _ = time.ParseInLocation("2006-01-02", tc.day, clock.Shanghai)
			}
			if got.Kind != tc.kind || got.Mode != tc.mode {
				t.Errorf("kind/mode = %s/%s, want %s/%s", got.Kind, got.Mode, tc.kind, tc.mode)
			}
			if got.Household != tc.hh {
				t.Errorf("household = %q, want %q", got.Household, tc.hh)
			}
			if !got.Day.Equal(wantDay) || got.DayGiven != (tc.day != "") {
				t.Errorf("day = %s (given %v), want %s", got.Day.Format("2006-01-02"), got.DayGiven, wantDay.Format("2006-01-02"))
			}
			if items := handlers.ItemsString(got.Goods); items != tc.items {
				t.Errorf("goods = %q, want %q", items, tc.items)
			}
			if got.ValueFen != tc.fen {
				t.Errorf("fen = %d, want %d", got.ValueFen, tc.fen)
			}
			if got.Text != tc.text {
				t.Errorf("text = %q, want %q", got.Text, tc.text)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	fold := folder(t)
	cases := []struct {
		name, in, want string
		err            error
	}{
		{"today", "今天", "2026-11-23", nil},
		{"last sunday", "上周日", "2026-11-22", nil},
		{"two weeks ago", "上上周一", "2026-11-09", nil},
		{"today monday by weekday", "周一", "2026-11-23", nil},
		{"leap day falls back", "2月29日", "2024-02-29", nil},
		{"no date", "送米20斤", "", handlers.ErrNoDate},
		{"month 13 is not a date", "13.5", "", handlers.ErrNoDate},
		{"bad explicit month", "13月5日", "", handlers.ErrBadDate},
		{"future with year", "2027年1月1日", "", handlers.ErrFutureDate},
		{"a day of this month alone", "3号 走访", "2026-11-03", nil},
		{"a day of this month with 日", "走访 赵长顺 15日", "2026-11-15", nil},
		{"this month's day said so", "本月5号去的", "2026-11-05", nil},
		{"a day still to come this month", "25号 走访", "", handlers.ErrFutureDate},
		{"an address is no date", "李家村3组12号", "", handlers.ErrNoDate},
		{"a building is no date", "住 3号楼", "", handlers.ErrNoDate},
		{"a long number is no date", "单号138号", "", handlers.ErrNoDate},
		{"a month's day stays the month's", "10月3号", "2026-10-03", nil},
		{"spoken yesterday", "昨儿个去的", "2026-11-22", nil},
		{"spoken day before yesterday", "前儿个", "2026-11-21", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := handlers.ParseDate(fold, tc.in, parseNow)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("ParseDate(%q) error = %v, want %v", tc.in, err, tc.err)
				}
				return
			}
			if err != nil || got.Format("2006-01-02") != tc.want {
				t.Fatalf("ParseDate(%q) = %s, %v; want %s", tc.in, got.Format("2006-01-02"), err, tc.want)
			}
		})
	}
}

func TestParseMoney(t *testing.T) {
	fold := folder(t)
	cases := []struct {
		name string
		in   string
		fen  int64
		err  error
	}{
		{"plain yuan", "500元", 50000, nil},
		{"full width yen", "￥500", 50000, nil},
		{"cents", "12.34元", 1234, nil},
		{"wan", "1.2万元", 1200000, nil},
		{"liang qian", "两千元", 200000, nil},
		{"yi qian ling wu", "一千零五元", 100500, nil},
		{"shi wu kuai", "十五块", 1500, nil},
		{"quantity is not money", "米20斤", 0, handlers.ErrNoMoney},
		{"bare number is not money", "走访 2", 0, handlers.ErrNoMoney},
		{"too large", "5000万元", 0, handlers.ErrMoneyTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := handlers.ParseMoney(fold, tc.in)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("ParseMoney(%q) error = %v, want %v", tc.in, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.fen {
				t.Fatalf("ParseMoney(%q) = %d, %v; want %d", tc.in, got, err, tc.fen)
			}
		})
	}
}

func TestParseGoods(t *testing.T) {
	fold := folder(t)
	cases := []struct{ name, in, want string }{
		{"name first", "化肥3包", "化肥×3包"},
		{"quantity first", "2床棉被", "棉被×2床"},
		{"unknown goods keeps two characters", "送了香油2瓶", "香油×2瓶"},
		{"several", "米20斤、面10斤、油1桶", "米×20斤;面×10斤;油×1桶"},
		{"shared out among households", "送米各一袋 油每户一桶", "米×1袋;油×1桶"},
		{"shared out, spaced", "送米 各一袋 油 每户 一桶", "米×1袋;油×1桶"},
		{"quantity first, two in a row", "送了一桶油两袋米", "油×1桶;米×2袋"},
		{"quantity first, three in a row", "带了2袋米1桶油3斤肉", "米×2袋;油×1桶;肉×3斤"},
		{"name first then quantity first", "油一桶两袋米", "油×1桶;米×2袋"},
		{"weekday is not goods", "星期三包饺子", ""},
		{"nothing", "聊了聊家常", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := handlers.ItemsString(handlers.ParseGoods(fold, tc.in)); got != tc.want {
				t.Fatalf("ParseGoods(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestParseReportSeveral: Several is set only when different names each name one household.
// TestParseReportSeveral: Several when different names (or list numbers) each name one household;
// Listed when they stand together as a list; Texts keep the other names for a question.
func TestParseReportSeveral(t *testing.T) {
	fold := folder(t)
	cases := []struct {
		name, in        string
		picks           []int
		several, listed bool
		text            string
		texts           []string
	}{
		{name: "two names joined by 和", in: "今天走访了王春发和李三元 送米各一袋", picks: []int{0, 3}, several: true, listed: true},
		{name: "two names glued together", in: "走访 王春发李三元 开院坝会", picks: []int{0, 3}, several: true, listed: true, text: "开院坝会"},
		{name: "a courtyard meeting's names", in: "院坝会 王春发 李三元 都来了", picks: []int{0, 3}, several: true, listed: true, text: "都来了"},
		{name: "a name and initials", in: "电话 wcf 张长青", picks: []int{0, 4}, several: true, listed: true},
		{name: "list numbers with 、", in: "走访 1、4 送米", picks: []int{0, 3}, several: true, listed: true, text: "送米"},
		{name: "list numbers with 和", in: "走访1和3", picks: []int{0, 2}, several: true, listed: true},
		{name: "list numbers with spaces", in: "电话 1 2 5", picks: []int{0, 1, 4}, several: true, listed: true},
		{name: "a number and goods is one household", in: "走访 1 2袋米", picks: []int{0}, listed: true, text: "2袋米"},
		{name: "a number and a count is one household", in: "电话 1 3次没人接", picks: []int{0}, listed: true, text: "3次没人接"},
		{name: "a number and a date is one household", in: "走访 1 3月5日", picks: []int{0}, listed: true},
		{name: "names apart", in: "走访王春发，听说李三元住院了", picks: []int{0, 3}, several: true, text: "听说 住院了",
			texts: []string{"听说李三元住院了", "王春发，听说 住院了", "王春发，听说李三元住院了"}},
		{name: "one name shared by two households", in: "走访 周勇 看房子", picks: []int{5, 6}, text: "看房子"},
		{name: "a shared name and another name", in: "走访 周勇 王春发", picks: []int{0, 5, 6}},
		{name: "a list number with another name in the diary", in: "走访 2 王春发的儿子回来了", picks: []int{1}, listed: true, text: "王春发的儿子回来了"},
		{name: "one name", in: "走访 王春发", picks: []int{0}},
		{name: "家里 before a count stays in the words", in: "走访 1 家里 2 老都在", picks: []int{0}, listed: true, text: "家里 2 老都在"},
		{name: "a count of legs is no list number", in: "走访 1 老人 2 腿疼", picks: []int{0}, listed: true, text: "老人 2 腿疼"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := handlers.ParseReport(fold, tc.in, parseNow, reportHHs)
			if err != nil || fmt.Sprint(got.Picks) != fmt.Sprint(tc.picks) || got.Several != tc.several || got.Listed != tc.listed {
				t.Fatalf("ParseReport(%q) = picks %v several %v listed %v err %v, want %v %v %v", tc.in, got.Picks, got.Several, got.Listed, err, tc.picks, tc.several, tc.listed)
			}
			if (tc.text != "" && got.Text != tc.text) || fmt.Sprintf("%q", got.Texts) != fmt.Sprintf("%q", tc.texts) {
				t.Fatalf("ParseReport(%q) text %q texts %q, want %q %q", tc.in, got.Text, got.Texts, tc.text, tc.texts)
			}
		})
	}
}

// reportHHs is a cadre's list with the traps the county replay found: look-alike names (王春发 and
// 王春霞), names made of numbers, units and goods (王六斤, 李三元), and a name typed in free text.
var reportHHs = []handlers.HouseholdRef{
	{Name: "王春发", Code: "HH-0007", Initials: "wcf"},
	{Name: "王春霞", Code: "HH-0008", Initials: "wcx"},
	{Name: "王六斤", Code: "HH-0009", Initials: "wlj"},
	{Name: "李三元", Code: "HH-0010", Initials: "lsy"},
	{Name: "张长青", Code: "HH-0011", Initials: "zcq,zzq"},
	{Name: "周勇", Code: "HH-0012", Initials: "zy"},
	{Name: "周勇", Code: "HH-0013", Initials: "zy"},
}

// TestParseReport is one named case per finding of issues 12 and 15 about reading reports.
func TestParseReport(t *testing.T) {
	fold := folder(t)
	cases := []struct {
		name, in          string
		picks             []int
		day, items, sales string
		fen, salesFen     int64
		text              string
		kind              domain.CheckInKind // checked when set
		err               error
	}{
		{name: "traditional name and units", in: "走訪 王春發 送豬仔4頭", picks: []int{0}, items: "猪仔×4头"},
		{name: "name with 六斤 is not goods", in: "电话 王六斤 问春耕", picks: []int{2}, text: "问春耕"},
		{name: "name with 三元 is not money", in: "送温暖 李三元 米20斤", picks: []int{3}, items: "米×20斤"},
		{name: "list number then 提醒 is not goods", in: "电话 1 提醒交低保", picks: []int{0}, text: "提醒交低保"},
		{name: "list number glued to 提醒", in: "电话 2提醒交低保", picks: []int{1}, text: "提醒交低保"},
		{name: "yesterday's call in a sentence", in: "昨天给张长青打了个电话，问了低保", picks: []int{4}, day: "2026-11-22", text: "问了低保"},
		{name: "full date first", in: "2026年11月8日走访了张长青，送米20斤", picks: []int{4}, day: "2026-11-08", items: "米×20斤"},
		{name: "went to the home the day before yesterday", in: "前天去张长青家走访，房子漏雨(严重)", picks: []int{4}, day: "2026-11-21", text: "房子漏雨(严重)"},
		{name: "home visited today", in: "张长青家今天去过了", picks: []int{4}, day: "2026-11-23"},
		{name: "plan next monday dates nothing", in: "走访 5 约好下周一去镇上办医保", picks: []int{4}, text: "约好下周一去镇上办医保"},
		{name: "next friday is not last friday", in: "走访 5 下周五再来", picks: []int{4}, text: "下周五再来"},
		{name: "tomorrow's goods are not given yet", in: "走访 5 明天去送米20斤", picks: []int{4}, text: "明天去送米20斤"},
		{name: "same name twice", in: "走访 周勇 看房子", picks: []int{5, 6}, text: "看房子"},
		{name: "initials", in: "走访 wcx 看房子", picks: []int{1}, text: "看房子"},
		{name: "code in lower case", in: "走访 hh-0007", picks: []int{0}},
		{name: "zero width space inside a name", in: "走访 王\u200b春发 看房子", picks: []int{0}, text: "看房子"},
		{name: "right-to-left override removed", in: "走访 1 \u202e看房子\u202c", picks: []int{0}, text: "看房子"},
		{name: "content keeps its brackets", in: "走访 1 房子漏雨(严重)", picks: []int{0}, text: "房子漏雨(严重)"},
		{name: "policy amounts are not aid", in: "讲政策 1 每人缴费400元", picks: []int{0}, text: "每人缴费400元"},
		{name: "sales help apart", in: "走访 1 帮着卖了苹果800斤，收入1600元", picks: []int{0}, sales: "苹果×800斤", salesFen: 160000, text: "收入"},
		{name: "zoufang typed 走方", in: "走方王春发 送米两袋", picks: []int{0}, items: "米×2袋"},
		{name: "拜访 is a visit", in: "拜访王春发 聊家常", picks: []int{0}, text: "聊家常"},
		{name: "voice fillers are no content", in: "嗯那个今天那个去了王春发家里看了看", picks: []int{0}, day: "2026-11-23", text: "看了看"},
		{name: "那个 before a word stays", in: "走访 1 那个药送到了", picks: []int{0}, text: "那个药送到了"},
		{name: "上午到 is no content", in: "今天上午到王春发家走访，了解到儿子在外务工", picks: []int{0}, day: "2026-11-23", text: "了解到儿子在外务工"},
		{name: "下午给 is no content", in: "前天下午给王春发打了个电话 他说腰疼", picks: []int{0}, day: "2026-11-21", text: "他说腰疼"},
		{name: "a day next week is in the future, not last year's", in: "走访 王春发 11月30日", err: handlers.ErrFutureDate},
		{name: "a day months ahead is last year's", in: "走访 王春发 12月30日", picks: []int{0}, day: "2025-12-30"},
		{name: "还 alone is no content", in: "还走访了王春发", picks: []int{0}},
		{name: "income is not aid", in: "走访 1 她家年收入3万元", picks: []int{0}, text: "她家年收入3万元"},
		{name: "thousands comma", in: "送温暖 1 现金1,000元", picks: []int{0}, fen: 100000},
		{name: "digit with 千", in: "送温暖 1 现金3千元", picks: []int{0}, fen: 300000},
		{name: "financial numerals", in: "送温暖 1 伍佰元", picks: []int{0}, fen: 50000},
		{name: "minus refused", in: "送温暖 1 现金-500元", err: handlers.ErrNegativeMoney},
		{name: "负 refused", in: "走访 1 给了负500元", err: handlers.ErrNegativeMoney},
		{name: "exponent refused", in: "送温暖 1 1e20元", err: handlers.ErrBadMoney},
		{name: "1e3 refused", in: "送温暖 1 现金1e3元", err: handlers.ErrBadMoney},
		{name: "broken thousands refused", in: "送温暖 1 现金1,00元", err: handlers.ErrBadMoney},
		{name: "too old", in: "走访 1 1999-12-31", err: handlers.ErrDateTooOld},
		{name: "future", in: "走访 1 2027-01-05", err: handlers.ErrFutureDate},
		{name: "impossible", in: "走访 1 2026-02-30", err: handlers.ErrBadDate},
		{name: "number beyond the list", in: "走访 9 看房子", text: "看房子"},
		{name: "went to look at, no keyword", in: "今天去看了王春发 带了米两袋 油1桶", picks: []int{0}, day: "2026-11-23", items: "米×2袋;油×1桶", kind: domain.KindVisit},
		{name: "went to the home, no keyword", in: "昨天去了张长青家", picks: []int{4}, day: "2026-11-22", kind: domain.KindVisit},
		{name: "at the home, sat a while", in: "到张长青家里坐了坐，聊了聊收成", picks: []int{4}, text: "坐了坐，聊了聊收成", kind: domain.KindVisit},
		{name: "went once, traditional", in: "上週五去了一趟張長青家", picks: []int{4}, day: "2026-11-20", kind: domain.KindVisit},
		{name: "goods counted first, two in a row", in: "上周三到张长青家走访 送了一桶油两袋米", picks: []int{4}, day: "2026-11-18", items: "油×1桶;米×2袋"},
		{name: "went to the home and visited a while", in: "今天到张长青家走访了一下，老人身体还可以", picks: []int{4}, day: "2026-11-23", text: "老人身体还可以"},
		{name: "the home named first, went today", in: "王春发家今天去了 送了两桶油", picks: []int{0}, day: "2026-11-23", items: "油×2桶", kind: domain.KindVisit},
		{name: "the home named first, went once in the morning", in: "张长青家里上午去了一趟，聊了聊收成", picks: []int{4}, text: "聊了聊收成", kind: domain.KindVisit},
		{name: "the home named first, then someone went to learn", in: "王春发家的事我去了解一下", err: handlers.ErrNoKind},
		{name: "the home named first, another clause went", in: "王春发家房子漏雨，我们去了镇上", err: handlers.ErrNoKind},
		{name: "the home named first, going tomorrow is a plan", in: "王春发家明天去了再说", err: handlers.ErrNoKind},
		{name: "the household went somewhere: not a visit", in: "王春发去了县医院", err: handlers.ErrNoKind},
		{name: "a message from the household: not a visit", in: "收到王春发的消息", err: handlers.ErrNoKind},
		{name: "saw a photo: not a visit", in: "看了王春发发来的照片", err: handlers.ErrNoKind},
		{name: "the household first, the money after", in: "王春发家孩子考上大学了 送了500元", picks: []int{0}, fen: 50000, text: "孩子考上大学了", kind: domain.KindVisit},
		{name: "the household first, the goods after", in: "昨天 王六斤 送了米两袋", picks: []int{2}, day: "2026-11-22", items: "米×2袋", kind: domain.KindVisit},
		{name: "a name of money stays a name", in: "李三元 给了300元", picks: []int{3}, fen: 30000, kind: domain.KindVisit},
		{name: "给 before the name, the giving after its words", in: "给王春发家孩子送了500元 考上大学了", picks: []int{0}, fen: 50000, text: "孩子 考上大学了", kind: domain.KindVisit},
		{name: "the household giving the cadre is no report", in: "王春发给了我一袋花生", err: handlers.ErrNoKind},
		{name: "the household sending is no report", in: "王春发送来鸡蛋两个", err: handlers.ErrNoKind},
		{name: "giving nothing counted is no report", in: "王春发家孩子送了一封信", err: handlers.ErrNoKind},
		{name: "a name not first is no report", in: "听说王春发 送了500元", err: handlers.ErrNoKind},
		{name: "a day of this month first", in: "3号 走访 王春发 送米一袋", picks: []int{0}, day: "2026-11-03", items: "米×1袋", kind: domain.KindVisit},
		{name: "an address with 号 stays text", in: "走访 王春发 李家村3组12号 看房子", picks: []int{0}, text: "李家村3组12号 看房子"},
		{name: "tomorrow's visit is a plan", in: "明天走访王春发", err: handlers.ErrPlanOnly},
		{name: "next week's visit is a plan", in: "约好下周一走访张长青 送米20斤", err: handlers.ErrPlanOnly},
		{name: "going tomorrow is a plan", in: "明天去张长青家", err: handlers.ErrPlanOnly},
		{name: "a plan after the visit stays in the text", in: "走访王春发，约好下周一再来", picks: []int{0}, text: "约好下周一再来"},
		{name: "gave goods, no keyword", in: "给王春发送了一袋米", picks: []int{0}, items: "米×1袋", kind: domain.KindVisit},
		{name: "gave goods to a list, no keyword", in: "今天给王春发 张长青都送了米 各一袋", picks: []int{0, 4}, day: "2026-11-23", items: "米×1袋", kind: domain.KindVisit},
		{name: "a deed for a list, no keyword", in: "帮王春发和张长青办了医保缴费", picks: []int{0, 4}, text: "办了医保缴费", kind: domain.KindDeed},
		{name: "told a list something is not a report", in: "给王春发 张长青说了下周来", err: handlers.ErrNoKind},
		{name: "a deed, no keyword", in: "帮张长青办了医保", picks: []int{4}, text: "办了医保", kind: domain.KindDeed},
		{name: "a contact made for the household is a deed", in: "帮张长青联系了3家收购商", picks: []int{4}, text: "联系了3家收购商", kind: domain.KindDeed},
		{name: "a call made for the household is a deed", in: "帮张长青打电话问了医保的事", picks: []int{4}, text: "打电话问了医保的事", kind: domain.KindDeed},
		{name: "a visit with a contact made for the household", in: "上周五去张长青家 帮她联系了收购商", picks: []int{4}, day: "2026-11-20", text: "帮她联系了收购商", kind: domain.KindVisit},
		{name: "calling the household is a contact", in: "给张长青打电话 问了医保", picks: []int{4}, text: "问了医保", kind: domain.KindContact},
		{name: "brought goods, nothing left of the words", in: "今天去了王春发家 给他带了两桶油", picks: []int{0}, day: "2026-11-23", items: "油×2桶", kind: domain.KindVisit},
		{name: "that place visited, nothing left", in: "王春发那里去过了", picks: []int{0}, kind: domain.KindVisit},
		{name: "a deed for the household's home, no keyword", in: "帮张长青家申请了临时救助", picks: []int{4}, text: "申请了临时救助", kind: domain.KindDeed},
		{name: "went with the household to hospital", in: "陪张长青去医院看病", picks: []int{4}, text: "去医院看病", kind: domain.KindDeed},
		{name: "a video call, no keyword", in: "和王春发视频了", picks: []int{0}, text: "视频了", kind: domain.KindContact},
		{name: "given to someone else's name is not a report", in: "给王春发的孩子打听了学校", err: handlers.ErrNoKind},
		{name: "comfort money keeps its amount", in: "王春发家，送米一袋，油一桶，慰问金200", picks: []int{0}, items: "米×1袋;油×1桶", fen: 20000, kind: domain.KindWarmth},
		{name: "comfort money after the keyword", in: "慰问 李三元 慰问金500", picks: []int{3}, fen: 50000, kind: domain.KindWarmth},
		{name: "uncle and a surname three households share", in: "走访 王大爷 送米20斤", picks: []int{0, 1, 2}, items: "米×20斤", text: "王大爷"},
		{name: "grandma and a surname one household has", in: "去看了李奶奶", picks: []int{3}, text: "李奶奶", kind: domain.KindVisit},
		{name: "old and a surname", in: "走访 老张 聊了聊", picks: []int{4}, text: "老张 聊了聊"},
		{name: "a full name wins over a colleague called 老王", in: "和老王一起走访了王春发", picks: []int{0}, text: "和老王一起"},
		{name: "with a list number the kinship word stays in the diary", in: "电话 4 问了李大娘身体", picks: []int{3}, text: "问了李大娘身体"},
		{name: "a teacher is nobody's household", in: "走访 老师", picks: nil, text: "老师"},
		{name: "the household's plan before a visit said as done", in: "王春发说他打算明年养猪今天去走访了", picks: []int{0}, kind: domain.KindVisit, text: "说他打算明年养猪今天去"},
		{name: "on the way to the home is not a visit", in: "去王春发家的路上桥冲坏了", err: handlers.ErrNoKind},
		{name: "a plan in another clause", in: "明天要下雨，今天走访了张长青", picks: []int{4}, day: "2026-11-23", text: "明天要下雨"},
		{name: "the call's leftover words go", in: "今天和张长青通了电话她说腿疼", picks: []int{4}, day: "2026-11-23", text: "她说腿疼", kind: domain.KindContact},
		{name: "the household rang, its words stay", in: "张长青来电话说猪病了", picks: []int{4}, text: "说猪病了", kind: domain.KindContact},
		{name: "that household visited", in: "王春发那户去过了", picks: []int{0}, text: "", kind: domain.KindVisit},
		{name: "just came out of the home", in: "刚从张长青家出来，给他带了降压药", picks: []int{4}, text: "给他带了降压药", kind: domain.KindVisit},
		{name: "sat a while at the home", in: "在张长青家坐了一会儿", picks: []int{4}, text: "坐了一会儿", kind: domain.KindVisit},
		{name: "news of the home now is not a visit", in: "现在张长青家房子修好了", err: handlers.ErrNoKind},
		{name: "the household at home is not a visit", in: "张长青在家养病", err: handlers.ErrNoKind},
		{name: "grandma's home, came out of it: the words of the home leave the diary", in: "刚从李奶奶家出来", picks: []int{3}, kind: domain.KindVisit},
		{name: "a surname's home of one household", in: "去了李家 老人不在 跟邻居聊了几句", picks: []int{3}, text: "老人不在 跟邻居聊了几句", kind: domain.KindVisit},
		{name: "a surname's home after the keyword", in: "走访 张家", picks: []int{4}, kind: domain.KindVisit},
		{name: "a surname's home glued to its words", in: "走访张家老人不在", picks: []int{4}, text: "老人不在", kind: domain.KindVisit},
		{name: "a surname's home three households share asks among them", in: "去了王家", picks: []int{0, 1, 2}, kind: domain.KindVisit},
		{name: "a surname's home named first", in: "张家今天去了 送了两桶油", picks: []int{4}, day: "2026-11-23", items: "油×2桶", kind: domain.KindVisit},
		{name: "came out of a surname's home", in: "刚从张家出来", picks: []int{4}, kind: domain.KindVisit},
		{name: "a surname's family stays in the diary", in: "走访 张家人都在", picks: []int{4}, text: "家人都在", kind: domain.KindVisit},
		{name: "a village named after a family is no home", in: "去了李家村 路修好了", err: handlers.ErrNoKind},
		{name: "a village after the keyword names nobody", in: "走访 王家湾 看了路", picks: nil, text: "王家湾 看了路"},
		{name: "old and a surname's home leave the diary", in: "去了老张家 跟他聊了聊", picks: []int{4}, text: "跟他聊了聊", kind: domain.KindVisit},
		{name: "a quick trip to old 李's home", in: "去了趟老李家", picks: []int{3}, kind: domain.KindVisit},
		{name: "uncle's home leaves the diary", in: "去张大爷家看了看 身体还行", picks: []int{4}, text: "看了看 身体还行", kind: domain.KindVisit},
		{name: "given name, kinship and home", in: "到长青大姐家看了看", picks: []int{4}, text: "看了看", kind: domain.KindVisit},
		{name: "given name, kinship and home named first", in: "长青婶家去了一趟", picks: []int{4}, kind: domain.KindVisit},
		{name: "given name and kinship stay in the diary", in: "帮长青大姐办了医保", picks: []int{4}, text: "长青大姐办了医保", kind: domain.KindDeed},
		{name: "a full name's home leaves the diary", in: "走访王春发家老人不在", picks: []int{0}, text: "老人不在"},
		{name: "a full name's family stays in the diary", in: "走访王春发家人都在", picks: []int{0}, text: "家人都在"},
		{name: "a full name's home's things", in: "走访王春发家的猪病了", picks: []int{0}, text: "猪病了"},
		{name: "a call to old 张 keeps only 老张", in: "给老张打了个电话", picks: []int{4}, text: "老张", kind: domain.KindContact},
		{name: "a deed for the household with 把", in: "帮李三元把医保续上了", picks: []int{3}, text: "把医保续上了", kind: domain.KindDeed},
		{name: "a deed for old 张 with 把", in: "帮老张把低保续上了", picks: []int{4}, text: "老张把低保续上了", kind: domain.KindDeed},
		{name: "a deed done with 给", in: "给张长青办了低保续期", picks: []int{4}, text: "办了低保续期", kind: domain.KindDeed},
		{name: "a deed with 给 and 把", in: "给王春发把电费交了", picks: []int{0}, text: "把电费交了", kind: domain.KindDeed},
		{name: "told the household something is no deed", in: "给张长青交代了注意事项", err: handlers.ErrNoKind},
		{name: "sold for the household, no keyword", in: "帮王春发卖了苹果800斤", picks: []int{0}, sales: "苹果×800斤", kind: domain.KindDeed},
		{name: "dialect: 俺 and 昨儿个", in: "俺昨儿个去了张家", picks: []int{4}, day: "2026-11-22", kind: domain.KindVisit},
		{name: "dialect: 咱 and a closing 哈", in: "咱下午去老李家坐了坐哈", picks: []int{3}, text: "坐了坐", kind: domain.KindVisit},
		{name: "dialect: a closing 嘞 alone", in: "俺去了长青家嘞", picks: []int{4}, kind: domain.KindVisit},
		{name: "dialect: 了哈 left by the home", in: "咱去长青家了哈 聊了聊", picks: []int{4}, text: "聊了聊", kind: domain.KindVisit},
		{name: "a laugh stays as typed", in: "走访 李三元 老人说笑哈哈", picks: []int{3}, text: "老人说笑哈哈"},
		{name: "a sigh stays as typed", in: "走访 李三元 他说哎呀", picks: []int{3}, text: "他说哎呀"},
		{name: "given name and home", in: "去长青家了 聊了聊收成", picks: []int{4}, text: "聊了聊收成", kind: domain.KindVisit},
		{name: "given name and home first, looked around", in: "长青家 看了看 挺好", picks: []int{4}, text: "挺好", kind: domain.KindVisit},
		{name: "given name without home is not a name", in: "长青说要去县里", err: handlers.ErrNoKind},
		{name: "a full name wins over a given name and home", in: "去王春发家了，春霞家下次去", picks: []int{0}, text: "春霞家下次去", kind: domain.KindVisit},
		{name: "tomorrow at the home is a plan", in: "明天在张长青家开会", err: handlers.ErrPlanOnly},
		{name: "gave households by number, no quantity", in: "给1、2、3户都送了米", picks: []int{0, 1, 2}, text: "送了米", kind: domain.KindVisit},
		{name: "gave households by number, goods", in: "昨天给2户带了两桶油", picks: []int{1}, day: "2026-11-22", items: "油×2桶", kind: domain.KindVisit},
		{name: "gave households by number, 慰问金 says the kind", in: "给1和3送了慰问金200元", picks: []int{0, 2}, fen: 20000, kind: domain.KindWarmth},
		{name: "gave households by number after the keyword", in: "送温暖 给1、4户各送了米20斤", picks: []int{0, 3}, items: "米×20斤", kind: domain.KindWarmth},
		{name: "gave 3 bags is no household", in: "走访 王春发 给3袋米", picks: []int{0}, items: "米×3袋"},
		{name: "looked at the household, the name ends the clause", in: "看了张长青 她腿疼", picks: []int{4}, text: "她腿疼", kind: domain.KindVisit},
		{name: "looked at the household, a full stop", in: "今天看了张长青。", picks: []int{4}, day: "2026-11-23", kind: domain.KindVisit},
		{name: "looked at the household's photo is no visit", in: "看了王春发发来的照片", err: handlers.ErrNoKind},
		{name: "looked at the household's application is no visit", in: "看了王春发的申请", err: handlers.ErrNoKind},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := handlers.ParseReport(fold, tc.in, parseNow, reportHHs)
			if tc.err != nil || err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("ParseReport(%q) error = %v, want %v", tc.in, err, tc.err)
				}
				return
			}
			if tc.kind != "" && got.Kind != tc.kind {
				t.Fatalf("ParseReport(%q) kind %q, want %q", tc.in, got.Kind, tc.kind)
			}
			day := ""
			if got.DayGiven {
				day = got.Day.Format("2006-01-02")
			}
			if fmt.Sprint(got.Picks) != fmt.Sprint(tc.picks) || day != tc.day || handlers.ItemsString(got.Goods) != tc.items ||
				got.ValueFen != tc.fen || handlers.ItemsString(got.SalesGoods) != tc.sales || got.SalesFen != tc.salesFen || got.Text != tc.text {
				t.Fatalf("ParseReport(%q) = picks %v day %q goods %q fen %d sales %q/%d text %q\nwant picks %v day %q goods %q fen %d sales %q/%d text %q",
					tc.in, got.Picks, day, handlers.ItemsString(got.Goods), got.ValueFen, handlers.ItemsString(got.SalesGoods), got.SalesFen, got.Text,
					tc.picks, tc.day, tc.items, tc.fen, tc.sales, tc.salesFen, tc.text)
			}
		})
	}
}

// folder builds the traditional → simplified tables, as internal/app does once per process.
func folder(tb testing.TB) *hanzi.Folder {
	tb.Helper()
	f, err := hanzi.New()
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// TestParseReportHeadCalledHome: a head whose name ends in 家 (刘家, 包家) is still named by going to
// their home, with 老 before the name too; both were "no activity keyword".
func TestParseReportHeadCalledHome(t *testing.T) {
	hhs := []handlers.HouseholdRef{{Name: "刘家", Code: "H1", Initials: "lj"}, {Name: "包家", Code: "H2", Initials: "bj"}, {Name: "王春发", Code: "H3", Initials: "wcf"}}
	cases := []struct {
		name, in, text string
		pick           int
	}{
		{"went to the head 刘家", "今天去了刘家 讲了防电信诈骗", "讲了防电信诈骗", 0},
		{"went to 老刘家", "今天去了老刘家 讲了防电信诈骗", "讲了防电信诈骗", 0},
		{"went to 老包家", "今天去了老包家 看了看猪圈", "看了看猪圈", 1},
		{"the keyword before 刘家", "走访 刘家 讲了防电信诈骗", "讲了防电信诈骗", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := handlers.ParseReport(folder(t), tc.in, parseNow, hhs)
			if err != nil || len(got.Picks) != 1 || got.Picks[0] != tc.pick || got.Text != tc.text {
				t.Fatalf("ParseReport(%q) = picks %v text %q, %v; want [%d] %q", tc.in, got.Picks, got.Text, err, tc.pick, tc.text)
			}
		})
	}
}
