package store

import (
	"context"
	"log/slog"
)

// maxLoggedSQL caps the statement text in gorm's slow/failed-query lines: a 500-row batch INSERT is
// hundreds of kilobytes, which buries the log without telling the operator more than its first line.
const maxLoggedSQL = 300

// sqlTrimHandler shortens the "sql" attribute (gorm nests it in a group) before the real handler sees it.
type sqlTrimHandler struct{ slog.Handler }

func (h sqlTrimHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(trimSQL(a))
		return true
	})
	return h.Handler.Handle(ctx, out)
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
