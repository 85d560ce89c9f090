package config_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"qinqi/internal/config"
)

const examplePath = "../../config.example.yaml"

func readExample(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// withExamples turns the "#> " example lines of config.example.yaml into live YAML, replacing the
// empty placeholder each example block stands under.
func withExamples(src string) string {
	lines := strings.Split(src, "\n")
	var out []string
	for i, line := range lines {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#> ") {
			indent := line[:len(line)-len(strings.TrimLeft(line, " "))]
			out = append(out, indent+strings.TrimPrefix(trimmed, "#> "))
			continue
		}
		key, _, _ := strings.Cut(trimmed, ":")
		if i+1 < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i+1]), "#> "+key+":") {
			continue // the empty placeholder ("accounts: []") the example block replaces
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func decode(t testing.TB, src string) (config.Config, error) {
	t.Helper()
	c := config.Defaults()
	err := config.Decode(strings.NewReader(src), &c)
	return c, err
}

func TestExampleParsesAndEqualsDefaults(t *testing.T) {
	c, err := config.Load(examplePath, func(string) string { return "" })
	if err != nil {
		t.Fatalf("config.example.yaml: %v", err)
	}
	got, want := normalize(c), normalize(config.Defaults())
	if !reflect.DeepEqual(got, want) {
		t.Errorf("config.example.yaml differs from Defaults():\n got %+v\nwant %+v", got, want)
	}
}

// normalize maps spellings that mean the same onto one: empty lists and maps onto nil, and
// "enabled: true" onto an absent *bool (whose default is true).
func normalize(c config.Config) config.Config {
	normValue(reflect.ValueOf(&c).Elem())
	return c
}

func normValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				normValue(v.Field(i))
			}
		}
	case reflect.Pointer:
		if !v.IsNil() && v.Elem().Kind() == reflect.Bool && v.Elem().Bool() {
			v.Set(reflect.Zero(v.Type()))
		}
	case reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.Zero(v.Type()))
		}
		for i := range v.Len() {
			normValue(v.Index(i))
		}
	case reflect.Map:
		if v.Len() == 0 {
			v.Set(reflect.Zero(v.Type()))
			return
		}
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			normValue(e)
			v.SetMapIndex(k, e)
		}
	}
}

func TestExampleBlocksParseAndValidate(t *testing.T) {
	c, err := decode(t, withExamples(readExample(t)))
	if err != nil {
		t.Fatalf("example blocks: %v", err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("example blocks do not validate: %v", err)
	}
	if len(c.WeChat.Accounts) != 2 || len(c.Campaigns) != 1 || len(c.Leaves) != 1 || len(c.Frequency.ByProgram) != 1 {
		t.Errorf("example blocks: %d accounts, %d campaigns, %d leaves, %d program rules; want 2, 1, 1, 1",
			len(c.WeChat.Accounts), len(c.Campaigns), len(c.Leaves), len(c.Frequency.ByProgram))
	}
}

// TestExampleHasEveryKey walks the Config type and requires each yaml key in the example
// (with its example blocks switched on), so a new setting cannot go undocumented.
func TestExampleHasEveryKey(t *testing.T) {
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(withExamples(readExample(t))), &doc); err != nil {
		t.Fatal(err)
	}
	var missing []string
	checkKeys(reflect.TypeOf(config.Config{}), doc, "", &missing)
	if len(missing) > 0 {
		t.Errorf("config.example.yaml lacks %d key(s): %s", len(missing), strings.Join(missing, ", "))
	}
}

func checkKeys(t reflect.Type, node any, path string, missing *[]string) {
	switch t.Kind() {
	case reflect.Pointer:
		checkKeys(t.Elem(), node, path, missing)
	case reflect.Struct:
		m, _ := node.(map[string]any)
		for i := range t.NumField() {
			key := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
			if key == "" || key == "-" {
				continue
			}
			child, ok := m[key]
			if !ok {
				*missing = append(*missing, strings.TrimPrefix(path+"."+key, "."))
				continue
			}
			checkKeys(t.Field(i).Type, child, path+"."+key, missing)
		}
	case reflect.Slice:
		if list, ok := node.([]any); ok && len(list) > 0 && t.Elem().Kind() == reflect.Struct {
			checkKeys(t.Elem(), list[0], path+"[0]", missing)
		}
	case reflect.Map:
		if m, ok := node.(map[string]any); ok {
			for k, v := range m {
				checkKeys(t.Elem(), v, path+"."+k, missing)
			}
		}
	}
}

func TestTestServerOnLoopbackAccepted(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:8080", "localhost:9", "[::1]:8080"} {
		cfg, err := decode(t, "wechat:\n  test_server: \""+addr+"\"\n")
		if err == nil {
			err = cfg.Validate()
		}
		if err != nil {
			t.Errorf("%s: %v", addr, err)
		}
	}
}

func TestDefaultsValidate(t *testing.T) {
	if err := config.Defaults().Validate(); err != nil {
		t.Fatalf("Defaults() does not validate: %v", err)
	}
}

