package bench

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// The 1m county's scan working set does not fit MariaDB's default 128 MB buffer pool, so each scan
// reads it from disk again. The scan suite measures the 1m scan with the server's current
// innodb_buffer_pool_size and once more with the size the README recommends (recommendedPool), set
// with SET GLOBAL (dynamic in MariaDB 10.11) and always put back afterwards.

// poolHeadroom leaves room above the scan's working set for the check-in path's hot pages.
const poolHeadroom = 1.25

// scanWorkingSet is what the overdue scan reads every day: the clustered rows of pairings, their
// summaries, households, people and alerts, and the alerts' pairing index (check_ins only for the
// few overdue pairings' older history). Sizes come from mysql.innodb_index_stats (pages × page
// size), kept current by InnoDB's persistent stats.
const scanWorkingSet = `SELECT COALESCE(SUM(s.stat_value), 0) * @@innodb_page_size FROM mysql.innodb_index_stats s
 WHERE s.database_name = ? AND s.stat_name = 'size' AND (
  (s.table_name IN ('pairings', 'pairing_summaries', 'households', 'people', 'alerts') AND s.index_name = 'PRIMARY') OR
  (s.table_name = 'alerts' AND s.index_name = 'idx_alerts_pairing_id'))`

// poolSizes are the server's current buffer pool and the one recommended for the county db, in bytes.
type poolSizes struct {
	current, workingSet, recommended int64
}

// countyPool reads the pool sizes for the county c on the bench's MariaDB.
func countyPool(ctx context.Context, env Env, c scaleCounty) (poolSizes, error) {
	admin, err := sql.Open("mysql", env.MySQLDSN)
	if err != nil {
		return poolSizes{}, fmt.Errorf("bench: mysql admin: %w", err)
	}
	defer admin.Close()
	return readPoolSizes(ctx, admin, c.name)
}

func readPoolSizes(ctx context.Context, admin *sql.DB, db string) (poolSizes, error) {
	var p poolSizes
	if err := admin.QueryRowContext(ctx, "SELECT @@innodb_buffer_pool_size").Scan(&p.current); err != nil {
		return p, fmt.Errorf("bench: buffer pool size: %w", err)
	}
	if err := admin.QueryRowContext(ctx, scanWorkingSet, db).Scan(&p.workingSet); err != nil {
		return p, fmt.Errorf("bench: scan working set of %s: %w", db, err)
	}
	p.recommended = recommendedPool(p.workingSet)
	return p, nil
}

// recommendedPool is the working set with headroom, rounded up to 128 MB (InnoDB sizes the pool in
// chunks; a round figure is what an operator writes into the server's configuration).
func recommendedPool(workingSet int64) int64 {
	const step = 128 << 20
	want := int64(float64(workingSet) * poolHeadroom)
	return max(step, (want+step-1)/step*step)
}

// withPoolSize runs fn with the server's innodb_buffer_pool_size set to size, and restores the
// original value afterwards whatever happens, even when ctx is cancelled or fn fails.
func withPoolSize(ctx context.Context, admin *sql.DB, original, size int64, fn func() error) (err error) {
	if err := setPoolSize(ctx, admin, size); err != nil {
		_ = setPoolSize(context.WithoutCancel(ctx), admin, original) // a half-done resize is undone too
		return err
	}
	defer func() {
		if rerr := setPoolSize(context.WithoutCancel(ctx), admin, original); rerr != nil && err == nil {
			err = fmt.Errorf("bench: restore innodb_buffer_pool_size to %d: %w", original, rerr)
		}
	}()
	return fn()
}

// setPoolSize asks for the size and waits until the resize is done (it runs in the background).
func setPoolSize(ctx context.Context, admin *sql.DB, size int64) error {
	if _, err := admin.ExecContext(ctx, fmt.Sprintf("SET GLOBAL innodb_buffer_pool_size = %d", size)); err != nil {
		return fmt.Errorf("bench: set innodb_buffer_pool_size: %w", err)
	}
	deadline := time.Now().Add(5 * time.Minute)
	for {
		var got int64
		var name, status string
		if err := admin.QueryRowContext(ctx, "SELECT @@innodb_buffer_pool_size").Scan(&got); err != nil {
			return fmt.Errorf("bench: read innodb_buffer_pool_size: %w", err)
		}
		err := admin.QueryRowContext(ctx, "SHOW STATUS LIKE 'Innodb_buffer_pool_resize_status'").Scan(&name, &status)
		if err != nil && err != sql.ErrNoRows {
			return fmt.Errorf("bench: buffer pool resize status: %w", err)
		}
		if got == size && !resizing(status) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bench: buffer pool still %d bytes (%q) after 5 minutes, asked %d", got, status, size)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// resizing reads MariaDB's resize status text: empty (never resized, or a server that resizes within
// the SET statement), or "Completed resizing buffer pool at …" when done.
func resizing(status string) bool {
	return status != "" && !strings.Contains(strings.ToLower(status), "completed")
}
