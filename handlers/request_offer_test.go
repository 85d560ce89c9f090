package handlers_test

import (
	"fmt"
	"strings"
	"testing"

	"qinqi/bot"
	"qinqi/handlers"
	"qinqi/internal/domain"
)

func TestMatterOf(t *testing.T) {
	cases := []struct {
		name, in         string
		matter, pleasant bool
	}{
		{"a roof that leaks", "我家房子漏雨了 能不能帮忙看看", true, false},
		{"a question for the cadre", "陈书记什么时候来", true, false},
		{"thanks with a title", "谢谢陈书记！", false, true},
		{"hello", "你好", false, true},
		{"ok", "好的好的", false, true},
		{"a bare name is no matter", "王春发", false, false},
		{"ok in letters is an acknowledgement", "ok", false, true},
		{"other letters are not", "hm", false, false},
		{"can you hear me", "喂喂 听得到吗", false, true},
		{"no need", "算了 不用了", false, true},
		{"punctuation", "？？", false, false},
		{"praise", "陈书记好人啊", false, true},
		{"praise and a matter", "干部很好 就是房子还漏雨", true, false},
		{"praise turned round is not pleasant", "不满意", false, false},
		{"praise with who and thanks", "陈书记人很好 谢谢他", false, true},
		{"praise with a matter after it", "陈书记人很好，我家低保卡丢了", true, false},
		{"a thumbs-up", "👍", false, true},
		{"folded hands", "🙏🙏", false, true},
		{"a sad face is no thanks", "😢", false, false},
		{"thanks with a surname, a title and 你们", "谢谢陈局长 你们辛苦了", false, true},
		{"a title ahead of a matter", "陈书记什么时候来", true, false},
		{"thanks to the government", "谢谢党和政府", false, true},
		{"asking for the village head is a matter", "我要找村长", true, false},
		{"an old man is no title", "老伴病了 住院了", true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			matter, pleasant := handlers.MatterOf(tc.in)
			if matter != tc.matter || pleasant != tc.pleasant {
				t.Fatalf("MatterOf(%q) = %v %v, want %v %v", tc.in, matter, pleasant, tc.matter, tc.pleasant)
			}
		})
	}
}

// TestHouseholdPraiseIsThanked: praise of the cadre is thanked and pointed to 评价; praise turned
// round is not.
func TestHouseholdPraiseIsThanked(t *testing.T) {
	h := newHarness(t)
	wantContains(t, h.send(HeadWang, "张书记好人啊"), "谢谢您的肯定", "评价")
	wantContains(t, h.send(HeadWang, "张书记人很好 谢谢他"), "谢谢您的肯定", "评价")
	wantContains(t, h.send(HeadWang, "🙏"), "不客气")
	wantContains(t, h.send(HeadWang, "👍"), "您好")
	wantNot(t, h.send(HeadWang, "不满意"), "谢谢您的肯定")
	if rs := h.requests(HHWang); len(rs) != 0 {
		t.Fatalf("praise made a request: %+v", rs)
	}
}

// A short displeasure is not "not understood": the household is asked what it is about, and the
// sentence it sends next is offered together with it; 3 takes both to the unit, never to the cadre.
func TestHouseholdDispleasureIsAskedAbout(t *testing.T) {
	h := newHarness(t)
	got := h.send(HeadWang, "不满意")
	wantContains(t, got, "您说“不满意”", "是什么事让您不满意")
	wantNot(t, got, "没看懂")
	wantContains(t, h.send(HeadWang, "张书记半年没来过"), "您说的是：“不满意 张书记半年没来过”", "回复 3 是反映干部的问题")
	wantContains(t, h.send(HeadWang, "3"), "投诉已收到")
	rs := h.requests(HHWang)
	if len(rs) != 1 || rs[0].Kind != domain.ReqComplaint || rs[0].Text != "不满意 张书记半年没来过" {
		t.Fatalf("requests %+v", rs)
	}
	if n := h.notesTo(CadreZhang, ""); len(n) != 0 {
		t.Fatalf("the cadre heard of the complaint: %q", n)
	}
	t.Run("other short ways of saying it", func(t *testing.T) {
		for _, in := range []string{"太差了", "差评", "不好"} {
			wantContains(t, h.send(HeadWang, in), "是什么事让您不满意")
			h.send(HeadWang, "2")
		}
	})
}

