// Package config loads, overrides and validates qinqi's YAML configuration.
// Every key is documented in config.example.yaml; every number of the programme rules lives here.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration. There is no time zone setting: every programme of this kind
// runs on Beijing time (Xinjiang's offices included), and so do qinqi's calendar, rules, jobs, stored
// times, messages and logs.
type Config struct {
	Database   Database   `yaml:"database"`
	Redis      Redis      `yaml:"redis"`
	Log        Log        `yaml:"log"`
	WeChat     WeChat     `yaml:"wechat"`
	WeCom      WeCom      `yaml:"wecom"`
	MP         MP         `yaml:"mp"`
	Channels   Channels   `yaml:"channels"`
	HTTP       HTTP       `yaml:"http"`
	Inbox      Inbox      `yaml:"inbox"`
	Outbox     Outbox     `yaml:"outbox"`
	Bind       Bind       `yaml:"bind"`
	CheckIn    CheckIn    `yaml:"checkin"`
	Requests   Requests   `yaml:"requests"`
	Frequency  Frequency  `yaml:"frequency"`
	Windows    Windows    `yaml:"windows"`
	Campaigns  []Campaign `yaml:"campaigns"`
	Reminders  Reminders  `yaml:"reminders"`
	Escalation Escalation `yaml:"escalation"`
	SpotCheck  SpotCheck  `yaml:"spot_check"`
	Confirm    Confirm    `yaml:"confirm"`
	Ranking    Ranking    `yaml:"ranking"`
	Leaves     []Leave    `yaml:"leaves"`
	Contact    Contact    `yaml:"contact"`
	Scheduler  Scheduler  `yaml:"scheduler"`
}

// Database selects SQLite (embedded default) or MySQL/MariaDB.
type Database struct {
	Driver  string `yaml:"driver"`   // sqlite | mysql
	Path    string `yaml:"path"`     // sqlite file
	DSN     string `yaml:"dsn"`      // mysql; env QINQI_MYSQL_DSN
	MaxOpen int    `yaml:"max_open"` // mysql pool size
}

// Redis is the shared state; an empty Addr runs an in-process replacement (single instance only).
type Redis struct {
	Addr     string `yaml:"addr"`     // env QINQI_REDIS_ADDR
	Password string `yaml:"password"` // env QINQI_REDIS_PASSWORD
	DB       int    `yaml:"db"`
	Prefix   string `yaml:"prefix"`
}

// Log configures log/slog.
type Log struct {
	Level  string `yaml:"level"`  // debug | info | warn | error
	Format string `yaml:"format"` // text | json
}

// WeChat lists the bot accounts; each has its own session, hot-login file and limiter.
type WeChat struct {
	Accounts []Account `yaml:"accounts"`
	// WatchdogSilence restarts a session when no sync poll has completed for this long.
	WatchdogSilence time.Duration `yaml:"watchdog_silence"`
	ReconnectMin    time.Duration `yaml:"reconnect_min"`
	ReconnectMax    time.Duration `yaml:"reconnect_max"`
	// TestServer, for tests only, sends every WeChat request to this loopback host:port (the fake
	// WeChat server of bot/wechat/wxfake) instead of WeChat; the fault tests run `qinqi serve` against it.
	TestServer string `yaml:"test_server"`
}

// Account is one WeChat personal account the bot logs in as.
type Account struct {
	Name         string `yaml:"name"`
	HotLoginFile string `yaml:"hot_login_file"`
}

// Inbox configures the durable inbox.
type Inbox struct {
	SpoolDir       string        `yaml:"spool_dir"`
	SameTextWindow time.Duration `yaml:"same_text_window"`
	// Workers is the number of serial queues senders are sharded over; each stores and handles its
	// messages in order, so this is how many messages are written to the database at once. 0 (the
	// default) chooses by database: see InboxWorkers.
	Workers int `yaml:"workers"`
	// MaxTries is how many times a message the database refuses for its data is handled before it
	// is quarantined (status failed, kept for an administrator); tries while the database is out
	// do not count.
	MaxTries int `yaml:"max_tries"`
}

