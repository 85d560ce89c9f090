package bot_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"qinqi/bot"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// ieachDB runs f on a fresh store of every database backend (the sizes matter on MariaDB).
func ieachDB(t *testing.T, f func(t *testing.T, r *irig)) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			f(t, newIRig(t, testenv.KV(t), b.Open(t)))
		})
	}
}

// rows reads every inbox row back, in id order.
func (r *irig) rows() []store.InboxMessage {
	r.t.Helper()
	var out []store.InboxMessage
	for id := domain.InboxID(1); ; id++ {
		row, err := r.st.InboxByID(r.ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return out
		}
		if err != nil {
			r.t.Fatal(err)
		}
		out = append(out, row)
	}
}

// rowOf is the inbox row of one transport message id.
func (r *irig) rowOf(msgID string) store.InboxMessage {
	r.t.Helper()
	for _, row := range r.rows() {
		if row.MsgID == msgID {
			return row
		}
	}
	r.t.Fatalf("no inbox row for %s", msgID)
	return store.InboxMessage{}
}

// Every field of a message is bounded at the door to what every database holds, in bytes:
// metadata is cut, content that cannot be cut is refused with a clear reply, and nothing is
// left unanswered or spooled.
func TestInboxDoorBoundsEveryField(t *testing.T) {
	huge := strings.Repeat("幸福村村委会东侧", 625) // 5,000 characters, 15,000 bytes
	type check func(t *testing.T, handled []bot.Inbound)
	cases := []struct {
		name  string
		msg   func(m bot.Message) bot.Message
		reply string // the refusal; "" when the handler gets the bounded message
		check check
	}{
		{"a text of 5,000 characters is refused", func(m bot.Message) bot.Message { m.Text = huge; return m },
			"这条消息太长了（5000字），没有记录。请分成几条发，每条不超过1333字。", nil},
		{"a location label of 5,000 characters is cut", func(m bot.Message) bot.Message {
			m.Kind, m.Lat, m.Lng, m.Label, m.Text = bot.KindLocation, 30.2, 119.9, huge, huge
			return m
		}, "", func(t *testing.T, h []bot.Inbound) {
			if len(h[0].Label) > 255 || len(h[0].Text) > 255 || !strings.HasPrefix(huge, h[0].Label) || !utf8.ValidString(h[0].Label) {
				t.Errorf("label %d bytes, text %d bytes", len(h[0].Label), len(h[0].Text))
			}
		}},
		{"a location that is no position is refused", func(m bot.Message) bot.Message {
			m.Kind, m.Lat, m.Lng, m.Text = bot.KindLocation, math.NaN(), math.Inf(1), "村口"
			return m
		}, "没能读出这个位置，没有记录。请在微信里点“＋”→“位置”重新发送。", nil},
		{"a file name of 5,000 characters is cut", func(m bot.Message) bot.Message {
			m.Kind, m.Text, m.MediaRef = bot.KindFile, huge+".pdf", "media/a1/f1.pdf"
			return m
		}, "", func(t *testing.T, h []bot.Inbound) {
			if len(h[0].Text) > 255 {
				t.Errorf("file name %d bytes", len(h[0].Text))
			}
		}},
		{"a stored file's reference over 255 bytes is refused", func(m bot.Message) bot.Message {
			m.Kind, m.MediaRef = bot.KindImage, "media/a1/"+huge+".jpg"
			return m
		}, "这个文件的名字太长，没有收下。请把文件名改短后再发。", nil},
		{"a nickname of 5,000 characters with control characters is cut", func(m bot.Message) bot.Message {
			m.Text, m.SenderName = "走访 1", strings.Repeat("\x01\"<", 100)+huge
			return m
		}, "", func(t *testing.T, h []bot.Inbound) {
			if len(h[0].SenderName) > 255 || strings.ContainsRune(h[0].SenderName, '\x01') {
				t.Errorf("nickname %q", h[0].SenderName[:20])
			}
		}},
		{"a message id of 5,000 characters becomes a digest", func(m bot.Message) bot.Message {
			m.Text, m.ID = "走访 2", huge
			return m
		}, "", func(t *testing.T, h []bot.Inbound) {
			if len(h[0].ID) > 64 || h[0].ID == "" {
				t.Errorf("id %q", h[0].ID)
			}
		}},
		{"bytes that are not UTF-8 are replaced", func(m bot.Message) bot.Message { m.Text = "走访\xff\xfe 3"; return m },
			"", func(t *testing.T, h []bot.Inbound) {
				if h[0].Text != "走访\uFFFD 3" {
					t.Errorf("text %q", h[0].Text)
				}
			}},
	}
	ieachDB(t, func(t *testing.T, r *irig) {
		r.person("C001", "@u1")
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := len(r.h.handled())
				m := tc.msg(r.msg(fmt.Sprintf("d%d", i), "@u1", ""))
				r.in.Accept(r.ctx, m)
				r.settle()
				r.clk.Advance(time.Minute)
				handled := r.h.handled()[before:]
				if tc.reply != "" {
					if len(handled) != 0 {
						t.Fatalf("the handler got a refused message: %+v", handled)
					}
					if got := r.texts(); got[len(got)-1] != tc.reply {
						t.Fatalf("last reply %q, want %q", got[len(got)-1], tc.reply)
					}
				} else {
					if len(handled) != 1 {
						t.Fatalf("handled %d times", len(handled))
					}
					tc.check(t, handled)
				}
			})
		}
		if n := icountInbox(t, r.st, store.InNew); n != 0 {
			t.Fatalf("%d rows left unhandled", n)
		}
		if len(r.fake.Sent()) != 0 {
			t.Fatalf("sent directly %+v (the spool notice means something was spooled)", r.fake.Sent())
		}
		for _, row := range r.rows() {
			if len(row.Text) > 4000 || len(row.Payload) > 4000 || len(row.MsgID) > 64 {
				t.Errorf("row %d: text %d, payload %d, id %d bytes", row.ID, len(row.Text), len(row.Payload), len(row.MsgID))
			}
		}
	})
}

