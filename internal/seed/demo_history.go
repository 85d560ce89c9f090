package seed

import (
	"context"
	"fmt"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

// demoMonths is how far back the demo county's diary goes.
const demoMonths = 6

var demoNotes = []string{
	"问了身体和吃药情况，药还够",
	"看了看房子，冬天的煤已经备好",
	"讲了医保缴费时间，答应帮忙提醒",
	"孩子上学的事，已经和学校联系",
	"聊了明年种蔬菜的打算",
	"帮忙联系了村医上门量血压",
}

// demoHistory gives the demo county a lived-in past, so 我的亲戚, 逾期 and 统计 show something real on
// the first day: most pairings were contacted every month and visited every quarter up to last month;
// every fifth pairing went quiet two months ago. Keyed by SourceMsgID, so loading again adds nothing.
func demoHistory(ctx context.Context, st *store.Store, now time.Time) error {
	pairings, err := st.AllPairings(ctx)
	if err != nil {
		return err
	}
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, clock.Shanghai)
	for i, p := range pairings {
		if !p.Active(now) {
			continue
		}
		quiet := 0
		if i%5 == 4 {
			quiet = 2 // no report in the last two months
		}
		for back := demoMonths; back > quiet; back-- {
			month := thisMonth.AddDate(0, -back, 0)
			if month.AddDate(0, 1, 0).After(p.StartOn) { // the pairing existed that month
				if err := demoMonth(ctx, st, p, month, i); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// demoMonth writes one month's contact, plus a visit in the middle month of a quarter and a warmth
// delivery before the Spring Festival.
func demoMonth(ctx context.Context, st *store.Store, p store.Pairing, month time.Time, i int) error {
	day := month.AddDate(0, 0, 2+i%20).Add(10 * time.Hour)
	entries := []store.CheckIn{{Kind: domain.KindContact, Mode: domain.ModePhone, Text: demoNotes[i%len(demoNotes)]}}
	if month.Month()%3 == 2 {
		entries = append(entries, store.CheckIn{Kind: domain.KindVisit, Mode: domain.ModeInPerson,
			Text: demoNotes[(i+2)%len(demoNotes)], Items: "米×20斤", ValueFen: 10000})
	}
	if month.Month() == time.January {
		entries = append(entries, store.CheckIn{Kind: domain.KindWarmth, Mode: domain.ModeInPerson,
			Text: "春节前送去慰问品", Items: "棉被×1床;油×2桶", ValueFen: 30000})
	}
	for k, c := range entries {
		key := fmt.Sprintf("demo:%s:%s:%s", p.Code, month.Format("2006-01"), c.Kind)
		c.PairingID, c.CadreID, c.HouseholdID, c.SourceMsgID = p.ID, p.CadreID, p.HouseholdID, &key
		c.OccurredAt = day.AddDate(0, 0, k)
		c.ReportedAt = c.OccurredAt.Add(2 * time.Hour)
		if _, _, err := st.CreateCheckIn(ctx, c, p.CadreID); err != nil {
			return fmt.Errorf("seed: demo history: %w", err)
		}
	}
	return nil
}
