package bot

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"qinqi/internal/clock"
	"qinqi/store"
)

// Store is everything the pipeline needs from the database; *store.Store implements it.
type Store interface {
	InboxStore
	OutboxStore
}

// PipelineOptions are the pipeline's parts. Required: Accounts, Handler, Store, State, Clock, SpoolDir.
type PipelineOptions struct {
	Accounts []Account    // every bot account with its messenger and limits
	Handler  Handler      // the command language
	Store    Store        // *store.Store
	State    State        // *store.KV (in-process or Redis)
	Clock    clock.Clock  // clock.Real{} in production
	Logger   *slog.Logger // nil: slog.Default()
	Waiter   Waiter       // nil: RealWaiter{}

	SpoolDir       string                                                   // config.Inbox.SpoolDir
	SameTextWindow time.Duration                                            // config.Inbox.SameTextWindow (default 3 s)
	MaxBindTries   int                                                      // config.Bind.MaxTriesPerHour (default 5)
	MaxTries       int                                                      // see InboxOptions.MaxTries (default 3)
	Workers        int                                                      // serial queues senders are sharded over (default 4)
	DefaultAccount string                                                   // see OutboxOptions.DefaultAccount; with a single account it is that one
	Prefer         []string                                                 // see OutboxOptions.Prefer
	MaintainEvery  time.Duration                                            // how often the spool is retried while the database is down (default 5 s)
	Lost           func(ctx context.Context, row store.OutboxMessage) error // see OutboxOptions.Lost
	Directory      Directory                                                // see InboxOptions.Directory; nil: no cache
}

// Pipeline is transports → inbox → handler → outbox → transports.
type Pipeline struct {
	o      PipelineOptions
	log    *slog.Logger
	inbox  *Inbox
	outbox *Outbox
	msgrs  []Messenger
}

// IdleWaiter is a messenger that waits, after each message it delivers, until the pipeline is idle
// (the console, so a scripted session's replies come out in input order).
type IdleWaiter interface {
	SetIdleWait(func(context.Context) error)
}

// NewPipeline builds the inbox and outbox around the accounts' messengers. An IdleWaiter among them
// is told to wait for WaitIdle after each message, which makes scripted sessions reproducible.
func NewPipeline(o PipelineOptions) (*Pipeline, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Waiter == nil {
		o.Waiter = RealWaiter{}
	}
	if o.MaintainEvery <= 0 {
		o.MaintainEvery = 5 * time.Second
	}
	spool, err := OpenSpool(o.SpoolDir)
	if err != nil {
		return nil, err
	}
	if o.DefaultAccount == "" && len(o.Accounts) == 1 {
		o.DefaultAccount = o.Accounts[0].Name // one account reaches everyone there is to reach
	}
	p := &Pipeline{o: o, log: o.Logger.With("component", "pipeline")}
	ob, err := NewOutbox(OutboxOptions{Store: o.Store, State: o.State, Clock: o.Clock, Logger: o.Logger,
		Waiter: o.Waiter, Accounts: o.Accounts, DefaultAccount: o.DefaultAccount, Prefer: o.Prefer, Lost: o.Lost})
	if err != nil {
		return nil, err
	}
	io := InboxOptions{Store: o.Store, State: o.State, Handler: o.Handler, Clock: o.Clock, Logger: o.Logger,
		Spool: spool, Messengers: map[string]Messenger{}, Limits: map[string]Limits{}, Trusted: map[string]bool{},
		SameTextWindow: o.SameTextWindow, MaxBindTries: o.MaxBindTries, MaxTries: o.MaxTries, Workers: o.Workers, Wake: ob.Wake, Directory: o.Directory}
	for _, a := range o.Accounts {
		io.Messengers[a.Name], io.Limits[a.Name], io.Trusted[a.Name] = a.Messenger, a.Limits, a.Trusted
		if !p.has(a.Messenger) {
			p.msgrs = append(p.msgrs, a.Messenger)
		}
		if c, ok := a.Messenger.(IdleWaiter); ok {
			c.SetIdleWait(p.WaitIdle)
		}
	}
	if p.inbox, err = NewInbox(io); err != nil {
		return nil, err
	}
	p.outbox = ob
	return p, nil
}

func (p *Pipeline) has(m Messenger) bool {
	for _, x := range p.msgrs {
		if x == m {
			return true
		}
	}
	return false
}

// Outbox is the pipeline's outbox; scheduler jobs call Outbox().Wake("") after committing messages.
func (p *Pipeline) Outbox() *Outbox { return p.outbox }

// Run receives until ctx ends or every transport has stopped (the console at end of input), then
// stops in order: no more receiving, the accepted messages handled, the outbox stopped. When the
// transports ended by themselves, queued replies are sent first (the demo transcript is complete).
// Returns the first transport error other than cancellation.
func (p *Pipeline) Run(ctx context.Context) error {
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	p.inbox.Start(workCtx)
	if n, err := p.inbox.Recover(workCtx); err != nil {
		p.log.Warn("unfinished messages not recovered yet", "err", err)
	} else if n > 0 {
		p.log.Info("unfinished messages queued again", "count", n)
	}
	bgCtx, stopBg := context.WithCancel(workCtx)
	var bg sync.WaitGroup
	bg.Go(func() { _ = p.outbox.Run(bgCtx) })
	bg.Go(func() { p.inbox.Maintain(bgCtx, p.o.Waiter, p.o.MaintainEvery) })

	errs := make(chan error, len(p.msgrs))
	for _, m := range p.msgrs {
		go func() { errs <- m.Receive(ctx, p.inbox.Accept) }()
	}
	var first error
	for range p.msgrs {
		if err := <-errs; err != nil && !errors.Is(err, context.Canceled) && first == nil {
			first = err
		}
	}
	p.inbox.Stop()
	if ctx.Err() == nil {
		flushCtx, cancel := context.WithTimeout(workCtx, time.Minute)
		if err := p.WaitIdle(flushCtx); err != nil {
			p.log.Warn("stopped with replies still queued; they are sent at the next start", "err", err)
		}
		cancel()
	}
	stopBg()
	bg.Wait()
	return first
}

// WaitIdle returns when every accepted message is handled and nothing is sendable right now
// (messages held by quiet hours, back-off or the daily cap do not count).
func (p *Pipeline) WaitIdle(ctx context.Context) error {
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for {
		if p.inbox.Idle() {
			ok, err := p.outbox.Idle(ctx)
			if err == nil && ok && p.inbox.Idle() {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
