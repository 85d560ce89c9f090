package app

import (
	"context"
	"fmt"
)

func runMigrate(ctx context.Context, args []string, io IO) error {
	var c common
	fs := newFlags("migrate", "[-config FILE] [-db FILE]", io)
	c.register(fs)
	status := fs.Bool("status", false, "only list pending migrations")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, s, err := c.openDB(ctx, io, false)
	if err != nil {
		return err
	}
	defer s.Close()
	pending, err := s.PendingMigrations(ctx)
	if err != nil {
		return err
	}
	if *status || len(pending) == 0 {
		fmt.Fprintf(io.Out, "%d pending migration(s) in %s\n", len(pending), dbLabel(cfg))
		for _, p := range pending {
			fmt.Fprintln(io.Out, "  "+p)
		}
		return nil
	}
	if err := s.Migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintf(io.Out, "applied %d migration(s); schema is up to date\n写入 (wrote to) %s\n", len(pending), dbLabel(cfg))
	return nil
}
