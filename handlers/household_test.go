package handlers_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/handlers"
	"qinqi/internal/domain"
	"qinqi/store"
)

func TestParseRequest(t *testing.T) {
	cases := []struct {
		name, in string
		cat      domain.RequestCategory
		text     string
	}{
		{"category and text", "就医 想办医疗救助卡", domain.CatMedical, "想办医疗救助卡"},
		{"no space after category", "就学孩子学费交不上", domain.CatSchool, "孩子学费交不上"},
		{"synonym keeps the word", "看病 腿疼要去县医院", domain.CatMedical, "看病 腿疼要去县医院"},
		{"job synonym", "找工作 儿子想在县城打工", domain.CatJob, "找工作 儿子想在县城打工"},
		{"no category", "屋顶漏雨", domain.CatOther, "屋顶漏雨"},
		{"punctuation after category", "住房：屋顶漏雨", domain.CatHousing, "屋顶漏雨"},
		{"empty", "", domain.CatOther, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cat, text := handlers.ParseRequest(tc.in)
			if cat != tc.cat || text != tc.text {
				t.Fatalf("ParseRequest(%q) = %s %q, want %s %q", tc.in, cat, text, tc.cat, tc.text)
			}
		})
	}
}

func TestParseRating(t *testing.T) {
	cases := []struct {
		name, in string
		score    int
		text     string
		ok       bool
	}{
		{"digit and opinion", "5 很满意", 5, "很满意", true},
		{"with fen", "4分 还行", 4, "还行", true},
		{"chinese numeral", "五", 5, "", true},
		{"out of range", "6", 0, "", false},
		{"two digits", "10", 0, "", false},
		{"words only", "很好", 0, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			score, text, ok := handlers.ParseRating(tc.in)
			if score != tc.score || text != tc.text || ok != tc.ok {
				t.Fatalf("ParseRating(%q) = %d %q %v", tc.in, score, text, ok)
			}
		})
	}
}

func TestHouseholdRequestReachesCadreAndCoordinator(t *testing.T) {
	h := newHarness(t)
	got := h.send(HeadWang, "诉求 就医 想办医疗救助卡")
	wantContains(t, got, "已收到您的诉求（编号1，就医）", "已转给张伟", "1天内")
	rs := h.requests(HHWang)
	if len(rs) != 1 {
		t.Fatalf("have %d requests, want 1", len(rs))
	}
	r := rs[0]
	if r.Kind != domain.ReqRequest || r.Category != domain.CatMedical || r.Text != "想办医疗救助卡" || r.Status != domain.StatusNew ||
		*r.AssigneeID != h.person(CadreZhang) || *r.UnitID != h.unit("U0101") {
		t.Fatalf("request = %+v", r)
	}
	if !r.AckDueAt.Equal(h.clk.Now().Add(h.cfg.Requests.AckWithin)) || !r.DueAt.Equal(h.clk.Now().Add(h.cfg.Requests.ResolveWithin)) {
		t.Errorf("due dates %s / %s", r.AckDueAt, r.DueAt)
	}
	toCadre := h.outboxTo(CadreZhang, r.ID, "new")
	if len(toCadre) != 1 {
		t.Fatalf("cadre notifications %v, want 1", toCadre)
	}
	wantContains(t, toCadre[0], "【新诉求#1】王春发（就医）", "受理 1")
	// the sub-unit has no coordinator, so the parent unit's 李协调 gets the copy
	toCoord := h.outboxTo(CoordLi, r.ID, "copy")
	if len(toCoord) != 1 {
		t.Fatalf("coordinator copies %v, want 1", toCoord)
	}
	wantContains(t, toCoord[0], "【诉求抄送#1】", "张伟")
	if len(h.outboxTo(CoordChen, r.ID, "copy")) != 0 {
		t.Error("another unit's coordinator was notified")
	}
	if a := h.audit("request", int64(r.ID)); len(a) != 1 || *a[0].ActorID != h.person(HeadWang) {
		t.Errorf("audit = %+v", a)
	}
}

