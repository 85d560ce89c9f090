// Package store is the only package that talks to the database (gorm) and to Redis.
// Methods are named by intent and return domain structs or ErrNotFound.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/libtnb/sqlite"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	msqlite "modernc.org/sqlite"

	"qinqi/internal/clock"
)

// Driver names accepted by Open.
const (
	DriverSQLite = "sqlite"
	DriverMySQL  = "mysql"
)

// Options say which database to open.
type Options struct {
	Driver string // sqlite or mysql
	// DSN is a file path for sqlite, or a go-sql-driver DSN for mysql; missing charset, parseTime, loc
	// and time_zone parameters are added so times round-trip as Beijing wall clock.
	DSN     string
	Logger  *slog.Logger
	MaxOpen int // mysql pool size; sqlite uses a small fixed pool

	sqliteConnector func(driver.Connector) driver.Connector // tests: wraps SQLite's connections (to count statements)
}

// Every time is stored as Beijing wall clock (Asia/Shanghai), the zone the calendar, the rules,
// the scheduler and every message use; there is no other zone to configure.
var zone = clock.Shanghai

// Store wraps a gorm handle; a Store returned by Tx is bound to that transaction.
type Store struct {
	db     *gorm.DB
	loc    *time.Location
	driver string
	hhCols string // households.<col> AS h_<col>, … for the joined reads
	watch  *dirWatch
	inTx   bool // bound to a transaction: never answered from the directory cache
	log    *slog.Logger
	multi  bool // MariaDB with multiStatements and interpolateParams: a batch's held writes go in one packet
}

// Open connects and pings; it does not migrate (see Migrate and PendingMigrations).
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	cfg := &gorm.Config{
		NowFunc: func() time.Time { return time.Now().In(zone) },
		Logger: newGormLogger(sqlTrimHandler{o.Logger.Handler()}, logger.Config{
			SlowThreshold: 500 * time.Millisecond, LogLevel: logger.Warn,
			IgnoreRecordNotFoundError: true, ParameterizedQueries: true, // keeps names and phones out of logs
		}),
		TranslateError: true,
	}
	var (
		db  *gorm.DB
		err error
	)
	switch o.Driver {
	case DriverSQLite:
		db, err = openSQLite(o, cfg)
	case DriverMySQL:
		db, err = openMySQL(o, cfg)
	default:
		return nil, fmt.Errorf("store: unknown driver %q (want sqlite or mysql)", o.Driver)
	}
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, loc: zone, driver: o.Driver, watch: &dirWatch{}, log: o.Logger.With("component", "store")}
	if o.Driver == DriverMySQL {
		s.multi = multiStatements(o.DSN)
	}
	db.ConnPool = &watchPool{ConnPool: db.ConnPool, w: s.watch}
	db.Statement.ConnPool = db.ConnPool
	if s.hhCols, err = columnsAs(db, &Household{}, "households", "h_"); err != nil {
		_ = s.Close()
		return nil, err
	}
	if err := s.Ping(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	if err := s.checkAutoIncrement(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	s.watch.ready.Store(s.q(ctx).Migrator().HasTable(&DirectoryGeneration{}))
	return s, nil
}

// checkAutoIncrement refuses a MySQL session whose auto_increment_increment is not 1: the ids of a
// multi-row INSERT (the outbox batch, and gorm's own batches) are read as the first one and those
// after it, which a server that spaces ids out (a multi-primary cluster) would make wrong, linking
// alerts to the wrong digests.
func (s *Store) checkAutoIncrement(ctx context.Context) error {
	if s.driver != DriverMySQL {
		return nil
	}
	var inc int
	if err := s.db.WithContext(ctx).Raw("SELECT @@auto_increment_increment").Scan(&inc).Error; err != nil {
		return fmt.Errorf("store: read auto_increment_increment: %w", err)
	}
	if inc != 1 {
		return fmt.Errorf("store: the MySQL session's auto_increment_increment is %d; qinqi needs 1 (it reads the ids of a multi-row INSERT as consecutive): set it to 1 for qinqi's user, or add auto_increment_increment=1 to database.dsn", inc)
	}
	return nil
}

func openSQLite(o Options, cfg *gorm.Config) (*gorm.DB, error) {
	if o.DSN == "" {
		return nil, errors.New("store: sqlite needs a file path")
	}
	sqlDB, err := openSQLiteDB(o.DSN, o.sqliteConnector)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite %s: %w", o.DSN, err)
	}
	db, err := gorm.Open(sqlite.New(sqlite.Config{Conn: sqlDB}), cfg)
	if err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", o.DSN, err)
	}
	// SQLite keeps times as text and compares them as text, so every time argument is moved
	// into one zone before it reaches the driver.
	db.ConnPool = &tzPool{ConnPool: db.ConnPool, loc: zone}
	db.Statement.ConnPool = db.ConnPool
	return db, nil
}

