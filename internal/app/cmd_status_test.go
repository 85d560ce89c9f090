package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/bot/wechat"
	"qinqi/internal/app"
	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// statusDB makes a migrated SQLite file with two pending messages, one permanent failure and
// one interrupted send.
func statusDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "status.db")
	s, err := store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := clock.Date(2026, 11, 23)
	for i, acct := range []string{"city-1", "city-1", "city-2"} {
		m, err := s.EnqueueOutbox(ctx, store.OutboxMessage{Key: fmt.Sprintf("k%d", i), Account: acct, ToKey: "@x",
			Kind: "text", Text: "hi", CreatedAt: now, NextAttemptAt: now})
		if err != nil {
			t.Fatal(err)
		}
		if acct == "city-2" {
			if err := s.FailOutbox(ctx, m.ID, "blocked"); err != nil {
				t.Fatal(err)
			}
		}
	}
	statusLostReply(t, s, now)
	// A sender claimed this one and died before recording the result: its lease is long over.
	m, err := s.EnqueueOutbox(ctx, store.OutboxMessage{Key: "remind:7", Account: "city-1", ToKey: "@y",
		Kind: "text", Text: "hi", CreatedAt: now, NextAttemptAt: now})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := s.ClaimOutbox(ctx, m.ID, now, now.Add(2*time.Minute)); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	statusInbox(t, s, now)
	return path
}

