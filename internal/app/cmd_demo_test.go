package app_test

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"qinqi/internal/app"
)

var updateTranscript = flag.Bool("update", false, "rewrite the docs/ demo transcripts from replays of their scripts")

// byteCounts masks the sizes of generated files, which follow the ledger's layout, not the chat.
var byteCounts = regexp.MustCompile(`\(\d+ bytes`)

// TestDemoSessionReplays replays docs/demo-session.txt on a fresh demo database at a fixed moment
// and compares the transcript with docs/demo-transcript.txt (go test ./internal/app -run
// TestDemoSessionReplays -update rewrites it after an intended change of a reply).
func TestDemoSessionReplays(t *testing.T) {
	out := replayScript(t, "demo-session.txt", "demo-transcript.txt", "--now", "2026-11-23T10:00")
	for _, line := range strings.Split(out, "\n") {
		if line != "" && !strings.HasPrefix(line, "> ") && !strings.HasPrefix(line, "@") && !strings.HasPrefix(line, "    ") {
			t.Errorf("transcript line neither echo, reply nor continuation: %q", line)
		}
	}
}

// TestDemoYearReplays replays docs/demo-year.txt on the demo clock with the scheduler — the Spring
// Festival window opening with its reminder, the ladder cadre → coordinator → head, a visit and the
// resolution notice — and compares it with docs/demo-year-transcript.txt (-update rewrites it).
func TestDemoYearReplays(t *testing.T) {
	out := replayScript(t, "demo-year.txt", "demo-year-transcript.txt", "--at", "2027-01-20T09:00", "--scheduler")
	for _, want := range []string{"【春节走访提醒】春节走访从今天开始", "@P002 <- 【联系提醒】", "@P009 <- 【逾期督办】",
		"@P001 <- 【逾期督办·单位负责人】", "@P009 <- 【逾期已解除】", "11月30日到期未完成，已逾期53天"} {
		if !strings.Contains(out, want) {
			t.Errorf("the year transcript lacks %q", want)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if line != "" && !strings.HasPrefix(line, "> ") && !strings.HasPrefix(line, "@") && !strings.HasPrefix(line, "    ") && !strings.HasPrefix(line, "# ") {
			t.Errorf("transcript line neither echo, reply, continuation nor clock line: %q", line)
		}
	}
}

// replayScript runs docs/script on a fresh demo database with the given flags and compares the
// transcript with docs/golden (rewritten with -update); it returns the transcript.
func replayScript(t *testing.T, script, golden string, flags ...string) string {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("..", "..", "docs", script))
	if err != nil {
		t.Fatal(err)
	}
	golden, err = filepath.Abs(filepath.Join("..", "..", "docs", golden))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir()) // the demo keeps its spool and generated files under ./data
	code, out, errs := runCmd(t, append([]string{"demo", "--db", "demo.db", "--script", script}, flags...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if *updateTranscript {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	got, wantN := byteCounts.ReplaceAllString(out, "(N bytes"), byteCounts.ReplaceAllString(string(want), "(N bytes")
	if got != wantN {
		t.Fatalf("the replay differs from docs/%s (-update to accept):\n%s", filepath.Base(golden), firstDiff(got, wantN))
	}
	return out
}

// firstDiff shows the first differing line with a little context.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + "\n got: " + gl + "\nwant: " + wl
		}
	}
	return "(no line differs)"
}

// writeCounty writes a small county whose codes are not the sample county's: no admin, so the
// banner must leave that line out.
func writeCounty(t *testing.T) string {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"regions.csv": "区划编号,名称,级别,上级区划\nR0,白沙县,县,\nR1,河口村,村,R0\n",
		"units.csv":   "单位编号,单位名称,上级单位,一把手,办公电话\nD1,白沙县水利局,,,\n",
		"people.csv": "人员编号,姓名,手机号,身份证号,角色,所属单位,职务,所属户\n" +
			"G2001,孙立平,13700000001,,干部,D1,科员,\n" +
			"G2002,冯玉梅,13700000002,,协调员,D1,办公室主任,\n" +
			"G2101,周桂芝,13700000101,,户主,,,K01\n",
		"households.csv": "户编号,户主姓名,所属村,家庭住址,家庭人口,户类型/标签,重点户,经度,纬度\nK01,周桂芝,R1,河口村2组7号,2,脱贫户,否,,\n",
		"pairings.csv":   "结对编号,干部编号,户编号,项目,开始日期,结束日期,结束原因\nB1,G2001,K01,,2026-01-05,,\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestDemoBannerQuotesCodesOfItsDatabase(t *testing.T) {
	dir := writeCounty(t)
	db := filepath.Join(t.TempDir(), "county.db")
	for _, kind := range []string{"regions", "units", "households", "people", "pairings"} {
		if code, out, errs := runCmd(t, "import", "-db", db, kind, filepath.Join(dir, kind+".csv")); code != 0 {
			t.Fatalf("import %s: exit %d: %s%s", kind, code, out, errs)
		}
	}
	t.Chdir(t.TempDir())
	code, _, errs := runCmd(t, "demo", "--db", db, "--now", "2026-11-23T10:00")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"@G2001 我的亲戚", "干部 孙立平", "@G2001 走访 周桂芝", "@G2101 我的干部", "户主 周桂芝", "@G2002 统计", "协调员 冯玉梅", "Ctrl-C"} {
		if !strings.Contains(errs, want) {
			t.Errorf("banner lacks %q:\n%s", want, errs)
		}
	}
	for _, absent := range []string{"P001", "P101", "管理员", "已载入示例县"} {
		if strings.Contains(errs, absent) {
			t.Errorf("banner mentions %q, which this database does not have:\n%s", absent, errs)
		}
	}
}