// "陈书记今天来过了" with no question open is thanked, not offered to the cadre as a request;
// "他没来" is offered, so 3 can take it to the unit.
func TestHouseholdSaysTheCadreCame(t *testing.T) {
	h := newHarness(t)
	got := h.send(HeadWang, "张书记今天来过了")
	wantContains(t, got, "谢谢您告诉我们干部来看过您")
	wantNot(t, got, "您说的是")
	wantContains(t, h.send(HeadWang, "张书记上个月来过"), "谢谢您告诉我们干部来看过您")
	wantContains(t, h.send(HeadWang, "他没来"), "您说的是：“他没来”", "回复 3 是反映干部的问题")
	wantContains(t, h.send(HeadWang, "3"), "投诉已收到")
	if rs := h.requests(HHWang); len(rs) != 1 || rs[0].Kind != domain.ReqComplaint {
		t.Fatalf("requests %+v, want the one complaint", rs)
	}
}

// A household head's sentence without a command is asked about once; 1 makes it a request for the cadre.
func TestHouseholdSentenceBecomesARequestOnOne(t *testing.T) {
	h := newHarness(t)
	wantContains(t, h.send(HeadWang, "我家房子漏雨了"), "您说的是：“我家房子漏雨了”", "回复 1 交给帮扶干部办理", "回复 3 是反映干部的问题")
	if rs := h.requests(HHWang); len(rs) != 0 {
		t.Fatalf("a request before the answer: %+v", rs)
	}
	wantContains(t, h.send(HeadWang, "能不能帮忙看看"), "您说的是：“我家房子漏雨了 能不能帮忙看看”")
	wantContains(t, h.send(HeadWang, "1"), "已收到您的诉求（编号1", "已转给张伟")
	rs := h.requests(HHWang)
	if len(rs) != 1 || rs[0].Kind != domain.ReqRequest || rs[0].Text != "我家房子漏雨了 能不能帮忙看看" || *rs[0].AssigneeID != h.person(CadreZhang) {
		t.Fatalf("requests %+v", rs)
	}
	if n := h.notesTo(CadreZhang, ""); len(n) == 0 {
		t.Error("the cadre was not told")
	}
	t.Run("the digit after is the menu again, not a second request", func(t *testing.T) {
		wantContains(t, h.send(HeadWang, "1"), "【联系卡】张伟")
		if rs := h.requests(HHWang); len(rs) != 1 {
			t.Fatalf("requests %d, want 1", len(rs))
		}
	})
}

// 2 drops the sentence; 3 makes it a complaint, which the cadre never sees.
func TestHouseholdSentenceDroppedOrComplained(t *testing.T) {
	h := newHarness(t)
	h.send(HeadWang, "问一下低保的事")
	wantContains(t, h.send(HeadWang, "2"), "没有交给干部")
	if rs := h.requests(HHWang); len(rs) != 0 {
		t.Fatalf("requests after 2: %+v", rs)
	}
	h.send(HeadWang, "干部半年没来过了")
	wantContains(t, h.send(HeadWang, "3"), "投诉已收到", "不会转给您的结对干部")
	rs := h.requests(HHWang)
	if len(rs) != 1 || rs[0].Kind != domain.ReqComplaint || *rs[0].AssigneeID != h.person(CoordLi) {
		t.Fatalf("requests %+v", rs)
	}
	if n := h.notesTo(CadreZhang, ""); len(n) != 0 {
		t.Fatalf("the cadre heard of the complaint: %q", n)
	}
	t.Run("a digit out of range asks again and keeps nothing", func(t *testing.T) {
		h.send(HeadWang, "孩子上学的补助怎么申请")
		wantContains(t, h.send(HeadWang, "4"), "请回复1到3之间的数字")
		wantContains(t, h.send(HeadWang, "1"), "已收到您的诉求")
	})
}

func TestHouseholdThanksAreThankedBack(t *testing.T) {
	h := newHarness(t)
	got := h.send(HeadWang, "谢谢张书记")
	wantContains(t, got, "不客气")
	wantNot(t, got, "没看懂", "您说的是")
	t.Run("asking for the cadre's number gets the contact card", func(t *testing.T) {
		for _, in := range []string{"张书记电话多少", "帮扶干部电话", "张书记的电话"} {
			got := h.send(HeadWang, in)
			wantContains(t, got, "【联系卡】张伟")
			wantNot(t, got, "您说的是")
		}
	})
	t.Run("a greeting is greeted", func(t *testing.T) {
		got := h.send(HeadWang, "你好")
		wantContains(t, got, "您好！")
		wantNot(t, got, "不客气")
	})
	t.Run("a cadre's sentence is still not understood, never offered as a request", func(t *testing.T) {
		wantContains(t, h.send(CadreZhang, "今天天气不错啊朋友们"), "没看懂这条")
	})
}

