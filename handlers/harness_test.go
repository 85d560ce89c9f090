package handlers_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/handlers"
	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// Named fixtures: one unit with a sub-unit, its coordinator, two cadres, and households where two
// heads share the surname 王 (the ambiguity case). 刘大山 belongs to 赵敏, not to 张伟 (scope case).
const (
	CoordLi     = "C01" // 李协调, coordinator of 县农业农村局
	CoordChen   = "C02" // 陈主任, coordinator of 县教育局 (another unit)
	CadreZhang  = "P01" // 干部张伟, unit 县农业农村局乡村振兴科 (sub-unit)
	CadreZhao   = "P02" // 干部赵敏, same sub-unit
	HeadWang    = "F01" // 户主王春发, household H01
	HeadLiu     = "F04" // 户主刘大山, household H04
	HeadNoPair  = "F05" // 户主孙无对, household H05 without a pairing
	Unbound     = ""
	HHWang      = "H01" // 王春发, 张伟's household no. 1, registered location known
	HHWangQiu   = "H02" // 王秋菊, 张伟's no. 2
	HHLi        = "H03" // 李秀英, 张伟's no. 3
	HHLiu       = "H04" // 刘大山, 赵敏's
	HHSun       = "H05" // 孙无对, nobody's
	wangLat     = 30.2231
	wangLng     = 119.9123
	harnessDate = "2026-11-23 10:30"
)

type harness struct {
	t   *testing.T
	ctx context.Context
	st  *store.Store
	kv  *store.KV // nil when the harness runs on another dialog store
	clk *clock.Fake
	cfg config.Config
	cal handlers.Windows // set by newCoordHarness
	r   *handlers.Router
	seq int
}

// newHarness runs the router on a fresh SQLite store and the in-process KV.
func newHarness(t *testing.T) *harness {
	t.Helper()
	kv := testenv.KV(t)
	h := newHarnessWith(t, func(*clock.Fake) handlers.Dialogs { return kv })
	h.kv = kv
	return h
}

