package report

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

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

var checkInHeader = []string{"日期", "单位", "干部", "户编号", "户主", "村（社区）", "类型", "方式", "物资", "金额（元）", "帮销物品", "帮销金额（元）", "民情日记", "定位"}

// WriteLedger writes the 民情台账 of scope for p as .xlsx to w: one row per check-in, one per
// cadre, one per unit (with a total line), one per request. Phone numbers are masked, and so are the
// phone and ID numbers typed into diary and request texts (pii.Mask). Every sheet
// is written with the streaming writer, so memory stays flat for a province-sized month.
func WriteLedger(ctx context.Context, src LedgerSource, scope Scope, p Period, now time.Time, w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	lw := &ledgerWriter{f: f}
	if err := lw.styles(); err != nil {
		return err
	}
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
	f                             *excelize.File
	header, date, dateTime, money int
}

func (lw *ledgerWriter) styles() error {
	var err error
	fill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}
	if lw.header, err = lw.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill}); err != nil {
		return fmt.Errorf("report: ledger style: %w", err)
	}
	dateFmt, dtFmt, moneyFmt := "yyyy-mm-dd", "yyyy-mm-dd hh:mm", "#,##0.00"
	if lw.date, err = lw.f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		return fmt.Errorf("report: ledger style: %w", err)
	}
	if lw.dateTime, err = lw.f.NewStyle(&excelize.Style{CustomNumFmt: &dtFmt}); err != nil {
		return fmt.Errorf("report: ledger style: %w", err)
	}
	if lw.money, err = lw.f.NewStyle(&excelize.Style{CustomNumFmt: &moneyFmt}); err != nil {
		return fmt.Errorf("report: ledger style: %w", err)
	}
	return nil
}

// sheet opens a stream with column widths, a frozen header row and the header; rows follow from 2.
type sheet struct {
	sw  *excelize.StreamWriter
	row int
}

func (lw *ledgerWriter) open(name string, header []string, widths []float64) (*sheet, error) {
	sw, err := lw.f.NewStreamWriter(name)
	if err != nil {
		return nil, fmt.Errorf("report: ledger %s: %w", name, err)
	}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return nil, fmt.Errorf("report: ledger %s: %w", name, err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, fmt.Errorf("report: ledger %s: %w", name, err)
	}
	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = excelize.Cell{StyleID: lw.header, Value: h}
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return nil, fmt.Errorf("report: ledger %s: %w", name, err)
	}
	return &sheet{sw: sw, row: 1}, nil
}

func (s *sheet) add(cells ...any) error {
	s.row++
	cell, err := excelize.CoordinatesToCellName(1, s.row)
	if err != nil {
		return err
	}
	return s.sw.SetRow(cell, cells)
}

func (lw *ledgerWriter) yuan(fen int64) excelize.Cell {
	return excelize.Cell{StyleID: lw.money, Value: float64(fen) / 100}
}

// salesYuan leaves the cell empty for a report without sales help, so the column reads at a glance.
func (lw *ledgerWriter) salesYuan(fen int64) any {
	if fen == 0 {
		return ""
	}
	return lw.yuan(fen)
}

func (lw *ledgerWriter) checkIns(ctx context.Context, src LedgerSource, f store.StatsFilter) error {
	s, err := lw.open(SheetCheckIns, checkInHeader, []float64{12, 18, 10, 14, 10, 14, 8, 6, 20, 12, 16, 12, 50, 10})
	if err != nil {
		return err
	}
	err = src.EachLedgerCheckIn(ctx, f, func(c store.LedgerCheckIn) error {
		return s.add(excelize.Cell{StyleID: lw.date, Value: c.OccurredAt}, c.UnitName, c.CadreName, c.HouseholdCode,
			c.HeadName, c.Village, c.Kind.Label(), c.Mode.Label(), c.Items, lw.yuan(c.ValueFen), c.SalesItems, lw.salesYuan(c.SalesFen),
			pii.Mask(c.Text), locationFlag(c))
	})
	if err != nil {
		return fmt.Errorf("report: ledger check-ins: %w", err)
	}
	return flush(s, SheetCheckIns)
}

func flush(s *sheet, name string) error {
	if err := s.sw.Flush(); err != nil {
		return fmt.Errorf("report: ledger %s: %w", name, err)
	}
	return nil
}

