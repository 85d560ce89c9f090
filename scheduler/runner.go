// Package scheduler runs the periodic jobs: campaign windows and their reminders, the overdue scan and
// escalation ladder, request deadlines, spot-check call-backs and the periodic reports.
//
// Every job is a small struct with a name, a cron schedule (Asia/Shanghai) and Run. The shared Runner adds
// what every job needs: a claim per job and slot in Redis (never released, so a lagging instance cannot run
// the slot again), a JobRun row with a unique (job, slot) as the database guard, a timeout, panic recovery
// and one log line with the counts. The same Runner can be driven without cron by RunDue, for the simulator.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"qinqi/internal/clock"
	"qinqi/store"
)

// Result is a job's counts for the log line and the JobRun row, e.g. {"reminders": 12, "messages": 3}.
type Result map[string]int

// String renders the counts sorted by name: "messages=3 reminders=12".
func (r Result) String() string {
	keys := make([]string, 0, len(r))
	for k := range r {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, r[k])
	}
	return strings.Join(parts, " ")
}

// Job is one periodic task. Run gets the scheduled time of the firing (the slot). A job that does a
// period's work (a monthly report, a month's call-back sample) works on its slot's period, whenever it
// runs, and says so by implementing PeriodJob; the others judge the state when they run (Clock.Now),
// so a late run sees what happened meanwhile.
type Job interface {
	Name() string
	Schedule() string // five-field cron spec, read in Asia/Shanghai
	Run(ctx context.Context, at time.Time) (Result, error)
}

// PeriodJob marks a job whose every slot has its own work: catch-up runs each of its missed slots.
type PeriodJob interface {
	Job
	PerSlot()
}

// Claimer is the Redis claim (store.KV implements it).
type Claimer interface {
	Claim(ctx context.Context, key, owner string, ttl time.Duration) (bool, error)
}

// RunLog is the database guard (store.Store implements it).
type RunLog interface {
	StartJobRun(ctx context.Context, job, slot, instance string, at time.Time) (int64, error)
	FinishJobRun(ctx context.Context, id int64, at time.Time, result string, runErr error) error
	JobRunOf(ctx context.Context, job, slot string) (store.JobRun, error)
}

// RunnerOptions are the Runner's dependencies.
type RunnerOptions struct {
	KV       Claimer
	Runs     RunLog
	Clock    clock.Clock
	Log      *slog.Logger
	Timeout  time.Duration // per run; config.Scheduler.JobTimeout
	Instance string        // names this process in claims and JobRun rows
	// CatchUpWithin bounds how old a missed slot may be and still run at start-up (default 40 days).
	CatchUpWithin time.Duration
	// OnResult, when set, sees every run's outcome (metrics, the simulator's tallies).
	OnResult func(job string, at time.Time, res Result, err error)
}

// Runner runs jobs once per slot across all instances.
type Runner struct {
	o       RunnerOptions
	jobs    []*entry
	cron    *cron.Cron
	mu      sync.Mutex // guards started
	started bool
}

type entry struct {
	job   Job
	sched cron.Schedule
	id    cron.EntryID
}

var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// NewRunner builds a runner; add jobs with Add, then Start (production) or drive it with RunDue.
func NewRunner(o RunnerOptions) *Runner {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Minute
	}
	if o.CatchUpWithin <= 0 {
		o.CatchUpWithin = 40 * 24 * time.Hour
	}
	if o.Instance == "" {
		o.Instance = "qinqi"
	}
	return &Runner{o: o}
}

// Add registers jobs; a bad schedule is an error naming the job (specs are parsed with recover, since
// robfig/cron panics on some malformed TZ prefixes).
func (r *Runner) Add(jobs ...Job) error {
	for _, j := range jobs {
		s, err := parseSpec(j.Schedule())
		if err != nil {
			return fmt.Errorf("scheduler: job %s: %w", j.Name(), err)
		}
		r.jobs = append(r.jobs, &entry{job: j, sched: s})
	}
	return nil
}

func parseSpec(spec string) (s cron.Schedule, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("bad schedule %q", spec)
		}
	}()
	if strings.Contains(spec, "TZ=") {
		return nil, fmt.Errorf("schedule %q: zones are not allowed, every schedule is Asia/Shanghai", spec)
	}
	// The zone is pinned in the schedule itself, so Next is Asia/Shanghai whatever zone its argument has.
	s, err = parser.Parse("CRON_TZ=Asia/Shanghai " + spec)
	if err != nil {
		return nil, fmt.Errorf("bad schedule %q: %w", spec, err)
	}
	return s, nil
}