// newHarnessWith uses another dialog store (one on the fake clock, or one that is down).
func newHarnessWith(t *testing.T, dialogs func(*clock.Fake) handlers.Dialogs) *harness {
	t.Helper()
	start, _ := time.ParseInLocation("2006-01-02 15:04", harnessDate, clock.Shanghai)
	h := &harness{t: t, ctx: context.Background(), st: testenv.SQLite(t), clk: clock.NewFake(start), cfg: config.Defaults()}
	h.seed()
	h.r = handlers.New(handlers.Deps{Store: h.st, Dialogs: dialogs(h.clk), Clock: h.clk, Config: h.cfg, Hanzi: folder(t),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return h
}

// clockDialogs keeps dialog state in memory and expires it on the fake clock.
type clockDialogs struct {
	clk  *clock.Fake
	vals map[string]string
	exp  map[string]time.Time
}

func newClockDialogs(clk *clock.Fake) handlers.Dialogs {
	return &clockDialogs{clk: clk, vals: map[string]string{}, exp: map[string]time.Time{}}
}

func (d *clockDialogs) Get(_ context.Context, key string) (string, error) {
	if v, ok := d.vals[key]; ok && d.clk.Now().Before(d.exp[key]) {
		return v, nil
	}
	return "", store.ErrNotFound
}

func (d *clockDialogs) Set(_ context.Context, key, val string, ttl time.Duration) error {
	d.vals[key], d.exp[key] = val, d.clk.Now().Add(ttl)
	return nil
}

func (d *clockDialogs) Del(_ context.Context, keys ...string) error {
	for _, k := range keys {
		delete(d.vals, k)
	}
	return nil
}

// downDialogs is a KV that is unreachable.
type downDialogs struct{}

func (downDialogs) Get(context.Context, string) (string, error) {
	return "", errors.New("kv: redis unreachable")
}
func (downDialogs) Set(context.Context, string, string, time.Duration) error {
	return errors.New("kv: redis unreachable")
}
func (downDialogs) Del(context.Context, ...string) error { return errors.New("kv: redis unreachable") }

func (h *harness) must(err error) {
	h.t.Helper()
	if err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) seed() {
	ctx := h.ctx
	h.must(h.st.UpsertUnits(ctx, []store.Unit{
		{Code: "U01", Name: "县农业农村局", OfficePhone: "0571-88001001"},
		{Code: "U02", Name: "县教育局"},
	}, nil))
	u1 := h.unit("U01")
	h.must(h.st.UpsertUnits(ctx, []store.Unit{{Code: "U0101", Name: "乡村振兴科", ParentID: &u1}}, nil))
	u11, u2 := h.unit("U0101"), h.unit("U02")
	lat, lng := wangLat, wangLng
	h.must(h.st.UpsertHouseholds(ctx, []store.Household{
		{Code: HHWang, HeadName: "王春发", Initials: "wcf", Address: "李家村3组12号", Lat: &lat, Lng: &lng},
		{Code: HHWangQiu, HeadName: "王秋菊", Initials: "wqj", Address: "李家村1组5号"},
		{Code: HHLi, HeadName: "李秀英", Initials: "lxy", Address: "李家村2组8号"},
		{Code: HHLiu, HeadName: "刘大山", Initials: "lds", Address: "柳溪村1组"},
		{Code: HHSun, HeadName: "孙无对", Initials: "swd"},
	}, nil))
	hw, hl, hs := h.household(HHWang), h.household(HHLiu), h.household(HHSun)
	h.must(h.st.UpsertPeople(ctx, []store.Person{
		{Code: CoordLi, Name: "李协调", Phone: "13900000009", Roles: domain.MakeRoles(domain.RoleCoordinator), UnitID: &u1},
		{Code: CoordChen, Name: "陈主任", Roles: domain.MakeRoles(domain.RoleCoordinator), UnitID: &u2},
		{Code: CadreZhang, Name: "张伟", Phone: "13800000001", Roles: domain.MakeRoles(domain.RoleCadre), UnitID: &u11, Title: "科员"},
		{Code: CadreZhao, Name: "赵敏", Phone: "13800000002", Roles: domain.MakeRoles(domain.RoleCadre), UnitID: &u11},
		{Code: HeadWang, Name: "王春发", Phone: "13700000001", IDNumber: "330122195003051236", Roles: domain.MakeRoles(domain.RoleHousehold), HouseholdID: &hw},
		{Code: HeadLiu, Name: "刘大山", Phone: "13700000004", Roles: domain.MakeRoles(domain.RoleHousehold), HouseholdID: &hl},
		{Code: HeadNoPair, Name: "孙无对", Roles: domain.MakeRoles(domain.RoleHousehold), HouseholdID: &hs},
	}, nil))
	zhang, zhao := h.person(CadreZhang), h.person(CadreZhao)
	since := clock.Date(2026, 1, 5)
	h.must(h.st.UpsertPairings(ctx, []store.Pairing{
		{Code: "J01", CadreID: zhang, HouseholdID: hw, StartOn: since},
		{Code: "J02", CadreID: zhang, HouseholdID: h.household(HHWangQiu), StartOn: since},
		{Code: "J03", CadreID: zhang, HouseholdID: h.household(HHLi), StartOn: since},
		{Code: "J04", CadreID: zhao, HouseholdID: hl, StartOn: since},
	}))
}

func (h *harness) unit(code string) domain.UnitID {
	u, err := h.st.UnitByCode(h.ctx, code)
	h.must(err)
	return u.ID
}

func (h *harness) person(code string) domain.PersonID {
	p, err := h.st.PersonByCode(h.ctx, code)
	h.must(err)
	return p.ID
}

func (h *harness) household(code string) domain.HouseholdID {
	x, err := h.st.HouseholdByCode(h.ctx, code)
	h.must(err)
	return x.ID
}

// msg sends one inbound message from the person with code (Unbound: an unknown sender) and
// returns the replies' text joined by newlines.
func (h *harness) msg(code string, m bot.Message) string {
	h.t.Helper()
	h.seq++
	if m.Kind == "" {
		m.Kind = bot.KindText
	}
	m.Transport, m.Account, m.ID, m.Time = "fake", "bot1", fmt.Sprintf("m%d", h.seq), h.clk.Now()
	in := bot.Inbound{Message: m, InboxID: int64(h.seq)}
	if code != Unbound {
		in.PersonID = int64(h.person(code))
	}
	var texts []string
	for _, r := range h.handle(in) {
		texts = append(texts, r.Text)
	}
	return strings.Join(texts, "\n")
}

// handle runs the router on one inbound message; an error (the message would be kept for a
// retry) fails the test, since the harness's store does not fail.
func (h *harness) handle(in bot.Inbound) []bot.Reply {
	h.t.Helper()
	out, err := h.r.Handle(h.ctx, in)
	if err != nil {
		h.t.Fatalf("message %q: %v", in.Text, err)
	}
	return out
}

func (h *harness) send(code, text string) string {
	h.t.Helper()
	return h.msg(code, bot.Message{Text: text})
}

// checkIns are the cadre's stored check-ins, undone ones included.
func (h *harness) checkIns(code string) []store.CheckIn {
	cs, err := h.st.CheckInsOfCadre(h.ctx, h.person(code))
	h.must(err)
	return cs
}

func (h *harness) requests(hh string) []store.Request {
	rs, err := h.st.RequestsOfHousehold(h.ctx, h.household(hh))
	h.must(err)
	return rs
}

// outboxTo lists the texts queued for a person, by the key prefix of a request notification.
func (h *harness) outboxTo(code string, req domain.RequestID, action string) []string {
	h.t.Helper()
	var out []string
	for seq := 1; seq <= h.seq; seq++ {
		m, err := h.st.OutboxByKey(h.ctx, fmt.Sprintf("inbox:%d:request:%d:%s:to:%d", seq, req, action, h.person(code)))
		if err == nil {
			out = append(out, m.Text)
		}
	}
	return out
}

func (h *harness) audit(entity string, id int64) []store.AuditLog {
	rows, err := h.st.AuditOf(h.ctx, entity, id)
	h.must(err)
	return rows
}

// wantContains fails when got lacks any of the wanted fragments.
func wantContains(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("reply %q\n  lacks %q", got, w)
		}
	}
}

func wantNot(t *testing.T, got string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(got, b) {
			t.Errorf("reply %q\n  must not contain %q", got, b)
		}
	}
}

// notesTo lists the texts of notifications queued for a person whose key contains what
// (e.g. "disc:new"), in queue order.
func (h *harness) notesTo(code, what string) []string {
	h.t.Helper()
	ms, err := h.st.OutboxWithPrefix(h.ctx, "")
	h.must(err)
	var out []string
	for _, m := range ms {
		if m.PersonID != nil && *m.PersonID == h.person(code) && strings.Contains(m.Key, what) {
			out = append(out, m.Text)
		}
	}
	return out
}
