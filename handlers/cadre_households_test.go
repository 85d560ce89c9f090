package handlers_test

import (
	"testing"
)

// TestCadreHouseholds: 查干部 (or "张伟最近走访了吗") shows a coordinator one cadre of their units with
// the households as the cadre's 我的亲戚 shows them, the leave of today included; cadres of other
// units are not found, cadres may not ask, and nothing is written or sent to anyone else.
func TestCadreHouseholds(t *testing.T) {
	cases := []struct {
		name, who, text string
		want, not       []string
	}{
		{"by name", CoordLi, "查干部 张伟", []string{"👤 张伟（", "结对 ", "王春发｜上次11月10日", "王秋菊｜上次11月11日"}, []string{"138"}},
		{"by code", CoordLi, "/cadre " + CadreZhang, []string{"👤 张伟（", "王春发"}, nil},
		{"asked in words", CoordLi, "张伟最近走访了吗", []string{"👤 张伟（", "王春发"}, nil},
		{"the name alone", CoordLi, "张伟", []string{"👤 张伟（", "王春发"}, nil},
		{"查 and the name", CoordLi, "查 张伟", []string{"👤 张伟（", "王春发"}, nil},
		{"how is he doing", CoordLi, "张伟怎么样了", []string{"👤 张伟（", "王春发"}, nil},
		{"another unit's cadre's name alone is not understood", CoordChen, "张伟", []string{"没看懂"}, []string{"王春发"}},
		{"a household's name alone is not understood", CoordLi, "王春发", []string{"没看懂"}, nil},
		{"asked with the month between", CoordLi, "张伟这个月去了没有？", []string{"👤 张伟（", "王春发"}, nil},
		{"a cadre with no households", AdminSun, "查干部 钱老师", []string{"👤 钱老师（", "目前没有结对户"}, nil},
		{"another unit's cadre by name", CoordChen, "查干部 张伟", []string{"在您的单位里没找到干部「张伟」"}, []string{"王春发"}},
		{"another unit's cadre by code", CoordChen, "查干部 " + CadreZhang, []string{"不在您负责的单位"}, []string{"王春发"}},
		{"a household head is no cadre", CoordLi, "查干部 王春发", []string{"没找到干部「王春发」"}, nil},
		{"usage", CoordLi, "查干部", []string{"请这样写：查干部 姓名"}, nil},
		{"a cadre may not", CadreZhao, "查干部 张伟", []string{"不是您这个身份"}, []string{"王春发"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newCoordHarness(t)
			got := h.send(tc.who, tc.text)
			wantContains(t, got, tc.want...)
			for _, n := range tc.not {
				wantNot(t, got, n)
			}
			if n := h.notesTo(CadreZhang, ""); len(n) != 0 {
				t.Fatalf("the cadre was told: %q", n)
			}
			if rs := h.requests(HHWang); len(rs) != 0 {
				t.Fatalf("requests written: %+v", rs)
			}
		})
	}
	t.Run("on leave today", func(t *testing.T) {
		h := newCoordHarness(t)
		today := h.clk.Now().Format("01-02")
		wantContains(t, h.send(CoordLi, "请假 张伟 "+today+" "+today+" 培训"), "已记录 张伟 请假")
		wantContains(t, h.send(CoordLi, "查干部 张伟"), "王春发", "今天在请假")
	})
}