// syncBuf is a bytes.Buffer safe for the demo's goroutines and the test's polling.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestDemoEndsOnInterrupt is Ctrl-C in an interactive demo: the context ends while the console
// waits for the next line, and the demo returns without another line or end of input.
func TestDemoEndsOnInterrupt(t *testing.T) {
	t.Chdir(t.TempDir())
	pr, pw := io.Pipe()
	defer pw.Close()
	var out, errb syncBuf
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- app.Main(ctx, []string{"demo", "--db", "demo.db"}, app.IO{In: pr, Out: &out, Err: &errb})
	}()
	if _, err := pw.Write([]byte("@p001 帮助\n")); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); !strings.Contains(out.String(), "@P001 <- "); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no reply to @p001 within a minute:\n%s\n%s", out.String(), errb.String())
		}
	}
	cancel() // Ctrl-C
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d after Ctrl-C: %s", code, errb.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("the demo still runs a minute after Ctrl-C")
	}
}

// TestDemoClockAdvances: with --at and --scheduler, "# advance 1d" runs the overdue scan and the
// reminders due on the way, stamped with their moment; a person's "# advance" is an ordinary
// message; without --at the line is a comment.
func TestDemoClockAdvances(t *testing.T) {
	t.Chdir(t.TempDir())
	script := filepath.Join(t.TempDir(), "s.txt")
	if err := os.WriteFile(script, []byte("# advance 1d\n@P001 # advance 3d\n# advance 0d\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCmd(t, "demo", "--db", "a.db", "--at", "2027-01-20T09:00", "--scheduler", "--script", script)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"# 2027-01-21 08:30 星期四\n@P001 <- 【联系提醒】", "# 现在 2027-01-21 09:00 星期四\n",
		"> @P001 # advance 3d\n@P001 <- 没看懂这条", "> # advance 0d\n# advance: 时长 \"0d\"：时钟只能往后拨"} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
	code, out, errs = runCmd(t, "demo", "--db", "b.db", "--script", script)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if strings.Contains(out, "# 现在") || strings.Contains(out, "# advance:") {
		t.Errorf("without --at an advance line was read as one:\n%s", out)
	}
}

// TestDemoHouseholdReplays replays docs/demo-household.txt — a visit confirmed by the household in
// one digit, one disputed, the coordinator told and closing it with 核实, the cadre told only then,
// and on the 1st the coordinator's 回访清单 with a call recorded and one refused — and compares it
// with docs/demo-household-transcript.txt (-update rewrites it).
func TestDemoHouseholdReplays(t *testing.T) {
	out := replayScript(t, "demo-household.txt", "demo-household-transcript.txt", "--at", "2027-03-30T10:00", "--scheduler")
	for _, want := range []string{"@P101 <- 陈建国说3月30日来家里看望了您，送了化肥3包、500元。是这样吗？", "@P101 <- 谢谢您的确认",
		"@P009 <- 【待核实#1】", "@P009 <- 已记录核实结果：编号1 有误", "@P001 <- 【核实结果#1】",
		"@P009 <- 【回访清单】青山县农业农村局 2027年3月", "@P009 <- 已记录回访：张德福户（H005）“是”。",
		"@P009 <- H004（钱秀珍）不在2027年3月的回访清单上", "@P009 <- 已记录回访：吴根生户（H008）“没有来”。"} {
		if !strings.Contains(out, want) {
			t.Errorf("the household transcript lacks %q", want)
		}
	}
	if i, j := strings.Index(out, "@P001 <- 【核实结果#1】"), strings.Index(out, "> @P009 核实 1 有误"); i < j {
		t.Errorf("the cadre heard of the dispute before the coordinator closed it")
	}
}