// Outbox configures sending: WeChat bans accounts that burst.
type Outbox struct {
	Every       time.Duration `yaml:"every"` // one token per this interval
	Burst       int           `yaml:"burst"`
	Jitter      time.Duration `yaml:"jitter"`      // random extra delay 0..Jitter before each send
	DailyCap    int           `yaml:"daily_cap"`   // per account
	QuietStart  string        `yaml:"quiet_start"` // "21:00"
	QuietEnd    string        `yaml:"quiet_end"`   // "08:00"
	MaxAttempts int           `yaml:"max_attempts"`
	RetryMin    time.Duration `yaml:"retry_min"`
	RetryMax    time.Duration `yaml:"retry_max"`
	LoopGuard   int           `yaml:"loop_guard"` // identical messages to one person per day
	FileDir     string        `yaml:"file_dir"`   // where generated ledgers and charts are kept until sent
	// FileRetention is how long a generated file is kept after it was sent (or failed for good);
	// then the cleanup job deletes it (the call-back list holds full phone numbers).
	FileRetention time.Duration `yaml:"file_retention"`
}

// Bind configures one-time binding codes.
type Bind struct {
	CodeTTL         time.Duration `yaml:"code_ttl"`
	MaxTriesPerHour int           `yaml:"max_tries_per_hour"`
}

// CheckIn configures report parsing and evidence.
type CheckIn struct {
	MaxDaysBack  int           `yaml:"max_days_back"`
	UndoWindow   time.Duration `yaml:"undo_window"`
	AttachWindow time.Duration `yaml:"attach_window"`
	FarMeters    int           `yaml:"far_meters"`
	DialogTTL    time.Duration `yaml:"dialog_ttl"`
	// HouseholdDialogTTL is how long a household's own question waits (a sentence's 1 转给干部 /
	// 2 不用, a menu, a category): an elderly head answers in a quarter of an hour, not in ten minutes.
	HouseholdDialogTTL time.Duration `yaml:"household_dialog_ttl"`
}

// Requests configures household request deadlines.
type Requests struct {
	AckWithin     time.Duration `yaml:"ack_within"`
	ResolveWithin time.Duration `yaml:"resolve_within"`
}

// Frequency is how often each pairing needs contact.
type Frequency struct {
	Default   []Rule            `yaml:"default"`
	ByTag     map[string][]Rule `yaml:"by_tag"`     // replaces Default for households with the tag
	ByProgram map[string][]Rule `yaml:"by_program"` // replaces Default for pairings of the program
}

// Rule says: at least Count check-ins of one of Kinds every Period.
type Rule struct {
	Period string   `yaml:"period"` // month | quarter | half_month | week
	Count  int      `yaml:"count"`
	Kinds  []string `yaml:"kinds"` // contact visit policy warmth deed; empty = any
}

// Windows holds the bounds of the built-in visit windows.
type Windows struct {
	NewYear       WindowSpec `yaml:"new_year"`        // 元旦
	SpringFest    WindowSpec `yaml:"spring_festival"` // 春节
	DragonBoat    WindowSpec `yaml:"dragon_boat"`     // 端午
	MidAutumn     WindowSpec `yaml:"mid_autumn"`      // 中秋
	SpringSowing  WindowSpec `yaml:"spring_sowing"`   // 春耕
	AutumnHarvest WindowSpec `yaml:"autumn_harvest"`  // 秋收
	WinterDrive   WindowSpec `yaml:"winter_drive"`    // 暖冬行动
}

// WindowSpec turns a built-in window on or off and moves its bounds.
type WindowSpec struct {
	Enabled    *bool  `yaml:"enabled"`
	DaysBefore int    `yaml:"days_before"` // festivals: open this many days before the day
	DaysAfter  int    `yaml:"days_after"`  // festivals: close this many days after
	From       string `yaml:"from"`        // fixed windows: MM-DD, or a solar term / lunar date (see example)
	To         string `yaml:"to"`
	Required   *bool  `yaml:"required"`
}

