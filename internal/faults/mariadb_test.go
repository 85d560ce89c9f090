package faults_test

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"qinqi/internal/faults"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// What the bot says (bot/replies.go, handlers/replies.go); matched on stable fragments.
const (
	saidSaved   = "已记录"          // handlers: replyCheckInSaved
	saidAgain   = "这条已经记过了"      // handlers: replyCheckInSaved for a repeated message
	saidSpooled = "已收到您的消息，系统正忙" // bot: msgSpooled, sent while the database is down
	saidBroken  = "系统刚才出了点问题"    // the old "send it again" apology: a failed command is now retried, never answered so
	streamSize  = 1000
	killAt      = 300 // the database dies when this message is pushed
	restartAt   = 700 // and comes back before this one
	streamPause = 2 * time.Millisecond
)

var tokenRE = regexp.MustCompile(`编号m(\d{4})`)

// TestMariaDBStopsDuringCheckIns streams 1,000 one-line check-ins from 20 cadres through the real
// pipeline on a private mariadbd, SIGKILLs the server after 300 messages (a crash, not a clean
// shutdown: only what InnoDB made durable survives, and the connections die mid-transaction), keeps
// streaming 400 messages into the spool, restarts the server on the same data directory and streams
// the rest while the spool is replayed. Then: every message is one check-in, none twice; every
// "saved" reply names a row that exists; whatever was said during the outage said "received, will
// be saved"; and nobody was told to send again.
func TestMariaDBStopsDuringCheckIns(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: starts a private MariaDB (-short)")
	}
	began := time.Now()
	db := faults.StartMariaDB(t)
	db.CreateDatabase("qinqi_fault")
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Driver: store.DriverMySQL, DSN: db.DSN("qinqi_fault"), MaxOpen: 8, Logger: quiet})
	must(t, err)
	t.Cleanup(func() { _ = st.Close() })
	must(t, st.Migrate(ctx))
	cs := seedCounty(t, st, 20, 2)
	pp := startPipe(t, st, testenv.KV(t), liftedLimits())
	t.Logf("server installed, started, migrated and seeded in %s", time.Since(began).Round(time.Millisecond))
	began = time.Now()

	pp.rec.phase.Store("up")
	for i := range streamSize {
		switch i {
		case killAt:
			pp.rec.phase.Store("down")
			db.Kill()
		case restartAt:
			db.Start()
			pp.rec.phase.Store("back")
		}
		c := cs[i%len(cs)]
		pp.push(fmt.Sprintf("m%04d", i), c.key, fmt.Sprintf("电话 %d 问近况 编号m%04d", i%2+1, i))
		time.Sleep(streamPause)
	}
	eventually(t, "every message handled and every reply sent", 3*time.Minute, func() bool {
		done, err := st.CountInbox(ctx, store.InDone)
		if err != nil || done < streamSize {
			return false
		}
		idle, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		return pp.p.WaitIdle(idle) == nil
	})
	t.Logf("stream, outage and recovery took %s", time.Since(began).Round(time.Millisecond))
	pp.stop()
	raw, err := sql.Open("mysql", db.DSN("qinqi_fault"))
	must(t, err)
	defer raw.Close()
	checkDatabase(t, raw)
	checkReplies(t, raw, pp.rec.all(), cs)
}

// checkDatabase: one check-in per message, and nothing left half-done.
func checkDatabase(t *testing.T, raw *sql.DB) {
	t.Helper()
	for _, c := range []struct {
		q    string
		want int
	}{
		{"SELECT COUNT(*) FROM check_ins", streamSize},
		{"SELECT COUNT(DISTINCT source_msg_id) FROM check_ins", streamSize},
		{"SELECT COUNT(*) FROM inbox_messages", streamSize},
		{"SELECT COUNT(*) FROM inbox_messages WHERE status <> 'done'", 0},
		{"SELECT COUNT(*) FROM outbox_messages WHERE status <> 'sent'", 0},
	} {
		var n int
		must(t, raw.QueryRow(c.q).Scan(&n))
		if n != c.want {
			t.Errorf("%s = %d, want %d", c.q, n, c.want)
		}
	}
	if t.Failed() {
		rows, err := raw.Query("SELECT status, COUNT(*), MIN(last_error) FROM outbox_messages GROUP BY status")
		must(t, err)
		defer rows.Close()
		for rows.Next() {
			var st, last string
			var n int
			must(t, rows.Scan(&st, &n, &last))
			t.Logf("outbox %s: %d (e.g. %q)", st, n, last)
		}
	}
}

// checkReplies: each message got exactly one "saved" answer naming a stored check-in, to its sender.
func checkReplies(t *testing.T, raw *sql.DB, got []sent, cs []cadre) {
	t.Helper()
	stored := map[string]bool{}
	rows, err := raw.Query("SELECT source_msg_id FROM check_ins")
	must(t, err)
	for rows.Next() {
		var s string
		must(t, rows.Scan(&s))
		stored[s] = true
	}
	must(t, rows.Err())
	saved := map[string]int{}
	phases := map[string]int{}
	for _, s := range got {
		phases[s.phase]++
		switch {
		case strings.Contains(s.Text, saidBroken):
			t.Errorf("told to send again (%s): %q", s.phase, s.Text)
		case strings.HasPrefix(s.Text, saidSpooled):
			if s.phase != "down" && s.phase != "back" {
				t.Errorf("spool notice while the database was up: %q", s.Text)
			}
		case strings.Contains(s.Text, saidSaved) || strings.Contains(s.Text, saidAgain):
			m := tokenRE.FindStringSubmatch(s.Text)
			if m == nil {
				t.Fatalf("saved reply without the message's token: %q", s.Text)
			}
			n, _ := strconv.Atoi(m[1]) // four digits by the regexp
			if want := cs[n%len(cs)].key; s.To != want {
				t.Errorf("reply for message %s went to %s, want %s", m[1], s.To, want)
			}
			if !stored["fake:a1:m"+m[1]] {
				t.Errorf("said saved, but no check-in for message m%s", m[1])
			}
			saved[m[1]]++
		default:
			t.Errorf("unexpected reply (%s): %q", s.phase, s.Text)
		}
	}
	for i := range streamSize {
		if n := saved[fmt.Sprintf("%04d", i)]; n != 1 {
			t.Errorf("message m%04d got %d saved replies, want 1", i, n)
		}
	}
	t.Logf("sends by phase: %v (the spool notices are limited to one per sender and 10 minutes)", phases)
	var notices int
	for _, s := range got {
		if strings.HasPrefix(s.Text, saidSpooled) {
			notices++
		}
	}
	if notices == 0 {
		t.Error("nobody was told their message was received while the database was down")
	}
}
