package report_test

import (
	"context"
	"strings"
	"testing"

	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/report"
	"qinqi/internal/report/reporttest"
	"qinqi/internal/testenv"
	"qinqi/store"
)

func TestStatsCountsTheMonth(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			f := reporttest.Seed(t, s)
			nov := report.MonthOf(reporttest.Now)

			all, err := report.Stats(ctx, s, report.Scope{All: true, Name: "全县"}, nov, reporttest.Now)
			if err != nil {
				t.Fatal(err)
			}
			want := map[domain.CheckInKind]int64{domain.KindContact: reporttest.NovContacts, domain.KindVisit: reporttest.NovVisits,
				domain.KindPolicy: reporttest.NovPolicy, domain.KindWarmth: reporttest.NovWarmth, domain.KindDeed: reporttest.NovDeeds}
			for k, n := range want {
				if all.Total.Counts[k] != n {
					t.Errorf("%s = %d, want %d", k, all.Total.Counts[k], n)
				}
			}
			checks := []struct {
				name      string
				got, want int64
			}{
				{"value", all.Total.ValueFen, reporttest.NovValueFen},
				{"goods deliveries", all.Total.GoodsDeliveries, 3},
				{"reached", all.Total.Reached, 4},
				{"paired", all.Total.Paired, 4},
				{"cadres with households", all.Total.Cadres, 3}, // 王干部 has none
				{"cadres who reported", all.Total.CadresReported, 3},
				{"opened", all.Total.Opened, 2},
				{"resolved", all.Total.Resolved, 1},
				{"on time", all.Total.OnTime, 1},
				{"judged", all.Total.Judged, 2},
				{"ratings", all.Total.RatingN, 2},
				{"spot answered", all.Total.SpotAnswered, 2},
				{"spot agree", all.Total.SpotAgree, 1},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
				}
			}
			if got := all.Total.Satisfaction(); got != 4 {
				t.Errorf("satisfaction = %v, want 4", got)
			}
			if len(all.Goods) != 3 || all.Goods[0].Name != "米" || all.Goods[0].Quantity != 30 {
				t.Errorf("goods = %+v, want 米30斤 first", all.Goods)
			}

			agri, err := report.Stats(ctx, s, report.Scope{Units: []domain.UnitID{f.Agri.ID, f.Station.ID}, Name: "农业"}, nov, reporttest.Now)
			if err != nil {
				t.Fatal(err)
			}
			if agri.Total.Activities() != 6 || agri.Total.ValueFen != 80000 || agri.Total.Paired != 3 || agri.Total.Opened != 1 {
				t.Errorf("agri scope = %+v", agri.Total)
			}
			if len(agri.ByUnit) != 2 {
				t.Errorf("agri units = %d, want 2", len(agri.ByUnit))
			}
			empty, err := report.Stats(ctx, s, report.Scope{Units: []domain.UnitID{}}, nov, reporttest.Now)
			if err != nil || empty.Total.Activities() != 0 || empty.Total.Paired != 0 {
				t.Errorf("empty scope = %+v, %v", empty.Total, err)
			}
		})
	}
}

