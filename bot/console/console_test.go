package console_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
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
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

var quietLog = slog.New(slog.DiscardHandler)

var updateGolden = flag.Bool("update", false, "rewrite testdata/*.golden")

// demoHandler stands in for the command language: one reply per kind, a multi-line help,
// a notification to another person and a file.
func demoHandler(household domain.PersonID, file string) bot.Handler {
	return bot.HandlerFunc(func(_ context.Context, in bot.Inbound) ([]bot.Reply, error) {
		switch {
		case in.Kind == bot.KindLocation:
			return []bot.Reply{{Text: fmt.Sprintf("位置已记录：%s (%.4f,%.4f)", in.Label, in.Lat, in.Lng)}}, nil
		case in.Kind == bot.KindImage:
			return []bot.Reply{{Text: "图片已收到，会附在上一条记录上。"}}, nil
		case in.Kind == bot.KindVoice:
			return []bot.Reply{{Text: "语音已收到，已转给您的帮扶干部。" + in.Text}}, nil
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
		{Code: "C001", Name: "李干部", Roles: domain.MakeRoles(domain.RoleCadre)},
		{Code: "H001", Name: "王春发", Roles: domain.MakeRoles(domain.RoleHousehold)},
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
	con := console.New(script, &out, console.Options{Clock: clk, FileDir: files, Echo: true})
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

// receiveAll runs Receive over input without a pipeline and returns the messages handed over.
func receiveAll(t *testing.T, input string, o console.Options) ([]bot.Message, string) {
	t.Helper()
	var out strings.Builder
	con := console.New(strings.NewReader(input), &out, o)
	var got []bot.Message
	if err := con.Receive(context.Background(), func(_ context.Context, m bot.Message) { got = append(got, m) }); err != nil {
		t.Fatalf("Receive: %v", err)
	}
	return got, out.String()
}

func TestConsoleReadsCodeForms(t *testing.T) {
	for _, tc := range []struct {
		name, line, code, text string
	}{
		{name: "plain", line: "@P001 我的亲戚", code: "P001", text: "我的亲戚"},
		{name: "lower case", line: "@p001 我的亲戚", code: "P001", text: "我的亲戚"},
		{name: "full-width at sign", line: "＠P001 我的亲戚", code: "P001", text: "我的亲戚"},
		{name: "full-width at, lower case", line: "＠p001 统计", code: "P001", text: "统计"},
		{name: "full-width letters and digits", line: "＠Ｐ００１ 帮助", code: "P001", text: "帮助"},
		{name: "ideographic space", line: "@P001\u3000走访 1 送米", code: "P001", text: "走访 1 送米"},
		{name: "glued to the text", line: "@P001走访 1", code: "P001", text: "走访 1"},
		{name: "code with dash", line: "@h-113 谢谢", code: "H-113", text: "谢谢"},
		{name: "code only", line: "@P001", code: "P001", text: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, out := receiveAll(t, tc.line+"\n", console.Options{})
			if len(got) != 1 || got[0].SenderKey != tc.code || got[0].Text != tc.text {
				t.Fatalf("%q -> %+v (output %q), want code %q text %q", tc.line, got, out, tc.code, tc.text)
			}
		})
	}
}

func TestConsoleRefusesLinesWithoutACode(t *testing.T) {
	for _, line := range []string{"P001 我的亲戚", "@ 我的亲戚", "＠陈建国 我的亲戚", "@@P001 帮助"} {
		got, out := receiveAll(t, line+"\n", console.Options{})
		if len(got) != 0 || !strings.HasPrefix(out, "# ") {
			t.Errorf("%q -> %d messages, output %q; want none and a # comment", line, len(got), out)
		}
	}
}

func TestConsoleEchoesScriptLines(t *testing.T) {
	in := "# 干部\n@P001 帮助\n\n坏行\n"
	_, out := receiveAll(t, in, console.Options{Echo: true})
	want := "> # 干部\n> @P001 帮助\n\n> 坏行\n# 无法识别，格式：@人员编号 消息，例如 @C001 我的亲戚\n"
	if out != want {
		t.Fatalf("echo:\n%s\nwant:\n%s", out, want)
	}
	if _, out := receiveAll(t, in, console.Options{}); strings.Contains(out, ">") {
		t.Fatalf("echo off printed input lines: %q", out)
	}
}

// TestConsoleStopsWhileWaitingForInput: Ctrl-C cancels the context while the console waits for a
// line that never comes; Receive must return instead of waiting for the next line or EOF.
func TestConsoleStopsWhileWaitingForInput(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	con := console.New(pr, io.Discard, console.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- con.Receive(ctx, func(context.Context, bot.Message) {}) }()
	if _, err := pw.Write([]byte("# waiting\n")); err != nil { // the reader is running
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Receive returned %v, want context.Canceled", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Receive still waiting for input a minute after the context ended")
	}
}

// TestConsoleAdvancesTheDemoClock: "# advance" moves the clock through Options.Advance; what is sent
// on the way is stamped with its moment, the line ends with the new time, a bad step changes
// nothing, and without Advance the line is a comment like any other.
func TestConsoleAdvancesTheDemoClock(t *testing.T) {
	clk := clock.NewFake(time.Date(2027, 1, 20, 9, 0, 0, 0, clock.Shanghai))
	in := "# advance 3x\n# advance 1d\n@P001 帮助\n"
	var out strings.Builder
	var con *console.Console
	var steps []time.Duration
	con = console.New(strings.NewReader(in), &out, console.Options{Clock: clk, Echo: true,
		Advance: func(ctx context.Context, d time.Duration) error {
			steps = append(steps, d)
			clk.Advance(d / 2)
			for _, to := range []string{"P001", "P009"} {
				if err := con.Send(ctx, "", bot.Outgoing{To: to, Text: "【联系提醒】"}); err != nil {
					return err
				}
			}
			clk.Advance(d / 2)
			return nil
		}})
	var got []bot.Message
	if err := con.Receive(context.Background(), func(_ context.Context, m bot.Message) { got = append(got, m) }); err != nil {
		t.Fatal(err)
	}
	want := "> # advance 3x\n" +
		"# advance: 时长 \"3x\" 看不懂：写成整数加 m（分钟）、h（小时）或 d（天），例如 3d\n" +
		"> # advance 1d\n" +
		"# 2027-01-20 21:00 星期三\n@P001 <- 【联系提醒】\n@P009 <- 【联系提醒】\n" +
		"# 现在 2027-01-21 09:00 星期四\n" +
		"> @P001 帮助\n"
	if out.String() != want {
		t.Fatalf("transcript:\n%s\nwant:\n%s", out.String(), want)
	}
	if len(steps) != 1 || steps[0] != 24*time.Hour || len(got) != 1 || !got[0].Time.Equal(clk.Now()) {
		t.Fatalf("steps %v, messages %v: want one step of 24h and the message at the new time", steps, got)
	}
	got, plain := receiveAll(t, "# advance 1d\n", console.Options{Echo: true})
	if len(got) != 0 || plain != "> # advance 1d\n" {
		t.Fatalf("without Advance: %d messages, output %q; want a plain comment", len(got), plain)
	}
}
