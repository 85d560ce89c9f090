package report

import (
	"fmt"
	"strconv"
	"strings"

	"qinqi/internal/domain"
)

// StatusLabel is the Chinese name of a request status.
func StatusLabel(s domain.RequestStatus) string {
	switch s {
	case domain.StatusNew:
		return "待受理"
	case domain.StatusAccepted:
		return "办理中"
	case domain.StatusResolved:
		return "已办结"
	case domain.StatusTransferred:
		return "已转办"
	case domain.StatusWithdrawn:
		return "已撤回"
	}
	return string(s)
}

// RequestKindLabel is the Chinese name of a request kind.
func RequestKindLabel(k domain.RequestKind) string {
	switch k {
	case domain.ReqRequest:
		return "诉求"
	case domain.ReqComplaint:
		return "投诉"
	case domain.ReqVoice:
		return "语音"
	}
	return string(k)
}

// Percent formats a ratio as 87.5%, or — when it cannot be measured.
func Percent(r float64) string {
	if r < 0 {
		return "—"
	}
	return strconv.FormatFloat(100*r, 'f', 1, 64) + "%"
}

// Stars formats an average rating as 4.6分, or — without ratings.
func Stars(avg float64) string {
	if avg < 0 {
		return "—"
	}
	return strconv.FormatFloat(avg, 'f', 1, 64) + "分"
}

// Yuan formats fen as yuan: 50000 → 500元, 12345 → 123.45元, 1234567 → 1.23万元.
func Yuan(fen int64) string {
	if fen >= 1_000_000 {
		return strconv.FormatFloat(float64(fen)/1_000_000, 'f', 2, 64) + "万元"
	}
	if fen%100 == 0 {
		return strconv.FormatInt(fen/100, 10) + "元"
	}
	return strconv.FormatFloat(float64(fen)/100, 'f', 2, 64) + "元"
}

func quantity(q float64) string { return strconv.FormatFloat(q, 'f', -1, 64) }

// FormatStats is the chat text of a report: the outcomes first (households reached, visits the
// households confirmed, discrepancies found and closed, requests on time, satisfaction), then the
// activity counts, money and goods as information.
func FormatStats(r Report) string {
	t := r.Total
	var b strings.Builder
	fmt.Fprintf(&b, "📊 %s %s\n", r.Scope.Name, r.Period.Label())
	fmt.Fprintf(&b, "走到 %d / %d 户，覆盖率 %s\n", t.Reached, t.Paired, Percent(t.Coverage()))
	fmt.Fprintf(&b, "本期报过的干部 %d / %d 人（有结对户的干部）\n", t.CadresReported, t.Cadres)
	fmt.Fprintf(&b, "%s\n", ConfirmLine(t))
	fmt.Fprintf(&b, "%s\n", DiscLine(t))
	fmt.Fprintf(&b, "诉求 %d 件，办结 %d，按时 %d（按时率 %s）\n", t.Opened, t.Resolved, t.OnTime, Percent(t.OnTimeRate()))
	fmt.Fprintf(&b, "满意度 %s（%d 条评价），回访一致率 %s（%d 户回访）\n", Stars(t.Satisfaction()), t.RatingN,
		Percent(t.SpotAgreement()), t.SpotAnswered)
	var kinds []string
	for _, k := range domain.CheckInKinds {
		kinds = append(kinds, fmt.Sprintf("%s %d", k.Label(), t.Counts[k]))
	}
	fmt.Fprintf(&b, "活动（仅供了解，不作考核）：%s\n", strings.Join(kinds, " · "))
	fmt.Fprintf(&b, "帮扶金额 %s，送物资 %d 次", Yuan(t.ValueFen), t.GoodsDeliveries)
	if g := goodsLine(r.Goods, 3); g != "" {
		fmt.Fprintf(&b, "（%s）", g)
	}
	if t.SalesDeliveries > 0 || t.SalesFen > 0 {
		fmt.Fprintf(&b, "\n帮销 %d 次，%s（不计入帮扶金额）", t.SalesDeliveries, Yuan(t.SalesFen))
	}
	return b.String()
}

