package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"maps"
	"net"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"

	"qinqi/store"
)

// sqlCounter is a TCP relay in front of MariaDB that reads the client side of the MySQL protocol and
// counts each command: statements by verb and table, prepares, executes, transactions and round trips.
// Only the counting pass goes through it; the timed runs connect directly.
type sqlCounter struct {
	ln     net.Listener
	target string

	tally
	mu    sync.Mutex
	conns []net.Conn
}

// tally counts events by label (the relay's statements, the KV's commands).
type tally struct {
	tmu    sync.Mutex
	counts map[string]int64
}

func (t *tally) add(keys ...string) {
	t.tmu.Lock()
	defer t.tmu.Unlock()
	for _, k := range keys {
		t.counts[k]++
	}
}

func (t *tally) snapshot() map[string]int64 {
	t.tmu.Lock()
	defer t.tmu.Unlock()
	return maps.Clone(t.counts)
}

func startSQLCounter(target string) (*sqlCounter, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: counting relay: %w", err)
	}
	c := &sqlCounter{ln: ln, target: target, tally: tally{counts: map[string]int64{}}}
	go c.accept()
	return c, nil
}

func (c *sqlCounter) addr() string { return c.ln.Addr().String() }

func (c *sqlCounter) close() {
	_ = c.ln.Close()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, conn := range c.conns {
		_ = conn.Close()
	}
}

func (c *sqlCounter) accept() {
	for {
		client, err := c.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", c.target)
		if err != nil {
			_ = client.Close()
			continue
		}
		c.mu.Lock()
		c.conns = append(c.conns, client, server)
		c.mu.Unlock()
		go func() {
			_, _ = io.Copy(client, server)
			_ = client.Close()
		}()
		go func() {
			c.forward(client, server)
			_ = server.Close()
		}()
	}
}

// forward copies client packets to the server; a packet with sequence id 0 starts a command.
func (c *sqlCounter) forward(client io.Reader, server io.Writer) {
	r := bufio.NewReaderSize(client, 64<<10)
	var buf []byte
	for {
		hdr := make([]byte, 4)
		if _, err := io.ReadFull(r, hdr); err != nil {
			return
		}
		n := int(hdr[0]) | int(hdr[1])<<8 | int(hdr[2])<<16
		buf = append(buf[:0], hdr...)
		buf = slices.Grow(buf, n)[:4+n]
		if _, err := io.ReadFull(r, buf[4:]); err != nil {
			return
		}
		if hdr[3] == 0 && n > 0 {
			c.note(buf[4:])
		}
		if _, err := server.Write(buf); err != nil {
			return
		}
	}
}

// MySQL client commands (protocol constants).
const (
	comQuit        = 0x01
	comQuery       = 0x03
	comPing        = 0x0e
	comStmtPrepare = 0x16
	comStmtExecute = 0x17
	comStmtClose   = 0x19
)

func (c *sqlCounter) note(p []byte) {
	keys := []string{"round trips"}
	switch p[0] {
	case comQuery:
		for _, q := range statementsOf(string(p[1:])) {
			keys = append(keys, "statements", sqlLabel(q))
		}
	case comStmtPrepare:
		keys = append(keys, "prepares", sqlLabel(string(p[1:])))
	case comStmtExecute:
		keys = append(keys, "statements", "executes")
	case comStmtClose, comQuit:
		keys = []string{"closes"} // no answer: not a round trip
	case comPing:
		keys = append(keys, "pings")
	default:
		keys = append(keys, fmt.Sprintf("command 0x%02x", p[0]))
	}
	c.add(keys...)
}

// statementsOf splits a command's text into its statements (multiStatements: a batch's START
// TRANSACTION goes with its first statement, its held writes and COMMIT in one packet). The driver
// writes values as quoted literals with backslash escapes, so a ';' inside one is not a boundary.
func statementsOf(q string) []string {
	var out []string
	var quote byte
	start := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0 && c == '\\':
			i++
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"' || c == '`':
			quote = c
		case c == ';':
			out = append(out, q[start:i])
			start = i + 1
		}
	}
	return append(out, q[start:])
}

var sqlTable = regexp.MustCompile("(?i)\\b(?:FROM|INTO|UPDATE)\\s+`?(\\w+)`?")

// sqlLabel is "SELECT people", "INSERT check_ins", "BEGIN", "COMMIT".
func sqlLabel(q string) string {
	q = strings.TrimSpace(q)
	verb, _, _ := strings.Cut(q, " ")
	verb = strings.ToUpper(verb)
	switch verb {
	case "START", "BEGIN":
		return "BEGIN"
	case "COMMIT", "ROLLBACK":
		return verb
	}
	if m := sqlTable.FindStringSubmatch(q); m != nil {
		return verb + " " + m[1]
	}
	return verb
}

// countedMessages is how many reports the counting pass sends after a short warm-up: 200 in a
// normal run, fewer for the millisecond runs of the tests.
func countedMessages(env Env) int { return min(200, max(20, int(env.Duration/(50*time.Millisecond)))) }

