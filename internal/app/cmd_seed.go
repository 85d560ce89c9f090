package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/seed"
)

func runSeed(ctx context.Context, args []string, io IO) error {
	var c common
	fs := newFlags("seed", "[--households N] [--cadres M] [--seed S] [--start YYYY-MM-DD] [--history K [--until YYYY-MM-DD]] [--force] | --demo", io)
	c.register(fs)
	o := seed.Options{}
	fs.IntVar(&o.Households, "households", 2000, "number of households")
	fs.IntVar(&o.Cadres, "cadres", 400, "number of cadres")
	fs.Int64Var(&o.Seed, "seed", 1, "random seed; the same seed and sizes give the same county")
	start := fs.String("start", "2026-01-01", "first pairing date")
	fs.IntVar(&o.History, "history", 0, "about this many diary entries (check-ins) per pairing, bulk loaded; 0 for none")
	until := fs.String("until", "", "the diary runs up to this date (default: two years after --start)")
	fs.IntVar(&o.Workers, "workers", 2, "concurrent writers for --history")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to FILE (go tool pprof)")
	force := fs.Bool("force", false, "seed even if the database already has households (rows with the same codes are overwritten)")
	demo := fs.Bool("demo", false, "load the small demo county (青山县) instead of a generated one")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	t, err := time.ParseInLocation(time.DateOnly, *start, clock.Shanghai)
	if err != nil {
		return fmt.Errorf("--start %q is not a date like 2026-01-01", *start)
	}
	o.Start = t
	if *until != "" {
		if o.Until, err = time.ParseInLocation(time.DateOnly, *until, clock.Shanghai); err != nil {
			return fmt.Errorf("--until %q is not a date like 2028-01-01", *until)
		}
	}
	o.Progress = io.Out
	began := time.Now()
	cfg, s, err := c.openDB(ctx, io, true)
	if err != nil {
		return err
	}
	defer s.Close()
	defer tellInstances(ctx, cfg, s, io)()
	before, err := s.CountOrg(ctx)
	if err != nil {
		return err
	}
	if before.Households > 0 && !*force {
		return fmt.Errorf("the database %s already has %d households; seeding would mix synthetic and real data (use --force if this is a test database)", dbLabel(cfg), before.Households)
	}
	if *demo {
		if err := seed.Demo(ctx, s, clock.Real{}.Now()); err != nil {
			return err
		}
	} else if _, err := seed.Generate(ctx, s, o); err != nil {
		return err
	}
	after, err := s.CountOrg(ctx)
	if err != nil {
		return errors.Join(errors.New("seeded, but counting failed"), err)
	}
	checkIns, err := s.CountCheckIns(ctx)
	if err != nil {
		return errors.Join(errors.New("seeded, but counting failed"), err)
	}
	fmt.Fprintf(io.Out, "seeded in %s: %d regions, %d units, %d people, %d households, %d programs, %d pairings, %d check-ins\n写入 (wrote to) %s\n",
		time.Since(began).Round(time.Second), after.Regions, after.Units, after.People, after.Households, after.Programs, after.Pairings, checkIns, dbLabel(cfg))
	return nil
}