func TestHouseholdRequestCases(t *testing.T) {
	cases := []struct {
		name, from, in string
		reply          []string
		cat            domain.RequestCategory
		count          int
	}{
		{"category optional", HeadWang, "诉求 屋顶漏雨", []string{"编号1，其他"}, domain.CatOther, 1},
		{"synonym", HeadWang, "/request 上学 孩子学费", []string{"就学"}, domain.CatSchool, 1},
		{"empty request asks for content", HeadWang, "诉求", []string{"请说说需要帮什么忙"}, "", 0},
		{"traditional keyword", HeadWang, "訴求 醫保怎麼交", []string{"已收到您的诉求"}, domain.CatOther, 1},
		{"household without a pairing", HeadNoPair, "诉求 就业 想找活干", []string{"暂时没有结对干部"}, domain.CatJob, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			wantContains(t, h.send(tc.from, tc.in), tc.reply...)
			hh := HHWang
			if tc.from == HeadNoPair {
				hh = HHSun
			}
			rs := h.requests(hh)
			if len(rs) != tc.count {
				t.Fatalf("have %d requests, want %d", len(rs), tc.count)
			}
			if tc.count == 1 && rs[0].Category != tc.cat {
				t.Fatalf("category %s, want %s", rs[0].Category, tc.cat)
			}
		})
	}
}

func TestHouseholdVoiceBecomesCallBackRequest(t *testing.T) {
	h := newHarness(t)
	got := h.msg(HeadWang, bot.Message{Kind: bot.KindVoice, MediaRef: "media/v1.silk"})
	wantContains(t, got, "语音收到了（编号1）", "张伟给您回电话")
	rs := h.requests(HHWang)
	if len(rs) != 1 || rs[0].Kind != domain.ReqVoice || rs[0].MediaRef != "media/v1.silk" {
		t.Fatalf("requests = %+v", rs)
	}
	toCadre := h.outboxTo(CadreZhang, rs[0].ID, "new")
	if len(toCadre) != 1 {
		t.Fatalf("cadre notifications %v", toCadre)
	}
	wantContains(t, toCadre[0], "【语音诉求#1】", "回电话")
	t.Run("with only a platform media id there is nothing to forward", func(t *testing.T) {
		if a := h.outboxTo(CadreZhang, rs[0].ID, "audio"); len(a) != 0 {
			t.Errorf("audio row %q", a)
		}
	})
	t.Run("a cadre's voice is not a request", func(t *testing.T) {
		wantContains(t, h.msg(CadreZhang, bot.Message{Kind: bot.KindVoice, MediaRef: "media/v2.silk"}), "请用文字报告")
	})
}

func TestHouseholdVoiceIsForwardedAsAudioWithTheRecognisedText(t *testing.T) {
	h := newHarness(t)
	rec := filepath.Join(t.TempDir(), "m9.amr")
	h.must(os.WriteFile(rec, []byte("#!AMR\n fake frames"), 0o600))
	got := h.msg(HeadWang, bot.Message{Kind: bot.KindVoice, MediaRef: rec, Text: "想问问低保年审的事 电话13700000001"})
	wantContains(t, got, "语音收到了（编号1）")
	rs := h.requests(HHWang)
	if len(rs) != 1 || rs[0].Text != "（语音，平台识别）想问问低保年审的事 电话13700000001" {
		t.Fatalf("requests = %+v", rs)
	}
	notice := h.outboxTo(CadreZhang, rs[0].ID, "new")
	if len(notice) != 1 {
		t.Fatalf("notices %q", notice)
	}
	wantContains(t, notice[0], "平台识别的文字：“想问问低保年审的事", "137****0001", "以录音为准", "录音见下一条")
	wantNot(t, notice[0], "13700000001")
	audio, err := h.st.OutboxByKey(h.ctx, fmt.Sprintf("inbox:%d:request:%d:audio:to:%d", h.seq, rs[0].ID, h.person(CadreZhang)))
	h.must(err)
	if audio.FilePath != rec || audio.Kind != store.OutFile || !strings.HasPrefix(audio.FileName, "语音-王春发-") || !strings.HasSuffix(audio.FileName, ".amr") {
		t.Errorf("audio row %+v", audio)
	}
	if a := h.outboxTo(CoordLi, rs[0].ID, "audio"); len(a) != 0 {
		t.Errorf("the coordinator's copy carries the audio: %q", a)
	}
}