// SQLitePool is the size of the SQLite connection pool: SQLite has one writer at a time.
const SQLitePool = 4

// SQLiteDB is the database/sql handle on the SQLite file at path that Open uses: modernc.org/sqlite
// with SQLiteDSN's settings, each connection keeping its writes prepared (sqlite_stmts.go), a pool
// of SQLitePool. The bench's ceiling measures the engine through it.
func SQLiteDB(path string) (*sql.DB, error) { return openSQLiteDB(path, nil) }

func openSQLiteDB(path string, wrap func(driver.Connector) driver.Connector) (*sql.DB, error) {
	conn, err := msqlite.NewConnector(SQLiteDSN(path))
	if err != nil {
		return nil, err
	}
	if wrap != nil {
		conn = wrap(conn)
	}
	db := sql.OpenDB(stmtCacheConnector{conn})
	db.SetMaxOpenConns(SQLitePool)
	return db, nil
}

// SQLiteDSN is the driver DSN (modernc.org/sqlite) of the SQLite file at path. WAL + immediate
// transactions: measured to give no "database is locked" under concurrent writers. Times are written
// as "2006-01-02 15:04:05.999999999-07:00" text, as the earlier driver (glebarez/go-sqlite) wrote
// them, so files from either read alike and compare as text; _texttotime and _inttotime stay off as
// they were there (with them an aggregate over a date-shaped text column would come back as a time).
func SQLiteDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate" +
		"&_time_format=sqlite&_texttotime=0&_inttotime=0"
}

