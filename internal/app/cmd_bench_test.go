package app_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"qinqi/internal/app"
	"qinqi/internal/testenv"
)

// TestBenchCommand runs the ceiling, parser and check-in suites for a few milliseconds each and
// checks every row comes out; the figures themselves are not asserted (that is what bench is for).
func TestBenchCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the bench run in -short mode: it seeds a county and runs the pipeline")
	}
	args := []string{"bench", "--suite", "parser,ceiling,checkin", "--duration", "30ms", "--households", "400", "--rate", "200"}
	backends := []string{"sqlite"}
	if dsn := os.Getenv(testenv.EnvMySQL); dsn != "" {
		args = append(args, "--mysql", dsn)
		backends = append(backends, "mariadb")
	}
	if addr := os.Getenv(testenv.EnvRedis); addr != "" {
		args = append(args, "--redis", addr)
	}
	var out, errb bytes.Buffer
	if code := app.Main(context.Background(), args, app.IO{In: strings.NewReader(""), Out: &out, Err: &errb}); code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	want := []string{"qinqi bench · ", "parser    | ParseReport, 1 goroutine"}
	for _, b := range backends {
		for _, n := range []string{"1 writer | ", "8 writers | ", "64 writers | "} {
			want = append(want, "INSERT check_ins, "+n+b)
		}
		for _, n := range []string{"1 sender | ", "8 senders | ", "64 senders | "} {
			want = append(want, "check-in path, "+n+b)
		}
		want = append(want, "open loop 200 msg/s, 64 senders")
	}
	if len(backends) > 1 {
		want = append(want, "SQL per check-in, 1 sender", "SQL per check-in, 64 senders")
	}
	if os.Getenv(testenv.EnvRedis) != "" {
		want = append(want, "PING, 1 client", "PING, 64 clients")
	}
	text := strings.Join(strings.Fields(out.String()), " ") // column padding varies with the values
	for _, w := range want {
		if !strings.Contains(text, strings.Join(strings.Fields(w), " ")) {
			t.Errorf("no row %q in\n%s", w, out.String())
		}
	}
	if strings.Contains(out.String(), "FAILED") {
		t.Errorf("a suite failed:\n%s", out.String())
	}
}

func TestBenchCommandRejectsUnknownSuite(t *testing.T) {
	var out, errb bytes.Buffer
	code := app.Main(context.Background(), []string{"bench", "--suite", "nosuch"}, app.IO{In: strings.NewReader(""), Out: &out, Err: &errb})
	if code != 2 || !strings.Contains(errb.String(), `unknown suite "nosuch"`) {
		t.Fatalf("exit %d, stderr %q; want 2 and the unknown suite named", code, errb.String())
	}
}
