package report

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"qinqi/internal/domain"
	"qinqi/internal/pii"
	"qinqi/store"
)

// LedgerSource is what the 民情台账 needs beyond the statistics; *store.Store implements it.
type LedgerSource interface {
	Source
	EachLedgerCheckIn(ctx context.Context, f store.StatsFilter, fn func(store.LedgerCheckIn) error) error
	CadreTallies(ctx context.Context, f store.StatsFilter) ([]store.CadreTally, error)
	LedgerRequests(ctx context.Context, f store.StatsFilter) ([]store.LedgerRequest, error)
}

// Sheet names of the ledger, in order.
const (
	SheetCheckIns = "走访台账"
	SheetCadres   = "干部汇总"
	SheetUnits    = "单位汇总"
	SheetRequests = "诉求"
)

// LedgerFileName is the name the recipient sees: 民情台账-2026-11.xlsx.
func LedgerFileName(p Period) string { return "民情台账-" + p.Slug() + ".xlsx" }

var checkInHeader = []string{"日期", "单位", "干部", "户编号", "户主", "村（社区）", "类型", "方式", "物资", "金额（元）", "帮销物品", "帮销金额（元）",
	"民情日记", "定位", "户主确认"}

// WriteLedger writes the 民情台账 of scope for p as .xlsx to w: one row per check-in (with what the
// household said about it), one per cadre, one per unit (sub-units indented under their parent,
// outcomes first, a total line), one per request. Every sheet is ready to print: a title row with
// the unit, the period and the date issued, landscape on A4 one page wide, the title and header
// repeated on each page, page numbers (print.go). Phone numbers are masked, and so are the phone
// and ID numbers typed into diary and request texts (pii.Mask). Every sheet is written with the
// streaming writer, so memory stays flat for a province-sized month.
func WriteLedger(ctx context.Context, src LedgerSource, scope Scope, p Period, now time.Time, w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newPaperStyles(f)
	if err != nil {
		return err
	}
	lw := &ledgerWriter{f: f, st: st, scope: scope.Name, period: p.Label(), issued: now}
	if err := f.SetSheetName("Sheet1", SheetCheckIns); err != nil {
		return fmt.Errorf("report: ledger: %w", err)
	}
	for _, s := range []string{SheetCadres, SheetUnits, SheetRequests} {
		if _, err := f.NewSheet(s); err != nil {
			return fmt.Errorf("report: ledger: %w", err)
		}
	}
	filter := scope.filter(p)
	steps := []func() error{
		func() error { return lw.checkIns(ctx, src, filter) },
		func() error { return lw.cadres(ctx, src, filter) },
		func() error { return lw.units(ctx, src, scope, p, now) },
		func() error { return lw.requests(ctx, src, filter, now) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("report: ledger: write: %w", err)
	}
	return nil
}

type ledgerWriter struct {
	f      *excelize.File
	st     paperStyles
	scope  string
	period string
	issued time.Time
}

// open starts one printed sheet of the ledger.
func (lw *ledgerWriter) open(name string, header []string, widths []float64, style []int) (*paperSheet, error) {
	return openPaper(lw.f, lw.st, name, SheetTitle("民情台账·"+name, lw.scope, lw.period, lw.issued), header, widths, style)
}

func (lw *ledgerWriter) yuan(fen int64) excelize.Cell {
	return excelize.Cell{StyleID: lw.st.money, Value: float64(fen) / 100}
}

// salesYuan leaves the cell empty for a report without sales help, so the column reads at a glance.
func (lw *ledgerWriter) salesYuan(fen int64) any {
	if fen == 0 {
		return ""
	}
	return lw.yuan(fen)
}

func (lw *ledgerWriter) checkIns(ctx context.Context, src LedgerSource, f store.StatsFilter) error {
	st := lw.st
	style := []int{st.date, st.wrap, st.text, st.text, st.text, st.wrap, st.text, st.text, st.wrap, st.money, st.wrap, st.money, st.wrap, st.text, st.wrap}
	s, err := lw.open(SheetCheckIns, checkInHeader, []float64{11, 14, 8, 9, 8, 10, 7, 6, 14, 10, 12, 10, 40, 8, 12}, style)
	if err != nil {
		return err
	}
	err = src.EachLedgerCheckIn(ctx, f, func(c store.LedgerCheckIn) error {
		return s.add(excelize.Cell{StyleID: st.date, Value: c.OccurredAt}, c.UnitName, c.CadreName, c.HouseholdCode,
			c.HeadName, c.Village, c.Kind.Label(), c.Mode.Label(), GoodsWords(c.Items), lw.yuan(c.ValueFen), GoodsWords(c.SalesItems),
			lw.salesYuan(c.SalesFen), pii.Mask(c.Text), locationFlag(c), ConfirmLabel(c))
	})
	if err != nil {
		return fmt.Errorf("report: ledger check-ins: %w", err)
	}
	return s.flush(SheetCheckIns)
}

// ConfirmLabel is what the household said about a check-in, as the ledger shows it. A question
// nobody answered is only "已询问": silence is never a mark against anyone.
func ConfirmLabel(c store.LedgerCheckIn) string {
	switch {
	case c.ConfirmVia == "":
		return ""
	case c.ConfirmAnswer == domain.AnswerNone:
		return "已询问"
	case c.ConfirmAnswer == domain.AnswerYes && c.ConfirmVia == domain.ViaPhone:
		return "电话回访确认"
	case c.ConfirmAnswer == domain.AnswerYes:
		return "户主确认"
	case !c.Disputed || c.Verdict == "":
		return "户主称" + c.ConfirmAnswer.Label() + "，待核实"
	case c.Verdict == domain.VerdictUpheld:
		return "户主称" + c.ConfirmAnswer.Label() + "，核实属实"
	}
	return "核实记录无误"
}

func (lw *ledgerWriter) cadres(ctx context.Context, src LedgerSource, f store.StatsFilter) error {
	header := []string{"单位", "干部", "人员编号", "联系电话", "结对户数", "走到户数"}
	for _, k := range domain.CheckInKinds {
		header = append(header, k.Label())
	}
	header = append(header, "金额（元）")
	s, err := lw.open(SheetCadres, header, []float64{18, 10, 10, 13, 8, 8, 7, 7, 7, 7, 7, 11}, nil)
	if err != nil {
		return err
	}
	cadres, err := src.CadreTallies(ctx, f)
	if err != nil {
		return fmt.Errorf("report: ledger cadres: %w", err)
	}
	for _, c := range cadres {
		row := []any{c.UnitName, c.Name, c.Code, store.MaskPhone(c.Phone), c.Paired, c.Reached}
		for _, k := range domain.CheckInKinds {
			row = append(row, c.Counts[k])
		}
		row = append(row, lw.yuan(c.ValueFen))
		if err := s.add(row...); err != nil {
			return fmt.Errorf("report: ledger cadres: %w", err)
		}
	}
	return s.flush(SheetCadres)
}

// unitHeader: the outcomes first, then the activity counts as information.
var unitHeader = []string{"单位编号", "单位", "结对户数", "走到户数", "覆盖率", "户主确认（确认/回答）", "确认率", "异议（已核实/发现）",
	"诉求", "按时办结（按时/应办结）", "按时率", "满意度", "回访一致率", "联系", "走访", "讲政策", "送温暖", "办实事", "金额（元）"}

func (lw *ledgerWriter) units(ctx context.Context, src LedgerSource, scope Scope, p Period, now time.Time) error {
	s, err := lw.open(SheetUnits, unitHeader, []float64{9, 22, 7, 7, 7, 10, 7, 10, 6, 10, 7, 7, 8, 6, 6, 6, 6, 6, 11}, nil)
	if err != nil {
		return err
	}
	r, err := Stats(ctx, src, scope, p, now)
	if err != nil {
		return err
	}
	for _, u := range UnitTree(r.ByUnit) {
		if err := s.add(lw.unitRow(u.Unit.Code, strings.Repeat("　　", u.Depth)+u.Unit.Name, u.Figures)...); err != nil {
			return fmt.Errorf("report: ledger units: %w", err)
		}
	}
	if err := s.add(lw.unitRow("", "合计", r.Total)...); err != nil {
		return fmt.Errorf("report: ledger units: %w", err)
	}
	return s.flush(SheetUnits)
}

func (lw *ledgerWriter) unitRow(code, name string, f Figures) []any {
	row := []any{code, name, f.Paired, f.Reached, Percent(f.Coverage()),
		fmt.Sprintf("%d/%d", f.VisitsConfirmed, f.VisitsAnswered), Percent(f.Confirmed()),
		fmt.Sprintf("%d/%d", f.DiscClosed, f.DiscFound), f.Opened, fmt.Sprintf("%d/%d", f.OnTime, f.Judged),
		Percent(f.OnTimeRate()), Stars(f.Satisfaction()), Percent(f.SpotAgreement())}
	for _, k := range domain.CheckInKinds {
		row = append(row, f.Counts[k])
	}
	return append(row, lw.yuan(f.ValueFen))
}

// TreeUnit is a unit in tree order, with its depth below the top of the scope.
type TreeUnit struct {
	UnitFigures
	Depth int
}

// UnitTree orders units parent first, each unit's sub-units right under it (by code), so a printed
// summary shows the organisation as it is; a unit whose parent is outside the list starts a tree.
func UnitTree(units []UnitFigures) []TreeUnit {
	in := map[domain.UnitID]bool{}
	for _, u := range units {
		in[u.Unit.ID] = true
	}
	children := map[domain.UnitID][]UnitFigures{}
	var roots []UnitFigures
	for _, u := range units { // units come ordered by code
		if u.Unit.ParentID != nil && in[*u.Unit.ParentID] && *u.Unit.ParentID != u.Unit.ID {
			children[*u.Unit.ParentID] = append(children[*u.Unit.ParentID], u)
		} else {
			roots = append(roots, u)
		}
	}
	out := make([]TreeUnit, 0, len(units))
	seen := map[domain.UnitID]bool{}
	var walk func(u UnitFigures, depth int)
	walk = func(u UnitFigures, depth int) {
		if seen[u.Unit.ID] {
			return
		}
		seen[u.Unit.ID] = true
		out = append(out, TreeUnit{u, depth})
		for _, c := range children[u.Unit.ID] {
			walk(c, depth+1)
		}
	}
	for _, r := range roots {
		walk(r, 0)
	}
	for _, u := range units { // a cycle in the data: still list every unit once
		walk(u, 0)
	}
	return out
}

func (lw *ledgerWriter) requests(ctx context.Context, src LedgerSource, f store.StatsFilter, now time.Time) error {
	st := lw.st
	header := []string{"编号", "提出时间", "单位", "户编号", "户主", "联系电话", "类型", "类别", "内容", "状态", "承办干部", "办理期限", "办结时间", "按时", "评价"}
	style := []int{st.number, st.dateTime, st.wrap, st.text, st.text, st.text, st.text, st.text, st.wrap, st.text, st.text, st.dateTime, st.dateTime, st.text, st.number}
	s, err := lw.open(SheetRequests, header, []float64{6, 15, 14, 9, 8, 13, 6, 6, 36, 7, 9, 15, 15, 6, 6}, style)
	if err != nil {
		return err
	}
	reqs, err := src.LedgerRequests(ctx, f)
	if err != nil {
		return fmt.Errorf("report: ledger requests: %w", err)
	}
	for _, r := range reqs {
		var resolved, rating any = "", ""
		if r.ResolvedAt != nil {
			resolved = excelize.Cell{StyleID: st.dateTime, Value: *r.ResolvedAt}
		}
		if r.Rating != nil {
			rating = *r.Rating
		}
		err := s.add(int64(r.ID), excelize.Cell{StyleID: st.dateTime, Value: r.CreatedAt}, r.UnitName, r.HouseholdCode,
			r.HeadName, store.MaskPhone(r.SenderPhone), RequestKindLabel(r.Kind), string(r.Category), pii.Mask(r.Text),
			StatusLabel(r.Status), r.AssigneeName, excelize.Cell{StyleID: st.dateTime, Value: r.DueAt}, resolved,
			onTimeLabel(r, now), rating)
		if err != nil {
			return fmt.Errorf("report: ledger requests: %w", err)
		}
	}
	return s.flush(SheetRequests)
}

func locationFlag(c store.LedgerCheckIn) string {
	switch {
	case c.Far:
		return "距离较远"
	case c.Located:
		return "已定位"
	}
	return ""
}

// onTimeLabel says whether a request was resolved on time; one the household withdrew is not
// judged (the tallies leave it out too).
func onTimeLabel(r store.LedgerRequest, now time.Time) string {
	switch {
	case r.Status == domain.StatusWithdrawn:
		return "不计"
	case r.ResolvedAt != nil && !r.ResolvedAt.After(r.DueAt):
		return "是"
	case r.ResolvedAt != nil || now.After(r.DueAt):
		return "否"
	}
	return "未到期"
}
