package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"

	"github.com/go-sql-driver/mysql"
)

// scratchDatabase creates an empty utf8mb4 database qinqi_bench_<purpose>_<random> on the server of
// serverDSN and returns a DSN that selects it, and drop, which removes it again.
func scratchDatabase(ctx context.Context, serverDSN, purpose string) (dsn string, drop func(), err error) {
	cfg, err := mysql.ParseDSN(serverDSN)
	if err != nil {
		return "", nil, fmt.Errorf("bench: mysql DSN: %w", err)
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "qinqi_bench_" + purpose + "_" + hex.EncodeToString(b)
	admin, err := sql.Open("mysql", serverDSN)
	if err != nil {
		return "", nil, fmt.Errorf("bench: mysql: %w", err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		return "", nil, fmt.Errorf("bench: create database %s: %w", name, err)
	}
	drop = func() {
		if db, err := sql.Open("mysql", serverDSN); err == nil {
			_, _ = db.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name)
			_ = db.Close()
		}
	}
	cfg.DBName = name
	return cfg.FormatDSN(), drop, nil
}

// mysqlDurability describes the server settings that decide what a commit costs.
func mysqlDurability(ctx context.Context, db *sql.DB) (string, error) {
	var flush, syncBinlog, logBin, version string
	err := db.QueryRowContext(ctx, "SELECT @@innodb_flush_log_at_trx_commit, @@sync_binlog, @@log_bin, @@version").
		Scan(&flush, &syncBinlog, &logBin, &version)
	if err != nil {
		return "", fmt.Errorf("bench: read server settings: %w", err)
	}
	return fmt.Sprintf("%s, innodb_flush_log_at_trx_commit=%s, sync_binlog=%s, log_bin=%s", version, flush, syncBinlog, logBin), nil
}
