package handlers_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/handlers"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

func TestParseRelayArgs(t *testing.T) {
	cases := []struct {
		name, in, from, to string
		ok                 bool
	}{
		{"two names", "张伟 赵敏", "张伟", "赵敏", true},
		{"arrow", "张伟→赵敏", "张伟", "赵敏", true},
		{"ascii arrow", "P01 -> P02", "P01", "P02", true},
		{"spoken", "张伟 交给 赵敏", "张伟", "赵敏", true},
		{"one name", "张伟", "", "", false},
		{"same twice", "张伟 张伟", "", "", false},
		{"three names", "张伟 赵敏 钱老师", "", "", false},
		{"empty", "", "", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, to, ok := handlers.ParseRelayArgs(c.in)
			if f != c.from || to != c.to || ok != c.ok {
				t.Errorf("got %q %q %v", f, to, ok)
			}
		})
	}
}

func TestRelayCommand(t *testing.T) {
	cases := []struct {
		name, who, text string
		want            []string
		moved           int // 张伟's pairings that end up with 赵敏
	}{
		{"coordinator hands over", CoordLi, "接力 张伟 赵敏", []string{"已把 张伟 的 3 户结对交给 赵敏", "王春发", "已通知两位干部"}, 3},
		{"by codes with slash", CoordLi, "/relay P01 P02", []string{"3 户结对交给 赵敏"}, 3},
		{"said in words", CoordLi, "把张伟的户交给赵敏", []string{"已把 张伟 的 3 户结对交给 赵敏"}, 3},
		{"转交 is 接力", CoordLi, "转交 张伟 赵敏", []string{"已把 张伟 的 3 户结对交给 赵敏"}, 3},
		{"said in words, unknown cadre", CoordLi, "把张伟的户交给马冬梅", []string{"没找到干部「马冬梅」"}, 0},
		{"cadre of another unit", CoordChen, "接力 张伟 钱老师", []string{"在您的单位里没找到干部「张伟」"}, 0},
		{"new cadre outside scope", CoordLi, "接力 张伟 P03", []string{"干部「P03」不在您负责的单位范围内"}, 0},
		{"unknown cadre", CoordLi, "接力 张伟 马冬梅", []string{"没找到干部「马冬梅」"}, 0},
		{"malformed", CoordLi, "接力 张伟", []string{"请这样写：接力"}, 0},
		{"nothing to hand over", AdminSun, "接力 钱老师 张伟", []string{"钱老师 目前没有结对户"}, 0},
		{"cadre may not", CadreZhang, "接力 张伟 赵敏", []string{"不是您这个身份"}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newCoordHarness(t)
			got := h.send(c.who, c.text)
			if c.moved > 0 { // asked first, and nothing moves until the answer
				wantContains(t, got, "请确认接力：把 张伟 的 3 户结对交给 赵敏", "接手：王春发、王秋菊、李秀英", "1. 确认接力")
				if ps, _ := h.st.ActivePairingsOfCadre(h.ctx, h.person(CadreZhao), h.clk.Now()); len(ps) != 1 {
					t.Fatalf("赵敏 has %d pairings before the answer", len(ps))
				}
				got = h.send(c.who, "1")
			}
			wantContains(t, got, c.want...)
			zhao, err := h.st.ActivePairingsOfCadre(h.ctx, h.person(CadreZhao), h.clk.Now())
			h.must(err)
			if len(zhao) != 1+c.moved {
				t.Fatalf("赵敏 has %d pairings, want %d", len(zhao), 1+c.moved)
			}
			if c.moved == 0 {
				return
			}
			zhang, err := h.st.ActivePairingsOfCadre(h.ctx, h.person(CadreZhang), h.clk.Now())
			h.must(err)
			if len(zhang) != 0 {
				t.Errorf("张伟 still has %d pairings", len(zhang))
			}
			old, err := h.st.PairingByCode(h.ctx, "J01")
			h.must(err)
			if old.EndOn == nil || old.EndReason != store.RelayReason {
				t.Errorf("old pairing not ended by relay: %+v", old)
			}
			if a := h.audit("pairing", int64(old.ID)); len(a) != 1 || *a[0].ActorID != h.person(c.who) || a[0].Action != store.ActRelay {
				t.Errorf("audit = %+v", a)
			}
			for _, who := range []string{"old", "new"} {
				key := fmt.Sprintf("relay:%d:%d:%s", h.seq, h.person(CadreZhang), who)
				if _, err := h.st.OutboxByKey(h.ctx, key); err != nil {
					t.Errorf("no %s-cadre notification %s: %v", who, key, err)
				}
			}
		})
	}
}

