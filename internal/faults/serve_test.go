package faults_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qinqi/bot/wechat/wxfake"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/faults"
	"qinqi/store"
)

const (
	batch   = 40
	holdAt  = 15 // the send during which the first serve dies
	wxUin   = 2001
	account = "city-1"
)

// TestServeKilledMidBatch runs the real binary: `qinqi serve` logs in to the fake WeChat server
// (wechat.test_server) and sends a batch of 40 queued reminders. The fake takes the 15th message
// and withholds its answer, and the test SIGKILLs serve right then — the worst moment: WeChat has
// the message, the database does not know. (SIGKILL, not SIGTERM: a clean stop finishes the send in
// progress; a crash, an OOM kill or a power cut does not.) A second serve on the same database must
// send the other 25 and not the 15th again: each reminder reaches the fake exactly once, and the
// one whose fate the first serve never learnt is left "sending" for `qinqi status` to show.
func TestServeKilledMidBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: builds and runs qinqi serve (-short)")
	}
	began := time.Now()
	bin := faults.BuildQinqi(t)
	t.Logf("qinqi built in %s", time.Since(began).Round(time.Millisecond))
	dir := t.TempDir()
	srv := wxfake.New(fakeAccount(batch))
	srv.SetPollWait(200 * time.Millisecond)
	t.Cleanup(srv.Close)
	db := filepath.Join(dir, "qinqi.db")
	seedReminders(t, db, batch)
	cfg := writeServeConfig(t, dir, db, srv.Addr())

	reached, release := srv.HoldSend(holdAt)
	began = time.Now()
	first := faults.StartProcess(t, bin, dir, "serve", "-config", cfg, "-no-scheduler")
	select {
	case <-reached:
	case <-time.After(2 * time.Minute):
		t.Fatalf("serve never sent %d messages:\n%s", holdAt, first.Output())
	}
	first.Kill()
	release()
	t.Logf("first serve logged in and sent %d in %s, then was killed", holdAt, time.Since(began).Round(time.Millisecond))
	if c := outboxCounts(t, db); c[store.OutSent] != holdAt-1 || c[store.OutSending] != 1 || c[store.OutPending] != batch-holdAt {
		t.Fatalf("after the kill: %v, want %d sent, 1 sending, %d pending", c, holdAt-1, batch-holdAt)
	}

	began = time.Now()
	second := faults.StartProcess(t, bin, dir, "serve", "-config", cfg, "-no-scheduler")
	eventually(t, "the rest of the batch sent", 2*time.Minute, func() bool {
		return outboxCounts(t, db)[store.OutSent] == batch-1
	})
	t.Logf("second serve logged in again and sent the other %d in %s", batch-holdAt, time.Since(began).Round(time.Millisecond))
	status := faults.StartProcess(t, bin, dir, "status", "-config", cfg)
	if err := status.Wait(); err != nil {
		t.Fatalf("status: %v\n%s", err, status.Output())
	}
	if err := second.Stop(); err != nil {
		t.Fatalf("serve did not stop cleanly: %v\n%s", err, second.Output())
	}
	t.Run("each reminder delivered exactly once", func(t *testing.T) {
		got := map[string]int{}
		for _, s := range srv.Sent() {
			got[s.To+" "+s.Content]++
		}
		for i := range batch {
			if k := friendKey(i) + " " + reminderText(i); got[k] != 1 {
				t.Errorf("%q delivered %d times", reminderText(i), got[k])
			}
		}
		if n := len(srv.Sent()); n != batch {
			t.Errorf("%d sends at the fake, want %d", n, batch)
		}
	})
	t.Run("the send in doubt is left sending, and status shows it", func(t *testing.T) {
		if c := outboxCounts(t, db); c[store.OutSending] != 1 || c[store.OutPending] != 0 {
			t.Fatalf("outbox %v", c)
		}
		if !containsFields(status.Output(), account, "0", "1", fmt.Sprint(batch-1), "0") {
			t.Fatalf("status does not show the message being sent:\n%s", status.Output())
		}
	})
	if t.Failed() || os.Getenv("QINQI_FAULTS_VERBOSE") != "" {
		t.Logf("first serve:\n%s\nsecond serve:\n%s", tail(first.Output(), 40), tail(second.Output(), 40))
	}
}

