// Package testenv gives tests a migrated store and a KV: SQLite and in-process Redis always,
// MariaDB and real Redis when QINQI_TEST_MYSQL_DSN and QINQI_TEST_REDIS_ADDR are set (CI sets them).
// Each test gets its own database and key prefix, so packages can run in parallel.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"qinqi/store"
)

// Env variables that switch on the real-service tests.
const (
	EnvMySQL = "QINQI_TEST_MYSQL_DSN"  // e.g. qinqi:qinqi@tcp(127.0.0.1:3306)/ — a user allowed to create databases
	EnvRedis = "QINQI_TEST_REDIS_ADDR" // e.g. 127.0.0.1:6379
)

// Backend names a store flavour for table-driven tests over both databases.
type Backend struct {
	Name string
	Open func(t testing.TB) *store.Store
	// OpenTwo returns two stores on one database, as two instances of qinqi serve have.
	OpenTwo func(t testing.TB) (*store.Store, *store.Store)
}

// Backends returns SQLite always and MariaDB when configured; use with t.Run(b.Name, …).
func Backends() []Backend {
	bs := []Backend{{Name: "sqlite", Open: SQLite, OpenTwo: SQLiteTwo}}
	if os.Getenv(EnvMySQL) != "" {
		bs = append(bs, Backend{Name: "mysql", Open: MySQL, OpenTwo: MySQLTwo})
	}
	return bs
}

// SQLite returns a migrated store in a temporary file.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	return openMigrated(t, store.Options{Driver: store.DriverSQLite, DSN: filepath.Join(t.TempDir(), "test.db")})
}

// SQLiteTwo returns two stores on one migrated temporary file.
func SQLiteTwo(t testing.TB) (*store.Store, *store.Store) {
	t.Helper()
	o := store.Options{Driver: store.DriverSQLite, DSN: filepath.Join(t.TempDir(), "test.db")}
	return openMigrated(t, o), openMigrated(t, o)
}

func openMigrated(t testing.TB, o store.Options) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, o)
	if err != nil {
		t.Fatalf("open %s: %v", o.Driver, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", o.Driver, err)
	}
	return s
}

// MySQL returns a migrated store in a fresh utf8mb4 database that is dropped afterwards,
// or skips the test when QINQI_TEST_MYSQL_DSN is not set.
func MySQL(t testing.TB) *store.Store {
	t.Helper()
	return openMigrated(t, mysqlOptions(t))
}

// MySQLTwo returns two stores on one fresh database, or skips.
func MySQLTwo(t testing.TB) (*store.Store, *store.Store) {
	t.Helper()
	o := mysqlOptions(t)
	return openMigrated(t, o), openMigrated(t, o)
}

// mysqlOptions creates a fresh utf8mb4 database, dropped after the test, or skips.
func mysqlOptions(t testing.TB) store.Options {
	t.Helper()
	base := os.Getenv(EnvMySQL)
	if base == "" {
		t.Skipf("skipping MariaDB test: %s is not set", EnvMySQL)
	}
	name := "qinqi_t_" + randHex(6)
	admin, err := sql.Open("mysql", base)
	if err != nil {
		t.Fatalf("mysql admin: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		if db, err := sql.Open("mysql", base); err == nil {
			_, _ = db.Exec("DROP DATABASE IF EXISTS " + name)
			_ = db.Close()
		}
	})
	return store.Options{Driver: store.DriverMySQL, DSN: WithDB(base, name), MaxOpen: 8}
}

// WithDB replaces the database name in a go-sql-driver DSN.
func WithDB(dsn, db string) string {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return dsn
	}
	cfg.DBName = db
	return cfg.FormatDSN()
}

// KVBackend names a KV flavour.
type KVBackend struct {
	Name string
	Open func(t testing.TB) *store.KV
	// Counted opens one whose round trips are told to roundTrip (store.KVOptions.RoundTrip).
	Counted func(t testing.TB, roundTrip func(commands []string)) *store.KV
}

// KVBackends returns the in-process KV always and real Redis when configured.
func KVBackends() []KVBackend {
	bs := []KVBackend{{Name: "inprocess", Open: KV, Counted: func(t testing.TB, rt func([]string)) *store.KV {
		return openKV(t, store.KVOptions{RoundTrip: rt})
	}}}
	if os.Getenv(EnvRedis) != "" {
		bs = append(bs, KVBackend{Name: "redis", Open: Redis, Counted: func(t testing.TB, rt func([]string)) *store.KV {
			return redisKV(t, rt)
		}})
	}
	return bs
}

// KV returns an in-process KV.
func KV(t testing.TB) *store.KV {
	t.Helper()
	return openKV(t, store.KVOptions{})
}

// Redis returns a KV on the real Redis with a unique key prefix, or skips.
func Redis(t testing.TB) *store.KV {
	t.Helper()
	return redisKV(t, nil)
}

func redisKV(t testing.TB, roundTrip func([]string)) *store.KV {
	t.Helper()
	addr := os.Getenv(EnvRedis)
	if addr == "" {
		t.Skipf("skipping Redis test: %s is not set", EnvRedis)
	}
	return openKV(t, store.KVOptions{Addr: addr, Prefix: "qinqitest:" + randHex(6) + ":", RoundTrip: roundTrip})
}

func openKV(t testing.TB, o store.KVOptions) *store.KV {
	t.Helper()
	kv, err := store.OpenKV(context.Background(), o)
	if err != nil {
		t.Fatalf("open kv %q: %v", o.Addr, err)
	}
	t.Cleanup(func() { _ = kv.Close() })
	return kv
}

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("testenv: random: %v", err))
	}
	return strings.ToLower(hex.EncodeToString(b))
}