// TestRelayKeepsTheStory: 赵敏 already has 王春发, so 张伟's three households make two new
// pairings and one "already paired"; the old pairings end and the new ones start at the relay's
// moment; 王春发's open request goes to 赵敏 and he is sent her card; 赵敏's 我的亲戚 shows 张伟's
// last contact and the open request; a second relay the same day (赵敏 → 钱老师) works the same way.
func TestRelayKeepsTheStory(t *testing.T) {
	h := newCoordHarness(t)
	zhao := h.person(CadreZhao)
	h.must(h.st.UpsertPairings(h.ctx, []store.Pairing{{Code: "J05", CadreID: zhao, HouseholdID: h.household(HHWang), StartOn: clock.Date(2026, 3, 1)}}))
	wantContains(t, h.send(HeadWang, "诉求 就医 想办医疗救助卡"), "已收到您的诉求")
	relayAt := h.clk.Now()

	wantContains(t, h.send(CoordLi, "接力 张伟 赵敏"), "接手：王秋菊、李秀英", "原来就是 赵敏 的结对户：王春发（张伟 不再一同帮扶）")
	wantContains(t, h.send(CoordLi, "确认"), "接力2户（王秋菊、李秀英），1户原已结对（王春发）")
	toNew, err := h.st.OutboxByKey(h.ctx, fmt.Sprintf("relay:%d:%d:new", h.seq, h.person(CadreZhang)))
	h.must(err)
	wantContains(t, toNew.Text, "您新接手 张伟 结对的 2 户：王秋菊、李秀英。", "王春发 原来就是您的结对户")
	old, err := h.st.PairingByCode(h.ctx, "J02")
	h.must(err)
	if old.EndOn == nil || !old.EndOn.Equal(relayAt) || old.EndReason != store.RelayReason {
		t.Errorf("old pairing ends %v (%s), want at the relay %v", old.EndOn, old.EndReason, relayAt)
	}
	zhaos, err := h.st.ActivePairingsOfCadre(h.ctx, zhao, relayAt)
	h.must(err)
	if len(zhaos) != 4 { // 刘大山, 王春发 (already), 王秋菊, 李秀英
		t.Fatalf("赵敏 has %d pairings, want 4", len(zhaos))
	}
	for _, p := range zhaos[2:] {
		if !p.StartOn.Equal(relayAt) || p.RelayedFromID == nil {
			t.Errorf("relayed pairing %s starts %v from %v, want at the relay %v", p.Code, p.StartOn, p.RelayedFromID, relayAt)
		}
	}
	if rs := h.requests(HHWang); len(rs) != 1 || rs[0].AssigneeID == nil || *rs[0].AssigneeID != zhao {
		t.Errorf("open request not moved to 赵敏: %+v", rs)
	}
	card, err := h.st.OutboxByKey(h.ctx, fmt.Sprintf("relay:%d:%d:hh:%d", h.seq, h.person(CadreZhang), h.person(HeadWang)))
	h.must(err)
	wantContains(t, card.Text, "两位结对干部之一不再帮扶您家了", "【联系卡】赵敏", "乡村振兴科", "电话：138")

	list := h.send(CadreZhao, "我的亲戚")
	wantContains(t, list, "王秋菊｜上次11月11日", "王春发", "待办诉求1件")
	wantNot(t, list, "王秋菊｜还没有联系记录")

	h.clk.Advance(2 * time.Hour)
	wantContains(t, h.send(AdminSun, "接力 赵敏 钱老师"), "请确认接力：把 赵敏 的 4 户结对交给 钱老师")
	wantContains(t, h.send(AdminSun, "1"), "4 户结对交给 钱老师")
	liu, err := h.st.OutboxByKey(h.ctx, fmt.Sprintf("relay:%d:%d:hh:%d", h.seq, zhao, h.person(HeadLiu)))
	h.must(err)
	wantContains(t, liu.Text, "结对干部换人了", "【联系卡】钱老师")
	qian, err := h.st.ActivePairingsOfCadre(h.ctx, h.person(CadreQian), h.clk.Now())
	h.must(err)
	if len(qian) != 4 {
		t.Fatalf("钱老师 has %d pairings, want 4", len(qian))
	}
	for _, p := range zhaos[2:] {
		again, err := h.st.PairingByCode(h.ctx, p.Code)
		h.must(err)
		if again.EndOn == nil || !again.EndOn.After(again.StartOn) {
			t.Errorf("赵敏's relayed pairing %s: %v → %v, want a pairing of some length", p.Code, again.StartOn, again.EndOn)
		}
	}
	wantContains(t, h.send(CadreQian, "我的亲戚"), "王秋菊｜上次11月11日", "待办诉求1件")
}