// On reports whether the window is enabled (default true).
func (w WindowSpec) On() bool { return w.Enabled == nil || *w.Enabled }

// IsRequired reports whether a check-in in the window is required (default true).
func (w WindowSpec) IsRequired() bool { return w.Required == nil || *w.Required }

// Campaign is an extra visit window from config.
type Campaign struct {
	Name     string   `yaml:"name"`
	From     string   `yaml:"from"` // 2026-10-10, or MM-DD every year, or lunar L01-15
	To       string   `yaml:"to"`
	Programs []string `yaml:"programs"`
	Tags     []string `yaml:"tags"`
	Required bool     `yaml:"required"`
}

// Reminders configures window reminders.
type Reminders struct {
	SendAt  string `yaml:"send_at"` // daily time reminders are planned, "09:00"
	Halfway bool   `yaml:"halfway"`
	LastDay bool   `yaml:"last_day"`
	// MonthlyBudget caps the optional reminders (the halfway reminder, the opening of a window that is
	// not required) a cadre gets in a month; mandatory ones still go.
	MonthlyBudget int `yaml:"monthly_budget"`
}

// Escalation configures the overdue ladder.
type Escalation struct {
	CoordinatorAfterDays int    `yaml:"coordinator_after_days"`
	HeadAfterDays        int    `yaml:"head_after_days"`
	ScanAt               string `yaml:"scan_at"` // "08:30"
	// Start (YYYY-MM-DD) is the go-live day: before it nothing escalates past the cadre, and the
	// ladder counts days from it at the earliest. Empty: the day of the first sheet import.
	Start string `yaml:"start"`
}

// SpotCheck configures monthly call-backs. The sample is drawn from a per-deployment secret that
// qinqi migrate generates and stores in the database, never from the configuration.
type SpotCheck struct {
	Percent     float64       `yaml:"percent"`
	Day         int           `yaml:"day"` // day of month to sample and ask
	RemindAfter time.Duration `yaml:"remind_after"`
}

// Confirm configures the household's confirmation of reported visits.
type Confirm struct {
	// MinDays: at most one question per household per this many days; reports in between are
	// covered by the next question.
	MinDays int `yaml:"min_days"`
	// AnswerWithin is how long a question can be answered.
	AnswerWithin time.Duration `yaml:"answer_within"`
	// Kinds are the check-in kinds the household is asked about (visit warmth deed by default).
	Kinds []string `yaml:"kinds"`
}

// Ranking holds whether the unit ranking exists at all and the documented weights of its outcomes.
// It is off by default: the 2026 rules for government apps forbid in-app 积分排名.
type Ranking struct {
	Enabled      bool    `yaml:"enabled"`
	Coverage     float64 `yaml:"coverage"`             // households reached / paired
	Confirmed    float64 `yaml:"confirmed"`            // visits confirmed / visits the household answered about
	Closed       float64 `yaml:"discrepancies_closed"` // discrepancies verified and closed / found
	OnTime       float64 `yaml:"requests_on_time"`
	Satisfaction float64 `yaml:"satisfaction"`
}

// removedKeys explain settings that existed once and were taken out on purpose, by the Go type of
// their section and their key, so an old configuration gets the reason instead of "unknown key".
var removedKeys = map[string]string{
	"Config.timezone": "timezone was removed: qinqi always runs on Beijing time (Asia/Shanghai); delete this line",
	"SpotCheck.seed": "spot_check.seed is no longer used: a seed in the configuration lets anyone work out who " +
		"will be called; the sample comes from a secret that qinqi migrate generated and stored in the database. Delete the key",
	"Ranking.activity": "ranking.activity was removed: units are ranked on outcomes, never on activity counts " +
		"(the 2026 rules for government apps forbid 积分排名). Delete the key",
	"Ranking.spot_check_agreement": "ranking.spot_check_agreement was removed: use ranking.confirmed (visits the " +
		"households confirmed) and ranking.discrepancies_closed. Delete the key",
}

