package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/scheduler"
	"qinqi/store"
)

// countJob counts its runs per slot.
type countJob struct {
	name, spec string
	mu         sync.Mutex
	runs       map[time.Time]int
	panicAt    time.Time
	block      bool
}

func (j *countJob) Name() string     { return j.name }
func (j *countJob) Schedule() string { return j.spec }
func (j *countJob) Run(ctx context.Context, at time.Time) (scheduler.Result, error) {
	j.mu.Lock()
	if j.runs == nil {
		j.runs = map[time.Time]int{}
	}
	j.runs[at]++
	j.mu.Unlock()
	if at.Equal(j.panicAt) {
		panic("boom")
	}
	if j.block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return scheduler.Result{"things": 2}, nil
}

func (j *countJob) counts() (slots, total int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, n := range j.runs {
		slots++
		total += n
	}
	return slots, total
}

// newRunner gives runs a one-second timeout, which the timeout test relies on.
func newRunner(kv scheduler.Claimer, st *store.Store, clk clock.Clock, name string) *scheduler.Runner {
	return scheduler.NewRunner(scheduler.RunnerOptions{KV: kv, Runs: st, Clock: clk, Log: quietLog(), Instance: name, Timeout: time.Second})
}

// threeRunners drives three runners concurrently over the same 3 days of an hourly job and checks each
// slot ran exactly once overall.
func threeRunners(t *testing.T, st *store.Store, kvs [3]scheduler.Claimer) {
	t.Helper()
	job := &countJob{name: "hourly", spec: "0 * * * *"}
	from := clock.Date(2026, 3, 1)
	to := from.AddDate(0, 0, 3)
	var wg sync.WaitGroup
	ran := make([]int, 3)
	for i := range 3 {
		r := newRunner(kvs[i], st, clock.NewFake(from), "instance-"+string(rune('a'+i)))
		must(t, r.Add(job))
		wg.Add(1)
		go func() {
			defer wg.Done()
			ran[i] = r.RunDue(context.Background(), from, to, nil)
		}()
	}
	wg.Wait()
	slots, total := job.counts()
	if slots != 72 || total != 72 || ran[0]+ran[1]+ran[2] != 72 {
		t.Errorf("slots %d, runs %d, per runner %v; want 72 slots each run once", slots, total, ran)
	}
	runs, err := st.JobRuns(context.Background(), "hourly")
	must(t, err)
	if len(runs) != 72 {
		t.Errorf("%d JobRun rows, want 72", len(runs))
	}
}

func TestThreeRunnersRunEachSlotOnce(t *testing.T) {
	t.Run("shared in-process KV", func(t *testing.T) {
		kv := testenv.KV(t)
		threeRunners(t, testenv.SQLite(t), [3]scheduler.Claimer{kv, kv, kv})
	})
	t.Run("separate KVs: the JobRun row is the last guard", func(t *testing.T) {
		threeRunners(t, testenv.SQLite(t), [3]scheduler.Claimer{testenv.KV(t), testenv.KV(t), testenv.KV(t)})
	})
	t.Run("real Redis, three clients", func(t *testing.T) {
		for _, b := range testenv.Backends() {
			t.Run(b.Name, func(t *testing.T) { threeRunners(t, b.Open(t), sharedRedis(t)) })
		}
	})
}

// sharedRedis opens three clients on the real Redis with one key prefix, like three instances.
func sharedRedis(t *testing.T) [3]scheduler.Claimer {
	t.Helper()
	testenv.Redis(t) // skips without QINQI_TEST_REDIS_ADDR
	prefix := "qinqitest:" + t.Name() + ":" + time.Now().Format("150405.000000") + ":"
	var out [3]scheduler.Claimer
	for i := range out {
		kv, err := store.OpenKV(context.Background(), store.KVOptions{Addr: os.Getenv(testenv.EnvRedis), Prefix: prefix})
		must(t, err)
		t.Cleanup(func() { _ = kv.Close() })
		out[i] = kv
	}
	return out
}