// A message no column holds as the transport named it (a chat key of 5,000 bytes) is answered
// directly and dropped; the next message goes on.
func TestInboxDoorKeyTooLong(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		r.person("C001", "@u1")
		long := strings.Repeat("@", 5000)
		r.in.Accept(r.ctx, r.msg("k1", long, "走访 1"))
		r.in.Accept(r.ctx, r.msg("k2", "@u1", "走访 1"))
		r.settle()
		if got := r.fake.Sent(); len(got) != 1 || got[0].To != long || !strings.Contains(got[0].Text, "没能保存") {
			t.Fatalf("sent directly %+v", got)
		}
		if got := r.texts(); !slices.Equal(got, []string{"收到：走访 1"}) {
			t.Fatalf("replies %q", got)
		}
	})
}

// dataErr is what the database says about a value it will not take.
var dataErr = fmt.Errorf("store: create check-in: %w", store.ErrData)

// inbox.max_tries: with five tries configured, a message the database refuses for its data is
// still waiting after four and quarantined on the fifth.
func TestInboxMaxTriesIsConfigured(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		r.maxTries = 5
		r.start(r.st)
		r.person("C001", "@u1")
		r.h.setFn(func(bot.Inbound) ([]bot.Reply, error) { return nil, dataErr })
		r.in.Accept(r.ctx, r.msg("q1", "@u1", "毒"))
		r.settle()
		retry := func() {
			t.Helper()
			if _, err := r.in.ReplaySpool(r.ctx); err != nil {
				t.Fatal(err)
			}
			r.settle()
		}
		for range 3 {
			retry()
		}
		if row := r.rowOf("q1"); row.Status != store.InNew || row.Attempts != 4 {
			t.Fatalf("after four tries: %s, %d attempts", row.Status, row.Attempts)
		}
		retry()
		if row := r.rowOf("q1"); row.Status != store.InFailed || row.Attempts != 5 {
			t.Fatalf("after five tries: %s, %d attempts", row.Status, row.Attempts)
		}
	})
}

// A message the database refuses for its data is quarantined after MaxTries tries (3): marked
// failed with its reason, answered once with a clear reply, and its sender told once before that
// it was received. Failures while the database is out do not count. Nobody else waits for it.
func TestInboxQuarantinesAfterBoundedTries(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		fl := &iflaky{Store: testenv.SQLite(t)}
		r.st = fl.Store
		r.start(fl)
		r.person("C001", "@u1")
		r.person("C002", "@u2")
		var outage atomic.Bool
		r.h.setFn(func(in bot.Inbound) ([]bot.Reply, error) {
			switch {
			case in.Text == "毒" && outage.Load():
				return nil, fmt.Errorf("store: %w", driver.ErrBadConn)
			case in.Text == "毒":
				return nil, dataErr
			}
			return []bot.Reply{{Text: "收到：" + in.Text}}, nil
		})
		retry := func() {
			t.Helper()
			if _, err := r.in.ReplaySpool(r.ctx); err != nil { // what Maintain does every few seconds
				t.Fatal(err)
			}
			r.settle()
		}
		r.in.Accept(r.ctx, r.msg("q1", "@u1", "毒"))
		r.in.Accept(r.ctx, r.msg("q2", "@u2", "走访 1"))
		r.settle()
		outage.Store(true) // the database is out: these tries do not count
		retry()
		retry()
		fl.down.Store(true) // an unknown error while the database does not answer a ping
		r.h.setFn(func(in bot.Inbound) ([]bot.Reply, error) {
			if in.Text == "毒" {
				return nil, errors.New("something odd")
			}
			return []bot.Reply{{Text: "收到：" + in.Text}}, nil
		})
		if _, err := r.in.Recover(r.ctx); err != nil {
			t.Fatal(err)
		}
		r.settle()
		fl.down.Store(false)
		if row := r.rowOf("q1"); row.Status != store.InNew || row.Attempts != 1 {
			t.Fatalf("after one counted try and three blameless ones: %+v", row)
		}
		r.h.setFn(func(in bot.Inbound) ([]bot.Reply, error) {
			if in.Text == "毒" {
				return nil, dataErr
			}
			return []bot.Reply{{Text: "收到：" + in.Text}}, nil
		})
		retry()
		retry()
		row := r.rowOf("q1")
		if row.Status != store.InFailed || row.Attempts != 3 || !strings.Contains(row.Error, "the database refused the data") {
			t.Fatalf("quarantined row %+v", row)
		}
		if row.PersonID == nil {
			t.Errorf("the quarantined row does not name its sender")
		}
		retry()
		if n := len(r.h.handled()); n != 7 { // q2 once, q1 six times; none after the quarantine
			t.Fatalf("handler called %d times", n)
		}
		want := []string{"收到：走访 1", "抱歉，这条消息试了几次都没能保存，没有记录，已留给管理员查看。请换个说法或分几条重新发；急事请直接打电话。"}
		if got := r.texts(); !slices.Equal(got, want) {
			t.Fatalf("replies %q, want %q", got, want)
		}
		if got := r.fake.Sent(); len(got) != 1 || got[0].To != "@u1" || !strings.HasPrefix(got[0].Text, "已收到您的消息") {
			t.Fatalf("sent directly %+v, want one notice to @u1", got)
		}
	})
}

