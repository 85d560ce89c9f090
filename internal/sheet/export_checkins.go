package sheet

import (
	"context"
	"io"
	"time"

	"qinqi/internal/pii"
	"qinqi/store"
)

// checkInFields are the columns of the raw check-in export; phones are masked.
var checkInFields = []Field{
	{"编号", "id", 8}, {"发生时间", "occurred_at", 17}, {"上报时间", "reported_at", 17}, {"类型", "kind", 8},
	{"方式", "mode", 8}, {"干部编号", "cadre_code", 10}, {"干部姓名", "cadre_name", 10}, {"干部手机", "cadre_phone", 14},
	{"单位", "unit", 24}, {"户编号", "household_code", 10}, {"户主姓名", "head_name", 10}, {"所属村", "village", 10},
	{"地点", "place", 16}, {"内容", "text", 40}, {"物品", "items", 20}, {"折合金额(元)", "value_yuan", 12},
	{"距离(米)", "distance_m", 10}, {"距离偏远", "far", 8}, {"照片", "photo", 16},
}

// CheckInSource is what the export reads; *store.Store implements it.
type CheckInSource interface {
	EachCheckIn(ctx context.Context, from, to time.Time, fn func(store.CheckInRecord) error) error
}

// ExportCheckIns writes the check-ins that occurred in [from, to) and returns how many. Phone and
// ID numbers typed into the diary text are masked (pii.Mask), as in the chat and the ledger.
func ExportCheckIns(ctx context.Context, src CheckInSource, w io.Writer, format string, from, to time.Time) (int, error) {
	return exportCheckIns(ctx, src, w, format, from, to, pii.Mask)
}

// ExportCheckInsFullText is ExportCheckIns with the diary text as typed, numbers and all; the
// caller audits that it was shown (qinqi export checkins --full-text).
func ExportCheckInsFullText(ctx context.Context, src CheckInSource, w io.Writer, format string, from, to time.Time) (int, error) {
	return exportCheckIns(ctx, src, w, format, from, to, func(s string) string { return s })
}

func exportCheckIns(ctx context.Context, src CheckInSource, w io.Writer, format string, from, to time.Time, text func(string) string) (int, error) {
	tw, err := NewTableWriter(w, format, "走访记录", checkInFields)
	if err != nil {
		return 0, err
	}
	n := 0
	err = src.EachCheckIn(ctx, from, to, func(r store.CheckInRecord) error {
		n++
		return tw.Row(int64(r.ID), r.OccurredAt, r.ReportedAt, r.Kind.Label(), r.Mode.Label(),
			r.CadreCode, r.CadreName, store.MaskPhone(r.CadrePhone), r.UnitName, r.HouseholdCode, r.HeadName,
			r.VillageName, r.Place, text(r.Text), r.Items, float64(r.ValueFen)/100, r.DistanceM, r.Far, r.PhotoRef)
	})
	if err != nil {
		return n, err
	}
	return n, tw.Close()
}