func openMySQL(o Options, cfg *gorm.Config) (*gorm.DB, error) {
	dsn, err := MySQLDSN(o.DSN)
	if err != nil {
		return nil, err
	}
	db, err := gorm.Open(mysql.New(mysql.Config{DSN: dsn}), cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect to mysql: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("store: mysql handle: %w", err)
	}
	n := o.MaxOpen
	if n <= 0 {
		n = 20
	}
	sqlDB.SetMaxOpenConns(n)
	sqlDB.SetMaxIdleConns(n / 2)
	sqlDB.SetConnMaxLifetime(30 * time.Minute) // below the server's wait_timeout
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// MySQLDSN adds the parameters qinqi relies on to a DSN unless the operator set them:
// utf8mb4 with unicode_ci (MariaDB rejects MySQL 8's 0900 collation), parsed times in the
// programme's zone, a session time_zone offset so NOW() agrees (named zones need tz tables), and
// STRICT_ALL_TABLES added to the server's sql_mode, so a value that does not fit is an error
// (IsDataError) instead of being cut or mangled silently on a server configured without it.
func MySQLDSN(dsn string) (string, error) {
	loc := zone
	if dsn == "" {
		return "", errors.New("store: mysql DSN is empty")
	}
	base, query, _ := strings.Cut(dsn, "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", fmt.Errorf("store: mysql DSN parameters: %w", err)
	}
	_, off := time.Now().In(loc).Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	defaults := map[string]string{
		"charset":      "utf8mb4",
		"collation":    "utf8mb4_unicode_ci",
		"parseTime":    "true",
		"loc":          loc.String(),
		"time_zone":    fmt.Sprintf("'%s%02d:%02d'", sign, off/3600, off%3600/60),
		"timeTruncate": "1ms",
		// Client-side interpolation: without it every statement with parameters costs a prepare,
		// an execute and a close round trip. Safe with the utf8mb4 connection charset above.
		"interpolateParams": "true",
		// One packet for the statements a batch flushes before its commit (batch_hold.go). Safe for
		// the same reason as interpolation: every value is a parameter the driver escapes; no SQL
		// is built from values.
		"multiStatements": "true",
		"sql_mode":        "CONCAT_WS(',',NULLIF(@@sql_mode,''),'STRICT_ALL_TABLES')",
	}
	for k, v := range defaults {
		if q.Get(k) == "" {
			q.Set(k, v)
		}
	}
	return base + "?" + q.Encode(), nil
}

// multiStatements reports whether the DSN, with MySQLDSN's defaults, lets one Exec carry several
// statements with their parameters interpolated (an operator may turn either off).
func multiStatements(dsn string) bool {
	full, err := MySQLDSN(dsn)
	if err != nil {
		return false
	}
	_, query, _ := strings.Cut(full, "?")
	q, err := url.ParseQuery(query)
	return err == nil && q.Get("multiStatements") == "true" && q.Get("interpolateParams") == "true"
}

// Driver is "sqlite" or "mysql".
func (s *Store) Driver() string { return s.driver }

// Location is the zone every time is stored in: Asia/Shanghai.
func (s *Store) Location() *time.Location { return s.loc }

// Ping checks the connection with a one-second budget so a dead database fails fast.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("store: database unreachable: %w", err)
	}
	return nil
}

// Close releases the connection pool.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Tx runs fn in one transaction; fn gets a Store bound to it and must use only that. Under a
// context from Batch it is a savepoint of the batch's transaction.
func (s *Store) Tx(ctx context.Context, fn func(tx *Store) error) error {
	return s.q(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(&Store{db: tx, loc: s.loc, driver: s.driver, hhCols: s.hhCols, watch: s.watch, inTx: true})
	})
}

// q is the handle for one operation: the transaction of a Batch context joins it, so the handlers'
// store calls share the inbox's commit without knowing about it.
func (s *Store) q(ctx context.Context) *gorm.DB {
	if b := s.joined(ctx); b != nil {
		return b.tx.WithContext(ctx)
	}
	return s.db.WithContext(ctx)
}

// joined is the inbound batch ctx carries when this store's operations join it: a store bound to
// its own transaction, or to another database, does not.
func (s *Store) joined(ctx context.Context) *batch {
	if s.inTx {
		return nil
	}
	if b, ok := ctx.Value(batchKey{}).(*batch); ok && b.watch == s.watch {
		return b
	}
	return nil
}

// oneConn reports whether ctx's operations run on one connection (a transaction, or the inbox batch
// ctx carries), which must not be used by two goroutines at once.
func (s *Store) oneConn(ctx context.Context) bool {
	return s.inTx || s.joined(ctx) != nil
}

// forUpdate makes a SELECT a locking read on MariaDB, which also reads the latest committed row
// rather than the transaction's snapshot. SQLite's writing transaction already holds the only lock.
func (s *Store) forUpdate(q string) string {
	if s.driver == DriverSQLite {
		return q
	}
	return q + " FOR UPDATE"
}

// In moves t into the store's zone; use it for values shown to people.
func (s *Store) In(t time.Time) time.Time { return t.In(s.loc) }

// notFound maps gorm's sentinel onto ours.
func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}

// isDuplicate reports whether err is a unique-key violation on either database.
func isDuplicate(err error) bool {
	return errors.Is(err, gorm.ErrDuplicatedKey)
}

// IsDuplicate is isDuplicate for callers outside store that insert through store methods.
func IsDuplicate(err error) bool { return errors.Is(err, ErrDuplicate) || isDuplicate(err) }
