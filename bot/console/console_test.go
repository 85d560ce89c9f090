package console_test

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/bot/console"
	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/testenv"
	"qinqi/store"
)

var quietLog = slog.New(slog.DiscardHandler)

var updateGolden = flag.Bool("update", false, "rewrite testdata/*.golden")

// demoHandler stands in for the command language: one reply per kind, a multi-line help,
// a notification to another person and a file.
func demoHandler(household store.PersonID, file string) bot.Handler {
	return bot.HandlerFunc(func(_ context.Context, in bot.Inbound) ([]bot.Reply, error) {
		switch {
		case in.Kind == bot.KindLocation:
			return []bot.Reply{{Text: fmt.Sprintf("位置已记录：%s (%.4f,%.4f)", in.Label, in.Lat, in.Lng)}}, nil
		case in.Kind == bot.KindImage:
			return []bot.Reply{{Text: "图片已收到，会附在上一条记录上。"}}, nil
		case in.Kind == bot.KindVoice:
			return []bot.Reply{{Text: "语音已收到，已转给您的帮扶干部。"}}, nil
		case in.Text == "帮助":
			return []bot.Reply{{Text: "可以这样发：\n走访 2 送米面油\n诉求 就医 想办医疗救助卡\n发送“帮助”再看一遍。"}}, nil
		case in.Text == "台账":
			return []bot.Reply{{Text: "本月台账如下：", FilePath: file, FileName: "台账.xlsx"}}, nil
		case strings.HasPrefix(in.Text, "通知 H001 "):
			return []bot.Reply{{Text: "已通知。"}, {To: int64(household), Text: strings.TrimPrefix(in.Text, "通知 H001 ")}}, nil
		}
		return []bot.Reply{{Text: "收到：" + in.Text}}, nil
	})
}

func TestConsoleScriptedSession(t *testing.T) {
	ctx := context.Background()
	st := testenv.SQLite(t)
	if err := st.UpsertPeople(ctx, []store.Person{
		{Code: "C001", Name: "李干部", Roles: store.MakeRoles(store.RoleCadre)},
		{Code: "H001", Name: "王春发", Roles: store.MakeRoles(store.RoleHousehold)},
	}, nil); err != nil {
		t.Fatal(err)
	}
	h, _ := st.PersonByCode(ctx, "H001")
	dir := t.TempDir()
	src := filepath.Join(dir, "ledger.xlsx")
	if err := os.WriteFile(src, []byte("PK-fake-xlsx"), 0o600); err != nil {
		t.Fatal(err)
	}
	script, err := os.Open(filepath.Join("testdata", "console_session.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer script.Close()
	var out strings.Builder
	files := filepath.Join(dir, "out")
	clk := clock.NewFake(time.Date(2026, 11, 23, 22, 30, 0, 0, clock.Shanghai)) // in quiet hours: the console ignores them
	con := console.New(script, &out, console.Options{Clock: clk, FileDir: files})
	p, err := bot.NewPipeline(bot.PipelineOptions{
		Accounts: []bot.Account{{Name: console.Account, Messenger: con, Limits: console.Limits(config.Defaults().Outbox), Trusted: true}},
		Handler:  demoHandler(h.ID, src), Store: st, State: testenv.KV(t), Clock: clk, Logger: quietLog,
		SpoolDir: filepath.Join(dir, "spool"),
	})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := p.Run(runCtx); err != nil {
		t.Fatalf("run: %v", err)
	}
	got := strings.ReplaceAll(out.String(), files, "$FILES")
	golden := filepath.Join("testdata", "console_session.golden")
	if *updateGolden {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Fatalf("transcript differs from %s (go test ./bot/console -run TestConsoleScriptedSession -update to accept)\n--- got\n%s--- want\n%s", golden, got, want)
	}
	if b, err := os.ReadFile(filepath.Join(files, "台账.xlsx")); err != nil || string(b) != "PK-fake-xlsx" {
		t.Fatalf("saved file = %q, %v", b, err)
	}
	if n, _ := st.CountInbox(ctx, store.InNew); n != 0 {
		t.Fatalf("%d messages left unfinished", n)
	}
}
