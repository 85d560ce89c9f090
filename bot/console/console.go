// Package console is the terminal chat channel of `qinqi demo` and scripted sessions.
package console

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/internal/config"
)

// Account is the bot account name the console uses.
const Account = "console"

// Limits is the sending policy for the console: no bucket, jitter, cap or quiet hours, so a scripted
// demo runs at full speed; the loop guard and retries stay as configured.
func Limits(o config.Outbox) bot.Limits {
	return bot.Limits{MaxAttempts: max(o.MaxAttempts, 1), RetryMin: o.RetryMin, RetryMax: o.RetryMax, LoopGuard: o.LoopGuard}
}

// Console is the terminal transport for `qinqi demo` and scripted sessions. Input, one message per line:
//
//	@<person-code> <text>                  a text message
//	@<person-code> [位置] 30.1234,120.5678 村口   a location with an optional label
//	@<person-code> [图片] [ref]            an image (optional media reference)
//	@<person-code> [语音] [ref]            a voice message
//	@<person-code> [语音：他没来] [ref]     a voice message with the platform's recognised text
//	@<person-code> [文件] name             a file
//	@<person-code> [好友] verify text      a friend request
//	# comment, and blank lines, are ignored
//	# advance 3d                          with Options.Advance (the demo clock, qinqi demo --at):
//	                                      move the clock by 3d, 2h or 30m and run the jobs due
//
// The at sign and the code may be typed full-width or in lower case (＠p００１ is @P001): codes are
// read as ASCII upper case, the way person sheets write them.
//
// Output, one line per message: "@<person-code> <- <text>"; a text of several lines continues on
// lines indented by four spaces. With Echo set, each input line is printed first as "> <line>" (a
// blank one as a blank line), so a script's transcript reads on its own. A non-blank line starting
// with anything but "@", ">", "#" or a space never occurs, so the transcript parses back
// unambiguously. Files: "@<code> <- [文件] name (N bytes, saved to PATH)" ([图片] for images). Lines
// the console cannot read are answered with a "# " comment, and so is a friend request qinqi did
// not accept ("# @H002 的好友申请：…"): on WeChat its sender sees nothing.
//
// A "# advance" line prints the messages the jobs send on the way, each moment that sends any
// introduced by "# 2027-01-21 08:30 星期四" with its messages ordered by recipient, and ends with
// "# 现在 2027-01-23 09:00 星期六".
//
// After each input line the console waits until the pipeline is idle (the message handled and every
// reply sent), so replies come out in input order and the transcript is reproducible. Receive returns
// as soon as its context ends, even while it waits for a line (Ctrl-C in the demo).
type Console struct {
	in      io.Reader
	clock   clock.Clock
	fileDir string
	echo    bool
	session string

	advance func(context.Context, time.Duration) error

	mu        sync.Mutex
	out       io.Writer
	idle      func(context.Context) error
	advancing bool      // an advance is running: messages are stamped with the clock's time
	stamp     string    // the moment the held messages were sent at
	held      []heldOut // messages of that moment, printed by recipient when the moment is over
}

// heldOut is one rendered message held during an advance.
type heldOut struct{ to, text string }

// Options configure New.
type Options struct {
	Clock   clock.Clock
	FileDir string // files sent to the console are saved here; empty: not saved, only announced
	Echo    bool   // print each input line ("> …") before its replies: for scripts, not for a terminal
	// Advance, when set, moves the demo clock for a "# advance 3d" line and runs the jobs due on
	// the way; without it such a line is a comment like any other.
	Advance func(ctx context.Context, d time.Duration) error
}

// New reads messages from in and writes replies to out.
func New(in io.Reader, out io.Writer, o Options) *Console {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b) // message ids must differ between runs on the same database
	return &Console{in: in, out: out, clock: o.Clock, fileDir: o.FileDir, echo: o.Echo, advance: o.Advance,
		session: hex.EncodeToString(b)}
}

// SetIdleWait installs the wait run after each input line (NewPipeline does this).
func (c *Console) SetIdleWait(f func(context.Context) error) {
	c.mu.Lock()
	c.idle = f
	c.mu.Unlock()
}

// Name is "console".
func (c *Console) Name() string { return bot.ConsoleTransport }