// Leave is a cadre's leave from config (coordinators can also add leave by chat).
type Leave struct {
	Person string `yaml:"person"` // person code
	From   string `yaml:"from"`   // 2026-12-01
	To     string `yaml:"to"`
	Reason string `yaml:"reason"`
}

// Contact is shown on the household's contact card.
type Contact struct {
	OfficePhone string `yaml:"office_phone"`
	Promise     string `yaml:"promise"`
}

// Scheduler configures the cron runner.
type Scheduler struct {
	Enabled    *bool         `yaml:"enabled"`
	JobTimeout time.Duration `yaml:"job_timeout"`
	CatchUp    *bool         `yaml:"catch_up"` // run a missed slot once at start-up
}

// Error is a validation or parse error that names the key.
type Error struct {
	Key    string
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("config: %s: %s", e.Key, e.Reason) }

// Load reads a YAML file (path "" means defaults only), applies environment overrides and validates.
func Load(path string, env func(string) string) (Config, error) {
	c := Defaults()
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return Config{}, fmt.Errorf("config: cannot read %s: %w", path, err)
		}
		defer f.Close()
		if err := Decode(f, &c); err != nil {
			return Config{}, fmt.Errorf("%s: %w", path, err)
		}
	}
	if env == nil {
		env = os.Getenv
	}
	ApplyEnv(&c, env)
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Decode parses YAML strictly into c, on top of whatever c holds: unknown keys are errors.
func Decode(r io.Reader, c *Config) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("config: read: %w", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return explain(err)
	}
	return nil
}

// unknownField matches yaml's "line 3: field foo not found in type config.Outbox".
var unknownField = regexp.MustCompile(`^line (\d+): field (\S+) not found in type config\.(\w+)$`)

// wrongType matches yaml's "line 1: cannot unmarshal !!str `root:pw...` into config.Database",
// whose quoted start of the value may be a password (a DSN written one level too high).
var wrongType = regexp.MustCompile("^line (\\d+): cannot unmarshal !!(\\w+)(?: `[^`]*`)? into (\\S+)$")

// quotedValue is a value yaml quotes in an error; it is never repeated.
var quotedValue = regexp.MustCompile("`[^`]*`")

// yamlKinds and goKinds name yaml's node tags and the Go types of settings in the operator's terms.
var (
	yamlKinds = map[string]string{"str": "a text", "int": "a number", "float": "a number", "bool": "a yes/no",
		"seq": "a list", "map": "a section of keys", "null": "nothing", "timestamp": "a date"}
	goKinds = map[string]string{"string": "a text", "int": "a whole number", "int64": "a whole number",
		"float64": "a number", "bool": "true or false", "time.Duration": "a duration such as 3s or 10m"}
)

// typeProblem rewrites a yaml type error without the value, which may be a secret.
func typeProblem(m []string) string {
	found := yamlKinds[m[2]]
	if found == "" {
		found = "a " + m[2]
	}
	want := goKinds[m[3]]
	switch {
	case want != "":
	case strings.HasPrefix(m[3], "[]"):
		want = "a list"
	case strings.HasPrefix(m[3], "map["):
		want = "a section of keys"
	case strings.HasPrefix(m[3], "config."):
		want = sectionName(strings.TrimPrefix(m[3], "config.")) + " (its keys, indented below it)"
	default:
		want = m[3]
	}
	return fmt.Sprintf("line %s: found %s where %s belongs (the value is not shown: it may hold a password)", m[1], found, want)
}

