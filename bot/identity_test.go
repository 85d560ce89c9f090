package bot_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/store"
)

func TestParseBind(t *testing.T) {
	cases := []struct {
		name, in string
		code     string
		ok       bool
	}{
		{"chinese keyword", "绑定 482913", "482913", true},
		{"slash command", "/bind 482913", "482913", true},
		{"no space", "绑定482913", "482913", true},
		{"full-width digits and space", "绑定　４８２９１３", "482913", true},
		{"full-width slash", "／ＢＩＮＤ 482913", "482913", true},
		{"colon", "绑定：482913", "482913", true},
		{"surrounding spaces", "  /bind   482913  ", "482913", true},
		{"five digits", "绑定 48291", "", true},
		{"letters", "绑定 abcdef", "", true},
		{"keyword alone", "绑定", "", true},
		{"a question, not a command", "绑定码是多少", "", false},
		{"other text", "走访 2 送米", "", false},
		{"bindings is not bind", "/bindings", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, ok := bot.ParseBind(c.in)
			if code != c.code || ok != c.ok {
				t.Fatalf("ParseBind(%q) = %q, %v; want %q, %v", c.in, code, ok, c.code, c.ok)
			}
		})
	}
}

func FuzzParseBind(f *testing.F) {
	for _, s := range []string{"绑定 482913", "/bind 1", "绑定　４８２９１３", "", "/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, ok := bot.ParseBind(s)
		if code != "" && (!ok || len(code) != 6 || strings.Trim(code, "0123456789") != "") {
			t.Fatalf("ParseBind(%q) = %q, %v", s, code, ok)
		}
	})
}

const (
	txtBindAsk      = "您好！请先绑定身份：发送“绑定 六位绑定码”，例如：绑定 482913。绑定码请向本单位联络员索取。"
	txtBindBad      = "绑定码不对、已用过或已过期，请核对后重发，例如：绑定 482913。需要新码请联系联络员。"
	txtBindTooMany  = "绑定尝试次数过多，请一小时后再试，或联系联络员重新获取绑定码。"
	txtBindAskAgain = "还没有绑定，这条没有记录。请先发送“绑定 六位绑定码”。"
)