// Receive reads input lines until EOF or ctx ends; EOF returns nil once the last line's replies are
// out, a cancelled ctx returns at once, leaving the reader blocked on input it will never use.
func (c *Console) Receive(ctx context.Context, h func(context.Context, bot.Message)) error {
	lines := make(chan string)
	readErr := make(chan error, 1)
	go c.read(ctx, lines, readErr)
	n := 0
	for {
		var line string
		var more bool
		select {
		case <-ctx.Done():
			return ctx.Err()
		case line, more = <-lines:
		}
		if !more {
			return <-readErr
		}
		n++
		if c.echo {
			c.echoLine(line)
		}
		if arg, ok := advanceLine(line); ok && c.advance != nil {
			if err := c.advanceBy(ctx, arg); err != nil {
				return err
			}
			continue
		}
		m, ok, err := c.parse(line, n)
		if err != nil {
			c.printf("# %v\n", err)
			continue
		}
		if !ok {
			continue
		}
		h(ctx, m)
		if err := c.waitIdle(ctx); err != nil {
			return err
		}
	}
}

// advanceBy runs a "# advance" line: the clock moves and the messages the jobs send on the way are
// printed under a "# <time>" line for each moment that sends any; then a "# 现在 …" line. A step
// it cannot read is answered with a comment and changes nothing.
func (c *Console) advanceBy(ctx context.Context, arg string) error {
	d, err := ParseAdvance(arg)
	if err != nil {
		c.printf("# advance: %v\n", err)
		return nil
	}
	c.mu.Lock()
	c.advancing, c.stamp = true, ""
	c.mu.Unlock()
	err = c.advance(ctx, d)
	c.mu.Lock()
	c.flushHeld()
	c.advancing = false
	c.mu.Unlock()
	if err != nil {
		return err
	}
	c.printf("# 现在 %s\n", stampOf(c.clock.Now()))
	return c.waitIdle(ctx)
}

// stampOf is a moment as the transcript shows it: "2027-01-21 08:30 星期四".
func stampOf(t time.Time) string {
	t = t.In(clock.Shanghai)
	return t.Format("2006-01-02 15:04 ") + "星期" + string([]rune("日一二三四五六")[t.Weekday()])
}

// echoLine prints an input line as "> line"; a blank line stays blank, so a script's sections
// stay apart in its transcript.
func (c *Console) echoLine(line string) {
	line = strings.TrimRightFunc(line, unicode.IsSpace)
	if line == "" {
		c.printf("\n")
		return
	}
	c.printf("> %s\n", line)
}

// read hands input lines to Receive until EOF, a read error or ctx ends; it then reports the error
// (nil for EOF and cancellation) and closes lines.
func (c *Console) read(ctx context.Context, lines chan<- string, errc chan<- error) {
	defer close(lines)
	sc := bufio.NewScanner(c.in)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		select {
		case lines <- sc.Text():
		case <-ctx.Done():
			errc <- nil
			return
		}
	}
	if err := sc.Err(); err != nil {
		errc <- fmt.Errorf("console: read: %w", err)
		return
	}
	errc <- nil
}

func (c *Console) waitIdle(ctx context.Context) error {
	c.mu.Lock()
	f := c.idle
	c.mu.Unlock()
	if f == nil {
		return nil
	}
	return f(ctx)
}

// parse reads one input line; ok is false for comments and blank lines.
func (c *Console) parse(line string, n int) (bot.Message, bool, error) {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return bot.Message{}, false, nil
	}
	rest, ok := strings.CutPrefix(line, "@")
	if !ok {
		rest, ok = strings.CutPrefix(line, "＠")
	}
	if !ok {
		return bot.Message{}, false, errors.New("无法识别，格式：@人员编号 消息，例如 @C001 我的亲戚")
	}
	code, text := splitCode(rest)
	if code == "" {
		return bot.Message{}, false, errors.New("缺少人员编号，格式：@人员编号 消息")
	}
	m := bot.Message{Transport: bot.ConsoleTransport, Account: Account, ID: c.session + "-" + strconv.Itoa(n),
		SenderKey: code, SenderName: code, Kind: bot.KindText, Text: text, Time: c.clock.Now()}
	if err := consoleSpecial(&m); err != nil {
		return bot.Message{}, false, err
	}
	return m, true, nil
}

// splitCode takes the person code off the front of s: ASCII letters, digits, "-", "_" and ".",
// typed half- or full-width, returned in upper case; the text is what follows, trimmed. A code
// glued to the text ("@P001我的亲戚") ends where the first other character begins.
func splitCode(s string) (code, text string) {
	var b strings.Builder
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r >= 0xFF01 && r <= 0xFF5E { // full-width ASCII
			r -= 0xFEE0
		}
		if !isCodeRune(r) {
			break
		}
		b.WriteRune(unicode.ToUpper(r))
		i += size
	}
	return b.String(), strings.TrimSpace(s[i:])
}

func isCodeRune(r rune) bool {
	return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.')
}

