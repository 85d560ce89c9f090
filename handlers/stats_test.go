package handlers_test

import (
	"strings"
	"testing"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

func TestStatsCommand(t *testing.T) {
	h := newCoordHarness(t)
	cases := []struct {
		name, who, text string
		want, not       []string
	}{
		{"coordinator month", CoordLi, "统计 11月", []string{"县农业农村局 2026年11月", "联系 1", "走访 1", "讲政策 0", "帮扶金额 500元",
			"化肥3包", "走到 2 / 4 户", "覆盖率 50.0%", "导出 2026-11"}, nil},
		{"default is this month", CoordLi, "统计", []string{"2026年11月", "走访 1"}, nil},
		{"slash alias and iso month", CoordLi, "/stats 2026-11", []string{"2026年11月"}, nil},
		{"traditional keyword", CoordLi, "統計 11月", []string{"2026年11月"}, nil},
		{"quarter", CoordLi, "统计 2026Q4", []string{"2026年第四季度", "走访 1"}, nil},
		{"year", CoordLi, "统计 2026年", []string{"县农业农村局 2026年\n", "走访 1"}, nil},
		{"other unit sees only its own", CoordChen, "统计 11月", []string{"县教育局", "走访 0", "走到 0 / 0 户"}, []string{"走访 1"}},
		{"admin sees every unit", AdminSun, "统计", []string{"全部单位", "走访 1"}, nil},
		{"one paired unit needs no unit lines", AdminSun, "统计", []string{"全部单位"}, []string{"分单位："}},
		{"one sub-unit", CoordLi, "统计 乡村振兴科", []string{"乡村振兴科 2026年11月", "走访 1"}, []string{"分单位："}},
		{"a sub-unit by part of its name, then a month", CoordLi, "统计 振兴 11月", []string{"乡村振兴科 2026年11月"}, nil},
		{"a month, then a sub-unit", CoordLi, "统计 11月 U0101", []string{"乡村振兴科 2026年11月"}, nil},
		{"a unit outside the scope", CoordChen, "统计 乡村振兴科", []string{"不在您负责的单位范围内"}, []string{"走访"}},
		{"neither unit nor period", CoordLi, "统计 火星局", []string{"没找到单位「火星局」"}, []string{"走访"}},
		{"a period mistyped is a period", CoordLi, "统计 十三月", []string{"没看懂"}, []string{"没找到单位"}},
		{"a unit and a bad period", CoordLi, "统计 乡村振兴科 13月", []string{"没看懂"}, []string{"走访"}},
		{"malformed period", CoordLi, "统计 2026-13", []string{"没看懂", "2026Q4"}, []string{"走访"}},
		{"future period", CoordLi, "统计 2027年", []string{"还没开始"}, []string{"走访"}},
		{"cadre may not", CadreZhang, "统计", []string{"不是您这个身份"}, []string{"覆盖率"}},
		{"household may not", HeadWang, "统计 11月", []string{"不是您这个身份"}, []string{"覆盖率"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := h.send(c.who, c.text)
			wantContains(t, got, c.want...)
			wantNot(t, got, c.not...)
		})
	}
}

func TestRankingIsOffByDefaultAndSaysWhy(t *testing.T) {
	h := newCoordHarness(t)
	got := h.send(CoordLi, "排名")
	wantContains(t, got, "排名没有开启", "2026年《政务移动互联网应用程序规范化管理办法》", "ranking.enabled", "统计")
	wantNot(t, got, "1. 乡村振兴科")
	wantContains(t, h.send(CoordLi, "帮助"), "默认关闭")
}

func TestRankingCommand(t *testing.T) {
	h := newCoordHarness(t)
	h.cfg.Ranking.Enabled = true
	h.rebuild()
	cases := []struct {
		name, who, text string
		want, not       []string
	}{
		{"this quarter", CoordLi, "排名", []string{"2026年第四季度", "1. 乡村振兴科", "只排单位，不排个人", "不看活动次数", "权重 走到户数0.3 户主确认0.25"},
			[]string{"张伟", "赵敏", "活跃"}},
		{"named quarter", CoordLi, "/ranking 2026Q4", []string{"1. 乡村振兴科"}, nil},
		{"no pairings in scope", CoordChen, "排名", []string{"没有结对数据"}, nil},
		{"bad quarter", CoordLi, "排名 2026Q5", []string{"没看懂"}, []string{"1."}},
		{"cadre may not", CadreZhao, "排名", []string{"不是您这个身份"}, []string{"乡村振兴科"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := h.send(c.who, c.text)
			wantContains(t, got, c.want...)
			wantNot(t, got, c.not...)
		})
	}
}

func TestCoordinatorHelpListsCoordinatorCommands(t *testing.T) {
	h := newCoordHarness(t)
	cases := []struct {
		name, who string
		want, not []string
	}{
		{"coordinator", CoordLi, []string{"逾期 [单位]", "统计 11月", "排名 2026Q4", "导出 11月", "统计图", "接力", "活动", "请假", "绑定码 G01"}, nil},
		{"cadre", CadreZhang, nil, []string{"排名 2026Q4", "导出 11月", "绑定码 G01"}},
		{"household", HeadWang, nil, []string{"逾期 [单位]", "统计 11月"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := h.send(c.who, "帮助")
			wantContains(t, got, c.want...)
			wantNot(t, got, c.not...)
		})
	}
}

// TestSalesHelpIsCountedApart: 帮销 is saved apart from aid, said apart in the reply and in 统计,
// and never added to 帮扶金额 (the county replay counted sales as aid).
func TestSalesHelpIsCountedApart(t *testing.T) {
	h := newCoordHarness(t)
	got := h.send(CadreZhang, "走访 1 帮着卖了苹果800斤，收入1600元")
	wantContains(t, got, "已记录", "帮销（不计入帮扶金额）：苹果×800斤 1600元")
	wantNot(t, got, "金额：1600元")
	got = h.send(CoordLi, "统计")
	wantContains(t, got, "帮扶金额 500元", "帮销 1 次，1600元（不计入帮扶金额）")
}

// TestCoordinatorOfTheCountySeesEverything: a coordinator with no unit (the county's own office)
// sees every unit, like an admin; one of 县教育局 still sees only that unit.
func TestCoordinatorOfTheCountySeesEverything(t *testing.T) {
	h := newCoordHarness(t)
	h.must(h.st.UpsertPeople(h.ctx, []store.Person{{Code: "C-COUNTY", Name: "县督查组", Roles: domain.MakeRoles(domain.RoleCoordinator)}}, nil))
	got := h.send("C-COUNTY", "统计 11月")
	wantContains(t, got, "全部单位", "走访 1", "帮扶金额 500元")
	wantNot(t, got, "还没有所属单位")
	wantNot(t, h.send(CoordChen, "统计 11月"), "走访 1")
}

// TestCoordinatorOfTheRootUnitSeesEverything: a coordinator attached to the unit every other unit
// descends from (县委组织部 above 县农业农村局 and 县教育局) sees what an admin sees, under the unit's
// name — a cadre with no unit included.
func TestCoordinatorOfTheRootUnitSeesEverything(t *testing.T) {
	h := newCoordHarness(t)
	h.must(h.st.UpsertUnits(h.ctx, []store.Unit{{Code: "U00", Name: "县委组织部"}}, nil))
	root := h.unit("U00")
	h.must(h.st.UpsertUnits(h.ctx, []store.Unit{{Code: "U01", ParentID: &root}, {Code: "U02", ParentID: &root}}, []string{"ParentID"}))
	h.must(h.st.UpsertPeople(h.ctx, []store.Person{
		{Code: "C-ROOT", Name: "组织部协调员", Roles: domain.MakeRoles(domain.RoleCoordinator), UnitID: &root},
		{Code: "P-NOUNIT", Name: "周无单位", Roles: domain.MakeRoles(domain.RoleCadre)},
	}, nil))
	h.must(h.st.UpsertPairings(h.ctx, []store.Pairing{{Code: "J-NOUNIT", CadreID: h.person("P-NOUNIT"), HouseholdID: h.household(HHSun), StartOn: clock.Date(2026, 1, 5)}}))
	wantContains(t, h.send("P-NOUNIT", "走访 1 看了看房子"), "已记录")
	admin := h.send(AdminSun, "统计 11月")
	got := h.send("C-ROOT", "统计 11月")
	wantContains(t, got, "县委组织部", "走到 3 / 5 户", "帮扶金额 500元", "本期报过的干部 2 / 3 人")
	wantNot(t, got, "还没有所属单位")
	if strings.Replace(got, "县委组织部", "全部单位", 1) != admin {
		t.Errorf("the root unit's coordinator sees\n%s\nthe admin sees\n%s", got, admin)
	}
	wantNot(t, h.send(CoordChen, "统计 11月"), "走访 1") // 县教育局 is still only itself
}

// TestStatsShowsCadresActiveOfTotal: 统计 says how many of the coordinator's cadres (those with
// households) reported in the period; a cadre of another unit, or one without households, never counts.
func TestStatsShowsCadresActiveOfTotal(t *testing.T) {
	h := newCoordHarness(t)
	wantContains(t, h.send(CoordLi, "统计 11月"), "本期报过的干部 1 / 2 人") // 张伟 reported, 赵敏 not yet
	wantContains(t, h.send(CadreZhao, "走访 刘大山 问了孩子上学的事"), "已记录")
	wantContains(t, h.send(CoordLi, "统计 11月"), "本期报过的干部 2 / 2 人")
	wantContains(t, h.send(CoordChen, "统计 11月"), "本期报过的干部 0 / 0 人") // 钱老师 has no household
	wantContains(t, h.send(AdminSun, "统计 11月"), "本期报过的干部 2 / 2 人")
}

// TestStatsOfAUnitNamedLikeADate: a unit whose name holds 年 or 本 is still found by that name.
func TestStatsOfAUnitNamedLikeADate(t *testing.T) {
	h := newCoordHarness(t)
	u1 := h.unit("U01")
	h.must(h.st.UpsertUnits(h.ctx, []store.Unit{{Code: "U0102", Name: "县青少年宫", ParentID: &u1}}, nil))
	wantContains(t, h.send(CoordLi, "统计 县青少年宫"), "县青少年宫 2026年11月")
	wantContains(t, h.send(CoordLi, "统计 县青少年宫 11月"), "县青少年宫 2026年11月")
}