// TestRelayAsksFirst: a relay moves nothing until the coordinator answers 1 or 确认 while the
// question lasts; 2, a command sent instead, an expired question, a cadre who left the caller's
// units meanwhile and a KV that cannot keep the question all leave the pairings as they were.
func TestRelayAsksFirst(t *testing.T) {
	zhaos := func(h *harness) int {
		ps, err := h.st.ActivePairingsOfCadre(h.ctx, h.person(CadreZhao), h.clk.Now())
		h.must(err)
		return len(ps)
	}
	cases := []struct {
		name   string
		answer func(h *harness) string
		want   []string
	}{
		{"2 cancels", func(h *harness) string { return h.send(CoordLi, "2") }, []string{"已取消，接力没有执行"}},
		{"取消 cancels", func(h *harness) string { return h.send(CoordLi, "取消") }, []string{"已取消"}},
		{"a command instead says the relay was not done", func(h *harness) string { return h.send(CoordLi, "逾期") },
			[]string{"（刚才的接力没有执行，结对不变", "逾期"}},
		{"an answer after the question expired", func(h *harness) string {
			h.clk.Advance(11 * time.Minute)
			return h.send(CoordLi, "1")
		}, []string{"没看懂这条"}},
		{"the new cadre left the caller's units meanwhile", func(h *harness) string {
			u2 := h.unit("U02")
			h.must(h.st.UpsertPeople(h.ctx, []store.Person{{Code: CadreZhao, Name: "赵敏", Phone: "13800000002",
				Roles: domain.MakeRoles(domain.RoleCadre), UnitID: &u2}}, nil))
			return h.send(CoordLi, "1")
		}, []string{"干部「赵敏」不在您负责的单位范围内"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newCoordHarness(t)
			h.rebuildWith(newClockDialogs(h.clk))
			wantContains(t, h.send(CoordLi, "把张伟的户交给赵敏"), "请确认接力")
			wantContains(t, c.answer(h), c.want...)
			if n := zhaos(h); n != 1 {
				t.Fatalf("赵敏 has %d pairings, want her own 1", n)
			}
			if got := h.send(CoordLi, "1"); strings.Contains(got, "已把") {
				t.Fatalf("a later 1 relayed: %q", got)
			}
		})
	}
	t.Run("a KV that cannot keep the question relays nothing", func(t *testing.T) {
		h := newCoordHarness(t)
		h.rebuildWith(downDialogs{})
		wantContains(t, h.send(CoordLi, "接力 张伟 赵敏"), "系统暂时记不住确认问题，接力没有执行")
		if n := zhaos(h); n != 1 {
			t.Fatalf("赵敏 has %d pairings, want 1", n)
		}
	})
}