// Slot names a firing: its Asia/Shanghai wall time to the minute.
func Slot(at time.Time) string { return at.In(clock.Shanghai).Format("2006-01-02T15:04") }

// Start runs the catch-up for slots missed while no instance was up, then starts cron in Asia/Shanghai
// with SkipIfStillRunning outside Recover (in the reverse order a job stops for good after its
// first panic).
func (r *Runner) Start(ctx context.Context, catchUp bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started {
		return errors.New("scheduler: already started")
	}
	if catchUp {
		r.CatchUp(ctx, r.o.Clock.Now())
	}
	cl := cronLogger{r.o.Log}
	r.cron = cron.New(cron.WithLocation(clock.Shanghai), cron.WithParser(parser),
		cron.WithChain(cron.SkipIfStillRunning(cl), cron.Recover(cl)))
	for _, e := range r.jobs {
		e := e
		e.id = r.cron.Schedule(e.sched, cron.FuncJob(func() {
			at := r.cron.Entry(e.id).Prev
			if at.IsZero() {
				at, _ = prevFiring(e.sched, r.o.Clock.Now())
			}
			r.RunSlot(ctx, e.job, at)
		}))
	}
	r.cron.Start()
	r.started = true
	return nil
}

// Stop stops cron and waits for running jobs to finish.
func (r *Runner) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cron != nil {
		<-r.cron.Stop().Done()
	}
	r.started = false
}

// CatchUp runs the slots missed while no instance was up, at start-up. The rules:
//
//   - Only slots younger than CatchUpWithin (40 days) and without a JobRun row are missed: a monthly or
//     quarterly job missed for any downtime up to 40 days runs once.
//   - A PeriodJob runs each missed slot, oldest first (two monthly reports if two months were missed).
//   - Any other job judges the state when it runs, so only its latest missed slot runs: a week down
//     means one overdue scan and one round of reminders, each sending whatever is due now.
//   - The Redis claim and the unique JobRun row keep each slot to one run across instances.
func (r *Runner) CatchUp(ctx context.Context, now time.Time) {
	for _, e := range r.jobs {
		slots := missedCandidates(e, now.Add(-r.o.CatchUpWithin), now)
		for _, at := range slots {
			if _, err := r.o.Runs.JobRunOf(ctx, e.job.Name(), Slot(at)); err == nil {
				continue
			} else if !errors.Is(err, store.ErrNotFound) {
				r.o.Log.Error("job catch-up check failed", "job", e.job.Name(), "err", err)
				continue
			}
			r.o.Log.Info("job catch-up", "job", e.job.Name(), "slot", Slot(at))
			r.RunSlot(ctx, e.job, at)
		}
	}
}

// missedCandidates lists the slots of e in (from, now] that catch-up considers: all of them, oldest
// first, for a PeriodJob; the latest one otherwise.
func missedCandidates(e *entry, from, now time.Time) []time.Time {
	var all []time.Time
	for t := e.sched.Next(from); !t.IsZero() && !t.After(now); t = e.sched.Next(t) {
		all = append(all, t)
	}
	if len(all) == 0 {
		return nil
	}
	if _, ok := e.job.(PeriodJob); ok {
		return all
	}
	return all[len(all)-1:]
}

// RunDue runs every firing of every job in (from, to], in time order (ties in registration order);
// before each it calls advance (nil allowed) so a simulator can move its fake clock to the firing.
// It returns how many slots this runner executed (slots claimed by others are not counted).
func (r *Runner) RunDue(ctx context.Context, from, to time.Time, advance func(time.Time)) int {
	type firing struct {
		at time.Time
		i  int
	}
	var fs []firing
	for i, e := range r.jobs {
		for t := e.sched.Next(from); !t.After(to); t = e.sched.Next(t) {
			fs = append(fs, firing{t, i})
		}
	}
	sort.SliceStable(fs, func(a, b int) bool {
		if fs[a].at.Equal(fs[b].at) {
			return fs[a].i < fs[b].i
		}
		return fs[a].at.Before(fs[b].at)
	})
	n := 0
	for _, f := range fs {
		if advance != nil {
			advance(f.at)
		}
		if ran, _, _ := r.RunSlot(ctx, r.jobs[f.i].job, f.at); ran {
			n++
		}
	}
	return n
}

