package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// bulkFixture writes one cadre, n households and one pairing each, and returns the pairings by id.
func bulkFixture(t testing.TB, st *store.Store, n int) (store.Person, []store.Pairing) {
	t.Helper()
	return pairedCounty(t, st, n, func(i int) domain.Tags {
		if i%2 == 1 {
			return domain.MakeTags(domain.TagMonitored, domain.TagDibao)
		}
		return domain.MakeTags(domain.TagLifted)
	})
}

// pairedCounty writes one cadre K paired since 2026-01-01 with n households H000… (pairings P000…),
// household i tagged tags(i), and returns the cadre and the pairings by id.
func pairedCounty(t testing.TB, st *store.Store, n int, tags func(i int) domain.Tags) (store.Person, []store.Pairing) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.UpsertPeople(ctx, []store.Person{{Code: "K", Name: "干部", Roles: domain.MakeRoles(domain.RoleCadre)}}, nil))
	k, err := st.PersonByCode(ctx, "K")
	must(err)
	var hhs []store.Household
	for i := range n {
		hhs = append(hhs, store.Household{Code: fmt.Sprintf("H%03d", i), HeadName: "户主", Tags: tags(i)})
	}
	must(st.UpsertHouseholds(ctx, hhs, nil))
	var ps []store.Pairing
	for i := range n {
		h, err := st.HouseholdByCode(ctx, fmt.Sprintf("H%03d", i))
		must(err)
		ps = append(ps, store.Pairing{Code: fmt.Sprintf("P%03d", i), CadreID: k.ID, HouseholdID: h.ID, StartOn: clock.Date(2026, 1, 1)})
	}
	must(st.UpsertPairings(ctx, ps))
	all, err := st.AllPairings(ctx)
	must(err)
	return k, all
}

// TestBulkInsertCheckInsRoundTrips: rows written in bulk read back as written, including text that
// would break a carelessly quoted statement, on both databases and across statement boundaries.
func TestBulkInsertCheckInsRoundTrips(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			k, ps := bulkFixture(t, st, 3)
			texts := []string{`它's "引号" \ 反斜杠 \' ; -- 注释`, "换行\n回车\r制表\t", "😀 emoji", "", "?,?"}
			var rows []store.CheckIn
			base := clock.Date(2026, 3, 1).Add(9*time.Hour + 123*time.Millisecond)
			for i := range 4100 { // more than two MySQL statements, many SQLite ones
				p := ps[i%len(ps)]
				at := base.Add(time.Duration(i) * time.Minute)
				rows = append(rows, store.CheckIn{PairingID: p.ID, CadreID: k.ID, HouseholdID: p.HouseholdID,
					Kind: domain.CheckInKinds[i%5], Mode: domain.ModePhone, OccurredAt: at, ReportedAt: at.Add(time.Hour),
					Place: "户家中", Text: texts[i%len(texts)], Items: "米×20斤", ValueFen: int64(i), Far: i%7 == 0})
			}
			if err := st.Tx(ctx, func(tx *store.Store) error { return tx.BulkInsertCheckIns(ctx, rows) }); err != nil {
				t.Fatal(err)
			}
			got, err := st.CheckInsOfCadre(ctx, k.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(rows) {
				t.Fatalf("read %d rows, wrote %d", len(got), len(rows))
			}
			for i, g := range got {
				w := rows[i]
				if g.PairingID != w.PairingID || g.Kind != w.Kind || g.Mode != w.Mode || !g.OccurredAt.Equal(w.OccurredAt) ||
					!g.ReportedAt.Equal(w.ReportedAt) || !g.CreatedAt.Equal(w.ReportedAt) || g.Place != w.Place || g.Text != w.Text ||
					g.Items != w.Items || g.ValueFen != w.ValueFen || g.Far != w.Far || g.SourceMsgID != nil || g.UndoneAt != nil {
					t.Fatalf("row %d: got %+v\nwant %+v", i, g, w)
				}
			}
			n, err := st.CountCheckIns(ctx)
			if err != nil || n != int64(len(rows)) {
				t.Errorf("CountCheckIns = %d, %v; want %d", n, err, len(rows))
			}
		})
	}
}