func TestComplaintGoesToCoordinatorNotCadre(t *testing.T) {
	h := newHarness(t)
	wantContains(t, h.send(HeadWang, "投诉 干部半年没来过"), "投诉已收到（编号1）", "不会转给您的结对干部")
	rs := h.requests(HHWang)
	if len(rs) != 1 || rs[0].Kind != domain.ReqComplaint || *rs[0].AssigneeID != h.person(CoordLi) {
		t.Fatalf("requests = %+v", rs)
	}
	if n := len(h.outboxTo(CoordLi, rs[0].ID, "complaint")); n != 1 {
		t.Fatalf("coordinator notifications %d, want 1", n)
	}
	if n := len(h.outboxTo(CadreZhang, rs[0].ID, "complaint")) + len(h.outboxTo(CadreZhang, rs[0].ID, "new")); n != 0 {
		t.Fatalf("the cadre was told about the complaint")
	}
	t.Run("the cadre cannot see or act on it", func(t *testing.T) {
		wantContains(t, h.send(CadreZhang, "诉求列表"), "目前没有待办的诉求")
		wantContains(t, h.send(CadreZhang, "受理 1"), "不归您办理")
	})
	t.Run("the coordinator sees it", func(t *testing.T) {
		wantContains(t, h.send(CoordLi, "诉求列表"), "#1 王春发｜投诉｜待受理")
	})
	t.Run("empty complaint waits for the complaint; a command instead drops it", func(t *testing.T) {
		wantContains(t, h.send(HeadWang, "投诉"), "请说说要反映什么事", "不会转给您的结对干部")
	})
	t.Run("said the way an old head of household says it", func(t *testing.T) {
		wantContains(t, h.send(HeadWang, "我要投诉 陈书记答应的事没办"), "投诉已收到（编号2）", "不会转给您的结对干部")
		rs := h.requests(HHWang)
		if len(rs) != 2 || rs[1].Kind != domain.ReqComplaint || rs[1].Text != "陈书记答应的事没办" {
			t.Fatalf("requests = %+v, want the second a complaint without 我要投诉", rs)
		}
	})
}

// A household that rates again in a month changes its score; it does not add a second one to the
// month's 满意度 (three "5" made one household count three times). A new month is a new rating,
// and so is a score for a resolved request.
func TestRatingOncePerMonth(t *testing.T) {
	h := newHarness(t)
	ratings := func() string {
		rs, err := h.st.RatingsOfHousehold(h.ctx, h.household(HHWang))
		h.must(err)
		var got []string
		for _, r := range rs {
			got = append(got, fmt.Sprintf("%d:%s:%s", r.Score, r.Text, r.CreatedAt.Format("01-02")))
		}
		return fmt.Sprint(got)
	}
	wantContains(t, h.send(HeadWang, "评价 5 陈书记很负责"), "谢谢您的评价（5分）")
	h.clk.Advance(24 * time.Hour)
	wantContains(t, h.send(HeadWang, "评价 5"), "您这个月已经打过5分了，这次的意见也记上了")
	wantContains(t, h.send(HeadWang, "评价 1 不来"), "已把您这个月的打分从5分改成1分")
	if got := ratings(); got != "[1:不来:11-24]" {
		t.Fatalf("ratings %s", got)
	}
	rs, _ := h.st.RatingsOfHousehold(h.ctx, h.household(HHWang))
	if a := h.audit("rating", rs[0].ID); len(a) != 3 {
		t.Errorf("audit rows %d, want 3 (the rating and two changes)", len(a))
	}
	h.clk.Advance(8 * 24 * time.Hour) // December
	wantContains(t, h.send(HeadWang, "评价 4"), "谢谢您的评价（4分）")
	if got := ratings(); got != "[1:不来:11-24 4::12-02]" {
		t.Fatalf("ratings %s", got)
	}
	t.Run("a resolved request is rated on its own", func(t *testing.T) {
		h.send(HeadWang, "诉求 水管坏了")
		h.send(CadreZhang, "受理 1")
		h.send(CadreZhang, "办结 1 修好了")
		wantContains(t, h.send(HeadWang, "5"), "谢谢您给诉求1打分（5分）")
		if got := ratings(); got != "[1:不来:11-24 4::12-02 5::12-02]" {
			t.Fatalf("ratings %s", got)
		}
	})
}

func TestRatingAndContactCard(t *testing.T) {
	h := newHarness(t)
	t.Run("rating without a request", func(t *testing.T) {
		wantContains(t, h.send(HeadWang, "评价 5 很满意"), "谢谢您的评价（5分）")
		rs, err := h.st.RatingsOfHousehold(h.ctx, h.household(HHWang))
		h.must(err)
		if len(rs) != 1 || rs[0].Score != 5 || rs[0].Text != "很满意" || *rs[0].CadreID != h.person(CadreZhang) || rs[0].RequestID != nil {
			t.Fatalf("ratings = %+v", rs)
		}
		if a := h.audit("rating", rs[0].ID); len(a) != 1 {
			t.Fatalf("audit rows %d", len(a))
		}
	})
	t.Run("contact card masks the phone", func(t *testing.T) {
		got := h.send(HeadWang, "我的干部")
		wantContains(t, got, "【联系卡】张伟 科员", "单位：乡村振兴科", "138****0001", "服务承诺：有事随时找我", "诉求")
		wantNot(t, got, "13800000001")
	})
	t.Run("traditional card keyword", func(t *testing.T) {
		wantContains(t, h.send(HeadWang, "我的幹部"), "【联系卡】张伟")
	})
}

