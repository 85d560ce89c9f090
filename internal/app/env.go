package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/go-sql-driver/mysql"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/store"
)

// common are the flags every database command shares.
type common struct {
	configPath string
	dbPath     string
	mysql      bool
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.configPath, "config", "", "YAML config file (default: built-in defaults; see config.example.yaml)")
	fs.StringVar(&c.dbPath, "db", "", "SQLite file, overriding database.path")
}

// load reads the config and applies the command-line overrides.
func (c *common) load() (config.Config, error) {
	cfg, err := config.Load(c.configPath, os.Getenv)
	if err != nil {
		return config.Config{}, err
	}
	if c.dbPath != "" {
		cfg.Database.Driver, cfg.Database.Path = "sqlite", c.dbPath
	}
	return cfg, nil
}

// openDB loads the config and opens its database, applying pending migrations first when migrate is set.
func (c *common) openDB(ctx context.Context, io IO, migrate bool) (config.Config, *store.Store, error) {
	cfg, err := c.load()
	if err != nil {
		return config.Config{}, nil, err
	}
	open := openStore
	if migrate {
		open = openMigrated
	}
	s, err := open(ctx, cfg, newLogger(cfg, io.Err))
	if err != nil {
		return config.Config{}, nil, err
	}
	return cfg, s, nil
}

// newLogger builds the process logger from config.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: lvl, ReplaceAttr: beijingTime}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// beijingTime writes every time in a log line (the record's own and any time attribute) in Beijing
// time, like every other time qinqi shows, whatever the host's zone (servers and CI often run in UTC).
func beijingTime(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindTime {
		a.Value = slog.TimeValue(a.Value.Time().In(clock.Shanghai))
	}
	return a
}

// openStore opens the configured database and explains failures in one sentence.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.Store, error) {
	s, err := store.Open(ctx, store.Options{
		Driver: cfg.Database.Driver, DSN: dsnOf(cfg), Logger: log,
		MaxOpen: cfg.Database.MaxOpen,
	})
	if err != nil {
		return nil, fmt.Errorf("cannot open the database %s: %w", dbLabel(cfg), rootCause(err))
	}
	return s, nil
}

// openMigrated opens the store and applies migrations (demo, seed, import: the operator asked for work).
func openMigrated(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.Store, error) {
	s, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// requireSchema refuses to run on an out-of-date schema.
func requireSchema(ctx context.Context, s *store.Store) error {
	pending, err := s.PendingMigrations(ctx)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		return fmt.Errorf("the database schema is out of date (%d pending migration(s), first %s); run `qinqi migrate` first", len(pending), pending[0])
	}
	return nil
}

// openKV opens Redis (or the in-process replacement) with a one-sentence error.
func openKV(ctx context.Context, cfg config.Config) (*store.KV, error) {
	kv, err := store.OpenKV(ctx, store.KVOptions{Addr: cfg.Redis.Addr, Password: cfg.Redis.Password, DB: cfg.Redis.DB, Prefix: cfg.Redis.Prefix})
	if err != nil {
		return nil, fmt.Errorf("cannot reach Redis at %s: %w", cfg.Redis.Addr, rootCause(err)) // host:port, validated
	}
	return kv, nil
}

// tellInstances makes the directory writes of a command (import, seed) reach the sender caches of
// running `qinqi serve` instances through Redis. Without redis.addr nothing is needed: each instance
// then reads the database's generation, which the writes move. When Redis cannot be reached the
// command still runs and says so: instances read their cached entries again within a minute.
// The returned func closes the connection.
func tellInstances(ctx context.Context, cfg config.Config, s *store.Store, io IO) func() {
	if cfg.Redis.Addr == "" {
		return func() {}
	}
	kv, err := openKV(ctx, cfg)
	if err != nil {
		fmt.Fprintf(io.Err, "note: %v; running instances may answer from what they cached for up to a minute\n", err)
		return func() {}
	}
	if _, err := store.NewDirectory(s, kv, true, newLogger(cfg, io.Err)); err != nil {
		fmt.Fprintf(io.Err, "note: %v; running instances may answer from what they cached for up to a minute\n", err)
	}
	return func() { _ = kv.Close() }
}

func dsnOf(cfg config.Config) string {
	if cfg.Database.Driver == store.DriverSQLite {
		return cfg.Database.Path
	}
	return cfg.Database.DSN
}

// dbLabel names the database a command works on, without credentials, so the operator sees which
// one it wrote to: "sqlite qinqi.db", "mysql qinqi@db:3306/qinqi".
func dbLabel(cfg config.Config) string {
	if cfg.Database.Driver == store.DriverSQLite {
		return "sqlite " + cfg.Database.Path
	}
	if m, err := mysql.ParseDSN(cfg.Database.DSN); err == nil {
		return fmt.Sprintf("mysql %s@%s/%s", m.User, m.Addr, m.DBName)
	}
	dsn := cfg.Database.DSN // unparsable: show what follows the credentials
	if at := strings.LastIndex(dsn, "@"); at >= 0 {
		dsn = dsn[at+1:]
	} else {
		dsn = "(unparsable DSN)"
	}
	if q := strings.Index(dsn, "?"); q >= 0 {
		dsn = dsn[:q]
	}
	return "mysql " + dsn
}

// rootCause strips wrapping so the operator sees the driver's own words once.
func rootCause(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}