func friendKey(i int) string { return fmt.Sprintf("@friend%03d", i) }
func reminderText(i int) string {
	return fmt.Sprintf("提醒：本月请走访您的结对户（第%02d条）", i)
}
func personCode(i int) string { return fmt.Sprintf("C%03d", i) }
func fakeAccount(n int) wxfake.Account {
	a := wxfake.Account{Uin: wxUin, UserName: "@bot2001", NickName: "亲戚助手"}
	for i := range n {
		a.Friends = append(a.Friends, wxfake.Contact{UserName: friendKey(i), NickName: fmt.Sprintf("干部%02d", i),
			RemarkName: "qq-" + personCode(i)})
	}
	return a
}

// seedReminders makes the database serve finds: n cadres, each a friend of the bot account, and one
// queued reminder for each.
func seedReminders(t *testing.T, path string, n int) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: path, Logger: quiet})
	must(t, err)
	defer st.Close()
	must(t, st.Migrate(ctx))
	var people []store.Person
	for i := range n {
		people = append(people, store.Person{Code: personCode(i), Name: fmt.Sprintf("干部%02d", i), Roles: domain.MakeRoles(domain.RoleCadre)})
	}
	must(t, st.UpsertPeople(ctx, people, nil))
	now := clock.Real{}.Now()
	for i := range n {
		p, err := st.PersonByCode(ctx, personCode(i))
		must(t, err)
		must(t, st.BindChatIdentity(ctx, store.ChatIdentity{Transport: "wechat", Account: account, ExternalKey: friendKey(i),
			PersonID: p.ID, RemarkName: "qq-" + personCode(i)}, now))
		_, err = st.EnqueueOutbox(ctx, store.OutboxMessage{Key: fmt.Sprintf("remind:fault:%d", i), PersonID: &p.ID,
			Text: reminderText(i), Priority: store.PriorityBulk, CreatedAt: now})
		must(t, err)
	}
}

// writeServeConfig: SQLite, the in-process KV, one WeChat account on the fake, and the outbox at its
// fastest allowed rate without quiet hours (the test may run at night in Shanghai) and with short
// retries (a send tried before the login completes is retried).
func writeServeConfig(t *testing.T, dir, db, wxAddr string) string {
	t.Helper()
	y := fmt.Sprintf(`database:
  driver: sqlite
  path: %q
wechat:
  accounts:
    - name: %s
      hot_login_file: %q
  test_server: %q
  reconnect_min: 100ms
  reconnect_max: 1s
inbox:
  spool_dir: %q
outbox:
  every: 100ms
  burst: 1
  jitter: 0s
  quiet_start: "00:00"
  quiet_end: "00:00"
  retry_min: 1s
  retry_max: 5s
  file_dir: %q
log:
  level: info
`, db, account, filepath.Join(dir, account+".json"), wxAddr, filepath.Join(dir, "spool"), filepath.Join(dir, "files"))
	path := filepath.Join(dir, "qinqi.yaml")
	must(t, os.WriteFile(path, []byte(y), 0o600))
	return path
}

// outboxCounts reads the outbox by status; SQLite lets the test read while serve writes.
func outboxCounts(t *testing.T, path string) map[store.OutboxStatus]int64 {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: path, Logger: quiet})
	must(t, err)
	defer st.Close()
	counts, err := st.OutboxCounts(ctx)
	must(t, err)
	out := map[store.OutboxStatus]int64{}
	for _, c := range counts {
		out[c.Status] += c.N
	}
	return out
}

// containsFields reports whether some line starts with the given whitespace-separated fields.
func containsFields(out string, fields ...string) bool {
	want := strings.Join(fields, " ")
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= len(fields) && strings.Join(f[:len(fields)], " ") == want {
			return true
		}
	}
	return false
}