// ConfirmLine says how many visits the households confirmed of those they answered about; the
// unanswered ones are named as such, never as a failing.
func ConfirmLine(f Figures) string {
	if f.VisitsAsked == 0 {
		return "户主确认走访：本期还没有询问"
	}
	return fmt.Sprintf("户主确认走访 %d / %d 次（%s；共询问 %d 次，未回复的不计）", f.VisitsConfirmed, f.VisitsAnswered,
		Percent(f.Confirmed()), f.VisitsAsked)
}

// DiscLine is the discrepancies found and closed.
func DiscLine(f Figures) string {
	if f.DiscFound == 0 {
		return "户主异议：无"
	}
	return fmt.Sprintf("户主异议 %d 件，已核实 %d 件（属实 %d，有误 %d），待核实 %d 件", f.DiscFound, f.DiscClosed,
		f.DiscUpheld, f.DiscClosed-f.DiscUpheld, f.DiscFound-f.DiscClosed)
}

func goodsLine(gs []Goods, n int) string {
	var parts []string
	for i, g := range gs {
		if i == n {
			parts = append(parts, "等")
			break
		}
		if g.Unit == "" && g.Quantity == 1 {
			parts = append(parts, g.Name)
			continue
		}
		parts = append(parts, g.Name+quantity(g.Quantity)+g.Unit)
	}
	return strings.Join(parts, "、")
}

// FormatRanking is the chat text of a ranking: the top units with their score and the outcomes
// behind it; limit caps the lines for chat length.
func FormatRanking(r Ranking, scopeName string, limit int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "🏅 %s %s 单位排名（%d 个单位，按结果，不按活动次数）\n", scopeName, r.Period.Label(), len(r.Units))
	for i, u := range r.Units {
		if i == limit {
			fmt.Fprintf(&b, "……另有 %d 个单位，见导出的台账\n", len(r.Units)-limit)
			break
		}
		f := u.Unit.Figures
		fmt.Fprintf(&b, "%d. %s %.1f分（走到%s 确认%s 核实%s 按时%s 满意%s）\n", u.Rank, u.Unit.Unit.Name, u.Score,
			Percent(f.Coverage()), Percent(f.Confirmed()), Percent(f.ClosedShare()), Percent(f.OnTimeRate()), Stars(f.Satisfaction()))
	}
	if r.Unpaired > 0 {
		fmt.Fprintf(&b, "（%d 个单位本期无结对，未参加排名）\n", r.Unpaired)
	}
	w := r.Weights
	fmt.Fprintf(&b, "算法：加权平均×100，权重 走到户数%g 户主确认%g 异议核实%g 按时办结%g 满意度%g；无数据的项不计入。只排单位，不排个人，不看活动次数。",
		w.Coverage, w.Confirmed, w.Closed, w.OnTime, w.Satisfaction)
	return b.String()
}

// FormatUnitLines is one short line per unit with pairings (households reached, confirmations,
// discrepancies), for a scope of several units; at most limit lines, the rest counted. Empty for a
// single unit.
func FormatUnitLines(r Report, limit int) string {
	var lines []string
	units := 0
	for _, u := range r.ByUnit {
		if u.Paired == 0 {
			continue
		}
		units++
		if len(lines) < limit {
			lines = append(lines, fmt.Sprintf("· %s：走到 %d/%d 户，户主确认 %s，异议 %d（已核实 %d）", u.Unit.Name, u.Reached, u.Paired,
				Percent(u.Confirmed()), u.DiscFound, u.DiscClosed))
		}
	}
	if units < 2 {
		return ""
	}
	if units > limit {
		lines = append(lines, fmt.Sprintf("· ……另有 %d 个单位，见台账的单位汇总", units-limit))
	}
	return "分单位：\n" + strings.Join(lines, "\n")
}
