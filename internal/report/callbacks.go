package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"qinqi/store"
)

// SheetCallbacks is the one sheet of the call-back list.
const SheetCallbacks = "回访清单"

// CallbackFileName is the name the recipient sees: 回访清单-2026-11.xlsx.
func CallbackFileName(month string) string { return "回访清单-" + month + ".xlsx" }

var callbackHeader = []string{"序号", "户编号", "户主", "村（社区）", "联系电话", "帮扶干部", "来源", "要问的事",
	"结果（1是 2没有来 3有出入）", "说明", "回访人、日期"}

// CallbackSource says why a household is on the list.
func CallbackSource(r store.CallbackRow) string {
	switch {
	case r.Sampled() && len(r.Visits) > 0:
		return "抽查；走访待确认"
	case r.Sampled():
		return "抽查"
	}
	return "走访待确认"
}

// CallbackQuestion is what the coordinator asks on the phone.
func CallbackQuestion(r store.CallbackRow, month string) string {
	var qs []string
	for _, v := range r.Visits {
		qs = append(qs, VisitLine(v)+"，是否属实？")
	}
	if r.Sampled() {
		m := strings.TrimLeft(month[min(5, len(month)):], "0")
		qs = append(qs, m+"月份帮扶干部是否联系或走访过您？")
	}
	return strings.Join(qs, "\n")
}

// WriteCallbackList writes month's call-back list of scope as .xlsx to w. It holds full phone
// numbers (the coordinator must dial them): the caller audit-logs every file written.
func WriteCallbackList(rows []store.CallbackRow, scopeName, month string, issued time.Time, w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newPaperStyles(f)
	if err != nil {
		return err
	}
	if err := f.SetSheetName("Sheet1", SheetCallbacks); err != nil {
		return fmt.Errorf("report: callback list: %w", err)
	}
	title := SheetTitle("回访清单（含完整电话，仅供回访，请勿转发）", scopeName, monthTitle(month), issued)
	style := []int{st.number, st.text, st.wrap, st.wrap, st.wrap, st.wrap, st.wrap, st.wrap, st.text, st.wrap, st.wrap}
	s, err := openPaper(f, st, SheetCallbacks, title, callbackHeader, []float64{5, 9, 8, 16, 13, 9, 9, 40, 12, 24, 12}, style)
	if err != nil {
		return err
	}
	s.height = 36 // room to write the answer by hand
	for i, r := range rows {
		village := r.Village
		if r.Address != "" && strings.HasPrefix(r.Address, r.Village) {
			village = r.Address
		} else if r.Address != "" {
			village = strings.TrimSpace(village + " " + r.Address)
		}
		phone := r.Phone
		if phone == "" {
			phone = "无电话，请经村委会联系"
		}
		if err := s.add(i+1, r.Code, r.HeadName, village, phone, strings.Join(r.CadreNames, "、"), CallbackSource(r),
			CallbackQuestion(r, month)); err != nil {
			return fmt.Errorf("report: callback list: %w", err)
		}
	}
	if err := s.add("", "", "", "", "", "", "", fmt.Sprintf("共 %d 户。打完电话在聊天里发：回访 户编号 1|2|3 说明，例如：回访 %s 1", len(rows), firstCode(rows))); err != nil {
		return fmt.Errorf("report: callback list: %w", err)
	}
	return writeOne(f, s, SheetCallbacks, w)
}

func firstCode(rows []store.CallbackRow) string {
	if len(rows) == 0 {
		return "H001"
	}
	return rows[0].Code
}

// monthTitle turns "2026-11" into "2026年11月".
func monthTitle(month string) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return fmt.Sprintf("%d年%d月", t.Year(), t.Month())
}
