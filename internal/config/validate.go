package config

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

var periods = map[string]bool{"week": true, "half_month": true, "month": true, "quarter": true}
var kinds = map[string]bool{"contact": true, "visit": true, "policy": true, "warmth": true, "deed": true}

// Validate checks every key and returns all problems, each naming its key.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, &Error{Key: key, Reason: fmt.Sprintf(format, a...)})
	}

	switch c.Database.Driver {
	case "sqlite":
		if c.Database.Path == "" {
			bad("database.path", "is empty; give a file name such as qinqi.db")
		}
	case "mysql":
		if c.Database.DSN == "" {
			bad("database.dsn", "is empty; set it or QINQI_MYSQL_DSN, e.g. qinqi:pw@tcp(127.0.0.1:3306)/qinqi")
		} else if strings.Contains(c.Database.DSN, "://") {
			bad("database.dsn", "is written as a URL; write it as user:password@tcp(host:3306)/qinqi (the value is not shown: it may hold a password)")
		}
	default:
		bad("database.driver", "must be sqlite or mysql, not %q", c.Database.Driver)
	}
	if c.Database.MaxOpen < 1 {
		bad("database.max_open", "must be at least 1 (got %d)", c.Database.MaxOpen)
	}
	if c.Inbox.Workers < 0 || c.Inbox.Workers > 256 {
		bad("inbox.workers", "must be between 1 and 256, or 0 to choose by database (got %d)", c.Inbox.Workers)
	}
	if c.Inbox.MaxTries < 1 || c.Inbox.MaxTries > 20 {
		bad("inbox.max_tries", "must be between 1 and 20 (got %d)", c.Inbox.MaxTries)
	}
	if !oneOf(c.Log.Level, "debug", "info", "warn", "error") {
		bad("log.level", "must be debug, info, warn or error, not %q", c.Log.Level)
	}
	if !oneOf(c.Log.Format, "text", "json") {
		bad("log.format", "must be text or json, not %q", c.Log.Format)
	}
	if a := c.Redis.Addr; a != "" && (strings.Contains(a, "://") || strings.Contains(a, "@")) {
		bad("redis.addr", "must be host:port such as 127.0.0.1:6379, not a URL; put the password in redis.password or QINQI_REDIS_PASSWORD (the value is not shown: it may hold a password)")
	}
	c.validateWeChat(bad)
	c.validateChannels(bad)
	c.validateOutbox(bad)
	c.validateRules(bad)
	return errors.Join(errs...)
}

type badFunc func(key, format string, a ...any)

func (c Config) validateWeChat(bad badFunc) {
	seen := map[string]bool{}
	for i, a := range c.WeChat.Accounts {
		key := fmt.Sprintf("wechat.accounts[%d]", i)
		if a.Name == "" {
			bad(key+".name", "is empty")
		}
		if seen[a.Name] {
			bad(key+".name", "%q is listed twice", a.Name)
		}
		seen[a.Name] = true
		if a.HotLoginFile == "" {
			bad(key+".hot_login_file", "is empty; each account needs its own file")
		}
	}
	if c.WeChat.ReconnectMin <= 0 || c.WeChat.ReconnectMax < c.WeChat.ReconnectMin {
		bad("wechat.reconnect_min", "must be positive and not above wechat.reconnect_max")
	}
	if ts := c.WeChat.TestServer; ts != "" && !loopback(ts) {
		bad("wechat.test_server", "is for tests only and must be a loopback host:port such as 127.0.0.1:8080, not %q", ts)
	}
}

