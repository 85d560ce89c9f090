package handlers_test

import (
	"strings"
	"testing"

	"qinqi/handlers"
	"qinqi/internal/domain"
)

func TestAsksCadreAround(t *testing.T) {
	cadres := []string{"张伟"}
	cases := []struct {
		name, in string
		want     bool
	}{
		{"old surname", "老张在不在", true},
		{"surname and title", "张书记在吗", true},
		{"with time and place", "张局长今天在不在村里", true},
		{"wants to find him", "我想找张书记", true},
		{"full name", "张伟在不在", true},
		{"he", "他在不在家", true},
		{"the cadre in words", "帮扶干部今天来了吗", true},
		{"free today", "张书记明天有空吗？", true},
		{"to the bot: a greeting", "在吗", false},
		{"to the bot with you", "你在吗", false},
		{"with a matter", "我想找张书记帮忙看看房子", false},
		{"a matter that names him", "张书记在不在 我家房子漏了", false},
		{"老 before a matter", "老张家的牛跑了", false},
		{"no asking word", "张书记", false},
		{"someone else's name stays", "李明在不在", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := handlers.AsksCadreAround(tc.in, cadres); got != tc.want {
				t.Fatalf("AsksCadreAround(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestAsksHowTo(t *testing.T) {
	cases := []struct {
		name, in string
		want     bool
	}{
		{"how is this used", "这个怎么用啊", true},
		{"how to do it", "怎么弄", true},
		{"cannot type", "我不会打字", true},
		{"cannot read", "我不识字", true},
		{"do not understand", "看不懂啊", true},
		{"a matter asked how", "低保怎么弄", false},
		{"applying is a matter", "怎么办理低保", false},
		{"a roof", "房子漏雨了怎么办", false},
		{"nothing of it", "你好", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := handlers.AsksHowTo(tc.in); got != tc.want {
				t.Fatalf("AsksHowTo(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

// How a household head asks after the cadre or the bot, and what it gets: the card for "老张在不在"
// (it was 没看懂) and "张书记在吗" (a greeting), a short how-to for "这个怎么用啊" (it was offered to
// the cadre as a request), a question back for "😭" (没看懂); "不用了" while a sentence waits is its
// answer 2. No request is written by any of them.
func TestHouseholdAsksAfterTheCadreOrTheBot(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct{ in, want, not string }{
		{"老张在不在", "我这儿看不到", "没看懂"},
		{"张书记在吗", "【联系卡】张伟", "您好！"},
		{"张伟今天在不在村里", "【联系卡】张伟", "您说的是"},
		{"这个怎么用啊", "不用学，有事直接说就行", "您说的是"},
		{"我不会打字", "发语音", "您说的是"},
		{"😭", "您怎么了", "没看懂"},
		{"ok", "您好！", "没看懂"},
		{"喂喂 听得到吗", "您好！", "您说的是"},
	} {
		got := h.send(HeadWang, tc.in)
		wantContains(t, got, tc.want)
		wantNot(t, got, tc.not)
	}
	h.send(HeadWang, "我家房子漏雨了")
	wantContains(t, h.send(HeadWang, "张书记在吗"), "【联系卡】张伟")
	wantContains(t, h.send(HeadWang, "算了 不用了"), "这句话没有交给干部")
	if rs := h.requests(HHWang); len(rs) != 0 {
		t.Fatalf("requests %+v", rs)
	}
	if got := h.send(HeadWang, "1"); !strings.Contains(got, "【联系卡】") {
		t.Fatalf("the sentence still waited: %q", got)
	}
}

// FuzzHouseholdPhrase: the readers of a household's sentence never panic, and a matter said with a
// question about the cadre or the bot is never swallowed by it: the question with "我家房子漏雨了"
// after it is no longer only that question.
func FuzzHouseholdPhrase(f *testing.F) {
	for _, s := range []string{"老陈在不在", "陈书记在吗", "这个怎么用啊", "我不会打字", "低保怎么弄", "老", "老老", "在吗😭", "ok", "算了 不用了"} {
		f.Add(s)
	}
	const matter = " 我家房子漏雨了"
	f.Fuzz(func(t *testing.T, s string) {
		handlers.MatterOf(s)
		if handlers.AsksCadreAround(s+matter, []string{"陈建国"}) {
			t.Fatalf("%q swallowed a matter as a question about the cadre", s+matter)
		}
		if handlers.AsksHowTo(s + matter) {
			t.Fatalf("%q swallowed a matter as a how-to question", s+matter)
		}
	})
}

func TestCategoryIn(t *testing.T) {
	cases := []struct {
		name, in string
		want     domain.RequestCategory
	}{
		{"低保 late", "我家低保怎么还没下来", domain.CatInsurance},
		{"a roof", "我家房子漏雨了 能不能帮忙看看", domain.CatHousing},
		{"the county hospital", "腿疼得厉害 想去县医院看看 有没有车", domain.CatMedical},
		{"a son's job", "我儿子在外地打工 想问问有没有工作", domain.CatJob},
		{"fees", "孙子学费交不上", domain.CatSchool},
		{"fertiliser", "化肥什么时候发", domain.CatFarming},
		{"医保 before 看病", "医保报销看病的钱", domain.CatInsurance},
		{"nothing", "给点钱吧 家里没钱了", domain.CatOther},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := handlers.CategoryIn(tc.in); got != tc.want {
				t.Fatalf("CategoryIn(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

// A sentence passed on with 1 takes the category its words speak of (it was always 其他, so the
// coordinator's 诉求 counts by category said nothing of what households ask for).
func TestOfferedSentenceTakesItsCategory(t *testing.T) {
	h := newHarness(t)
	h.send(HeadWang, "我家低保怎么还没下来")
	wantContains(t, h.send(HeadWang, "1"), "已收到您的诉求（编号1，社保）")
	if rs := h.requests(HHWang); len(rs) != 1 || rs[0].Category != domain.CatInsurance || rs[0].Text != "我家低保怎么还没下来" {
		t.Fatalf("requests %+v", rs)
	}
	wantContains(t, strings.Join(h.outboxTo(CadreZhang, 1, "new"), "\n"), "王春发（社保）")
}

// While the bot waits for a request's words (menu 2, a category) or a complaint (投诉 alone), thanks
// or 好的 ask again and 算了 ends the wait: neither is filed (好的 was a request, 谢谢 a complaint).
// A short matter that is no pleasantry is still filed.
func TestWaitingForTheMatterTakesNoPleasantry(t *testing.T) {
	h := newHarness(t)
	h.send(HeadWang, "投诉")
	wantContains(t, h.send(HeadWang, "谢谢"), "请说说要反映什么事")
	wantContains(t, h.send(HeadWang, "算了"), "没有记下什么")
	h.send(HeadWang, "菜单")
	h.send(HeadWang, "2")
	h.send(HeadWang, "4")
	wantContains(t, h.send(HeadWang, "好的"), "好的（住房）。请说说具体什么事")
	if rs := h.requests(HHWang); len(rs) != 0 {
		t.Fatalf("pleasantries were filed: %+v", rs)
	}
	wantContains(t, h.send(HeadWang, "没水"), "已收到您的诉求（编号1，住房）")
	if rs := h.requests(HHWang); len(rs) != 1 || rs[0].Text != "没水" {
		t.Fatalf("requests %+v", rs)
	}
}