func TestCatchUpRunsAMissedSlotOnce(t *testing.T) {
	st, kv := testenv.SQLite(t), testenv.KV(t)
	now := clock.Date(2026, 3, 2).Add(11 * time.Hour) // down over the 09:00 slot
	job := &countJob{name: "daily", spec: "0 9 * * *"}
	old := &countJob{name: "monthly", spec: "0 9 1 1 *"} // its last slot is months old: not caught up
	for i := range 2 {
		r := newRunner(kv, st, clock.NewFake(now), "i")
		must(t, r.Add(job, old))
		r.CatchUp(context.Background(), now)
		if slots, total := job.counts(); slots != 1 || total != 1 {
			t.Fatalf("after start %d: %d slots, %d runs; want the missed 09:00 slot once", i+1, slots, total)
		}
	}
	if _, ok := job.runs[clock.Date(2026, 3, 2).Add(9*time.Hour)]; !ok {
		t.Errorf("ran %v, want the 2026-03-02 09:00 slot", job.runs)
	}
	if slots, _ := old.counts(); slots != 0 {
		t.Errorf("a slot older than CatchUpWithin ran")
	}
}

// periodJob is a countJob whose every slot has its own work (like the monthly report).
type periodJob struct{ countJob }

func (*periodJob) PerSlot() {}

// TestCatchUpAfterDowntime: after downtime, a monthly job runs each missed slot up to 40 days back,
// a job that judges the state runs once (its latest slot), and a second start runs nothing.
func TestCatchUpAfterDowntime(t *testing.T) {
	cases := []struct {
		name      string
		down, up  time.Time
		job       scheduler.Job
		wantSlots []time.Time
	}{
		{"two monthly slots missed, 35 and 4 days ago: both run, oldest first", clock.Date(2026, 9, 28), clock.Date(2026, 11, 5).Add(12 * time.Hour),
			&periodJob{countJob{name: "report", spec: "0 8 1 * *"}},
			[]time.Time{clock.Date(2026, 10, 1).Add(8 * time.Hour), clock.Date(2026, 11, 1).Add(8 * time.Hour)}},
		{"quarterly report missed 38 days ago runs", clock.Date(2026, 9, 28), clock.Date(2026, 11, 8),
			&periodJob{countJob{name: "quarter", spec: "10 8 1 1,4,7,10 *"}},
			[]time.Time{clock.Date(2026, 10, 1).Add(8*time.Hour + 10*time.Minute)}},
		{"a slot older than 40 days does not", clock.Date(2026, 9, 28), clock.Date(2026, 11, 12),
			&periodJob{countJob{name: "quarter", spec: "10 8 1 1,4,7,10 *"}}, nil},
		{"a daily job that judges the state runs its latest slot only", clock.Date(2026, 10, 20), clock.Date(2026, 11, 5).Add(12 * time.Hour),
			&countJob{name: "daily", spec: "0 9 * * *"}, []time.Time{clock.Date(2026, 11, 5).Add(9 * time.Hour)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, kv := testenv.SQLite(t), testenv.KV(t)
			ctx := context.Background()
			// The last run before the downtime is on record.
			r := newRunner(kv, st, clock.NewFake(tc.down), "before")
			must(t, r.Add(tc.job))
			r.RunDue(ctx, tc.down.Add(-40*24*time.Hour), tc.down, nil)
			var cj *countJob
			switch j := tc.job.(type) {
			case *periodJob:
				cj = &j.countJob
			case *countJob:
				cj = j
			}
			cj.runs = nil
			for i := range 2 {
				r := newRunner(kv, st, clock.NewFake(tc.up), fmt.Sprintf("after-%d", i))
				must(t, r.Add(tc.job))
				r.CatchUp(ctx, tc.up)
			}
			var got []time.Time
			for at, n := range cj.runs {
				got = append(got, at)
				if n != 1 {
					t.Errorf("slot %v ran %d times", at, n)
				}
			}
			sort.Slice(got, func(a, b int) bool { return got[a].Before(got[b]) })
			if fmt.Sprint(got) != fmt.Sprint(tc.wantSlots) {
				t.Errorf("caught up %v, want %v", got, tc.wantSlots)
			}
		})
	}
}

