package store_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"qinqi/internal/clock"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// The database's own refusals are data errors on both databases, never outages.
func TestDataErrorsFromTheDatabase(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t)
			ctx := context.Background()
			row := func(id string) store.InboxMessage {
				return store.InboxMessage{Transport: "fake", Account: "a1", MsgID: id, SenderKey: "@u1", Kind: "text",
					Status: store.InNew, ReceivedAt: clock.Date(2026, 11, 23)}
			}
			err := s.ExecForTest(ctx, "INSERT INTO inbox_messages (transport, account, msg_id, sender_key, kind, status, received_at) VALUES (NULL, 'a1', 'x', 'k', 'text', 'new', ?)", clock.Date(2026, 11, 23))
			wantData(t, "a NULL in a NOT NULL column", err)
			long := row("long")
			long.Payload = strings.Repeat("村", 5000)
			bad := row("bad")
			bad.Text = "走访\xff\xfe1"
			for name, m := range map[string]store.InboxMessage{"a payload of 5,000 characters": long, "bytes that are not UTF-8": bad} {
				err := s.SaveInbound(ctx, &m)
				if b.Name == "sqlite" { // SQLite keeps any length and any bytes in a text column
					if err != nil {
						t.Errorf("%s: %v", name, err)
					}
					continue
				}
				wantData(t, name, err)
			}
		})
	}
}

func wantData(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	if !store.IsDataError(err) || store.IsOutage(err) {
		t.Errorf("%s: %v: data=%v outage=%v, want a data error", what, err, store.IsDataError(err), store.IsOutage(err))
	}
}

// The store's MariaDB sessions run in strict mode whatever the server's default, so a value that
// does not fit is an error instead of being cut silently.
func TestMySQLSessionIsStrict(t *testing.T) {
	s := testenv.MySQL(t)
	mode, err := s.QueryStringForTest(context.Background(), "SELECT @@SESSION.sql_mode")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(mode, "STRICT_ALL_TABLES") {
		t.Fatalf("sql_mode = %q, want STRICT_ALL_TABLES", mode)
	}
	dsn, err := store.MySQLDSN("u@tcp(h:3306)/db?sql_mode=ANSI")
	if err != nil || !strings.Contains(dsn, "sql_mode=ANSI") || strings.Contains(dsn, "STRICT") {
		t.Fatalf("an operator's sql_mode must be kept: %s, %v", dsn, err)
	}
}

func TestErrorClasses(t *testing.T) {
	cases := []struct {
		name         string
		err          error
		data, outage bool
	}{
		{"data too long", fmt.Errorf("store: x: %w", &mysql.MySQLError{Number: 1406, Message: "Data too long for column 'payload' at row 1"}), true, false},
		{"incorrect string value", &mysql.MySQLError{Number: 1366}, true, false},
		{"check constraint (MariaDB)", &mysql.MySQLError{Number: 4025}, true, false},
		{"our own marker", fmt.Errorf("fake: %w", store.ErrData), true, false},
		{"a duplicate nobody expected", fmt.Errorf("x: %w", store.ErrDuplicate), true, false},
		{"lock wait timeout", &mysql.MySQLError{Number: 1205}, false, true},
		{"deadlock", &mysql.MySQLError{Number: 1213}, false, true},
		{"server shutting down", &mysql.MySQLError{Number: 1053}, false, true},
		{"table missing (not migrated)", &mysql.MySQLError{Number: 1146}, false, true},
		{"bad connection", fmt.Errorf("store: x: %w", driver.ErrBadConn), false, true},
		{"invalid connection", mysql.ErrInvalidConn, false, true},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, false, true},
		{"context deadline", context.DeadlineExceeded, false, true},
		{"not found is neither", store.ErrNotFound, false, false},
		{"a plain error is neither", errors.New("boom"), false, false},
		{"nil", nil, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := store.IsDataError(tc.err); got != tc.data {
				t.Errorf("IsDataError = %v, want %v", got, tc.data)
			}
			if got := store.IsOutage(tc.err); got != tc.outage {
				t.Errorf("IsOutage = %v, want %v", got, tc.outage)
			}
		})
	}
}
