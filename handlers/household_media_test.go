package handlers_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/internal/domain"
	"qinqi/store"
)

// mediaFile writes a small file as a channel leaves a photo or recording on this machine.
func mediaFile(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte("fake media"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// fileTo is the outbox row of a request's forwarded file (action "image", "audio", "image2" …).
func (h *harness) fileTo(code string, req domain.RequestID, action string) (store.OutboxMessage, bool) {
	h.t.Helper()
	for seq := 1; seq <= h.seq; seq++ {
		m, err := h.st.OutboxByKey(h.ctx, fmt.Sprintf("inbox:%d:request:%d:%s:to:%d", seq, req, action, h.person(code)))
		if err == nil {
			return m, true
		}
	}
	return store.OutboxMessage{}, false
}

// 投诉 said alone, then a voice message: the recording is the complaint and goes to the unit's
// coordinator as a file, never to the cadre (it went to the cadre as a voice request before).
func TestComplaintAloneThenVoiceGoesToTheUnit(t *testing.T) {
	h := newHarness(t)
	wantContains(t, h.send(HeadWang, "投诉"), "请说说要反映什么事", "不会转给您的结对干部")
	rec := mediaFile(t, "v1.amr")
	wantContains(t, h.msg(HeadWang, bot.Message{Kind: bot.KindVoice, MediaRef: rec}), "投诉已收到（编号1）")
	rs := h.requests(HHWang)
	if len(rs) != 1 || rs[0].Kind != domain.ReqComplaint || rs[0].MediaRef != rec || rs[0].Text != "（语音留言）" {
		t.Fatalf("requests %+v", rs)
	}
	wantContains(t, strings.Join(h.outboxTo(CoordLi, rs[0].ID, "complaint"), "\n"), "【投诉#1】王春发：（语音留言）", "照片或录音见下一条")
	if f, ok := h.fileTo(CoordLi, rs[0].ID, "audio"); !ok || f.FilePath != rec || f.Kind != store.OutFile || !strings.HasPrefix(f.FileName, "语音-王春发-") {
		t.Errorf("the coordinator's recording %+v (%v)", f, ok)
	}
	if n := len(h.notesTo(CadreZhang, "request:")); n != 0 {
		t.Fatalf("the cadre got %d notes of the complaint", n)
	}
	t.Run("menu item 4, then the words", func(t *testing.T) {
		h.send(HeadWang, "菜单")
		wantContains(t, h.send(HeadWang, "4"), "请说说要反映什么事")
		wantContains(t, h.send(HeadWang, "张伟从来不来"), "投诉已收到（编号2）")
		if rs := h.requests(HHWang); len(rs) != 2 || rs[1].Kind != domain.ReqComplaint || rs[1].Text != "张伟从来不来" {
			t.Fatalf("requests %+v", rs)
		}
	})
}

// A photo sent after a sentence waits with it, a location meanwhile keeps the question, and 1 sends
// the sentence and each photo to the cadre; the coordinator's copy carries no photo.
func TestHouseholdSentenceThenPhotosGoToTheCadreOnOne(t *testing.T) {
	h := newHarness(t)
	p1, p2 := mediaFile(t, "a.jpg"), mediaFile(t, "b.jpg")
	h.send(HeadWang, "这是我家房子 漏雨 你看看")
	wantContains(t, h.msg(HeadWang, bot.Message{Kind: bot.KindImage, MediaRef: p1}), "您说的是：“这是我家房子 漏雨 你看看 （照片）”")
	wantContains(t, h.msg(HeadWang, bot.Message{Kind: bot.KindLocation, Lat: 30.1, Lng: 120.2}), "刚才的问题还在等您回复")
	wantContains(t, h.msg(HeadWang, bot.Message{Kind: bot.KindImage, MediaRef: p2}), "你看看 （照片） （照片）")
	if rs := h.requests(HHWang); len(rs) != 0 {
		t.Fatalf("sent on before the answer: %+v", rs)
	}
	wantContains(t, h.send(HeadWang, "1"), "已收到您的诉求（编号1")
	rs := h.requests(HHWang)
	if len(rs) != 1 || rs[0].Kind != domain.ReqRequest || rs[0].MediaRef != p1 || rs[0].Text != "这是我家房子 漏雨 你看看 （照片） （照片）" {
		t.Fatalf("requests %+v", rs)
	}
	wantContains(t, strings.Join(h.outboxTo(CadreZhang, rs[0].ID, "new"), "\n"), "照片或录音见下一条")
	for action, want := range map[string]string{"image": p1, "image2": p2} {
		f, ok := h.fileTo(CadreZhang, rs[0].ID, action)
		if !ok || f.FilePath != want || f.Kind != store.OutImage || !strings.HasPrefix(f.FileName, "照片-王春发-") {
			t.Errorf("%s to the cadre: %+v (%v)", action, f, ok)
		}
	}
	if _, ok := h.fileTo(CoordLi, rs[0].ID, "image"); ok {
		t.Errorf("the coordinator's copy carries the photo")
	}
}

// A photo alone is asked about like a sentence; 2 drops it.
func TestHouseholdPhotoAloneIsAskedAbout(t *testing.T) {
	h := newHarness(t)
	wantContains(t, h.msg(HeadWang, bot.Message{Kind: bot.KindImage, MediaRef: "media/p1"}), "您说的是：“（照片）”", "回复 2 不用")
	wantContains(t, h.send(HeadWang, "2"), "没有交给干部")
	if rs := h.requests(HHWang); len(rs) != 0 {
		t.Fatalf("requests %+v", rs)
	}
	t.Run("a file is not lost silently either", func(t *testing.T) {
		wantContains(t, h.msg(HeadWang, bot.Message{Kind: bot.KindFile, MediaRef: "media/f1"}), "这种消息我还")
	})
}

// A photo within half an hour of a request is added to it and sent to its cadre; of a complaint, to
// the unit's coordinator only; later, or after the request is done, it is asked about anew.
func TestHouseholdPhotoJoinsTheRequestJustMade(t *testing.T) {
	h := newHarness(t)
	h.send(HeadWang, "诉求 住房 屋顶漏雨")
	h.clk.Advance(5 * time.Minute)
	pic := mediaFile(t, "roof.jpg")
	wantContains(t, h.msg(HeadWang, bot.Message{Kind: bot.KindImage, MediaRef: pic}), "照片收到了，已补充到您的诉求（编号1）")
	rs := h.requests(HHWang)
	if len(rs) != 1 || rs[0].Text != "屋顶漏雨 （照片）" || rs[0].MediaRef != pic {
		t.Fatalf("requests %+v", rs)
	}
	wantContains(t, strings.Join(h.outboxTo(CadreZhang, rs[0].ID, "added"), "\n"), "【诉求#1 补充照片】王春发又发来一张照片。照片或录音见下一条。")
	if f, ok := h.fileTo(CadreZhang, rs[0].ID, "image"); !ok || f.FilePath != pic {
		t.Errorf("the photo to the cadre: %+v (%v)", f, ok)
	}
	if a := h.audit("request", int64(rs[0].ID)); len(a) == 0 || a[len(a)-1].Action != store.ActAttach {
		t.Errorf("audit %+v", a)
	}
	t.Run("of a complaint: the coordinator only", func(t *testing.T) {
		h.send(HeadWang, "投诉 张伟答应的事没办")
		wantContains(t, h.msg(HeadWang, bot.Message{Kind: bot.KindImage, MediaRef: "media/p9"}), "已补充到您的投诉（编号2）")
		wantContains(t, strings.Join(h.outboxTo(CoordLi, 2, "added"), "\n"), "【投诉#2 补充照片】", "这里看不到，请电话了解")
		if n := len(h.outboxTo(CadreZhang, 2, "added")); n != 0 {
			t.Fatalf("the cadre was told of the complaint's photo")
		}
	})
	t.Run("half an hour later it is a matter of its own", func(t *testing.T) {
		h.clk.Advance(31 * time.Minute)
		wantContains(t, h.msg(HeadWang, bot.Message{Kind: bot.KindImage, MediaRef: "media/p10"}), "您说的是：“（照片）”")
	})
}

// The category menu, then a photo: the photo is the request of that category.
func TestHouseholdCategoryThenPhoto(t *testing.T) {
	h := newHarness(t)
	h.send(HeadWang, "菜单")
	h.send(HeadWang, "2")
	h.send(HeadWang, "4")
	wantContains(t, h.msg(HeadWang, bot.Message{Kind: bot.KindImage, MediaRef: "media/p1"}), "已收到您的诉求（编号1，住房）")
	if rs := h.requests(HHWang); len(rs) != 1 || rs[0].Category != domain.CatHousing || rs[0].Text != "（照片）" || rs[0].MediaRef != "media/p1" {
		t.Fatalf("requests %+v", rs)
	}
	wantContains(t, strings.Join(h.outboxTo(CadreZhang, 1, "new"), "\n"), "（照片）", "这里看不到，请电话了解")
}

// A photo added to a complaint skips a coordinator who is the household's own cadre, as the complaint
// does (4140d1e): 张伟 also coordinates 县农业农村局, and the photo of 王春发's complaint reaches 李协调
// only. He was sent it as one of the unit's coordinators.
func TestComplaintPhotoSkipsCadreWhoCoordinates(t *testing.T) {
	h := newHarness(t)
	u := h.unit("U01")
	h.must(h.st.UpsertPeople(h.ctx, []store.Person{{Code: CadreZhang, Name: "张伟", Phone: "13800000001",
		Roles: domain.MakeRoles(domain.RoleCadre, domain.RoleCoordinator), UnitID: &u}}, nil))
	wantContains(t, h.send(HeadWang, "投诉 张伟答应的事没办"), "投诉已收到（编号1）")
	wantContains(t, h.msg(HeadWang, bot.Message{Kind: bot.KindImage, MediaRef: "media/p1"}), "已补充到您的投诉（编号1）")
	wantContains(t, strings.Join(h.outboxTo(CoordLi, 1, "added"), "\n"), "【投诉#1 补充照片】")
	if n := h.notesTo(CadreZhang, ":request:1:"); len(n) != 0 {
		t.Fatalf("the cadre was sent his own complaint's photo: %q", n)
	}
}