// Advance moves clk forward by d the way time would pass, for the demo clock: every firing in
// (now, now+d] runs in time order (RunDue) with the clock standing at its slot, and the clock then
// stands at now+d. settle, when set, runs before each firing and once at the end, so the caller can
// deliver a firing's messages before the next one runs. Each slot still runs once: a slot that an
// earlier advance ended on is not run again. Returns how many slots ran.
func (r *Runner) Advance(ctx context.Context, clk *clock.Fake, d time.Duration, settle func(context.Context)) int {
	from := clk.Now()
	to := from.Add(d)
	n := r.RunDue(ctx, from, to, func(at time.Time) {
		if settle != nil {
			settle(ctx)
		}
		clk.Set(at)
	})
	if settle != nil {
		settle(ctx)
	}
	clk.Set(to)
	return n
}

// RunSlot runs job for the slot at unless another run (here or elsewhere) has it.
func (r *Runner) RunSlot(ctx context.Context, job Job, at time.Time) (bool, Result, error) {
	name, slot := job.Name(), Slot(at)
	log := r.o.Log.With("job", name, "slot", slot)
	ok, err := r.o.KV.Claim(ctx, "job:"+name+":"+slot, r.o.Instance, claimTTL(r.sched(job), at))
	if err != nil {
		// Redis down: the unique JobRun row below still keeps the slot to one run.
		log.Warn("job claim failed, relying on the database guard", "err", err)
	} else if !ok {
		return false, nil, nil
	}
	id, err := r.o.Runs.StartJobRun(ctx, name, slot, r.o.Instance, r.o.Clock.Now())
	if errors.Is(err, store.ErrDuplicate) {
		return false, nil, nil
	}
	if err != nil {
		log.Error("job not started", "err", err)
		return false, nil, err
	}
	start := time.Now() // wall time for the duration only; never used for the job's notion of "now"
	res, runErr := r.safeRun(ctx, job, at)
	dur := time.Since(start)
	if err := r.o.Runs.FinishJobRun(context.WithoutCancel(ctx), id, r.o.Clock.Now(), res.String(), runErr); err != nil {
		log.Error("job run not recorded", "err", err)
	}
	attrs := []any{"duration", dur.Round(time.Millisecond), "counts", res.String()}
	if runErr != nil {
		log.Error("job failed", append(attrs, "err", runErr)...)
	} else {
		log.Info("job done", attrs...)
	}
	if r.o.OnResult != nil {
		r.o.OnResult(name, at, res, runErr)
	}
	return true, res, runErr
}

func (r *Runner) safeRun(ctx context.Context, job Job, at time.Time) (res Result, err error) {
	ctx, cancel := context.WithTimeout(ctx, r.o.Timeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			r.o.Log.Error("job panicked", "job", job.Name(), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = fmt.Errorf("scheduler: job %s panicked: %v", job.Name(), p)
		}
	}()
	res, err = job.Run(ctx, at)
	if res == nil {
		res = Result{}
	}
	return res, err
}

func (r *Runner) sched(job Job) cron.Schedule {
	for _, e := range r.jobs {
		if e.job == job {
			return e.sched
		}
	}
	s, _ := parseSpec(job.Schedule())
	return s
}

// claimTTL outlives the gap to the next firing, so no instance can claim the slot again while it matters.
func claimTTL(s cron.Schedule, at time.Time) time.Duration {
	ttl := time.Hour
	if s != nil {
		if gap := s.Next(at).Sub(at); gap > 0 {
			ttl += gap
		}
	}
	return ttl
}

// prevFiring is the schedule's latest firing at or before now, found by widening look-backs.
func prevFiring(s cron.Schedule, now time.Time) (time.Time, bool) {
	for _, back := range []time.Duration{2 * time.Hour, 49 * time.Hour, 64 * 24 * time.Hour, 800 * 24 * time.Hour} {
		var last time.Time
		for t := s.Next(now.Add(-back)); !t.After(now) && !t.IsZero(); t = s.Next(t) {
			last = t
		}
		if !last.IsZero() {
			return last, true
		}
	}
	return time.Time{}, false
}

// cronLogger sends robfig/cron's own messages (panics, skips) to slog.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}