func TestBadValuesNameTheKey(t *testing.T) {
	cases := []struct {
		name, yaml, key string
	}{
		{"unknown key", "outbox:\n  burts: 3\n", `unknown key "burts"`},
		{"unknown top-level key", "databse:\n  driver: sqlite\n", `unknown key "databse"`},
		{"bad driver", "database:\n  driver: postgres\n", "database.driver"},
		{"mysql without dsn", "database:\n  driver: mysql\n", "database.dsn"},
		{"empty sqlite path", "database:\n  path: \"\"\n", "database.path"},
		{"pool of zero", "database:\n  max_open: 0\n", "database.max_open"},
		{"negative inbox queues", "inbox:\n  workers: -1\n", "inbox.workers"},
		{"no inbox tries", "inbox:\n  max_tries: 0\n", "inbox.max_tries: must be between 1 and 20 (got 0)"},
		{"inbox tries without end", "inbox:\n  max_tries: 1000\n", "inbox.max_tries: must be between 1 and 20 (got 1000)"},
		{"inbox tries in words", "inbox:\n  max_tries: three\n", "line 2"},
		{"time zone is not a setting (every programme runs on Beijing time)", "timezone: Asia/Urumqi\n", "timezone was removed: qinqi always runs on Beijing time"},
		{"not even Shanghai: one zone, no key", "timezone: Asia/Shanghai\n", "timezone was removed"},
		{"bad go-live day", "escalation:\n  start: 2026-13-01\n", "escalation.start"},
		{"bad log level", "log:\n  level: loud\n", "log.level"},
		{"burst 0", "outbox:\n  burst: 0\n", "outbox.burst"},
		{"sending too fast", "outbox:\n  every: 10ms\n", "outbox.every"},
		{"bad quiet_start", "outbox:\n  quiet_start: \"25:00\"\n", "outbox.quiet_start"},
		{"bad quiet_end", "outbox:\n  quiet_end: eight\n", "outbox.quiet_end"},
		{"bad frequency period", "frequency:\n  default:\n    - period: fortnight\n      count: 1\n", "frequency.default[0].period"},
		{"zero frequency count", "frequency:\n  by_tag:\n    低保:\n      - period: month\n        count: 0\n", "frequency.by_tag.低保[0].count"},
		{"bad frequency kind", "frequency:\n  default:\n    - period: month\n      count: 1\n      kinds: [chat]\n", "frequency.default[0].kinds"},
		{"bad leave dates", "leaves:\n  - person: P1\n    from: \"2026-12-20\"\n    to: \"2026-12-01\"\n", "leaves[0]"},
		{"leave without person", "leaves:\n  - from: \"2026-12-01\"\n    to: \"2026-12-02\"\n", "leaves[0]"},
		{"campaign without dates", "campaigns:\n  - name: 开学季\n", "campaigns[0].from"},
		{"test server off this machine", "wechat:\n  test_server: wx.qq.com:443\n", "wechat.test_server"},
		{"test server without a port", "wechat:\n  test_server: 127.0.0.1\n", "wechat.test_server"},
		{"duplicate wechat account", "wechat:\n  accounts:\n    - {name: a, hot_login_file: a.json}\n    - {name: a, hot_login_file: b.json}\n", "wechat.accounts[1].name"},
		{"escalation ladder upside down", "escalation:\n  head_after_days: 2\n", "escalation.head_after_days"},
		{"spot-check percent", "spot_check:\n  percent: 150\n", "spot_check.percent"},
		{"spot-check day", "spot_check:\n  day: 31\n", "spot_check.day"},
		{"bad send_at", "reminders:\n  send_at: morning\n", "reminders.send_at"},
		{"bad duration", "outbox:\n  every: fast\n", "line 2"},
		{"the public sampling seed is gone, with the reason", "spot_check:\n  seed: 20261123\n", "a seed in the configuration lets anyone work out who"},
		{"the activity weight is gone, with the reason", "ranking:\n  activity: 0.1\n", "never on activity counts"},
		{"the agreement weight is gone, with the reason", "ranking:\n  spot_check_agreement: 0.1\n", "use ranking.confirmed"},
		{"a ranking weight above one", "ranking:\n  confirmed: 3\n", "ranking.confirmed"},
		{"confirmation every zero days", "confirm:\n  min_days: 0\n", "confirm.min_days"},
		{"confirmation of an unknown kind", "confirm:\n  kinds: [photo]\n", "confirm.kinds"},
		{"answers expire within the hour", "confirm:\n  answer_within: 1h\n", "confirm.answer_within"},
		{"negative reminder budget", "reminders:\n  monthly_budget: -1\n", "reminders.monthly_budget"},
		{"files deleted at once", "outbox:\n  file_retention: 1m\n", "outbox.file_retention"},
		{"a question that lapses at once", "checkin:\n  dialog_ttl: 10s\n", "checkin.dialog_ttl: must be between 1m and 1h (got 10s)"},
		{"a household's question shorter than a cadre's", "checkin:\n  household_dialog_ttl: 5m\n", "checkin.household_dialog_ttl: must be between checkin.dialog_ttl (10m0s) and 24h (got 5m0s)"},
		{"a household's question kept for days", "checkin:\n  household_dialog_ttl: 72h\n", "checkin.household_dialog_ttl"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := decode(t, c.yaml)
			if err == nil {
				err = cfg.Validate()
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), c.key) {
				t.Errorf("error %q does not name %s", err, c.key)
			}
		})
	}
}

