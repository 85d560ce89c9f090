package report

import (
	"fmt"
	"io"
	"sort"
	"time"

	tables "qinqi/internal/sheet"
	"qinqi/store"
)

// BurdenFields are the columns of the burden export (qinqi export burden).
var BurdenFields = []tables.Field{
	{Header: "单位", Key: "unit", Width: 20}, {Header: "干部", Key: "cadre", Width: 10}, {Header: "人员编号", Key: "code", Width: 10},
	{Header: "收到消息", Key: "messages", Width: 10}, {Header: "其中提醒", Key: "reminders", Width: 10},
	{Header: "被追问", Key: "questions", Width: 8}, {Header: "提醒后有报告", Key: "followed", Width: 12},
	{Header: "提醒到报告中位时间（小时）", Key: "median_hours", Width: 16},
}

// WriteBurden writes the burden meter rows as csv, json or xlsx.
func WriteBurden(rows []store.BurdenRow, format string, w io.Writer) error {
	tw, err := tables.NewTableWriter(w, format, "干部负担", BurdenFields)
	if err != nil {
		return err
	}
	for _, r := range rows {
		var median any = ""
		if r.MedianToReport >= 0 {
			median = hours(r.MedianToReport)
		}
		if err := tw.Row(r.UnitName, r.Name, r.Code, r.Messages, r.Reminders, r.Questions, r.Followed, median); err != nil {
			return fmt.Errorf("report: burden: %w", err)
		}
	}
	return tw.Close()
}

func hours(d time.Duration) float64 { return float64(d.Round(6*time.Minute)) / float64(time.Hour) }

// Burden sums the meter over cadres: averages per cadre and the median wait over every reminder
// that was followed by a report. It never names anyone.
type Burden struct {
	Cadres                         int
	Messages, Reminders, Questions int
	MostMessages                   int
	Followed                       int
	Median                         time.Duration // -1 without a followed reminder
}

// SumBurden adds up rows; the median is the median of the cadres' medians weighted by what they
// followed, which for a monthly line is close enough and needs no raw waits.
func SumBurden(rows []store.BurdenRow) Burden {
	b := Burden{Cadres: len(rows), Median: -1}
	var meds []time.Duration
	for _, r := range rows {
		b.Messages += r.Messages
		b.Reminders += r.Reminders
		b.Questions += r.Questions
		b.Followed += r.Followed
		b.MostMessages = max(b.MostMessages, r.Messages)
		for i := 0; i < r.Followed; i++ {
			meds = append(meds, r.MedianToReport)
		}
	}
	if len(meds) > 0 {
		sort.Slice(meds, func(i, j int) bool { return meds[i] < meds[j] })
		b.Median = meds[len(meds)/2]
	}
	return b
}

// BurdenLine is the line of the monthly report: what qinqi asked of the cadres.
func BurdenLine(b Burden) string {
	if b.Cadres == 0 {
		return "干部负担：本期没有结对干部"
	}
	per := func(n int) string { return fmt.Sprintf("%.1f", float64(n)/float64(b.Cadres)) }
	wait := "—"
	if b.Median >= 0 {
		wait = fmt.Sprintf("%.1f 小时", hours(b.Median))
	}
	return fmt.Sprintf("干部负担：%d 位干部人均收到 %s 条消息（其中提醒 %s 条，最多的一位 %d 条），人均被追问 %s 次；提醒到报告的中位时间 %s。不要求即时回复。",
		b.Cadres, per(b.Messages), per(b.Reminders), b.MostMessages, per(b.Questions), wait)
}
