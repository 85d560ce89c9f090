package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"qinqi/bot"
	"qinqi/handlers"
	"qinqi/internal/calendar"
	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/hanzi"
	"qinqi/scheduler"
	"qinqi/store"
)

// components are the running parts of the bot, built in order by build* and stopped in reverse by stop.
type components struct {
	cfg    config.Config
	log    *slog.Logger
	clock  clock.Clock
	store  *store.Store
	kv     *store.KV
	dir    *store.Directory
	cal    *calendar.Calendar
	router *handlers.Router
	runner *scheduler.Runner
	onJob  func(job string, at time.Time, res scheduler.Result, err error) // metrics, when serving
	stops  []func()
}

// onStop registers a cleanup; stop runs them last-registered first.
func (c *components) onStop(f func()) { c.stops = append(c.stops, f) }

func (c *components) stop() {
	for i := len(c.stops) - 1; i >= 0; i-- {
		c.stops[i]()
	}
	c.stops = nil
}

// buildCore opens the database and Redis and builds the calendar and the command router.
// migrate says whether to apply migrations (demo) or to refuse an out-of-date schema (serve).
func buildCore(ctx context.Context, cfg config.Config, log *slog.Logger, migrate bool) (*components, error) {
	return buildCoreAt(ctx, cfg, log, migrate, clock.Real{})
}

// buildCoreAt is buildCore on the given clock (the demo's --at).
func buildCoreAt(ctx context.Context, cfg config.Config, log *slog.Logger, migrate bool, clk clock.Clock) (*components, error) {
	c := &components{cfg: cfg, log: log, clock: clk}
	var err error
	if migrate {
		c.store, err = openMigrated(ctx, cfg, log)
	} else {
		c.store, err = openStore(ctx, cfg, log)
		if err == nil {
			if err = requireSchema(ctx, c.store); err != nil {
				_ = c.store.Close()
			}
		}
	}
	if err != nil {
		return nil, err
	}
	c.onStop(func() { _ = c.store.Close() })
	if c.kv, err = openKV(ctx, cfg); err != nil {
		c.stop()
		return nil, err
	}
	c.onStop(func() { _ = c.kv.Close() })
	if c.dir, err = store.NewDirectory(c.store, c.kv, !c.kv.InProcess(), log); err != nil {
		c.stop()
		return nil, err
	}
	if c.cal, err = calendar.New(cfg.Windows, cfg.Campaigns); err != nil {
		c.stop()
		return nil, err
	}
	fold, err := hanzi.New()
	if err != nil {
		c.stop()
		return nil, err
	}
	c.router = handlers.New(handlers.Deps{
		Store: c.store, Dialogs: c.kv, Clock: c.clock, Config: cfg, Logger: log, Hanzi: fold,
		Extra: handlers.ExtraDeps{Coord: c.store, Windows: c.cal, Spot: c.store, Callbacks: c.store},
	})
	return c, nil
}

// startScheduler starts the cron runner (claims in Redis, JobRun rows as the last guard).
func (c *components) startScheduler(ctx context.Context) error {
	if err := c.buildRunner(); err != nil {
		return err
	}
	if err := c.runner.Start(ctx, c.cfg.CatchUpOn()); err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	c.onStop(c.runner.Stop)
	return nil
}

// buildRunner builds the runner with every job, not started: cron starts it (startScheduler), or
// the demo clock drives it (Runner.Advance).
func (c *components) buildRunner() error {
	jobs, err := scheduler.Jobs(scheduler.Deps{Store: c.store, Clock: c.clock, Config: c.cfg, Log: c.log})
	if err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	host, _ := os.Hostname()
	c.runner = scheduler.NewRunner(scheduler.RunnerOptions{
		KV: c.kv, Runs: c.store, Clock: c.clock, Log: c.log,
		Timeout: c.cfg.Scheduler.JobTimeout, Instance: fmt.Sprintf("%s:%d", host, os.Getpid()), OnResult: c.onJob,
	})
	if err := c.runner.Add(jobs...); err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	return nil
}

// pipeline builds transports → inbox → router → outbox for the given accounts.
func (c *components) pipeline(accounts []bot.Account) (*bot.Pipeline, error) {
	return bot.NewPipeline(bot.PipelineOptions{
		Accounts: accounts, Handler: c.router, Store: c.store, State: c.kv, Clock: c.clock, Logger: c.log,
		SpoolDir: c.cfg.Inbox.SpoolDir, SameTextWindow: c.cfg.Inbox.SameTextWindow,
		Workers:      c.cfg.InboxWorkers(),
		MaxTries:     c.cfg.Inbox.MaxTries,
		MaxBindTries: c.cfg.Bind.MaxTriesPerHour,
		Prefer:       c.cfg.Channels.Prefer,
		Lost:         handlers.NewLostReplies(c.store, c.clock, c.log).Lost,
		Directory:    c.dir,
	})
}