func TestEnvOverrides(t *testing.T) {
	env := map[string]string{
		"QINQI_MYSQL_DSN":      "qinqi:pw@tcp(db:3306)/qinqi",
		"QINQI_REDIS_ADDR":     "redis:6379",
		"QINQI_REDIS_PASSWORD": "s3cret",
		"QINQI_REDIS_DB":       "2",
		"QINQI_LOG_LEVEL":      "debug",
	}
	c, err := config.Load("", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.Database.Driver != "mysql" || c.Database.DSN != env["QINQI_MYSQL_DSN"] {
		t.Errorf("database = %+v; QINQI_MYSQL_DSN should switch the driver to mysql", c.Database)
	}
	if c.Redis.Addr != "redis:6379" || c.Redis.Password != "s3cret" || c.Redis.DB != 2 || c.Log.Level != "debug" {
		t.Errorf("redis/log = %+v %+v", c.Redis, c.Log)
	}
	t.Run("no variables keep the defaults", func(t *testing.T) {
		c, err := config.Load("", func(string) string { return "" })
		if err != nil || c.Database.Driver != "sqlite" || c.Redis.Addr != "" {
			t.Errorf("got %+v, %v", c.Database, err)
		}
	})
	t.Run("missing file is one clear error", func(t *testing.T) {
		_, err := config.Load("no-such-config.yaml", func(string) string { return "" })
		if err == nil || !strings.Contains(err.Error(), "no-such-config.yaml") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestRedactedHidesSecrets(t *testing.T) {
	c := config.Defaults()
	c.Database.DSN = "qinqi:topsecret@tcp(10.0.0.5:3306)/qinqi"
	c.Redis.Password = "alsosecret"
	r := c.Redacted()
	for _, s := range []string{r.Database.DSN, r.Redis.Password} {
		if strings.Contains(s, "secret") {
			t.Errorf("redacted value %q still holds a secret", s)
		}
	}
	if !strings.Contains(r.Database.DSN, "10.0.0.5:3306") {
		t.Errorf("redacted DSN %q should still show where the database is", r.Database.DSN)
	}
	if c.Redis.Password != "alsosecret" {
		t.Error("Redacted changed the original")
	}
}

func FuzzDecode(f *testing.F) {
	if b, err := os.ReadFile(examplePath); err == nil {
		f.Add(string(b))
	}
	f.Add("outbox:\n  burst: 0\n")
	f.Add("frequency:\n  by_tag:\n    监测户: [{period: week, count: 2}]\n")
	f.Fuzz(func(t *testing.T, src string) {
		c := config.Defaults()
		if err := config.Decode(strings.NewReader(src), &c); err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		_ = c.Validate() // must not panic on any decoded value
		_ = c.Redacted()
	})
}

// TestErrorsNeverEchoSecrets: a DSN written one level too high, a password typed into a number
// setting, a Redis or MySQL URL with credentials: the errors name the key and the rule, never
// the value.
func TestErrorsNeverEchoSecrets(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"dsn as the database section", "database: \"root:pw1234@tcp(db:3306)/qinqi\"\n",
			"line 1: found a text where section database (its keys, indented below it) belongs"},
		{"password in a number", "redis:\n  db: pw1234\n", "line 2: found a text where a whole number belongs"},
		{"password in a duration", "outbox:\n  every: pw1234\n", "line 2: found a text where a duration such as 3s or 10m belongs"},
		{"redis url with a password", "redis:\n  addr: redis://:pw1234@cache:6379/0\n", "redis.addr: must be host:port"},
		{"mysql url with a password", "database:\n  driver: mysql\n  dsn: mysql://qinqi:pw1234@db:3306/qinqi\n", "database.dsn: is written as a URL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(path, []byte(c.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := config.Load(path, func(string) string { return "" })
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v\nwant %q", err, c.want)
			}
			if err != nil && (strings.Contains(err.Error(), "pw") || strings.Contains(err.Error(), "root:")) {
				t.Errorf("the error repeats the secret: %v", err)
			}
		})
	}
}

// TestInboxWorkersByDatabase: 0 chooses one queue on SQLite (one writer at a time) and four on
// MySQL; a number set in the file is kept on either.
func TestInboxWorkersByDatabase(t *testing.T) {
	cases := []struct {
		name, driver string
		set, want    int
	}{
		{"sqlite by default", "sqlite", 0, 1},
		{"mysql by default", "mysql", 0, 4},
		{"sqlite as set", "sqlite", 4, 4},
		{"mysql as set", "mysql", 16, 16},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := config.Defaults()
			c.Database.Driver, c.Inbox.Workers = tc.driver, tc.set
			if got := c.InboxWorkers(); got != tc.want {
				t.Fatalf("InboxWorkers() = %d, want %d", got, tc.want)
			}
		})
	}
}