// TestRatingAskedThenGiven: a household that says 评价 without a score, or picks 3 from the menu,
// is asked for the score alone, and the digit it sends next is the score, not a menu item.
func TestRatingAskedThenGiven(t *testing.T) {
	h := newHarness(t)
	wantContains(t, h.send(HeadWang, "评价"), "回复1到5的数字")
	wantContains(t, h.send(HeadWang, "5"), "谢谢您的评价（5分）")
	wantContains(t, h.send(HeadWang, "菜单"), "3. 给干部打分")
	wantContains(t, h.send(HeadWang, "3"), "您这个月已经打过5分。要改的话，回复1到5的数字")
	wantContains(t, h.send(HeadWang, "4分 送的米很好"), "已把您这个月的打分从5分改成4分")
	wantContains(t, h.send(HeadWang, "评价 很满意"), "您这个月已经打过4分")
	wantContains(t, h.send(HeadWang, "五"), "已把您这个月的打分从4分改成5分")
	rs, err := h.st.RatingsOfHousehold(h.ctx, h.household(HHWang))
	h.must(err)
	var got []string
	for _, r := range rs {
		got = append(got, fmt.Sprintf("%d:%s", r.Score, r.Text))
	}
	if fmt.Sprint(got) != "[5:很满意]" {
		t.Fatalf("ratings = %v, want the month's one score with the last words", got)
	}
	t.Run("anything else drops the question", func(t *testing.T) {
		wantContains(t, h.send(HeadWang, "评价"), "回复1到5的数字")
		wantContains(t, h.send(HeadWang, "我的干部"), "【联系卡】张伟")
		wantContains(t, h.send(HeadWang, "5"), "您可以这样用") // menu item 5 again
	})
}

func TestHouseholdMenuByDigits(t *testing.T) {
	h := newHarness(t)
	wantContains(t, h.send(HeadWang, "菜单"), "1. 我的干部", "2. 提诉求")
	wantContains(t, h.send(HeadWang, "1"), "【联系卡】张伟")
	t.Run("a bare digit opens the menu item", func(t *testing.T) {
		wantContains(t, h.send(HeadWang, "2"), "是哪方面的事", "2. 就医")
		wantContains(t, h.send(HeadWang, "2"), "好的（就医）")
		wantContains(t, h.send(HeadWang, "腿疼想去县医院看看"), "已收到您的诉求（编号1，就医）")
		rs := h.requests(HHWang)
		if len(rs) != 1 || rs[0].Category != domain.CatMedical || rs[0].Text != "腿疼想去县医院看看" {
			t.Fatalf("requests = %+v", rs)
		}
	})
	t.Run("unknown digit", func(t *testing.T) {
		wantContains(t, h.send(HeadWang, "9"), "请回复1到7之间的数字", "1. 我的干部")
	})
}

func TestHouseholdRequestSameMessageTwice(t *testing.T) {
	h := newHarness(t)
	in := bot.Inbound{Message: bot.Message{Kind: bot.KindText, Text: "诉求 就医 想办医疗救助卡", Transport: "fake", Account: "bot1", ID: "r-1"},
		PersonID: int64(h.person(HeadWang)), InboxID: 42}
	first := h.handle(in)
	second := h.handle(in)
	wantContains(t, first[0].Text, "编号1")
	wantContains(t, second[0].Text, "编号1")
	if n := len(h.requests(HHWang)); n != 1 {
		t.Fatalf("the same message made %d requests, want 1", n)
	}
	m, err := h.st.OutboxByKey(h.ctx, fmt.Sprintf("inbox:42:request:1:new:to:%d", h.person(CadreZhang)))
	if err != nil || m.Text == "" {
		t.Fatalf("cadre notification keyed by the inbox id: %+v, %v", m, err)
	}
}

// TestRequestTextHygiene: invisible characters go, the household's own punctuation stays (issue 15:
// "房子漏雨(严重)" lost its closing bracket, and a right-to-left override was stored).
func TestRequestTextHygiene(t *testing.T) {
	h := newHarness(t)
	h.send(HeadWang, "诉求 住房 房子\u200b漏雨(严重)\u202e")
	rs := h.requests(HHWang)
	if len(rs) != 1 || rs[0].Text != "房子漏雨(严重)" {
		t.Fatalf("requests = %+v, want one with text 房子漏雨(严重)", rs)
	}
}
