package bench

import (
	"context"
	"fmt"
	"math"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/scheduler"
	"qinqi/store"
)

// planAt is the day the 2028 Spring Festival window opens (L12-15 = 2028-01-11) at reminders.send_at:
// the window reminders job plans the "open" stage for every active pairing with no check-in in the
// window yet (all of them: the diaries end on 2027-12-31), one digest per cadre.
var planAt = clock.Date(2028, time.January, 11).Add(9 * time.Hour)

// planSuite times the window reminders job as serve builds it on the largest county (a cadre per ten
// pairings: 100,000 cadres in the 1m county), then works out, from the digests it queued and the default
// outbox limits, how long delivery takes and how many bot accounts would deliver within the day.
func planSuite() Suite {
	return Suite{Name: "scale_plan",
		What: "festival reminders for 100,000 cadres (the production job), and the delivery time at the default per-account limits",
		Run:  runPlan}
}

func runPlan(ctx context.Context, env Env, rep *Report) error {
	env.Log = orDiscard(env.Log)
	for _, backend := range scaleBackends(env) {
		sizes := backendSizes(env, backend)
		c := scanCounty(sizes[len(sizes)-1])
		st, n, took, release, err := c.open(ctx, env, backend)
		if err != nil {
			return err
		}
		if took > 0 {
			rep.Add(seededRow("scale_plan", backend, c, n, took))
		}
		err = planOnce(ctx, env, rep, backend, c, n, st)
		release()
		if err != nil {
			return err
		}
	}
	return nil
}

func planOnce(ctx context.Context, env Env, rep *Report, backend string, c scaleCounty, n countyRows, st *store.Store) error {
	if err := c.upkeep(ctx, rep, "scale_plan", backend, st, planAt); err != nil {
		return err
	}
	if err := st.ClearJobOutput(ctx); err != nil {
		return err
	}
	job, err := productionJob(st, planAt, "window-reminders", env.Log)
	if err != nil {
		return err
	}
	t, err := timeJob(ctx, job, planAt)
	if err != nil {
		return fmt.Errorf("bench: window reminders on %s: %w", c.name, err)
	}
	secs := t.took.Seconds()
	row := Row{Suite: "scale_plan", Case: fmt.Sprintf("festival reminders %s (春节 opens), %d cadres", c.label, n.Cadres), Backend: backend,
		Value: secs, Unit: "s",
		Extra: fmt.Sprintf("%d pairings; %d reminder rows and %d digest messages (outbox rows) written; %s",
			n.Pairings, t.res["reminders_open"], t.res["messages"], t.mem)}
	if n.Cadres >= 100_000 {
		row.Target, row.Met = "< 30 s for 100,000 cadres", Met(secs < 30)
	}
	rep.Add(row)
	rep.Add(deliveryRow(backend, c, t.res["messages"], config.Defaults()))
	if backend != "mariadb" {
		return nil
	}
	small := scanCounty(scaleSizes(env.Scale)[0]) // counted on the smallest county: the statements per digest
	return countJobSQL(ctx, env, rep, "scale_plan", small, "window-reminders", planAt, func(r scheduler.Result) (string, int) {
		return "digests", r["messages"]
	})
}

// deliveryRow is arithmetic, not a measurement: the digests the job queued, sent under the default
// outbox limits of one bot account (bot.Limits from config.Outbox): one message per Every from the
// token bucket (the 0–Jitter pause before each send fits inside the interval), no bulk message in the
// quiet hours, and at most DailyCap messages a day (replies have a tenth more on top; reminders do not).
func deliveryRow(backend string, c scaleCounty, messages int, cfg config.Config) Row {
	o := cfg.Outbox
	from, _ := config.ClockTime(cfg.Reminders.SendAt) // minutes after midnight; planning happens then
	quietEnd, _ := config.ClockTime(o.QuietEnd)
	quietStart, _ := config.ClockTime(o.QuietStart)
	openMin := quietStart - max(from, quietEnd) // the sending day after planning, in minutes
	byRate := int(float64(openMin)*60/o.Every.Seconds()) + o.Burst
	perDay := byRate
	if o.DailyCap > 0 {
		perDay = min(byRate, o.DailyCap)
	}
	days := int(math.Ceil(float64(messages) / float64(perDay)))
	accounts := days // accounts in parallel, each sending perDay, deliver in one day
	accountsNoCap := int(math.Ceil(float64(messages) / float64(byRate)))
	busy := time.Duration(perDay) * o.Every
	return Row{Suite: "scale_plan", Case: fmt.Sprintf("deliver those digests, one account, default limits (%s)", c.label), Backend: backend,
		Value: float64(days), Unit: "days",
		Extra: fmt.Sprintf("ARITHMETIC from the %d queued digests and the configured limits, not measured: one message per %s (burst %d), "+
			"sending %s–%s (quiet hours %s–%s, reminders planned at %s) = %d by rate, daily cap %d → %d a day, sent in %s; "+
			"%d account(s) deliver them the same day (%d if the daily cap were lifted, then rate-bound)",
			messages, o.Every, o.Burst, hhmm(max(from, quietEnd)), hhmm(quietStart), o.QuietStart, o.QuietEnd, cfg.Reminders.SendAt,
			byRate, o.DailyCap, perDay, busy.Round(time.Minute), accounts, accountsNoCap)}
}

func hhmm(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }
