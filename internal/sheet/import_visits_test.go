package sheet_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/sheet"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// TestImportVisits: a county's 走访台账 typed up from paper is stored once, on the pairing the
// cadre had with the household on the row's date, however often it is imported.
func TestImportVisits(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			importKinds(t, s, 5)
			ledger := "日期,干部,户,类型,内容,金额,物品\n" +
				"2026年2月12日,陈建国,王春发,慰问,春节慰问,\"1,200元\",大米1袋、食用油1桶\n" +
				"2026/6/30,单丽华,周玉梅,走访,交接前最后一次走访,,\n" + // the day J008 ends: still 单丽华's pairing
				"2026-07-03,孙红梅,H007,电话,接手后第一次联系,,\n" +
				"2026-07-03,孙红梅,H007,电话,接手后第一次联系,,\n" + // the clerk typed it twice
				"2026-11-20,p010,蒋桂芳,微信联系,问了药费报销进度,35.5,\n"
			res, err := sheet.Import(ctx, s, sheet.Visits, table(t, ledger), sheet.Options{Now: now})
			if err != nil || res.Created != 4 || res.Updated != 0 || !strings.Contains(strings.Join(res.Notes, ";"), "row 5 repeats row 4: stored once") {
				t.Fatalf("first import: %+v, %v", res, err)
			}
			again, err := sheet.Import(ctx, s, sheet.Visits, table(t, ledger), sheet.Options{Now: now.Add(24 * time.Hour)})
			if err != nil || again.Created != 0 || again.Updated != 4 {
				t.Errorf("second import: %+v, %v; want nothing new", again, err)
			}
			if n, err := s.CountCheckIns(ctx); err != nil || n != 4 {
				t.Errorf("%d check-ins, %v; want 4", n, err)
			}
			checkImportedVisit(t, s, "J001", domain.KindWarmth, clock.Date(2026, 2, 12), 120000, "大米1袋、食用油1桶")
			checkImportedVisit(t, s, "J008", domain.KindVisit, clock.Date(2026, 6, 30), 0, "")
			checkImportedVisit(t, s, "J009", domain.KindContact, clock.Date(2026, 7, 3), 0, "")
			checkImportedVisit(t, s, "J018", domain.KindContact, clock.Date(2026, 11, 20), 3550, "")
		})
	}
}

// checkImportedVisit: the one check-in stored on the pairing has the kind, date (reported that day too: the
// paper diary is the report), amount and goods of its row.
func checkImportedVisit(t *testing.T, s *store.Store, pairing string, kind domain.CheckInKind, day time.Time, fen int64, items string) {
	t.Helper()
	ctx := context.Background()
	p, err := s.PairingByCode(ctx, pairing)
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.AllCheckIns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var cs []store.CheckIn // stored on this pairing itself, not read through a relay chain
	for _, c := range all {
		if c.PairingID == p.ID {
			cs = append(cs, c)
		}
	}
	if len(cs) != 1 {
		t.Fatalf("%s: %d check-ins stored on it; want 1", pairing, len(cs))
	}
	c := cs[0]
	if c.Kind != kind || !c.OccurredAt.Equal(day) || !c.ReportedAt.Equal(day) || c.ValueFen != fen || c.Items != items ||
		c.SourceMsgID == nil || !strings.HasPrefix(*c.SourceMsgID, store.ImportKeyPrefix) {
		t.Errorf("%s: %+v", pairing, c)
	}
}

// TestImportVisitsBadRows: every bad row is listed by its number, nothing is stored, and no ID
// number is echoed.
func TestImportVisitsBadRows(t *testing.T) {
	ctx := context.Background()
	s := testenv.SQLite(t)
	importKinds(t, s, 5)
	ledger := "日期,干部,户,类型,内容,金额,物品\n" +
		"2026-03-05,陈建国,王春发,走访,入户走访,,\n" + // good
		"2026-03-05,马冬梅,王春发,走访,入户走访,,\n" +
		"2026-03-05,陈建国,330122195808173012,走访,入户走访,,\n" +
		"2026-11-24,陈建国,王春发,走访,明天去,,\n" +
		"2026-03-05,陈建国,王春发,开会,村里开会,,\n" +
		"2026-03-05,陈建国,王春发,送温暖,慰问,五百元,\n" +
		"2026-03-05,黄秀英,王春发,走访,入户走访,,\n" +
		"2026-03-05,陈建国,周玉梅,走访,入户走访,,\n" +
		"2026-02-20,孙红梅,郑家旺,电话,结对前,,\n" +
		",陈建国,,,,,\n"
	_, err := sheet.Import(ctx, s, sheet.Visits, table(t, ledger), sheet.Options{Now: now})
	var rowErrs sheet.RowErrors
	if !errors.As(err, &rowErrs) {
		t.Fatalf("err = %v, want row errors", err)
	}
	want := []string{
		`row 3: 干部 "马冬梅" is neither the code nor the name of a cadre in the people sheet or the database`,
		`row 4: 户 "330*************12" is neither the 户编号 nor the head's name of a household in the households sheet or the database`,
		`row 5: 日期 "2026-11-24" is after today (2026-11-23): a visit to import has happened`,
		`row 6: 类型 "开会" is not one of the five kinds: 联系 (电话, 微信), 走访 (入户), 讲政策, 送温暖 (慰问), 办实事`,
		`row 7: 金额 "五百元" is not an amount of yuan like 500 or 35.5`,
		`row 8: 干部 "黄秀英" is neither the code nor the name of a cadre`,
		`row 9: 户 "周玉梅" was not paired with 陈建国 on 2026-03-05 (see the pairings sheet)`,
		`row 10: 户 "郑家旺" was not paired with 孙红梅 on 2026-02-20`,
		`row 11: 日期 is empty`, `row 11: 户 is empty`, `row 11: 类型 is empty`,
	}
	got := err.Error()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("errors lack %q:\n%s", w, got)
		}
	}
	if len(rowErrs) != len(want) || strings.Contains(got, "row 2:") || strings.Contains(got, "330122195808173012") {
		t.Errorf("%d errors, want %d, none for row 2 and no ID number:\n%s", len(rowErrs), len(want), got)
	}
	if n, err := s.CountCheckIns(ctx); err != nil || n != 0 {
		t.Errorf("%d check-ins stored, %v; want none", n, err)
	}
}

// TestImportVisitsAmbiguousNames: a head's name shared by two households is narrowed to the one
// paired with the row's cadre, and a cadre's name shared by two cadres must be written as a code.
func TestImportVisitsAmbiguousNames(t *testing.T) {
	ctx := context.Background()
	s := testenv.SQLite(t)
	importKinds(t, s, 5)
	setup := map[sheet.Kind]string{
		sheet.Households: "户编号,户主姓名,所属村\nH901,王春发,Q0102\n",
		sheet.People:     "人员编号,姓名,角色,所属单位\nP901,陈建国,干部,U02\n",
		sheet.Pairings:   "结对编号,干部编号,户编号,开始日期\nJ901,P005,H901,2026-01-05\n",
	}
	for _, k := range []sheet.Kind{sheet.Households, sheet.People, sheet.Pairings} {
		if _, err := sheet.Import(ctx, s, k, table(t, setup[k]), sheet.Options{Now: now}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := sheet.Import(ctx, s, sheet.Visits, table(t, "日期,干部,户,类型\n2026-03-05,陈建国,王春发,走访\n"), sheet.Options{Now: now})
	if err == nil || !strings.Contains(err.Error(), `row 2: 干部 "陈建国" is the name of 2 cadres (P001, P901); write the 人员编号 instead`) {
		t.Errorf("two cadres of one name: %v", err)
	}
	res, err := sheet.Import(ctx, s, sheet.Visits, table(t, "日期,干部,户,类型\n2026-03-05,周文斌,王春发,走访\n2026-03-05,P001,王春发,走访\n"), sheet.Options{Now: now})
	if err != nil || res.Created != 2 {
		t.Errorf("two households of one name, each paired with one of the cadres: %+v, %v", res, err)
	}
}
