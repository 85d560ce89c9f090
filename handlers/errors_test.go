package handlers_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"qinqi/bot"
	"qinqi/handlers"
	"qinqi/internal/domain"
	"qinqi/store"
)

// errOutage stands for the database going away in the middle of a command.
var errOutage = errors.New("driver: bad connection")

// outageStore is the harness store with its writes failing while down is set.
type outageStore struct {
	*store.Store
	down atomic.Bool
}

func (s *outageStore) CreateCheckIn(ctx context.Context, c store.CheckIn, actor domain.PersonID) (store.CheckIn, bool, error) {
	if s.down.Load() {
		return store.CheckIn{}, false, errOutage
	}
	return s.Store.CreateCheckIn(ctx, c, actor)
}

func (s *outageStore) CreateRequest(ctx context.Context, r store.Request, notify func(store.Request) []store.OutboxMessage) (store.Request, bool, error) {
	if s.down.Load() {
		return store.Request{}, false, errOutage
	}
	return s.Store.CreateRequest(ctx, r, notify)
}

func (s *outageStore) PersonByID(ctx context.Context, id domain.PersonID) (store.Person, error) {
	if s.down.Load() {
		return store.Person{}, errOutage
	}
	return s.Store.PersonByID(ctx, id)
}

// withOutages rebuilds the harness's router on a store whose writes can fail.
func withOutages(h *harness) *outageStore {
	os := &outageStore{Store: h.st}
	h.r = handlers.New(handlers.Deps{Store: os, Dialogs: h.kv, Clock: h.clk, Config: h.cfg, Hanzi: folder(h.t),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return os
}

// inbound is one text message from the person with code, with the harness's next message id.
func (h *harness) inbound(code, text string) bot.Inbound {
	h.seq++
	m := bot.Message{Kind: bot.KindText, Text: text, Transport: "fake", Account: "bot1", ID: fmt.Sprintf("e%d", h.seq), Time: h.clk.Now()}
	return bot.Inbound{Message: m, PersonID: int64(h.person(code)), InboxID: int64(h.seq)}
}

// failed runs in on the router and expects the error that makes the inbox keep the message.
func (h *harness) failed(in bot.Inbound) {
	h.t.Helper()
	out, err := h.r.Handle(h.ctx, in)
	if !errors.Is(err, errOutage) {
		h.t.Fatalf("message %q: err = %v, want the store's error", in.Text, err)
	}
	if len(out) != 0 {
		h.t.Fatalf("message %q answered %q while the store failed", in.Text, out[0].Text)
	}
	var ue *handlers.UserError
	if errors.As(err, &ue) {
		h.t.Fatalf("a store failure came back as a refusal: %q", ue.Text)
	}
}

func TestStoreFailureIsAnErrorNeverAReply(t *testing.T) {
	t.Run("a report: nothing written, nothing said; the retry is answered once", func(t *testing.T) {
		h := newHarness(t)
		os := withOutages(h)
		in := h.inbound(CadreZhang, "走访 1 送米20斤")
		os.down.Store(true)
		h.failed(in)
		if n := len(h.checkIns(CadreZhang)); n != 0 {
			t.Fatalf("check-ins after the failure = %d", n)
		}
		os.down.Store(false)
		got := h.handle(in) // the inbox hands the same message (same InboxID) over again
		if len(got) != 1 {
			t.Fatalf("replies = %+v", got)
		}
		wantContains(t, got[0].Text, "已记录", "走访｜王春发")
		wantNot(t, got[0].Text, "已经记过了")
		if n := len(h.checkIns(CadreZhang)); n != 1 {
			t.Fatalf("check-ins after the retry = %d, want 1", n)
		}
	})
	t.Run("the answer to a question: the question survives for the retry", func(t *testing.T) {
		h := newHarness(t)
		os := withOutages(h)
		wantContains(t, h.send(CadreZhang, "走访 王 送油2桶"), "1. 王春发", "2. 王秋菊")
		in := h.inbound(CadreZhang, "2")
		os.down.Store(true)
		h.failed(in)
		os.down.Store(false)
		wantContains(t, h.handle(in)[0].Text, "已记录", "王秋菊", "油×2桶")
		cs := h.checkIns(CadreZhang)
		if len(cs) != 1 || cs[0].HouseholdID != h.household(HHWangQiu) {
			t.Fatalf("check-ins = %+v, want one for 王秋菊", cs)
		}
		wantContains(t, h.send(CadreZhang, "2"), "没看懂") // answered: the question is gone
	})
	t.Run("a household's matter after picking a category", func(t *testing.T) {
		h := newHarness(t)
		os := withOutages(h)
		h.send(HeadWang, "菜单")
		wantContains(t, h.send(HeadWang, "2"), "1. ")
		h.send(HeadWang, "1")
		in := h.inbound(HeadWang, "腿疼想去县医院看看")
		os.down.Store(true)
		h.failed(in)
		os.down.Store(false)
		wantContains(t, h.handle(in)[0].Text, "编号")
		if rs := h.requests(HHWang); len(rs) != 1 || rs[0].Text != "腿疼想去县医院看看" {
			t.Fatalf("requests = %+v", rs)
		}
	})
	t.Run("the sender cannot be loaded", func(t *testing.T) {
		h := newHarness(t)
		os := withOutages(h)
		os.down.Store(true)
		h.failed(h.inbound(HeadWang, "我的干部"))
	})
}

func TestRefusalIsAReplyAndChangesNothing(t *testing.T) {
	h := newHarness(t)
	cases := []struct{ name, from, in, want string }{
		{"unknown household number", CadreZhang, "走访 9 送米20斤", "没有第9户"},
		{"a request number that does not exist", CoordLi, "受理 999", "没有这个编号"},
		{"a rating without a score asks for it", HeadWang, "评价 很好", "回复1到5的数字"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := h.r.Handle(h.ctx, h.inbound(tc.from, tc.in))
			if err != nil {
				t.Fatalf("a refusal must be a reply, got error %v", err)
			}
			if len(out) != 1 || !out[0].Urgent {
				t.Fatalf("replies = %+v, want one urgent reply", out)
			}
			wantContains(t, out[0].Text, tc.want)
		})
	}
	if n := len(h.checkIns(CadreZhang)); n != 0 {
		t.Fatalf("refusals wrote %d check-ins", n)
	}
}

// Content longer than the column it goes to is refused with its length, never cut by the store.
func TestContentLongerThanItsColumnIsRefused(t *testing.T) {
	h := newHarness(t)
	wantContains(t, h.send(HeadWang, "诉求 就医 想办医疗救助卡"), "编号1")
	long := func(n int) string { return strings.Repeat("a", n) }
	cases := []struct{ name, from, in, want string }{
		{"a report", CadreZhang, "走访 1 " + long(2100), "内容太长了（2100字），最多能记2000字"},
		{"a plan", CadreZhang, "计划 " + long(2001), "（2001字），最多能记2000字"},
		{"a request", HeadWang, "诉求 就医 " + long(2300), "最多能记2000字"},
		{"a complaint", HeadWang, "投诉 " + long(2001), "最多能记2000字"},
		{"a result", CadreZhang, "办结 1 " + long(1001), "（1001字），最多能记1000字"},
		{"a transfer reason", CadreZhang, "转办 1 " + long(501), "最多能记500字"},
		{"a rating's opinion", HeadWang, "评价 5 " + long(501), "最多能记500字"},
		{"a leave's reason", CoordLi, "请假 P01 12-01 12-05 " + long(129), "（129字），最多能记128字"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantContains(t, h.send(tc.from, tc.in), tc.want, "这条没有记录")
		})
	}
	if n := len(h.checkIns(CadreZhang)); n != 0 {
		t.Errorf("%d check-ins written", n)
	}
	if rs := h.requests(HHWang); len(rs) != 1 || rs[0].Status != domain.StatusNew || rs[0].Rating != nil {
		t.Errorf("requests changed: %+v", rs)
	}
	wantContains(t, h.send(CadreZhang, "计划"), "还没有")
}

// The idempotency key of a message with the longest account and id the inbox admits still fits
// its column (96 bytes), and still makes a repeat harmless.
func TestSourceIDFitsItsColumn(t *testing.T) {
	h := newHarness(t)
	m := bot.Message{Kind: bot.KindText, Text: "走访 1 送米20斤", Transport: "wechat", Account: strings.Repeat("县", 21), ID: strings.Repeat("9", 64)}
	in := bot.Inbound{Message: m, PersonID: int64(h.person(CadreZhang)), InboxID: 9}
	wantContains(t, h.handle(in)[0].Text, "已记录")
	wantContains(t, h.handle(in)[0].Text, "已经记过了")
	cs := h.checkIns(CadreZhang)
	if len(cs) != 1 || cs[0].SourceMsgID == nil || len(*cs[0].SourceMsgID) > 96 {
		t.Fatalf("check-ins %+v", cs)
	}
}