func TestFormatStatsNamesEveryFigure(t *testing.T) {
	s := testenv.SQLite(t)
	reporttest.Seed(t, s)
	r, err := report.Stats(context.Background(), s, report.Scope{All: true, Name: "全县"}, report.MonthOf(reporttest.Now), reporttest.Now)
	if err != nil {
		t.Fatal(err)
	}
	text := report.FormatStats(r)
	for _, want := range []string{"全县 2026年11月", "联系 2", "走访 3", "讲政策 1", "送温暖 1", "办实事 1", "帮扶金额 920元",
		"走到 4 / 4 户", "覆盖率 100.0%", "诉求 2 件，办结 1，按时 1", "满意度 4.0分", "回访一致率 50.0%", "米30斤",
		"户主确认走访 1 / 3 次（33.3%；共询问 4 次，未回复的不计）", "户主异议 2 件，已核实 1 件（属实 1，有误 0），待核实 1 件",
		"活动（仅供了解，不作考核）"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
}

func TestRankOrdersUnitsByWeightedScore(t *testing.T) {
	s := testenv.SQLite(t)
	f := reporttest.Seed(t, s)
	r, err := report.Stats(context.Background(), s, report.Scope{All: true, Name: "全县"}, report.QuarterOf(reporttest.Now), reporttest.Now)
	if err != nil {
		t.Fatal(err)
	}
	rk := report.Rank(r, config.Defaults().Ranking)
	if len(rk.Units) != 3 || rk.Unpaired != 0 {
		t.Fatalf("ranked %d units, unpaired %d", len(rk.Units), rk.Unpaired)
	}
	// 县农业农村局: coverage 1, confirmed 1/1, on-time 1, satisfaction 5★, no discrepancy (left out) → 100.
	// 县教育局 logged the most check-ins per household and still comes last: coverage 1, confirmed 0/2,
	// closed 0/1, on-time 0/1, satisfaction 3★ → 100 × (0.3 + 0.15×0.5) / 1 = 37.5.
	if rk.Units[0].Unit.Unit.ID != f.Agri.ID || rk.Units[0].Score != 100 {
		t.Errorf("first = %s %.1f, want 县农业农村局 100", rk.Units[0].Unit.Unit.Name, rk.Units[0].Score)
	}
	if last := rk.Units[2]; last.Unit.Unit.ID != f.Edu.ID || last.Score != 37.5 {
		t.Errorf("last = %s %.1f, want 县教育局 37.5", last.Unit.Unit.Name, last.Score)
	}
	for i := 1; i < len(rk.Units); i++ {
		if rk.Units[i].Score > rk.Units[i-1].Score {
			t.Errorf("not sorted at %d", i)
		}
	}
	text := report.FormatRanking(rk, "全县", 10)
	for _, want := range []string{"1. 县农业农村局 100.0分", "只排单位，不排个人", "不看活动次数", "户主确认0.25"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
	if strings.Contains(text, "周干部") {
		t.Errorf("ranking names a cadre:\n%s", text)
	}
}

func TestRankLeavesOutUnmeasuredParts(t *testing.T) {
	r := report.Report{ByUnit: []report.UnitFigures{
		{Unit: store.Unit{Name: "甲"}, Figures: report.Figures{Reached: 1, Paired: 2, VisitsAnswered: 2, VisitsConfirmed: 1,
			Counts: map[domain.CheckInKind]int64{domain.KindVisit: 40}}},
		{Unit: store.Unit{Name: "乙"}, Figures: report.Figures{Reached: 2, Paired: 2, VisitsAsked: 5, Counts: map[domain.CheckInKind]int64{domain.KindVisit: 2}}},
		{Unit: store.Unit{Name: "丙"}},
	}}
	rk := report.Rank(r, report.Weights{Coverage: 1, OnTime: 1, Confirmed: 1})
	if rk.Unpaired != 1 || len(rk.Units) != 2 {
		t.Fatalf("units %d unpaired %d", len(rk.Units), rk.Unpaired)
	}
	// 乙: coverage 1; nobody answered its 5 questions, so confirmation is left out, not counted as 0 → 100.
	// 甲: coverage 0.5, confirmed 0.5 → 50, however many visits it logged. on-time has no data: left out.
	if rk.Units[0].Unit.Unit.Name != "乙" || rk.Units[0].Score != 100 || rk.Units[1].Score != 50 {
		t.Errorf("got %s %.1f / %s %.1f", rk.Units[0].Unit.Unit.Name, rk.Units[0].Score, rk.Units[1].Unit.Unit.Name, rk.Units[1].Score)
	}
}

func TestSumGoods(t *testing.T) {
	got := report.SumGoods([]string{"化肥×3包;米×20斤", "米×10斤", "慰问信", "", "油×1.5桶"})
	want := []report.Goods{{"米", "斤", 30}, {"化肥", "包", 3}, {"慰问信", "", 1}, {"油", "桶", 1.5}}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: got %+v want %+v", i, got[i], want[i])
		}
	}
}

func TestFormatUnitLines(t *testing.T) {
	s := testenv.SQLite(t)
	reporttest.Seed(t, s)
	r, err := report.Stats(context.Background(), s, report.Scope{All: true, Name: "全县"}, report.MonthOf(reporttest.Now), reporttest.Now)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		limit int
		want  []string
	}{
		{"all fit", 5, []string{"分单位：", "· 县农业农村局：走到 2/2 户，户主确认 100.0%，异议 0", "· 农技推广站：走到 1/1 户，户主确认 —，异议 1（已核实 1）",
			"· 县教育局：走到 1/1 户，户主确认 0.0%，异议 1（已核实 0）"}},
		{"trimmed", 1, []string{"· 县农业农村局", "另有 2 个单位"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := report.FormatUnitLines(r, c.limit)
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in:\n%s", w, got)
				}
			}
		})
	}
	one := r
	one.ByUnit = r.ByUnit[:1]
	if got := report.FormatUnitLines(one, 5); got != "" {
		t.Errorf("single unit: %q, want nothing", got)
	}
}