// loopback reports whether hostport names this machine, so the test hook cannot send a real
// account's session to another host.
func loopback(hostport string) bool {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil || port == "" {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (c Config) validateOutbox(bad badFunc) {
	o := c.Outbox
	if o.Every < 100*time.Millisecond {
		bad("outbox.every", "must be at least 100ms (got %s); WeChat bans accounts that burst", o.Every)
	}
	if o.Burst < 1 {
		bad("outbox.burst", "must be at least 1 (got %d)", o.Burst)
	}
	if o.Jitter < 0 {
		bad("outbox.jitter", "must not be negative")
	}
	if o.DailyCap < 1 {
		bad("outbox.daily_cap", "must be at least 1 (got %d)", o.DailyCap)
	}
	if _, err := ClockTime(o.QuietStart); err != nil {
		bad("outbox.quiet_start", "%v", err)
	}
	if _, err := ClockTime(o.QuietEnd); err != nil {
		bad("outbox.quiet_end", "%v", err)
	}
	if o.MaxAttempts < 1 {
		bad("outbox.max_attempts", "must be at least 1")
	}
	if o.LoopGuard < 1 {
		bad("outbox.loop_guard", "must be at least 1")
	}
	if o.FileRetention < time.Hour {
		bad("outbox.file_retention", "must be at least 1h (got %s)", o.FileRetention)
	}
	if c.Bind.CodeTTL < time.Minute {
		bad("bind.code_ttl", "must be at least 1m")
	}
	if c.Bind.MaxTriesPerHour < 1 {
		bad("bind.max_tries_per_hour", "must be at least 1")
	}
}

func (c Config) validateRules(bad badFunc) {
	if c.CheckIn.MaxDaysBack < 0 || c.CheckIn.MaxDaysBack > 366 {
		bad("checkin.max_days_back", "must be between 0 and 366 (got %d)", c.CheckIn.MaxDaysBack)
	}
	if c.CheckIn.FarMeters < 0 {
		bad("checkin.far_meters", "must not be negative")
	}
	if c.CheckIn.DialogTTL < time.Minute || c.CheckIn.DialogTTL > time.Hour {
		bad("checkin.dialog_ttl", "must be between 1m and 1h (got %s)", c.CheckIn.DialogTTL)
	}
	if h := c.CheckIn.HouseholdDialogTTL; h < c.CheckIn.DialogTTL || h > 24*time.Hour {
		bad("checkin.household_dialog_ttl", "must be between checkin.dialog_ttl (%s) and 24h (got %s)", c.CheckIn.DialogTTL, h)
	}
	if c.Requests.AckWithin <= 0 || c.Requests.ResolveWithin < c.Requests.AckWithin {
		bad("requests.resolve_within", "must be positive and not shorter than requests.ack_within")
	}
	checkRules := func(key string, rules []Rule) {
		for i, r := range rules {
			k := fmt.Sprintf("%s[%d]", key, i)
			if !periods[r.Period] {
				bad(k+".period", "must be week, half_month, month or quarter, not %q", r.Period)
			}
			if r.Count < 1 {
				bad(k+".count", "must be at least 1 (got %d)", r.Count)
			}
			for _, kd := range r.Kinds {
				if !kinds[kd] {
					bad(k+".kinds", "%q is not one of contact, visit, policy, warmth, deed", kd)
				}
			}
		}
	}
	checkRules("frequency.default", c.Frequency.Default)
	for tag, rs := range c.Frequency.ByTag {
		checkRules("frequency.by_tag."+tag, rs)
	}
	for p, rs := range c.Frequency.ByProgram {
		checkRules("frequency.by_program."+p, rs)
	}
	for i, cp := range c.Campaigns {
		k := fmt.Sprintf("campaigns[%d]", i)
		if strings.TrimSpace(cp.Name) == "" {
			bad(k+".name", "is empty")
		}
		if cp.From == "" || cp.To == "" {
			bad(k+".from", "from and to are both required")
		}
	}
	for i, l := range c.Leaves {
		k := fmt.Sprintf("leaves[%d]", i)
		from, err1 := time.Parse(time.DateOnly, l.From)
		to, err2 := time.Parse(time.DateOnly, l.To)
		if l.Person == "" || err1 != nil || err2 != nil || to.Before(from) {
			bad(k, "needs person, from and to as YYYY-MM-DD with from not after to")
		}
	}
	if _, err := time.Parse(time.DateOnly, c.Escalation.Start); c.Escalation.Start != "" && err != nil {
		bad("escalation.start", "%q is not a date: write YYYY-MM-DD, or leave it empty for the day of the first import", c.Escalation.Start)
	}
	if c.Escalation.CoordinatorAfterDays < 1 || c.Escalation.HeadAfterDays <= c.Escalation.CoordinatorAfterDays {
		bad("escalation.head_after_days", "must be greater than escalation.coordinator_after_days, which must be at least 1")
	}
	if c.SpotCheck.Percent < 0 || c.SpotCheck.Percent > 100 {
		bad("spot_check.percent", "must be between 0 and 100 (got %g)", c.SpotCheck.Percent)
	}
	if c.SpotCheck.Day < 1 || c.SpotCheck.Day > 28 {
		bad("spot_check.day", "must be between 1 and 28 (got %d)", c.SpotCheck.Day)
	}
	c.validateOutcomes(bad)
	for _, k := range []struct{ key, v string }{{"reminders.send_at", c.Reminders.SendAt}, {"escalation.scan_at", c.Escalation.ScanAt}} {
		if _, err := ClockTime(k.v); err != nil {
			bad(k.key, "%v", err)
		}
	}
	if c.Scheduler.JobTimeout < time.Second {
		bad("scheduler.job_timeout", "must be at least 1s")
	}
}

func (c Config) validateOutcomes(bad badFunc) {
	if c.Confirm.MinDays < 1 || c.Confirm.MinDays > 90 {
		bad("confirm.min_days", "must be between 1 and 90 (got %d)", c.Confirm.MinDays)
	}
	if c.Confirm.AnswerWithin < 24*time.Hour {
		bad("confirm.answer_within", "must be at least 24h (got %s)", c.Confirm.AnswerWithin)
	}
	for _, k := range c.Confirm.Kinds {
		if !kinds[k] {
			bad("confirm.kinds", "%q is not one of contact, visit, policy, warmth, deed", k)
		}
	}
	if c.Reminders.MonthlyBudget < 0 {
		bad("reminders.monthly_budget", "must not be negative (got %d)", c.Reminders.MonthlyBudget)
	}
	w := c.Ranking
	for _, x := range []struct {
		key string
		v   float64
	}{{"coverage", w.Coverage}, {"confirmed", w.Confirmed}, {"discrepancies_closed", w.Closed},
		{"requests_on_time", w.OnTime}, {"satisfaction", w.Satisfaction}} {
		if x.v < 0 || x.v > 1 {
			bad("ranking."+x.key, "must be between 0 and 1 (got %g)", x.v)
		}
	}
}

// ClockTime parses "HH:MM" into minutes after midnight.
func ClockTime(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a time of day like 21:00", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

func oneOf(v string, opts ...string) bool {
	for _, o := range opts {
		if v == o {
			return true
		}
	}
	return false
}
