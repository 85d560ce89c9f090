package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/policy"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// summaryDiary gives twelve pairings a diary written by every writer of check_ins in turn (the
// report path, the sheet import, the bulk load, fixtures), then undoes every third check-in through
// UndoCheckIn. Pairing i gets a check-in every (i+1)*9 days from 2026-01-04, kinds rotating.
func summaryDiary(t *testing.T, st *store.Store) (store.Person, []store.Pairing) {
	t.Helper()
	ctx := context.Background()
	k, all := pairedCounty(t, st, 12, func(i int) domain.Tags {
		if i%3 == 0 {
			return domain.MakeTags(domain.TagMonitored)
		}
		return domain.MakeTags(domain.TagLifted)
	})
	var imported, bulk []store.CheckIn
	j := 0
	for i, p := range all {
		for d, n := 3, 0; d < 320; d, n = d+(i+1)*9, n+1 {
			at := clock.Date(2026, 1, 1).AddDate(0, 0, d).Add(10*time.Hour + 250*time.Millisecond)
			c := store.CheckIn{PairingID: p.ID, CadreID: k.ID, HouseholdID: p.HouseholdID, Kind: domain.CheckInKinds[n%5], OccurredAt: at, ReportedAt: at}
			key := fmt.Sprintf("test:a:%d", j)
			switch j++; j % 4 {
			case 0:
				c.SourceMsgID = &key
				if _, _, err := st.CreateCheckIn(ctx, c, k.ID); err != nil {
					t.Fatal(err)
				}
			case 1:
				c.SourceMsgID = &key
				imported = append(imported, c)
			case 2:
				bulk = append(bulk, c)
			default:
				if err := st.InsertFixture(ctx, &c); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if _, err := st.ImportCheckIns(ctx, imported); err != nil {
		t.Fatal(err)
	}
	if err := st.Tx(ctx, func(tx *store.Store) error { return tx.BulkInsertCheckIns(ctx, bulk) }); err != nil {
		t.Fatal(err)
	}
	rows, err := st.CheckInsOfCadre(ctx, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range rows {
		if i%3 == 2 {
			if err := st.UndoCheckIn(ctx, c.ID, k.ID, c.OccurredAt.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return k, all
}

var summaryNows = []time.Time{clock.Date(2026, 8, 3).Add(9 * time.Hour), clock.Date(2026, 10, 1).Add(8 * time.Hour), clock.Date(2026, 11, 20)}

// evalScan evaluates every pairing a scan with o hands over, as the overdue scan would.
func evalScan(t *testing.T, st *store.Store, o store.ScanOptions) map[domain.PairingID]string {
	t.Helper()
	eng := policy.New(config.Defaults().Frequency)
	out := map[domain.PairingID]string{}
	err := st.ScanActivePairings(context.Background(), o, func(fs []store.PairingFacts) error {
		for _, f := range fs {
			cs := make([]policy.CheckIn, len(f.CheckIns))
			for i, c := range f.CheckIns {
				cs[i] = policy.CheckIn{Kind: c.Kind, At: c.At}
			}
			s := eng.Evaluate(policy.Pairing{Tags: f.Tags, Start: f.Pairing.StartOn}, cs, o.At)
			out[f.Pairing.ID] = fmt.Sprintf("due=%v overdue=%v since=%s %s", s.Due, s.Overdue, s.OverdueSince.Format(time.DateOnly), s.Summary(o.At))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// verdicts are the scans' judgements at summaryNows, in the grouped and the plain form, without the
// history before the window (the overdue scan reads that afterwards for the overdue pairings only).
func verdicts(t *testing.T, st *store.Store) map[string]string {
	t.Helper()
	eng := policy.New(config.Defaults().Frequency)
	out := map[string]string{}
	overdue := 0
	for _, now := range summaryNows {
		forms := map[string]store.ScanOptions{
			"grouped": {At: now, Bounds: eng.Bounds(now), Batch: 5},
			"plain":   {At: now, Since: eng.Lookback(now), Batch: 5},
		}
		for form, o := range forms {
			got := evalScan(t, st, o)
			if len(got) != 12 {
				t.Fatalf("%s %s: scanned %d pairings, want 12", now.Format(time.DateOnly), form, len(got))
			}
			for id, v := range got {
				out[fmt.Sprintf("%s %s pairing %d", now.Format(time.DateOnly), form, id)] = v
				if strings.Contains(v, "overdue=true") {
					overdue++
				}
			}
		}
	}
	if overdue == 0 {
		t.Error("no overdue pairing: the diary does not exercise the ladder")
	}
	return out
}

// fromCheckIns are the verdicts read from check_ins alone: every row rebuilt complete only from
// 2100 makes the scans read check_ins. The rows are rebuilt whole afterwards.
func fromCheckIns(t *testing.T, st *store.Store) map[string]string {
	t.Helper()
	ctx := context.Background()
	if _, err := st.RebuildSummaries(ctx, clock.Date(2100, 1, 1)); err != nil {
		t.Fatal(err)
	}
	out := verdicts(t, st)
	if _, err := st.RebuildSummaries(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	return out
}

func sameVerdicts(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s: %q, from check-ins %q", what, k, got[k], w)
		}
	}
}

func checkClean(t *testing.T, st *store.Store, pairings int) {
	t.Helper()
	got, err := st.CheckSummaries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.Pairings != pairings || got.Mismatched != 0 {
		t.Errorf("check summaries = %+v, want %d pairings and none mismatched", got, pairings)
	}
}

// TestSummariesFollowEveryWriter: whichever way check-ins were written or undone, the summaries agree
// with check_ins, and scans reading them judge every pairing as the check-ins do; after pruning too,
// where a scan reaching back before the pruned rows' start reads check_ins instead.
func TestSummariesFollowEveryWriter(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st := b.Open(t)
			summaryDiary(t, st)
			checkClean(t, st, 12)
			summaries := verdicts(t, st)
			n, err := st.PruneSummaries(context.Background(), clock.Date(2026, 6, 1).Add(300*time.Millisecond))
			if err != nil || n != 12 {
				t.Fatalf("pruned %d rows, %v; want all 12 (every diary starts in January)", n, err)
			}
			checkClean(t, st, 12)
			pruned := verdicts(t, st)
			want := fromCheckIns(t, st)
			sameVerdicts(t, "from summaries", summaries, want)
			sameVerdicts(t, "from pruned summaries", pruned, want)
		})
	}
}

// TestCheckSummariesFindsDriftAndRebuildMends: a check-in written behind the store's back and a
// damaged row are both reported, by pairing; a rebuild makes the summaries agree again.
func TestCheckSummariesFindsDriftAndRebuildMends(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			k, all := summaryDiary(t, st)
			at := clock.Date(2026, 11, 2).Add(9 * time.Hour)
			if err := st.ExecForTest(ctx, "INSERT INTO check_ins (pairing_id, cadre_id, household_id, kind, occurred_at, reported_at, far, value_fen, sales_fen)"+
				" VALUES (?, ?, ?, 'visit', ?, ?, false, 0, 0)", all[2].ID, k.ID, all[2].HouseholdID, at, at); err != nil {
				t.Fatal(err)
			}
			if err := st.ExecForTest(ctx, "UPDATE pairing_summaries SET recent = '' WHERE pairing_id = ?", all[5].ID); err != nil {
				t.Fatal(err)
			}
			got, err := st.CheckSummaries(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got.Mismatched != 2 || len(got.Examples) != 2 || got.Examples[0] != all[2].ID || got.Examples[1] != all[5].ID {
				t.Fatalf("check summaries = %+v, want pairings %d and %d", got, all[2].ID, all[5].ID)
			}
			if n, err := st.RebuildSummaries(ctx, time.Time{}); err != nil || n != 12 {
				t.Fatalf("rebuilt %d rows, %v; want 12", n, err)
			}
			checkClean(t, st, 12)
			sameVerdicts(t, "after the rebuild", verdicts(t, st), fromCheckIns(t, st))
		})
	}
}

// TestMigrationBuildsSummariesOfExistingCheckIns: upgrading a database that has check-ins gives every
// pairing with one its row, and the scans judge from them as from the check-ins.
func TestMigrationBuildsSummariesOfExistingCheckIns(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			summaryDiary(t, st)
			if err := st.ForgetSummariesForTest(ctx); err != nil {
				t.Fatal(err)
			}
			if err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			checkClean(t, st, 12)
			sameVerdicts(t, "after the migration", verdicts(t, st), fromCheckIns(t, st))
		})
	}
}

// TestConcurrentReportsKeepEveryEntry: reports of one pairing committed at once from many
// connections each leave their entry (the append reads nothing it could lose).
func TestConcurrentReportsKeepEveryEntry(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			k, all := pairedCounty(t, st, 1, func(int) domain.Tags { return domain.MakeTags() })
			p := all[0]
			var wg sync.WaitGroup
			errs := make(chan error, 80)
			for g := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range 10 {
						key := fmt.Sprintf("test:c:%d:%d", g, i)
						at := clock.Date(2026, 3, 1).Add(time.Duration(g*10+i) * time.Hour)
						_, _, err := st.CreateCheckIn(ctx, store.CheckIn{PairingID: p.ID, CadreID: k.ID, HouseholdID: p.HouseholdID,
							Kind: domain.KindVisit, OccurredAt: at, ReportedAt: at, SourceMsgID: &key}, k.ID)
						errs <- err
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			recent, err := st.SummaryOfForTest(ctx, int64(p.ID))
			if err != nil || len(strings.Fields(recent)) != 80 {
				t.Fatalf("summary holds %d entries, %v; want 80", len(strings.Fields(recent)), err)
			}
			checkClean(t, st, 1)
		})
	}
}
