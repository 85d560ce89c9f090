package app_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"qinqi/bot/mp/mpfake"
	"qinqi/internal/app"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
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
	if err := s.UpsertPeople(ctx, []store.Person{{Code: "C001", Name: "李干部", Roles: domain.MakeRoles(domain.RoleCadre)}}, nil); err != nil {
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

func TestBindcodeQR(t *testing.T) {
	fake, err := mpfake.New(mpfake.TestAccount)
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "q.db")
	if code, _, errs := runCmd(t, "import", "all", "../../testdata/import", "-db", db); code != 0 {
		t.Fatal(errs)
	}
	a := mpfake.TestAccount
	cfg := filepath.Join(dir, "q.yaml")
	y := fmt.Sprintf("mp: {app_id: %q, secret: %q, token: %q, aes_key: %q, api_base: %q}\n", a.AppID, a.Secret, a.Token, a.AESKey, fake.URL)
	if err := os.WriteFile(cfg, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(dir, "card.png")
	code, out, errs := runCmd(t, "bindcode", "P101", "-config", cfg, "-db", db, "-qr", png)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	b, err := os.ReadFile(png)
	if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Fatalf("card.png: %v, %d bytes", err, len(b))
	}
	if sc := fake.Scenes(); len(sc) != 1 || sc[0] != "bind:"+strings.Fields(out)[0] {
		t.Errorf("QR scene %v, want the printed code %q", sc, strings.Fields(out)[0])
	}
	if code, _, errs := runCmd(t, "bindcode", "P101", "-db", db, "-qr", png); code == 0 || !strings.Contains(errs, "mp.app_id") {
		t.Errorf("-qr without a 服务号: exit %d, %s", code, errs)
	}
}
