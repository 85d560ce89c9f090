package store

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// maxLoggedSQL caps the statement text in gorm's slow/failed-query lines: a 500-row batch INSERT is
// hundreds of kilobytes, which buries the log without telling the operator more than its first line.
const maxLoggedSQL = 300

// sqlTrimHandler shortens the "sql" attribute (gorm nests it in a group) before the real handler sees it.
type sqlTrimHandler struct{ slog.Handler }

func (h sqlTrimHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	duplicate := false
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(trimSQL(a))
		duplicate = duplicate || isDuplicateAttr(a)
		return true
	})
	if duplicate {
		// Inserting and catching the unique-key error is how the store de-duplicates messages
		// and check-ins; it is not a failure worth an ERROR line.
		if out.Level = slog.LevelDebug; !h.Handler.Enabled(ctx, out.Level) {
			return nil
		}
	}
	return h.Handler.Handle(ctx, out)
}

// isDuplicateAttr spots gorm's translated unique-key error in its trace group.
func isDuplicateAttr(a slog.Attr) bool {
	if a.Value.Kind() == slog.KindGroup {
		for _, x := range a.Value.Group() {
			if isDuplicateAttr(x) {
				return true
			}
		}
		return false
	}
	return a.Key == "error" && a.Value.String() == gorm.ErrDuplicatedKey.Error()
}

func (h sqlTrimHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return sqlTrimHandler{h.Handler.WithAttrs(as)}
}

func (h sqlTrimHandler) WithGroup(name string) slog.Handler {
	return sqlTrimHandler{h.Handler.WithGroup(name)}
}

func trimSQL(a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindGroup:
		g := a.Value.Group()
		trimmed := make([]slog.Attr, len(g))
		for i, x := range g {
			trimmed[i] = trimSQL(x)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(trimmed...)}
	case slog.KindString:
		if s := a.Value.String(); a.Key == "sql" && len(s) > maxLoggedSQL {
			return slog.String(a.Key, s[:maxLoggedSQL]+"…")
		}
	}
	return a
}

// newGormLogger is gorm's slog logger for cfg, writing to h, behind quietTrace.
func newGormLogger(h slog.Handler, cfg logger.Config) logger.Interface {
	return quietTrace{Interface: logger.NewSlogLogger(slog.New(h), cfg), cfg: cfg}
}

// quietTrace skips gorm's trace of a statement that is not to be logged. gorm's slog logger builds
// the statement's text (a copy of it, byte by byte) and its fields before it decides whether to log
// them, for every statement gorm runs; the decision is taken here first, as it takes it: a failure
// other than a record not found (when cfg ignores those), a statement slower than the threshold,
// and every statement at level Info. What is logged is unchanged.
type quietTrace struct {
	logger.Interface
	cfg logger.Config
}

func (q quietTrace) LogMode(level logger.LogLevel) logger.Interface {
	cfg := q.cfg
	cfg.LogLevel = level
	return quietTrace{Interface: q.Interface.LogMode(level), cfg: cfg}
}

func (q quietTrace) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if q.cfg.LogLevel <= logger.Silent {
		return
	}
	failed := err != nil && (!q.cfg.IgnoreRecordNotFoundError || !errors.Is(err, logger.ErrRecordNotFound))
	slow := q.cfg.SlowThreshold != 0 && time.Since(begin) > q.cfg.SlowThreshold
	if failed || slow || q.cfg.LogLevel >= logger.Info {
		q.Interface.Trace(ctx, begin, fc, err)
	}
}

// ParamsFilter passes gorm's check for it through to the slog logger (which keeps values out of
// the logged statements when cfg is ParameterizedQueries).
func (q quietTrace) ParamsFilter(ctx context.Context, sql string, params ...any) (string, []any) {
	if f, ok := q.Interface.(gorm.ParamsFilter); ok {
		return f.ParamsFilter(ctx, sql, params...)
	}
	return sql, params
}