// countCase sends countedMessages reports from one sender through the real pipeline on a second
// connection pool that goes through the counting relay, and prints the SQL each report costs,
// including the outbox's reaction to the wake-up after each commit.
func countCase(ctx context.Context, env Env, rep *Report, c *county) error {
	cfg, err := mysql.ParseDSN(c.dsn)
	if err != nil {
		return err
	}
	ctr, err := startSQLCounter(cfg.Addr)
	if err != nil {
		return err
	}
	defer ctr.close()
	cfg.Addr, cfg.TLSConfig, cfg.TLS = ctr.addr(), "false", nil // the relay reads plain packets
	st, err := store.Open(ctx, store.Options{Driver: store.DriverMySQL, DSN: cfg.FormatDSN(),
		Logger: c.log, MaxOpen: c.cfg.Database.MaxOpen})
	if err != nil {
		return err
	}
	defer st.Close()
	kv, kvc, closeKV, err := c.countingKV(ctx)
	if err != nil {
		return err
	}
	defer closeKV()
	dir, err := store.NewDirectory(st, kv, !kv.InProcess(), c.log)
	if err != nil {
		return err
	}
	direct, directKV, directDir := c.st, c.kv, c.dir
	c.st, c.kv, c.dir = st, kv, dir
	defer func() { c.st, c.kv, c.dir = direct, directKV, directDir }()
	for _, senders := range []int{1, checkinSenders[len(checkinSenders)-1]} {
		n, before, after, err := c.countedRun(ctx, env, []*tally{&ctr.tally, &kvc.tally}, senders)
		if err != nil {
			return fmt.Errorf("counting pass, %s: %w", nOf(senders, "sender"), err)
		}
		hits, misses := dir.Stats()
		per := func(k string) float64 { return float64(after[0][k]-before[0][k]) / float64(n) }
		rep.Add(Row{Suite: "checkin", Case: "SQL per check-in, " + nOf(senders, "sender"), Backend: c.backend, Value: per("statements"), Unit: "stmt/msg",
			Extra: fmt.Sprintf("%.1f round trips, %.1f prepares, %.2f transactions per msg (%d msgs through a counting relay); sender cache %d hits, %d misses so far; per msg: %s",
				per("round trips"), per("prepares"), per("BEGIN"), n, hits, misses, breakdown(before[0], after[0], int(n)))})
		kvc.addRow(rep, c, senders, n, before[1], after[1])
	}
	return nil
}

// countedRun counts the SQL of reports from senders senders after a warm-up: countedMessages from
// one sender one after another, or, from many, as many as they send in a fifth of the timed run
// (at least countedMessages), each sending its next as soon as the last is answered, so the inbox
// batches them as in the timed cases. The counts of each of tallies are taken while nothing is in
// flight, the warm-up left out.
func (c *county) countedRun(ctx context.Context, env Env, tallies []*tally, senders int) (n int64, before, after []map[string]int64, err error) {
	ln, err := c.startLine(ctx, env, c.inboxWorkers(env))
	if err != nil {
		return 0, nil, nil, err
	}
	defer func() {
		if e := ln.stop(); err == nil {
			err = e
		}
	}()
	op := func(ctx context.Context, w int) error {
		_, err := c.roundTrip(ctx, ln, w)
		return err
	}
	for range 20 {
		if err := op(ctx, 0); err != nil {
			return 0, nil, nil, err
		}
	}
	time.Sleep(50 * time.Millisecond) // let the outbox finish reacting to the warm-up
	snapshot := func() []map[string]int64 {
		out := make([]map[string]int64, len(tallies))
		for i, t := range tallies {
			out[i] = t.snapshot()
		}
		return out
	}
	before = snapshot()
	if senders == 1 {
		n = int64(countedMessages(env))
		for range n {
			if err := op(ctx, 0); err != nil {
				return 0, nil, nil, err
			}
		}
	} else {
		for n < int64(countedMessages(env)) && err == nil {
			var done int64
			done, _, err = closedLoop(ctx, senders, env.Duration/5, op)
			n += done
		}
		if err != nil {
			return 0, nil, nil, err
		}
	}
	time.Sleep(50 * time.Millisecond)
	return n, before, snapshot(), nil
}

// breakdown lists the statement labels by count per message, largest first.
func breakdown(before, after map[string]int64, n int) string {
	type kv struct {
		k string
		v float64
	}
	var rows []kv
	for k, v := range after {
		if d := v - before[k]; d > 0 && (strings.Contains(k, " ") && k != "round trips" || k == "BEGIN" || k == "COMMIT" || k == "ROLLBACK") {
			rows = append(rows, kv{k, float64(d) / float64(n)})
		}
	}
	slices.SortFunc(rows, func(a, b kv) int {
		if a.v != b.v {
			if a.v > b.v {
				return -1
			}
			return 1
		}
		return strings.Compare(a.k, b.k)
	})
	parts := make([]string, len(rows))
	for i, r := range rows {
		parts[i] = fmt.Sprintf("%s %.2f", r.k, r.v)
	}
	return strings.Join(parts, ", ")
}