// TestCardAfterARelaySaysWhoChanged: for 90 days after a relay, a household asking for its cadre,
// even by the old cadre's name, is told the cadre changed before it sees the new card.
func TestCardAfterARelaySaysWhoChanged(t *testing.T) {
	h := newCoordHarness(t)
	wantContains(t, h.send(CoordLi, "接力 张伟 赵敏"), "请确认接力")
	wantContains(t, h.send(CoordLi, "1"), "已把 张伟 的 3 户结对交给 赵敏")
	for _, ask := range []string{"张伟电话", "我的干部"} {
		got := h.send(HeadWang, ask)
		wantContains(t, got, "（11月23日 起，您家的结对干部由 张伟 换成了下面这位，有事请找他）\n【联系卡】赵敏")
		wantNot(t, got, "【联系卡】张伟")
	}
	h.clk.Advance(91 * 24 * time.Hour)
	got := h.send(HeadWang, "我的干部")
	wantContains(t, got, "【联系卡】赵敏")
	wantNot(t, got, "换成了")
	wantNot(t, h.send(HeadLiu, "我的干部"), "换成了") // never relayed
}

// TestRelayAnsweredByMedia: a photo or a voice message (even one the platform heard as 确认) sent
// while the relay question waits relays nothing and says so first; the pairings stay, and a 1
// after it is no answer. The relay was dropped without a word, so the coordinator could not tell.
func TestRelayAnsweredByMedia(t *testing.T) {
	h := newCoordHarness(t)
	zhaos := func() int {
		ps, err := h.st.ActivePairingsOfCadre(h.ctx, h.person(CadreZhao), h.clk.Now())
		h.must(err)
		return len(ps)
	}
	for _, m := range []bot.Message{{Kind: bot.KindImage, MediaRef: "media/p1.jpg"}, {Kind: bot.KindVoice, MediaRef: "media/v1.amr", Text: "确认"}} {
		wantContains(t, h.send(CoordLi, "接力 张伟 赵敏"), "请确认接力")
		wantContains(t, h.msg(CoordLi, m), "刚才的接力没有执行，结对不变")
		wantNot(t, h.send(CoordLi, "1"), "已把 张伟")
		if n := zhaos(); n != 1 {
			t.Fatalf("after a %s 赵敏 has %d pairings, want 1", m.Kind, n)
		}
	}
}

// TestRelayListChanged: when 张伟's households change while the question waits (another
// coordinator relays 钱老师's household to him), 1 moves nothing and asks again with the new list;
// 1 to that relays what it named. It moved the new household too, which nobody had been shown.
func TestRelayListChanged(t *testing.T) {
	h := newCoordHarness(t)
	h.must(h.st.UpsertHouseholds(h.ctx, []store.Household{{Code: "H09", HeadName: "钱家户", Initials: "qjh"}}, nil))
	h.must(h.st.UpsertPairings(h.ctx, []store.Pairing{{Code: "J09", CadreID: h.person(CadreQian), HouseholdID: h.household("H09"), StartOn: clock.Date(2026, 3, 1)}}))
	zhaos := func() int {
		ps, err := h.st.ActivePairingsOfCadre(h.ctx, h.person(CadreZhao), h.clk.Now())
		h.must(err)
		return len(ps)
	}
	wantContains(t, h.send(CoordLi, "接力 张伟 赵敏"), "把 张伟 的 3 户结对交给 赵敏")
	wantContains(t, h.send(AdminSun, "接力 钱老师 张伟"), "请确认接力")
	wantContains(t, h.send(AdminSun, "1"), "已把 钱老师 的 1 户结对交给 张伟")

	got := h.send(CoordLi, "1")
	wantContains(t, got, "接力没有执行：问您之后结对户有了变化", "把 张伟 的 4 户结对交给 赵敏", "钱家户")
	if n := zhaos(); n != 1 {
		t.Fatalf("赵敏 has %d pairings after the changed list, want 1", n)
	}
	wantContains(t, h.send(CoordLi, "1"), "已把 张伟 的 4 户结对交给 赵敏")
	if n := zhaos(); n != 5 {
		t.Fatalf("赵敏 has %d pairings, want 5", n)
	}
}