// poisonStore refuses to store any inbound message whose text contains its marker, as a database
// would refuse a value it cannot hold.
type poisonStore struct {
	*store.Store
	marker string
}

func (p *poisonStore) SaveInbound(ctx context.Context, m *store.InboxMessage) error {
	if strings.Contains(m.Text, p.marker) {
		return fmt.Errorf("store: save inbound: %w", store.ErrData)
	}
	return p.Store.SaveInbound(ctx, m)
}

// A message the database refuses to store at all is kept as a bare quarantined row and answered;
// it is never spooled (the spool is for outages), so the messages after it go straight on. A
// spool written while the database was down is replayed past such a message.
func TestInboxDatabaseRefusesTheMessage(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		ps := &poisonStore{Store: testenv.SQLite(t), marker: "☠"}
		r.st = ps.Store
		r.start(ps)
		r.person("C001", "@u1")
		r.person("C002", "@u2")
		r.in.Accept(r.ctx, r.msg("x1", "@u1", "走访 ☠"))
		r.in.Accept(r.ctx, r.msg("x2", "@u2", "走访 1"))
		r.settle()
		sp, err := bot.OpenSpool(r.spool)
		if err != nil {
			t.Fatal(err)
		}
		if sp.Pending() {
			t.Fatal("the refused message went to the spool")
		}
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		// Messages spooled during an outage, the refused one among them: the replay goes past it.
		must(sp.Append(r.msg("x3", "@u2", "走访 ☠")))
		must(sp.Append(r.msg("x4", "@u2", "走访 2")))
		r.start(ps)
		if n, err := r.in.ReplaySpool(r.ctx); err != nil || n != 2 {
			t.Fatalf("replay = %d, %v", n, err)
		}
		r.settle()
		if n := icountInbox(t, ps.Store, store.InFailed); n != 2 {
			t.Fatalf("quarantined rows = %d, want 2", n)
		}
		if n := icountInbox(t, ps.Store, store.InDone); n != 2 {
			t.Fatalf("done rows = %d, want 2", n)
		}
		var got []string
		for _, in := range r.h.handled() {
			got = append(got, in.ID)
		}
		if !slices.Equal(got, []string{"x2", "x4"}) {
			t.Fatalf("handled %v", got)
		}
		if n := strings.Count(strings.Join(r.texts(), "\n"), "没能保存"); n != 2 {
			t.Fatalf("replies %q: want two quarantine replies", r.texts())
		}
	})
}

// racyStore runs a recovery pass from inside the count of a failed try, as Maintain may do at any
// moment: that pass skips the row (still in flight) and must not make the retry be forgotten.
type racyStore struct {
	*store.Store
	in func() *bot.Inbox
}

func (s *racyStore) FailInboundTry(ctx context.Context, id domain.InboxID, reason string) (int, error) {
	if _, err := s.in().Recover(ctx); err != nil {
		return 0, err
	}
	return s.Store.FailInboundTry(ctx, id, reason)
}

func TestInboxRetryNotLostToAConcurrentRecovery(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		rs := &racyStore{Store: testenv.SQLite(t), in: func() *bot.Inbox { return r.in }}
		r.st = rs.Store
		r.start(rs)
		r.person("C001", "@u1")
		var fail atomic.Bool
		fail.Store(true)
		r.h.setFn(func(in bot.Inbound) ([]bot.Reply, error) {
			if fail.Load() {
				return nil, dataErr
			}
			return []bot.Reply{{Text: "收到：" + in.Text}}, nil
		})
		r.in.Accept(r.ctx, r.msg("r1", "@u1", "走访 1"))
		r.settle()
		fail.Store(false)
		if _, err := r.in.ReplaySpool(r.ctx); err != nil { // Maintain's pass: it must recover the row
			t.Fatal(err)
		}
		r.settle()
		if got := r.texts(); !slices.Equal(got, []string{"收到：走访 1"}) {
			t.Fatalf("replies %q: the retry was lost", got)
		}
	})
}