// TestCheckInIndexesDropOnlyWhenEmpty: a bulk load may drop the indexes of an empty table, never of one
// with rows, and EnsureCheckInIndexes puts back exactly what was dropped, after which queries work.
func TestCheckInIndexesDropOnlyWhenEmpty(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			k, ps := bulkFixture(t, st, 2)
			dropped, err := st.DropCheckInIndexes(ctx)
			if err != nil || len(dropped) < 4 {
				t.Fatalf("drop on an empty table: %v, %v", dropped, err)
			}
			if again, err := st.DropCheckInIndexes(ctx); err != nil || len(again) != 0 {
				t.Errorf("second drop: %v, %v; want nothing left to drop", again, err)
			}
			at := clock.Date(2026, 2, 3).Add(10 * time.Hour)
			row := store.CheckIn{PairingID: ps[0].ID, CadreID: k.ID, HouseholdID: ps[0].HouseholdID, Kind: domain.KindVisit, OccurredAt: at, ReportedAt: at}
			if err := st.BulkInsertCheckIns(ctx, []store.CheckIn{row}); err != nil {
				t.Fatal(err)
			}
			made, err := st.EnsureCheckInIndexes(ctx)
			if err != nil || fmt.Sprint(made) != fmt.Sprint(dropped) {
				t.Errorf("ensure built %v, %v; want %v", made, err, dropped)
			}
			if more, err := st.EnsureCheckInIndexes(ctx); err != nil || len(more) != 0 {
				t.Errorf("second ensure: %v, %v; want nothing missing", more, err)
			}
			if _, err := st.DropCheckInIndexes(ctx); err == nil {
				t.Error("dropped the indexes of a table with rows")
			}
			has, err := st.PairingsWithCheckIns(ctx, ps[0].ID, ps[1].ID)
			if err != nil || !has[ps[0].ID] || has[ps[1].ID] {
				t.Errorf("PairingsWithCheckIns = %v, %v", has, err)
			}
		})
	}
}

// TestPairingsAfterPagesThroughEveryPairing reads all pairings with their household tags, page by page.
func TestPairingsAfterPagesThroughEveryPairing(t *testing.T) {
	ctx := context.Background()
	st := testenv.SQLite(t)
	_, ps := bulkFixture(t, st, 7)
	var got []store.PairingPage
	for last := domain.PairingID(0); ; {
		page, err := st.PairingsAfter(ctx, last, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		got = append(got, page...)
		last = page[len(page)-1].ID
	}
	if len(got) != len(ps) {
		t.Fatalf("paged %d pairings, want %d", len(got), len(ps))
	}
	for i, p := range got {
		if p.ID != ps[i].ID || p.Code != ps[i].Code || !p.StartOn.Equal(ps[i].StartOn) || p.Tags.Has(domain.TagMonitored) != (i%2 == 1) {
			t.Errorf("page row %d = %+v; want pairing %+v", i, p, ps[i])
		}
	}
}

// TestClearJobOutputEmptiesWhatJobsWrite: after a clear the outbox and job tables are empty, the county
// (pairings, check-ins) untouched.
func TestClearJobOutputEmptiesWhatJobsWrite(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			st := b.Open(t)
			k, ps := bulkFixture(t, st, 2)
			now := clock.Date(2026, 3, 2).Add(9 * time.Hour)
			row := store.CheckIn{PairingID: ps[0].ID, CadreID: k.ID, HouseholdID: ps[0].HouseholdID, Kind: domain.KindVisit, OccurredAt: now, ReportedAt: now}
			if err := st.BulkInsertCheckIns(ctx, []store.CheckIn{row}); err != nil {
				t.Fatal(err)
			}
			if _, err := st.EnqueueOutbox(ctx, store.OutboxMessage{Key: "k1", PersonID: &k.ID, Text: "提醒", Priority: store.PriorityBulk, CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
			if _, err := st.AddAlerts(ctx, []store.Alert{{Key: "a1", Level: domain.AlertCadre, PairingID: ps[0].ID, RecipientID: k.ID, CreatedAt: now}}); err != nil {
				t.Fatal(err)
			}
			if _, err := st.EnqueueOutbox(ctx, store.OutboxMessage{Key: "r1", PersonID: &k.ID, Text: "回复", Priority: store.PriorityReply, CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
			if n, err := st.CountOutboxReplies(ctx); err != nil || n != 1 {
				t.Errorf("CountOutboxReplies = %d, %v; want the one reply (not the bulk message)", n, err)
			}
			if err := st.ClearJobOutput(ctx); err != nil {
				t.Fatal(err)
			}
			if rows, err := st.OutboxAfter(ctx, 0, 10); err != nil || len(rows) != 0 {
				t.Errorf("outbox after clear: %v, %v", rows, err)
			}
			if open, err := st.OpenAlertsOf(ctx, []domain.PairingID{ps[0].ID}); err != nil || len(open) != 0 {
				t.Errorf("alert a1 survived the clear: %v, %v", open, err)
			}
			if n, err := st.CountCheckIns(ctx); err != nil || n != 1 {
				t.Errorf("check-ins after clear = %d, %v; want the county untouched", n, err)
			}
		})
	}
}
