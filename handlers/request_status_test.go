package handlers_test

import (
	"testing"
	"time"

	"qinqi/handlers"
	"qinqi/internal/domain"
	"qinqi/store"
)

func TestAsksProgress(t *testing.T) {
	cases := []struct {
		name, in string
		want     bool
	}{
		{"how is it going", "我反映的事情办得怎么样了", true},
		{"any news", "低保的事有消息没有", true},
		{"done yet", "水管的事办好了吗", true},
		{"dialect", "那个事咋样了", true},
		{"progress word", "查一下进度", true},
		{"solved yet", "房子漏雨解决了没", true},
		{"chase it", "催一下", true},
		{"chase it for me", "帮我催催低保的事", true},
		{"new matter", "我家房子漏雨了 能不能帮忙看看", false},
		{"asks when the cadre comes", "陈书记什么时候来", false},
		{"thanks", "谢谢张书记", false},
		{"empty", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := handlers.AsksProgress(tc.in); got != tc.want {
				t.Fatalf("AsksProgress(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestAsksStatus(t *testing.T) {
	cases := []struct {
		name, in string
		want     bool
	}{
		{"check my requests", "查一下我的诉求", true},
		{"look at my requests", "看看我的诉求", true},
		{"a progress question", "诉求办得怎么样", true},
		{"a long matter mentioning the words", "我的诉求是家里房子漏雨了一直没人来修理", false},
		{"a matter", "我家老伴住院了，医药费报不了", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := handlers.AsksStatus(tc.in); got != tc.want {
				t.Fatalf("AsksStatus(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestStatusPick(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	at := func(days int) *time.Time { t := now.AddDate(0, 0, -days); return &t }
	req := func(id int64, st domain.RequestStatus, resolvedDaysAgo int) store.Request {
		q := store.Request{ID: domain.RequestID(id), Status: st}
		if st == domain.StatusResolved {
			q.ResolvedAt = at(resolvedDaysAgo)
		}
		return q
	}
	all := []store.Request{ // oldest first, as the store gives them
		req(1, domain.StatusResolved, 200), req(2, domain.StatusAccepted, 0), req(3, domain.StatusResolved, 10),
		req(4, domain.StatusNew, 0), req(5, domain.StatusResolved, 1), req(6, domain.StatusTransferred, 0),
	}
	ids := func(rs []store.Request) []domain.RequestID {
		var out []domain.RequestID
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	cases := []struct {
		name string
		max  int
		want []domain.RequestID
		left int
	}{
		{"open newest first, then recent resolved; a resolved one 200 days old is not shown", 8, []domain.RequestID{6, 4, 2, 5, 3}, 0},
		{"what does not fit is counted", 3, []domain.RequestID{6, 4, 2}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			shown, left := handlers.StatusPick(all, now, tc.max)
			if got := ids(shown); len(got) != len(tc.want) || left != tc.left {
				t.Fatalf("StatusPick = %v left %d, want %v left %d", got, left, tc.want, tc.left)
			}
			for i, id := range ids(shown) {
				if id != tc.want[i] {
					t.Fatalf("StatusPick = %v, want %v", ids(shown), tc.want)
				}
			}
		})
	}
}

// A household asks how what they reported is going, in the command's words and in their own, and is
// told each request's state; the question itself files nothing.
func TestHouseholdAsksHowTheirRequestsAreGoing(t *testing.T) {
	h := newHarness(t)
	wantContains(t, h.send(HeadWang, "我的诉求"), "您还没有反映过事情")

	h.send(HeadWang, "诉求 住房 房子漏雨，下雨天屋里全是水")
	got := h.send(HeadWang, "我的诉求是水管坏了") // words after the keyword are a new request
	wantContains(t, got, "已收到您的诉求（编号2", "已转给张伟")
	if rs := h.requests(HHWang); len(rs) != 2 || rs[1].Text != "水管坏了" {
		t.Fatalf("requests = %+v, want the second to be 水管坏了", rs)
	}
	wantContains(t, h.send(CadreZhang, "受理 1"), "已受理诉求#1")
	h.send(CadreZhang, "办结 2 请师傅修好了水管")

	for _, ask := range []string{"我反映的事情办得怎么样了", "反映的事有消息没有", "诉求进度", "我的诉求", "诉求办得怎么样", "查一下我的诉求"} {
		got := h.send(HeadWang, ask)
		wantContains(t, got, "您反映过的事", "1号 房子漏雨，下雨天屋里全是水", "张伟正在办，约定", "2号 水管坏了", "已办好", "请师傅修好了水管")
	}
	if n := len(h.requests(HHWang)); n != 2 {
		t.Fatalf("%d requests after the questions, want 2", n)
	}
}

// A complaint is listed as the unit's, never with the cadre's name as its handler.
func TestHouseholdComplaintStatusDoesNotNameTheCadre(t *testing.T) {
	h := newHarness(t)
	h.send(HeadWang, "投诉 干部半年没来过")
	got := h.send(HeadWang, "投诉的事怎么样了")
	wantContains(t, got, "1号 投诉：干部半年没来过", "已交单位负责人，等处理")
	wantNot(t, got, "张伟", "已转给")
	if n := len(h.requests(HHWang)); n != 1 {
		t.Fatalf("%d requests, want the one complaint", n)
	}
}

// Cadres and coordinators who say 我的诉求 mean the requests they handle.
func TestCadreMyRequestsIsTheList(t *testing.T) {
	h := newHarness(t)
	h.send(HeadWang, "诉求 就医 想办医疗救助卡")
	wantContains(t, h.send(CadreZhang, "我的诉求"), "待办诉求共1件", "王春发")
	wantContains(t, h.send(CoordLi, "我的诉求"), "待办诉求共1件")
}

// A household's sentence waits for 1/2/3: thanks alone ask the same question again, unjoined; a
// command drops it and says so.
func TestOfferedSentenceAndThanksOrACommand(t *testing.T) {
	h := newHarness(t)
	first := h.send(HeadWang, "我家猪圈塌了")
	wantContains(t, first, "“我家猪圈塌了”", "回复 1")
	if again := h.send(HeadWang, "谢谢张书记"); again != first {
		t.Fatalf("after thanks: %q, want the same question %q", again, first)
	}
	got := h.send(HeadWang, "菜单")
	wantContains(t, got, "“我家猪圈塌了”还没有转给干部", "请回复数字")
	if n := len(h.requests(HHWang)); n != 0 {
		t.Fatalf("%d requests, want none: the household never said 1", n)
	}
}

// Menu item 6 is the same question for a household that prefers digits.
func TestMenuSixIsRequestStatus(t *testing.T) {
	h := newHarness(t)
	wantContains(t, h.send(HeadWang, "菜单"), "5. 使用帮助", "6. 我反映的事办得怎么样了")
	wantContains(t, h.send(HeadWang, "6"), "您还没有反映过事情")
	h.send(HeadWang, "诉求 就医 想办医疗救助卡")
	h.send(HeadWang, "菜单")
	wantContains(t, h.send(HeadWang, "6"), "1号 想办医疗救助卡", "已转给张伟，等回复")
}