// parseSpecial turns the bracketed demo markers into the other message kinds.
func consoleSpecial(m *bot.Message) error {
	tag, rest, found := strings.Cut(m.Text, "]")
	if !found || !strings.HasPrefix(tag, "[") {
		return nil
	}
	rest = strings.TrimSpace(rest)
	name, heard, _ := strings.Cut(strings.Replace(tag[1:], "：", ":", 1), ":")
	if name == "语音" { // [语音：他没来]: what a channel's speech recognition heard, as 服务号's Recognition
		m.Kind, m.Text, m.MediaRef = bot.KindVoice, strings.TrimSpace(heard), rest
		return nil
	}
	switch tag[1:] {
	case "位置":
		return consoleLocation(m, rest)
	case "图片":
		m.Kind, m.Text, m.MediaRef = bot.KindImage, "", rest
	case "文件":
		m.Kind, m.Text, m.MediaRef = bot.KindFile, "", rest
	case "好友":
		m.Kind, m.Text = bot.KindFriendRequest, rest
	}
	return nil
}

func consoleLocation(m *bot.Message, rest string) error {
	coords, label, _ := strings.Cut(rest, " ")
	la, lo, ok := strings.Cut(coords, ",")
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(la), 64)
	lng, err2 := strconv.ParseFloat(strings.TrimSpace(lo), 64)
	if !ok || err1 != nil || err2 != nil || lat < -90 || lat > 90 || lng < -180 || lng > 180 {
		return errors.New("位置格式：@人员编号 [位置] 30.1234,120.5678 村口")
	}
	m.Kind, m.Text, m.Lat, m.Lng, m.Label = bot.KindLocation, "", lat, lng, strings.TrimSpace(label)
	return nil
}

// Send prints one outgoing message; files are saved to FileDir when set.
func (c *Console) Send(_ context.Context, _ string, out bot.Outgoing) error {
	var b strings.Builder
	if out.Text != "" || out.File == nil {
		lines := strings.Split(out.Text, "\n")
		fmt.Fprintf(&b, "@%s <- %s\n", out.To, lines[0])
		for _, l := range lines[1:] {
			fmt.Fprintf(&b, "    %s\n", l)
		}
	}
	if out.File != nil {
		desc, err := c.saveFile(out)
		if err != nil {
			return err
		}
		tag := "[文件]"
		if out.Image {
			tag = "[图片]"
		}
		fmt.Fprintf(&b, "@%s <- %s %s\n", out.To, tag, desc)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.advancing {
		fmt.Fprint(c.out, b.String())
		return nil
	}
	if st := stampOf(c.clock.Now()); st != c.stamp {
		c.flushHeld()
		c.stamp = st
	}
	c.held = append(c.held, heldOut{out.To, b.String()})
	return nil
}

// flushHeld prints the messages of one moment of an advance under its stamp, ordered by recipient
// (a job sends to many people in no fixed order; each person's own messages keep theirs), so a
// replayed script prints the same transcript every time. The caller holds c.mu.
func (c *Console) flushHeld() {
	if len(c.held) == 0 {
		return
	}
	sort.SliceStable(c.held, func(i, j int) bool { return c.held[i].to < c.held[j].to })
	fmt.Fprintf(c.out, "# %s\n", c.stamp)
	for _, h := range c.held {
		fmt.Fprint(c.out, h.text)
	}
	c.held = nil
}

func (c *Console) saveFile(out bot.Outgoing) (string, error) {
	name := filepath.Base(out.FileName)
	if c.fileDir == "" {
		n, err := io.Copy(io.Discard, out.File)
		if err != nil {
			return "", fmt.Errorf("console: read file: %w", err)
		}
		return fmt.Sprintf("%s (%d bytes)", name, n), nil
	}
	if err := os.MkdirAll(c.fileDir, 0o755); err != nil {
		return "", fmt.Errorf("console: %w", err)
	}
	path := filepath.Join(c.fileDir, name)
	f, err := os.Create(path)
	if err != nil {
		return "", fmt.Errorf("console: save file: %w", err)
	}
	n, err := io.Copy(f, out.File)
	if err := errors.Join(err, f.Close()); err != nil {
		return "", fmt.Errorf("console: save file: %w", err)
	}
	return fmt.Sprintf("%s (%d bytes, saved to %s)", name, n, path), nil
}

// FriendDeclined notes a friend request qinqi did not accept, as a comment: nothing was sent.
func (c *Console) FriendDeclined(_ context.Context, m bot.Message, why string) {
	c.printf("# @%s 的好友申请：%s\n", m.SenderKey, why)
}

// AcceptFriend notes the acceptance in the transcript.
func (c *Console) AcceptFriend(_ context.Context, m bot.Message) error {
	c.printf("@%s <- [已通过好友申请]\n", m.SenderKey)
	return nil
}

func (c *Console) printf(format string, a ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.out, format, a...)
}
