//go:build unix

package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"qinqi/internal/domain"
	"qinqi/store"
)

// openCounting opens a migrated SQLite store whose driver counts the statements it compiles.
func openCounting(t *testing.T) (*store.Store, *store.SQLCounts) {
	t.Helper()
	ctx := context.Background()
	c := &store.SQLCounts{}
	st, err := store.Open(ctx, store.WithSQLCountsForTest(store.Options{Driver: store.DriverSQLite, DSN: filepath.Join(t.TempDir(), "t.db")}, c))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return st, c
}

// TestCheckInPathReusesPreparedStatements: on SQLite the check-in path's writes (the inbox row,
// the check-in, the batch's multi-row audit, reply, summary and done-mark statements, gorm's
// UPDATE) run from statements the connection compiled once (sqlite_stmts.go): after a first batch,
// the next ones compile nothing (the driver used to compile 3.5 statements a report).
func TestCheckInPathReusesPreparedStatements(t *testing.T) {
	st, c := openCounting(t)
	ctx := context.Background()
	k, ps := pairedCounty(t, st, 1, func(int) domain.Tags { return domain.MakeTags(domain.TagLifted) })
	batch := func(from, n int) {
		t.Helper()
		err := st.Batch(ctx, func(ctx context.Context) error {
			ins := make([]*store.InboxMessage, 0, n)
			for j := from; j < from+n; j++ {
				ins = append(ins, benchInbound(j))
			}
			if err := saveInbound(ctx, st, ins); err != nil {
				return err
			}
			for i, in := range ins {
				if err := benchReport(ctx, st, k, ps[0], in, from+i); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	sizes := []int{8, 3, 1}
	next := 0
	for _, n := range sizes { // each batch size's multi-row statements are compiled once
		batch(next, n)
		next += n
	}
	c.Reset()
	reports := 0
	for range 3 {
		for _, n := range sizes {
			batch(next, n)
			next += n
			reports += n
		}
	}
	compiled, runs := c.Snapshot()
	t.Logf("%d reports: %d statements compiled, %d runs of prepared ones", reports, compiled, runs)
	if compiled != 0 || runs < 3*reports {
		t.Fatalf("the check-in path compiled %d statements for %d reports (want 0) and ran %d prepared ones (want at least %d): %v",
			compiled, reports, runs, 3*reports, c.ByText)
	}
}

// TestStatementCacheIsBounded: a connection keeps at most its cache's size of statements, dropping
// the least recently used, and a dropped statement is compiled again when it comes back.
func TestStatementCacheIsBounded(t *testing.T) {
	st, c := openCounting(t)
	ctx := context.Background()
	run := func(i int) { // distinct texts on the pool's one connection (nothing runs beside them)
		t.Helper()
		q := fmt.Sprintf("UPDATE check_ins SET kind = kind WHERE id = ? AND %d = %d", i, i)
		if err := st.ExecForTest(ctx, q, 0); err != nil {
			t.Fatal(err)
		}
	}
	for i := range store.StmtCacheSizeForTest + 1 {
		run(i)
	}
	c.Reset()
	run(store.StmtCacheSizeForTest) // the latest: kept
	if compiled, _ := c.Snapshot(); compiled != 0 {
		t.Fatalf("the latest statement was compiled again (%d)", compiled)
	}
	run(0) // the first: dropped when the cache overflowed
	if compiled, _ := c.Snapshot(); compiled != 1 {
		t.Fatalf("the dropped statement compiled %d times, want 1", compiled)
	}
}