// statusLostReply adds a cadre whose reply to a report failed for good, and one held message to them.
func statusLostReply(t *testing.T, s *store.Store, now time.Time) {
	t.Helper()
	ctx := context.Background()
	if err := s.UpsertPeople(ctx, []store.Person{{Code: "P001", Name: "陈建国", Roles: domain.MakeRoles(domain.RoleCadre),
		Phone: "13905710001", IDNumber: "330102198001011234"}}, nil); err != nil {
		t.Fatal(err)
	}
	p, err := s.PersonByCode(ctx, "P001")
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.EnqueueOutbox(ctx, store.OutboxMessage{Key: "reply:9:0" + bot.ReportKeySuffix, Account: "city-2", PersonID: &p.ID,
		Text: "已记录", CreatedAt: now, NextAttemptAt: now, Priority: store.PriorityReply})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FailOutbox(ctx, m.ID, "after 1 attempt(s): permanent send failure: ret=1101 (13905710001)"); err != nil {
		t.Fatal(err)
	}
	h, err := s.EnqueueOutbox(ctx, store.OutboxMessage{Key: "remind:8", Account: "city-2", PersonID: &p.ID,
		Text: "提醒", CreatedAt: now, NextAttemptAt: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeferOutbox(ctx, h.ID, now.Add(time.Hour), "held: outside the 48-hour window"); err != nil {
		t.Fatal(err)
	}
}

// statusInbox adds one inbound message waiting for a retry and one quarantined after three tries.
func statusInbox(t *testing.T, s *store.Store, now time.Time) {
	t.Helper()
	ctx := context.Background()
	for _, id := range []string{"w1", "q1"} {
		row := store.InboxMessage{Transport: "wechat", Account: "city-1", MsgID: id, SenderKey: "@u", Kind: "text",
			Text: "走访 1", Payload: "{}", ReceivedAt: now}
		if err := s.SaveInbound(ctx, &row); err != nil {
			t.Fatal(err)
		}
		if id == "w1" {
			continue
		}
		for range 3 {
			if _, err := s.FailInboundTry(ctx, row.ID, "Error 1406 (22001): Data too long for column 'text' at row 1"); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.CompleteInbound(ctx, row.ID, store.InboxResult{Status: store.InFailed, Error: "quarantined: Error 1406 (22001): Data too long for column 'text' at row 1"}, now); err != nil {
			t.Fatal(err)
		}
	}
}

func writeConfig(t *testing.T, redisAddr string, accounts ...string) string {
	t.Helper()
	var b strings.Builder
	if redisAddr != "" {
		fmt.Fprintf(&b, "redis:\n  addr: %q\n", redisAddr)
	}
	b.WriteString("wechat:\n  accounts:\n")
	for _, a := range accounts {
		fmt.Fprintf(&b, "    - name: %s\n      hot_login_file: data/%s.json\n", a, a)
	}
	path := filepath.Join(t.TempDir(), "qinqi.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func runStatus(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	code := app.Main(context.Background(), append([]string{"status"}, args...), app.IO{In: strings.NewReader(""), Out: &out, Err: &errb})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	return out.String()
}

func TestStatusInProcessKV(t *testing.T) {
	out := runStatus(t, "-config", writeConfig(t, "", "city-1", "city-2"), "-db", statusDB(t))
	for _, want := range []string{"in-process KV", "city-1", "no report", "PENDING", "permanent failures: 2"} {
		if !strings.Contains(out, want) {
			t.Fatalf("output lacks %q:\n%s", want, out)
		}
	}
	t.Run("outbox rows", func(t *testing.T) {
		if !containsFields(out, "city-1", "2", "1", "0", "0") || !containsFields(out, "city-2", "1", "0", "0", "2") {
			t.Fatalf("outbox table wrong:\n%s", out)
		}
	})
	t.Run("quarantined messages are listed with their reason", func(t *testing.T) {
		if !strings.Contains(out, "waiting for a retry: 1") || !strings.Contains(out, "quarantined: 1") ||
			!containsFields(out, "#2", "city-1", "text", "from", "an", "unbound", "sender,") ||
			!strings.Contains(out, "3 tries: quarantined: Error 1406 (22001): Data too long for column 'text'") {
			t.Fatalf("inbox not shown:\n%s", out)
		}
	})
	t.Run("permanent failures are listed with recipient and reason, never a phone or ID number", func(t *testing.T) {
		if !containsFields(out, "#4", "city-2", "to", "P001", "陈建国,", "the", "reply", "to", "a", "saved", "report", "(reply:9:0:r),") ||
			!strings.Contains(out, "ret=1101") || !containsFields(out, "#3", "city-2", "to", "an", "unbound", "sender,") {
			t.Fatalf("failures not listed:\n%s", out)
		}
		if strings.Contains(out, "13905710001") || strings.Contains(out, "330102198001011234") {
			t.Fatalf("personal number shown:\n%s", out)
		}
	})
	t.Run("held messages name their recipients", func(t *testing.T) {
		if !strings.Contains(out, "outside the 48-hour window") || !containsFields(out, "to", "P001", "陈建国") {
			t.Fatalf("held not listed:\n%s", out)
		}
	})
	t.Run("interrupted sends are listed", func(t *testing.T) {
		if !strings.Contains(out, "interrupted sends: 1") || !containsFields(out, "#6", "city-1", "key", "remind:7", "to", "an", "unbound", "sender,") {
			t.Fatalf("interrupted send not shown:\n%s", out)
		}
	})
}

func TestStatusReadsHealthFromRedis(t *testing.T) {
	addr := os.Getenv(testenv.EnvRedis)
	if addr == "" {
		t.Skipf("%s not set", testenv.EnvRedis)
	}
	ctx := context.Background()
	// serve and status share redis.prefix; the test config leaves it at its default
	kv, err := store.OpenKV(ctx, store.KVOptions{Addr: addr, Prefix: config.Defaults().Redis.Prefix})
	if err != nil {
		t.Fatal(err)
	}
	defer kv.Close()
	account := fmt.Sprintf("status-test-%d", time.Now().UnixNano())
	h := wechat.Health{Account: account, State: wechat.Online, Since: clock.Real{}.Now(), LastSync: clock.Real{}.Now(),
		Logins: 3, LastError: "failed login check"}
	b, _ := json.Marshal(h)
	if err := kv.Set(ctx, wechat.HealthKey(account), string(b), time.Minute); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = kv.Del(ctx, wechat.HealthKey(account)) }()
	out := runStatus(t, "-config", writeConfig(t, addr, account), "-db", statusDB(t))
	if !containsFields(out, account, "online") || !strings.Contains(out, "last error: failed login check") || strings.Contains(out, "in-process") {
		t.Fatalf("output:\n%s", out)
	}
}

// containsFields reports whether some line starts with the given whitespace-separated fields.
func containsFields(out string, fields ...string) bool {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= len(fields) && strings.Join(f[:len(fields)], " ") == strings.Join(fields, " ") {
			return true
		}
	}
	return false
}
