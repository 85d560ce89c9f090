package store

import (
	"context"
	"log/slog"

	"gorm.io/gorm"
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