func TestRunnerSurvivesPanicAndTimeout(t *testing.T) {
	st, kv := testenv.SQLite(t), testenv.KV(t)
	from := clock.Date(2026, 3, 1)
	boom := &countJob{name: "boom", spec: "0 * * * *", panicAt: from.Add(2 * time.Hour)}
	slow := &countJob{name: "slow", spec: "30 1 * * *", block: true}
	r := newRunner(kv, st, clock.NewFake(from), "i")
	must(t, r.Add(boom, slow))
	if n := r.RunDue(context.Background(), from, from.Add(5*time.Hour), nil); n != 6 {
		t.Errorf("ran %d slots, want 6 (5 hourly + 1 slow)", n)
	}
	ctx := context.Background()
	cases := []struct {
		name, job, slot, err string
	}{
		{"panic is recorded", "boom", "2026-03-01T02:00", "panicked"},
		{"later slots still run", "boom", "2026-03-01T05:00", ""},
		{"timeout is recorded", "slow", "2026-03-01T01:30", "deadline"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			jr, err := st.JobRunOf(ctx, c.job, c.slot)
			must(t, err)
			if jr.FinishedAt == nil || (c.err == "") != (jr.Error == "") || (c.err != "" && !containsStr(jr.Error, c.err)) {
				t.Errorf("run %+v, want finished with error containing %q", jr, c.err)
			}
		})
	}
}

func containsStr(s, sub string) bool { return contains([]string{s}, sub) }

func TestBadScheduleIsRejected(t *testing.T) {
	r := newRunner(testenv.KV(t), testenv.SQLite(t), clock.NewFake(clock.Date(2026, 1, 1)), "i")
	cases := []struct{ name, spec string }{{"six fields", "0 0 9 * * *"}, {"zone prefix", "CRON_TZ=UTC 0 9 * * *"}, {"bare TZ", "TZ="}, {"garbage", "daily"}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := r.Add(&countJob{name: "x", spec: c.spec}); err == nil {
				t.Errorf("spec %q accepted", c.spec)
			}
		})
	}
}

func TestStartAndStop(t *testing.T) {
	st, kv := testenv.SQLite(t), testenv.KV(t)
	r := newRunner(kv, st, clock.Real{}, "i")
	must(t, r.Add(&countJob{name: "x", spec: "0 9 * * *"}))
	must(t, r.Start(context.Background(), false))
	if err := r.Start(context.Background(), false); err == nil {
		t.Error("second Start accepted")
	}
	r.Stop()
	if _, err := st.JobRunOf(context.Background(), "x", "2026-01-01T09:00"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a job ran without catch-up or firing: %v", err)
	}
}