func TestBinding(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		pid := r.person("C001", "")
		code := func() string {
			bc, err := r.st.NewBindCode(r.ctx, pid, r.clk.Now(), 7*24*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			return bc.Code
		}
		n := 0
		send := func(key, text string) []string {
			t.Helper()
			before := len(r.outbox())
			r.clk.Advance(5 * time.Second) // beyond the same-text window
			n++
			r.in.Accept(r.ctx, r.msg("b"+string(rune('a'+n%26))+time.Duration(n).String(), key, text))
			r.settle()
			return r.texts()[before:]
		}
		t.Run("unbound sender gets one bind prompt and no handler", func(t *testing.T) {
			if got := send("@new", "我的亲戚"); !slices.Equal(got, []string{txtBindAsk}) {
				t.Fatalf("replies %q", got)
			}
			// 5 s later, still within the prompt's minute: a one-line reminder, never silence
			if got := send("@new", "在吗"); !slices.Equal(got, []string{txtBindAskAgain}) {
				t.Fatalf("second message within a minute: %q", got)
			}
			if len(r.h.handled()) != 0 {
				t.Fatal("handler saw an unbound sender")
			}
		})
		t.Run("valid code binds and the next message reaches the handler", func(t *testing.T) {
			c := code()
			full := strings.Map(func(r rune) rune { return r + 0xfee0 }, c) // full-width digits
			if got := send("@new", "绑定　"+full); len(got) != 1 || !strings.HasPrefix(got[0], "绑定成功，人C001您好") {
				t.Fatalf("replies %q", got)
			}
			if p, err := r.st.PersonByChatKey(r.ctx, "fake", "a1", "@new"); err != nil || p != pid {
				t.Fatalf("bound to %v, %v", p, err)
			}
			send("@new", "我的亲戚")
			if h := r.h.handled(); len(h) != 1 || h[0].PersonID != int64(pid) {
				t.Fatalf("handled %+v", h)
			}
			t.Run("the same code again gets the wrong-code reply", func(t *testing.T) {
				if got := send("@other", "/bind "+c); !slices.Equal(got, []string{txtBindBad}) {
					t.Fatalf("replies %q", got)
				}
			})
		})
		t.Run("expired code fails", func(t *testing.T) {
			bc, _ := r.st.NewBindCode(r.ctx, pid, r.clk.Now().Add(-8*24*time.Hour), 7*24*time.Hour)
			if got := send("@late", "绑定 "+bc.Code); !slices.Equal(got, []string{txtBindBad}) {
				t.Fatalf("replies %q", got)
			}
		})
		t.Run("the sixth wrong try within an hour is refused, even with a good code", func(t *testing.T) {
			r.clk.Advance(time.Hour) // a fresh hour for the counter
			for i := range 5 {
				if got := send("@guess", "绑定 00000"+string(rune('0'+i))); !slices.Equal(got, []string{txtBindBad}) {
					t.Fatalf("try %d replies %q", i+1, got)
				}
			}
			good := code()
			if got := send("@guess", "绑定 "+good); !slices.Equal(got, []string{txtBindTooMany}) {
				t.Fatalf("sixth try replies %q", got)
			}
			r.clk.Advance(time.Hour)
			// C001 was bound at @new: that WeChat is told it no longer is
			if got := send("@guess", "绑定 "+good); len(got) != 2 || !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "绑定成功") }) ||
				!slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "已解除与人C001的绑定") }) {
				t.Fatalf("next hour replies %q", got)
			}
		})
		t.Run("tries are counted in a sliding hour, not per clock hour", func(t *testing.T) {
			r.clk.Advance(2 * time.Hour)
			now := r.clk.Now()
			r.clk.Advance(now.Truncate(time.Hour).Add(time.Hour - 20*time.Second).Sub(now)) // hh:59:40
			for i := range 5 {
				if got := send("@edge", "绑定 11111"+string(rune('0'+i))); !slices.Equal(got, []string{txtBindBad}) {
					t.Fatalf("try %d replies %q", i+1, got)
				}
			}
			// Five tries 5 s apart: the last was at hh:00:05, and the clock hour has turned.
			if got := send("@edge", "绑定 "+code()); !slices.Equal(got, []string{txtBindTooMany}) {
				t.Fatalf("sixth try across the hour replies %q", got)
			}
		})
		t.Run("binding in a group is refused", func(t *testing.T) {
			m := r.msg("grp1", "@member", "绑定 123456")
			m.Group, m.GroupKey, m.AtBot = true, "@@g", true
			r.in.Accept(r.ctx, m)
			r.settle()
			var rows []store.OutboxMessage // the outbox lists by priority: pick the group's rows
			for _, o := range r.outbox() {
				if o.ToKey == "@@g" {
					rows = append(rows, o)
				}
			}
			if len(rows) != 1 || !strings.Contains(rows[0].Text, "私聊") {
				t.Fatalf("rows %+v", rows)
			}
		})
	})
}

// TestBindTriesPerPerson: tries with one person's used or expired codes, from any number of senders,
// and that person's binds count against the person; at the limit even their live code is refused,
// with the wrong-code reply, and stays unused.
func TestBindTriesPerPerson(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		pid := r.person("C001", "")
		used, _ := r.st.NewBindCode(r.ctx, pid, r.clk.Now(), time.Hour)
		if _, err := r.st.UseBindCode(r.ctx, used.Code, r.clk.Now()); err != nil {
			t.Fatal(err)
		}
		send := func(id, key, text string) []string {
			t.Helper()
			before := len(r.outbox())
			r.clk.Advance(5 * time.Second)
			r.in.Accept(r.ctx, r.msg(id, key, text))
			r.settle()
			return r.texts()[before:]
		}
		for i := range 5 {
			key := "@s" + string(rune('a'+i)) // a different sender each time: the sender limit never bites
			if got := send("u"+key, key, "绑定 "+used.Code); !slices.Equal(got, []string{txtBindBad}) {
				t.Fatalf("try %d replies %q", i+1, got)
			}
		}
		live, _ := r.st.NewBindCode(r.ctx, pid, r.clk.Now(), 7*24*time.Hour)
		if got := send("live1", "@sf", "绑定 "+live.Code); !slices.Equal(got, []string{txtBindBad}) {
			t.Fatalf("live code of a person over the limit replies %q", got)
		}
		if p, err := r.st.CheckBindCode(r.ctx, live.Code, r.clk.Now()); err != nil || p != pid {
			t.Fatalf("the refused live code was used: %v, %v", p, err)
		}
		r.clk.Advance(time.Hour)
		if got := send("live2", "@sf", "绑定 "+live.Code); len(got) != 1 || !strings.HasPrefix(got[0], "绑定成功") {
			t.Fatalf("an hour later replies %q", got)
		}
	})
}

