package handlers_test

import "testing"

func TestCampaignsCommand(t *testing.T) {
	h := newCoordHarness(t)
	cases := []struct {
		name, who, text string
		want, not       []string
	}{
		// 23 Nov 2026: 暖冬行动 (Nov 1 – Feb end) is open; 张伟 reported for 2 of the unit's 4 pairings.
		{"own units", CoordLi, "活动", []string{"进行中：暖冬行动（11月1日–", "已走到 2 / 4 对结对", "下一个："}, nil},
		{"other unit", CoordChen, "/campaigns", []string{"已走到 0 / 0 对结对"}, nil},
		{"admin", AdminSun, "活动", []string{"全部单位", "已走到 2 / 4"}, nil},
		{"cadre may not", CadreZhang, "活动", []string{"不是您这个身份"}, []string{"进行中"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := h.send(c.who, c.text)
			wantContains(t, got, c.want...)
			wantNot(t, got, c.not...)
		})
	}
}