// TestThreeInstancesSendEachReminderOnce runs the production jobs in three runners at once over the 端午
// window and the first overdue days, and checks every reminder and digest exists once.
func TestThreeInstancesSendEachReminderOnce(t *testing.T) {
	type setup struct {
		name string
		kvs  func(t *testing.T) [3]scheduler.Claimer
	}
	setups := []setup{
		{"shared in-process KV", func(t *testing.T) [3]scheduler.Claimer { kv := testenv.KV(t); return [3]scheduler.Claimer{kv, kv, kv} }},
		{"real Redis", sharedRedis},
	}
	for _, s := range setups {
		for _, b := range testenv.Backends() {
			t.Run(s.name+"/"+b.Name, func(t *testing.T) {
				kvs := s.kvs(t)
				c := newCounty(t, b.Open(t))
				from, to := clock.Date(2026, 6, 10), clock.Date(2026, 6, 21)
				var wg sync.WaitGroup
				for i := range 3 {
					clk := clock.NewFake(from)
					r := scheduler.NewRunner(scheduler.RunnerOptions{KV: kvs[i], Runs: c.st, Clock: clk, Log: quietLog(),
						Instance: fmt.Sprintf("instance-%d", i), Timeout: time.Minute})
					for _, j := range jobsByName(t, c.st, clk, defaults()) {
						must(t, r.Add(j))
					}
					wg.Add(1)
					go func() {
						defer wg.Done()
						r.RunDue(context.Background(), from, to, clk.Set)
					}()
				}
				wg.Wait()
				ctx := context.Background()
				rs, err := c.st.Reminders(ctx, store.ReminderFilter{})
				must(t, err)
				// 3 pairings × open, half, last of 端午 (nobody reports in this test).
				if len(rs) != 9 {
					t.Errorf("%d reminder rows, want 9", len(rs))
				}
				// One digest per cadre and stage. (Which run sends a stage may vary here: the three fake
				// clocks run at their own pace, so one instance may judge 06-13 before another 06-12.)
				for _, cadre := range []domain.PersonID{c.k1, c.k2} {
					if m := c.messages(t, "remind:", cadre); len(m) != 3 {
						t.Errorf("cadre %d: %d digests, want 3 (open, half, last)", cadre, len(m))
					}
				}
				runs, err := c.st.JobRuns(ctx, "window-reminders")
				must(t, err)
				if len(runs) != 11 {
					t.Errorf("%d window-reminder runs for 11 days, want 11", len(runs))
				}
				for _, r := range runs {
					if r.Error != "" {
						t.Errorf("run %s failed: %s", r.Slot, r.Error)
					}
				}
			})
		}
	}
}

// TestProductionJobsCatchUpFourDaysDown: qinqi is down from 10-28 until 11-04 noon, more than 72 hours
// past the 1st. At start-up the production jobs' catch-up draws October's call-back sample and sends
// October's monthly report (the old catch-up replayed only slots under 72 hours old and lost both).
func TestProductionJobsCatchUpFourDaysDown(t *testing.T) {
	ctx := context.Background()
	c := newCounty(t, testenv.SQLite(t))
	kv := testenv.KV(t)
	cfg := defaults()
	cfg.SpotCheck.Percent = 100
	down, up := clock.Date(2026, 10, 28).Add(10*time.Hour), clock.Date(2026, 11, 4).Add(12*time.Hour)
	before := clock.NewFake(clock.Date(2026, 9, 20))
	r := scheduler.NewRunner(scheduler.RunnerOptions{KV: kv, Runs: c.st, Clock: before, Log: quietLog(), Instance: "before", Timeout: time.Minute})
	for _, j := range jobsByName(t, c.st, before, cfg) {
		must(t, r.Add(j))
	}
	r.RunDue(ctx, clock.Date(2026, 9, 20), down, before.Set)
	if rows, err := c.st.SpotChecksOfMonth(ctx, "2026-10"); err != nil || len(rows) != 0 {
		t.Fatalf("October sampled before the 1st: %d rows, %v", len(rows), err)
	}

	after := clock.NewFake(up)
	r = scheduler.NewRunner(scheduler.RunnerOptions{KV: kv, Runs: c.st, Clock: after, Log: quietLog(), Instance: "after", Timeout: time.Minute})
	for _, j := range jobsByName(t, c.st, after, cfg) {
		must(t, r.Add(j))
	}
	r.CatchUp(ctx, up)
	rows, err := c.st.SpotChecksOfMonth(ctx, "2026-10")
	must(t, err)
	if len(rows) != 3 {
		t.Errorf("October's call-back sample: %d households asked, want all 3", len(rows))
	}
	for _, job := range []string{"spot-check-sample", "report-monthly"} {
		runs, err := c.st.JobRuns(ctx, job)
		must(t, err)
		found := false
		for _, run := range runs {
			found = found || strings.HasPrefix(run.Slot, "2026-11-01T")
		}
		if !found {
			t.Errorf("%s: the 11-01 slot never ran (runs %+v)", job, runs)
		}
	}
}