func TestFriendRequestBinding(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		pid := r.person("H001", "")
		bc, _ := r.st.NewBindCode(r.ctx, pid, r.clk.Now(), 7*24*time.Hour)
		friend := func(id, key, verify string) {
			r.in.Accept(r.ctx, bot.Message{Transport: "fake", Account: "a1", ID: id, SenderKey: key, SenderName: "春发",
				Kind: bot.KindFriendRequest, Text: verify, Time: r.clk.Now()})
			r.settle()
		}
		t.Run("without a code the request is ignored", func(t *testing.T) {
			friend("f1", "@stranger", "我是王春发")
			friend("f2", "@stranger2", "绑定 999999") // a wrong code
			if len(r.fake.Accepted()) != 0 || len(r.outbox()) != 0 {
				t.Fatalf("accepted %d, replies %d", len(r.fake.Accepted()), len(r.outbox()))
			}
			for id, note := range map[string]string{"f1": "friend request without code", "f2": "friend request with a bad code"} {
				if row := r.rowOf(id); row.Status != store.InDone || row.Error != note {
					t.Errorf("request %s: row %s %q, want done %q", id, row.Status, row.Error, note)
				}
			}
		})
		t.Run("a valid code is accepted, bound and greeted", func(t *testing.T) {
			friend("f3", "@wcf", "王春发 绑定码"+bc.Code)
			if acc := r.fake.Accepted(); len(acc) != 1 || acc[0].SenderKey != "@wcf" {
				t.Fatalf("accepted %+v", acc)
			}
			if p, err := r.st.PersonByChatKey(r.ctx, "fake", "a1", "@wcf"); err != nil || p != pid {
				t.Fatalf("bound to %v, %v", p, err)
			}
			rows := r.outbox()
			if len(rows) != 1 || rows[0].PersonID == nil || *rows[0].PersonID != pid || !strings.HasPrefix(rows[0].Text, "绑定成功") {
				t.Fatalf("greeting %+v", rows)
			}
			if rows[0].Priority != store.PriorityReply || !rows[0].Urgent {
				t.Fatalf("greeting priority %+v", rows[0])
			}
		})
	})
}

// refusing is a transport that cannot accept friend requests (the request expired).
type refusing struct{ *bot.Fake }

func (refusing) AcceptFriend(context.Context, bot.Message) error {
	return errors.New("request expired")
}

func TestFriendRequestAcceptFails(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		pid := r.person("H001", "")
		bc, _ := r.st.NewBindCode(r.ctx, pid, r.clk.Now(), time.Hour)
		r.msgr = refusing{r.fake}
		r.start(r.st)
		r.in.Accept(r.ctx, bot.Message{Transport: "fake", Account: "a1", ID: "f1", SenderKey: "@wcf", Kind: bot.KindFriendRequest, Text: bc.Code, Time: r.clk.Now()})
		r.settle()
		if _, err := r.st.PersonByChatKey(r.ctx, "fake", "a1", "@wcf"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("bound without an accepted request: %v", err)
		}
		if p, err := r.st.CheckBindCode(r.ctx, bc.Code, r.clk.Now()); err != nil || p != pid {
			t.Fatalf("code no longer valid: %v, %v", p, err)
		}
		if n := icountInbox(t, r.st, store.InDone); n != 1 {
			t.Fatalf("done rows = %d (a failed accept is final, not retried)", n)
		}
	})
}
