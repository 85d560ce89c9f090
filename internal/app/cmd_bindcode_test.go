package app_test

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"qinqi/internal/app"
	"qinqi/internal/clock"
	"qinqi/store"
)

func TestBindcodeCommand(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "b.db")
	s, err := store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: db})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.UpsertPeople(ctx, []store.Person{{Code: "C001", Name: "李干部", Roles: store.MakeRoles(store.RoleCadre)}}, nil); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	line := regexp.MustCompile(`^(\d{6})\t有效至 (\d{4}-\d\d-\d\d \d\d:\d\d)\n$`)
	cases := []struct {
		name string
		args []string
		code int
		ttl  time.Duration
	}{
		{"default ttl", []string{"bindcode", "-db", db, "C001"}, 0, 7 * 24 * time.Hour},
		{"flags after the code", []string{"bindcode", "C001", "-db", db, "-ttl", "2h"}, 0, 2 * time.Hour},
		{"unknown person", []string{"bindcode", "-db", db, "X999"}, 1, 0},
		{"no person code", []string{"bindcode", "-db", db}, 2, 0},
		{"ttl too short", []string{"bindcode", "-db", db, "-ttl", "1s", "C001"}, 1, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			before := time.Now()
			code := app.Main(ctx, c.args, app.IO{In: strings.NewReader(""), Out: &out, Err: &errb})
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, c.code, errb.String())
			}
			if c.code != 0 {
				if out.Len() != 0 {
					t.Fatalf("stdout on failure: %q", out.String())
				}
				return
			}
			m := line.FindStringSubmatch(out.String())
			if m == nil {
				t.Fatalf("stdout %q", out.String())
			}
			exp, _ := time.ParseInLocation("2006-01-02 15:04", m[2], clock.Shanghai)
			if d := exp.Sub(before.Add(c.ttl)); d < -time.Minute || d > time.Minute {
				t.Fatalf("expires %s, want about %s", exp, before.Add(c.ttl))
			}
			s, _ := store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: db})
			defer s.Close()
			if _, err := s.UseBindCode(ctx, m[1], time.Now()); err != nil {
				t.Fatalf("printed code does not work: %v", err)
			}
		})
	}
}