// explain turns yaml's decoder errors into one line per problem in the operator's terms.
func explain(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return fmt.Errorf("config: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	msgs := make([]string, 0, len(te.Errors))
	for _, e := range te.Errors {
		if m := unknownField.FindStringSubmatch(e); m != nil && removedKeys[m[3]+"."+m[2]] != "" {
			e = fmt.Sprintf("line %s: %s", m[1], removedKeys[m[3]+"."+m[2]])
		} else if m != nil {
			e = fmt.Sprintf("line %s: unknown key %q (not a setting of %s; see config.example.yaml)", m[1], m[2], sectionName(m[3]))
		} else if m := wrongType.FindStringSubmatch(e); m != nil {
			e = typeProblem(m)
		} else {
			e = quotedValue.ReplaceAllString(e, "(value not shown)")
		}
		msgs = append(msgs, e)
	}
	return fmt.Errorf("config: %s", strings.Join(msgs, "; "))
}

func sectionName(goType string) string {
	if goType == "Config" {
		return "the top level"
	}
	return "section " + strings.ToLower(goType)
}

// ApplyEnv lets secrets and addresses come from the environment instead of the file.
func ApplyEnv(c *Config, env func(string) string) {
	if v := env("QINQI_MYSQL_DSN"); v != "" {
		c.Database.DSN = v
		c.Database.Driver = "mysql"
	}
	if v := env("QINQI_DB_PATH"); v != "" {
		c.Database.Path = v
	}
	if v := env("QINQI_REDIS_ADDR"); v != "" {
		c.Redis.Addr = v
	}
	if v := env("QINQI_REDIS_PASSWORD"); v != "" {
		c.Redis.Password = v
	}
	if v := env("QINQI_REDIS_DB"); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			c.Redis.DB = n
		}
	}
	for name, dst := range map[string]*string{"QINQI_WECOM_SECRET": &c.WeCom.Secret, "QINQI_WECOM_AES_KEY": &c.WeCom.AESKey,
		"QINQI_MP_SECRET": &c.MP.Secret, "QINQI_MP_AES_KEY": &c.MP.AESKey} {
		if v := env(name); v != "" {
			*dst = v
		}
	}
	if v := env("QINQI_LOG_LEVEL"); v != "" {
		c.Log.Level = v
	}
}

// SchedulerOn reports whether this instance runs scheduled jobs (default true).
func (c Config) SchedulerOn() bool { return c.Scheduler.Enabled == nil || *c.Scheduler.Enabled }

// CatchUpOn reports whether missed job slots run once at start-up (default true).
func (c Config) CatchUpOn() bool { return c.Scheduler.CatchUp == nil || *c.Scheduler.CatchUp }

// Redacted returns a copy safe to print: passwords and DSN credentials hidden.
func (c Config) Redacted() Config {
	r := c
	if r.Redis.Password != "" {
		r.Redis.Password = "***"
	}
	for _, p := range []*string{&r.WeCom.Secret, &r.WeCom.AESKey, &r.WeCom.Token, &r.MP.Secret, &r.MP.AESKey, &r.MP.Token} {
		if *p != "" {
			*p = "***"
		}
	}
	if at := strings.LastIndex(r.Database.DSN, "@"); at > 0 {
		r.Database.DSN = "***" + r.Database.DSN[at:]
	}
	return r
}

// InboxWorkers is inbox.workers, or when it is 0 the number that suits the database: SQLite takes
// one writer at a time, and eight queues each holding a batch's transaction waited on its lock
// (in one bench run with 64 senders the open loop's p99 was 431–527 ms with eight queues against
// 21–80 ms with one, and the CPU per report 0.74–0.82 against 0.51–0.55 ms), so SQLite gets one
// queue, whose batches then carry the messages of all senders. MariaDB writes in parallel and gets
// four: with eight, eight senders each had a queue to themselves and a commit per message; in two
// alternated bench runs four queues did better than eight at 1, 8 and 64 senders, in CPU per report
// and in the open loop's p99 (docs/BENCHMARKS.md).
func (c Config) InboxWorkers() int {
	switch {
	case c.Inbox.Workers > 0:
		return c.Inbox.Workers
	case c.Database.Driver == "sqlite":
		return 1
	}
	return 4
}