func (lw *ledgerWriter) cadres(ctx context.Context, src LedgerSource, f store.StatsFilter) error {
	header := []string{"单位", "干部", "人员编号", "联系电话"}
	for _, k := range store.CheckInKinds {
		header = append(header, k.Label())
	}
	header = append(header, "金额（元）", "走到户数", "结对户数")
	s, err := lw.open(SheetCadres, header, []float64{18, 10, 12, 14, 8, 8, 8, 8, 8, 12, 10, 10})
	if err != nil {
		return err
	}
	cadres, err := src.CadreTallies(ctx, f)
	if err != nil {
		return fmt.Errorf("report: ledger cadres: %w", err)
	}
	for _, c := range cadres {
		row := []any{c.UnitName, c.Name, c.Code, store.MaskPhone(c.Phone)}
		for _, k := range store.CheckInKinds {
			row = append(row, c.Counts[k])
		}
		row = append(row, lw.yuan(c.ValueFen), c.Reached, c.Paired)
		if err := s.add(row...); err != nil {
			return fmt.Errorf("report: ledger cadres: %w", err)
		}
	}
	return flush(s, SheetCadres)
}

func (lw *ledgerWriter) units(ctx context.Context, src LedgerSource, scope Scope, p Period, now time.Time) error {
	header := []string{"单位编号", "单位"}
	for _, k := range store.CheckInKinds {
		header = append(header, k.Label())
	}
	header = append(header, "金额（元）", "走到户数", "结对户数", "覆盖率", "诉求", "办结", "按时办结", "满意度", "回访一致率")
	s, err := lw.open(SheetUnits, header, []float64{12, 20, 8, 8, 8, 8, 8, 12, 10, 10, 8, 8, 8, 10, 8, 10})
	if err != nil {
		return err
	}
	r, err := Stats(ctx, src, scope, p, now)
	if err != nil {
		return err
	}
	for _, u := range r.ByUnit {
		if err := s.add(lw.unitRow(u.Unit.Code, u.Unit.Name, u.Figures)...); err != nil {
			return fmt.Errorf("report: ledger units: %w", err)
		}
	}
	if err := s.add(lw.unitRow("", "合计", r.Total)...); err != nil {
		return fmt.Errorf("report: ledger units: %w", err)
	}
	return flush(s, SheetUnits)
}

func (lw *ledgerWriter) unitRow(code, name string, f Figures) []any {
	row := []any{code, name}
	for _, k := range store.CheckInKinds {
		row = append(row, f.Counts[k])
	}
	return append(row, lw.yuan(f.ValueFen), f.Reached, f.Paired, Percent(f.Coverage()), f.Opened, f.Resolved,
		f.OnTime, Stars(f.Satisfaction()), Percent(f.SpotAgreement()))
}

func (lw *ledgerWriter) requests(ctx context.Context, src LedgerSource, f store.StatsFilter, now time.Time) error {
	header := []string{"编号", "提出时间", "单位", "户编号", "户主", "联系电话", "类型", "类别", "内容", "状态", "承办干部", "办理期限", "办结时间", "按时", "评价"}
	s, err := lw.open(SheetRequests, header, []float64{8, 16, 18, 14, 10, 14, 6, 6, 40, 8, 10, 16, 16, 6, 6})
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
			resolved = excelize.Cell{StyleID: lw.dateTime, Value: *r.ResolvedAt}
		}
		if r.Rating != nil {
			rating = *r.Rating
		}
		err := s.add(int64(r.ID), excelize.Cell{StyleID: lw.dateTime, Value: r.CreatedAt}, r.UnitName, r.HouseholdCode,
			r.HeadName, store.MaskPhone(r.SenderPhone), RequestKindLabel(r.Kind), string(r.Category), pii.Mask(r.Text),
			StatusLabel(r.Status), r.AssigneeName, excelize.Cell{StyleID: lw.dateTime, Value: r.DueAt}, resolved,
			onTimeLabel(r, now), rating)
		if err != nil {
			return fmt.Errorf("report: ledger requests: %w", err)
		}
	}
	return flush(s, SheetRequests)
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

func onTimeLabel(r store.LedgerRequest, now time.Time) string {
	switch {
	case r.ResolvedAt != nil && !r.ResolvedAt.After(r.DueAt):
		return "是"
	case r.ResolvedAt != nil || now.After(r.DueAt):
		return "否"
	}
	return "未到期"
}
