package report

import (
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"
)

// SheetOverdue is the one sheet of the overdue list.
const SheetOverdue = "逾期名单"

// OverdueFileName is the name the recipient sees: 逾期名单-2026-12-07.xlsx.
func OverdueFileName(day time.Time) string {
	return "逾期名单-" + day.Format("2006-01-02") + ".xlsx"
}

// OverdueRow is one overdue pairing as the printed list shows it.
type OverdueRow struct {
	Unit, Cadre, HouseholdCode, HeadName string
	Days                                 int
	Missing                              string // what the pairing still needs, as 逾期 says it
	Leave                                bool   // the cadre is on leave today
}

var overdueHeader = []string{"序号", "单位", "帮扶干部", "户编号", "户主", "逾期天数", "还差什么", "请假", "备注"}

// WriteOverdueList writes every overdue pairing of a scope as .xlsx to w, longest overdue first as
// given, to print for a meeting: the chat message shows 15, the list all of them. It holds names
// and household codes only, as 逾期 does.
func WriteOverdueList(rows []OverdueRow, scopeName string, issued time.Time, w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newPaperStyles(f)
	if err != nil {
		return err
	}
	if err := f.SetSheetName("Sheet1", SheetOverdue); err != nil {
		return fmt.Errorf("report: overdue list: %w", err)
	}
	title := SheetTitle("逾期未联系的结对", scopeName, "截至"+issued.Format("2006年1月2日"), issued)
	style := []int{st.number, st.wrap, st.text, st.text, st.text, st.number, st.wrap, st.text, st.wrap}
	s, err := openPaper(f, st, SheetOverdue, title, overdueHeader, []float64{5, 18, 9, 12, 9, 8, 46, 6, 20}, style)
	if err != nil {
		return err
	}
	for i, r := range rows {
		leave := ""
		if r.Leave {
			leave = "请假中"
		}
		if err := s.add(i+1, r.Unit, r.Cadre, r.HouseholdCode, r.HeadName, r.Days, r.Missing, leave); err != nil {
			return fmt.Errorf("report: overdue list: %w", err)
		}
	}
	if err := s.add("", "", "", "", "", "", fmt.Sprintf("共 %d 对。名单按逾期天数从长到短；请假中的干部期间不催。", len(rows))); err != nil {
		return fmt.Errorf("report: overdue list: %w", err)
	}
	return writeOne(f, s, SheetOverdue, w)
}