// A household that sends a voice message instead of answering the question keeps it with the
// sentence, and is asked again: the voice may be the complaint about the cadre ("陈建国这个人不行"
// and then a voice message), so it waits for 1/2/3 like the words. 3 sends both to the unit, and the
// cadre hears nothing.
func TestHouseholdSentenceThenVoice(t *testing.T) {
	h := newHarness(t)
	h.send(HeadWang, "张伟这个人不行")
	got := h.msg(HeadWang, bot.Message{Kind: bot.KindVoice, MediaRef: "media/v1.silk"})
	wantContains(t, got, "您说的是：“张伟这个人不行 （语音留言）”", "回复 3 是反映干部的问题")
	if rs := h.requests(HHWang); len(rs) != 0 {
		t.Fatalf("the voice was sent on before the answer: %+v", rs)
	}
	wantContains(t, h.send(HeadWang, "3"), "投诉已收到（编号1）")
	rs := h.requests(HHWang)
	if len(rs) != 1 || rs[0].Kind != domain.ReqComplaint || rs[0].MediaRef != "media/v1.silk" || rs[0].Text != "张伟这个人不行 （语音留言）" {
		t.Fatalf("requests %+v", rs)
	}
	if n := len(h.notesTo(CadreZhang, "request:")); n != 0 {
		t.Fatalf("the cadre got %d notes of the complaint", n)
	}
	wantContains(t, strings.Join(h.outboxTo(CoordLi, rs[0].ID, "complaint"), "\n"), "张伟这个人不行 （语音留言）", "这里看不到，请电话了解")
	wantContains(t, h.send(HeadWang, "1"), "【联系卡】张伟")
	if rs := h.requests(HHWang); len(rs) != 1 {
		t.Fatalf("requests %d after the digit, want 1", len(rs))
	}
}

// A household's own words come back masked and, when long, with their newest part still shown; an
// emergency is answered with the emergency numbers first; "有事找谁" alone gets the contact card.
func TestHouseholdFreeTextProbe(t *testing.T) {
	h := newHarness(t)
	got := h.send(HeadWang, "我的身份证号是330102195001011234 帮我查一下低保")
	wantContains(t, got, "330*************34")
	wantNot(t, got, "330102195001011234")
	h.send(HeadWang, "2")

	h.send(HeadWang, "我家房子漏雨了 下雨天屋里全是水 老伴腿脚又不好 晚上睡不着觉 儿子在外地打工也回不来 能不能帮忙找人看看")
	got = h.send(HeadWang, "还有低保卡也丢了")
	wantContains(t, got, "我家房子漏雨了", "…", "还有低保卡也丢了")
	h.send(HeadWang, "2")

	for _, in := range []string{"有事找谁", "我找谁", "有人管吗", "有人在吗"} {
		wantContains(t, h.send(HeadWang, in), "【联系卡】")
	}
	wantContains(t, h.send(HeadWang, "我家房子漏雨了有人管吗"), "您说的是：“我家房子漏雨了有人管吗”")
	h.send(HeadWang, "2")

	got = h.send(HeadWang, "救命 家里着火了")
	wantContains(t, got, "火警119", "您说的是：“救命 家里着火了”")
	wantContains(t, h.send(HeadWang, "1"), "已收到您的诉求")
	rs := h.requests(HHWang)
	if len(rs) != 1 {
		t.Fatalf("requests %+v", rs)
	}
	// the cadre's note ignores quiet hours; an ordinary request's does not
	found := 0
	for seq := 1; seq <= h.seq; seq++ {
		m, err := h.st.OutboxByKey(h.ctx, fmt.Sprintf("inbox:%d:request:%d:new:to:%d", seq, rs[0].ID, h.person(CadreZhang)))
		if err == nil {
			found++
			if !m.Urgent {
				t.Fatalf("the emergency's note to the cadre is not urgent: %+v", m)
			}
		}
	}
	if found != 1 {
		t.Fatalf("%d notes to the cadre", found)
	}
	wantContains(t, h.send(HeadWang, "谢谢陈局长 你们辛苦了"), "不客气")
	wantContains(t, h.send(HeadWang, "你们哪个管我家"), "【联系卡】")
	wantContains(t, h.send(HeadWang, "你是谁"), "我是结对帮扶的微信助手", "【联系卡】")

	// asked for the number while a sentence waits: the card, and the sentence still waits for its digit
	wantContains(t, h.send(HeadWang, "我要找村长"), "您说的是：“我要找村长”")
	wantContains(t, h.send(HeadWang, "张书记电话"), "【联系卡】")
	wantContains(t, h.send(HeadWang, "2"), "没有交给干部")
	if rs := h.requests(HHWang); len(rs) != 1 {
		t.Fatalf("requests %+v", rs)
	}
}
