package handlers_test

import (
	"fmt"
	"testing"

	"qinqi/handlers"
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
