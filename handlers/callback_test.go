package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"qinqi/handlers"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/report"
	"qinqi/store"
)

// newCallbackHarness: 刘大山 (H04, 赵敏's) has no chat and is on October's list twice over: sampled,
// and a visit with goods nobody confirmed. 王春发 (H01) chats with the bot.
func newCallbackHarness(t *testing.T) *harness {
	return newCallbackHarnessSampled(t, true)
}

// newCallbackHarnessSampled is newCallbackHarness, with 刘大山 on the list only for the unconfirmed
// visit when sampled is false.
func newCallbackHarnessSampled(t *testing.T, sampled bool) *harness {
	t.Helper()
	h := newCoordHarness(t)
	h.must(h.st.SetHouseholdHeads(h.ctx, map[domain.HouseholdID]domain.PersonID{
		h.household(HHWang): h.person(HeadWang), h.household(HHLiu): h.person(HeadLiu)}))
	h.must(h.st.SetPersonAccount(h.ctx, h.person(HeadWang), "bot1"))
	ps, err := h.st.ActivePairingsOfHousehold(h.ctx, h.household(HHLiu), h.clk.Now())
	h.must(err)
	liu := ps[0]
	oct := clock.Date(2026, 10, 14).Add(10 * time.Hour)
	rows := []any{&store.CheckIn{PairingID: liu.ID, CadreID: liu.CadreID, HouseholdID: liu.HouseholdID, Kind: domain.KindWarmth,
		OccurredAt: oct, ReportedAt: oct, Items: "米×10斤", ValueFen: 20000}}
	if sampled {
		rows = append(rows, &store.SpotCheck{Month: "2026-10", HouseholdID: liu.HouseholdID, PairingID: liu.ID, CadreID: liu.CadreID})
	}
	h.must(h.st.InsertFixture(h.ctx, rows...))
	return h
}

func TestCallbackListInChat(t *testing.T) {
	h := newCallbackHarness(t)
	rs := h.replies(CoordLi, "回访清单")
	if len(rs) != 2 || rs[1].FilePath == "" {
		t.Fatalf("replies %+v", rs)
	}
	wantContains(t, rs[0].Text, "2026年10月 回访清单：1 户（抽查 1 户，走访待确认 1 户）", "请勿转发", "回访 户编号 1|2|3 说明")
	if rs[1].FileName != "回访清单-2026-10.xlsx" {
		t.Errorf("file name %q", rs[1].FileName)
	}
	f, err := excelize.OpenFile(rs[1].FilePath)
	h.must(err)
	defer f.Close()
	rows, err := f.GetRows(report.SheetCallbacks)
	h.must(err)
	if len(rows) < 3 {
		t.Fatalf("rows %q", rows)
	}
	wantContains(t, rows[0][0], "回访清单", "县农业农村局", "2026年10月", "制表日期：2026-11-23")
	line := strings.Join(rows[2], "|")
	wantContains(t, line, "H04", "刘大山", "13700000004", "赵敏", "抽查；走访待确认", "10月14日 送温暖（米10斤、200元），是否属实？", "10月份帮扶干部是否联系或走访过您？")
	if a := h.auditWhere(store.EntCallback); len(a) != 1 || a[0].Action != store.ActExport || a[0].ActorID == nil {
		t.Errorf("audit %+v", a)
	}
	t.Run("another unit's coordinator gets an empty list", func(t *testing.T) {
		wantContains(t, h.send(CoordChen, "回访清单"), "没有需要电话回访的户")
	})
	t.Run("phones stay masked everywhere else in chat", func(t *testing.T) {
		wantNot(t, rs[0].Text, "13700000004")
	})
}

func TestCallbackRecorded(t *testing.T) {
	h := newCallbackHarness(t)
	cases := []struct {
		name, who, text string
		want, not       []string
	}{
		{"no answer digit", CoordLi, "回访 H04 好的", []string{"回访 户编号 1|2|3 说明"}, nil},
		{"unknown household", CoordLi, "回访 H99 1", []string{"没有户编号为 H99 的户"}, nil},
		{"a household on chat is not on the list", CoordLi, "回访 H01 1", []string{"不在2026年10月的回访清单上", "户主用微信"}, nil},
		{"a household of another unit", CoordChen, "回访 H04 1", []string{"不是您负责的单位的结对户"}, nil},
		{"a cadre may not", CadreZhao, "回访 H04 1", []string{"不是您这个身份"}, nil},
		{"recorded, with a discrepancy for verification", CoordLi, "回访 h04 3 米只有5斤", []string{"已记录回访：刘大山户（H04）“有出入”", "发现异议 编号1", "核实 1 属实"}, nil},
		{"recorded once: the second call says by whom", CoordLi, "回访 H04 1",
			[]string{"H04（刘大山）2026年10月的回访已经记录过：11月23日", "由您记录“有出入”", "不用再打"}, []string{"不在2026年10月的回访清单上"}},
		{"an admin calling again hears who called", AdminSun, "回访 H04 1", []string{"已经记录过", "由李协调记录“有出入”"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := h.send(c.who, c.text)
			wantContains(t, got, c.want...)
			wantNot(t, got, c.not...)
		})
	}
	ds := h.discs()
	if len(ds) != 1 || ds[0].Source != domain.DiscFromCallback || ds[0].Note != "米只有5斤" || ds[0].CadreID != h.person(CadreZhao) {
		t.Fatalf("discrepancies %+v", ds)
	}
	sc, err := h.st.SpotChecksOfMonth(h.ctx, "2026-10")
	h.must(err)
	if len(sc) != 1 || sc[0].Answer != domain.AnswerPartly || sc[0].AnsweredBy == nil || *sc[0].AnsweredBy != h.person(CoordLi) {
		t.Errorf("spot check %+v", sc)
	}
	if n := h.notesTo(CoordLi, "disc:"); len(n) != 0 {
		t.Errorf("the coordinator who recorded the call was notified as well: %q", n)
	}
	if n := h.notesTo(CadreZhao, "disc:"); len(n) != 0 {
		t.Errorf("the cadre heard of it before verification: %q", n)
	}
	wantContains(t, h.send(CoordLi, "回访清单"), "没有需要电话回访的户")
}

// A household on the list only for a report nobody confirmed: the second 回访 still says who called,
// from the phone confirmation of the month's report.
func TestCallbackAgainAfterAVisitConfirmation(t *testing.T) {
	h := newCallbackHarnessSampled(t, false)
	wantContains(t, h.send(CoordLi, "回访 H04 1"), "已记录回访：刘大山户（H04）“是”")
	h.clk.Advance(2 * time.Hour)
	got := h.send(AdminSun, "回访 H04 2 没来过")
	wantContains(t, got, "H04（刘大山）2026年10月的回访已经记录过", "由李协调记录“是”")
	if ds := h.discs(); len(ds) != 0 {
		t.Errorf("the second call opened discrepancies: %+v", ds)
	}
	t.Run("a household never on the list is told so", func(t *testing.T) {
		wantContains(t, h.send(CoordLi, "回访 H02 1"), "不在2026年10月的回访清单上：没有抽到，也没有待确认的走访")
	})
}

// auditWhere lists the audit rows of an entity kind.
func (h *harness) auditWhere(entity string) []store.AuditLog {
	h.t.Helper()
	rows, err := h.st.AuditOf(h.ctx, entity, 0)
	h.must(err)
	return rows
}

func TestParseCallbackAndVerify(t *testing.T) {
	cb := []struct {
		name, in, code string
		ans            domain.SpotAnswer
		note           string
		ok             bool
	}{
		{"yes", "H001 1", "H001", domain.AnswerYes, "", true},
		{"lower-case code, words", "h001 3 米只有5斤", "H001", domain.AnswerPartly, "米只有5斤", true},
		{"full-width", "Ｈ００１　２　家里没人", "H001", domain.AnswerNo, "家里没人", true},
		{"no digit", "H001 好的", "", "", "", false},
		{"four", "H001 4", "", "", "", false},
		{"code only", "H001", "", "", "", false},
	}
	for _, c := range cb {
		t.Run("回访 "+c.name, func(t *testing.T) {
			code, ans, note, ok := handlers.ParseCallback(c.in)
			if code != c.code || ans != c.ans || note != c.note || ok != c.ok {
				t.Errorf("ParseCallback(%q) = %q %q %q %v", c.in, code, ans, note, ok)
			}
		})
	}
	vf := []struct {
		name, in string
		id       domain.DiscID
		v        domain.Verdict
		note     string
		ok       bool
	}{
		{"upheld with a note", "12 属实 电话问了邻居", 12, domain.VerdictUpheld, "电话问了邻居", true},
		{"wrong", "12 有误", 12, domain.VerdictWrong, "", true},
		{"不属实 is wrong, not upheld", "12 不属实 老人记错了", 12, domain.VerdictWrong, "老人记错了", true},
		{"with a number sign", "#12 属实", 12, domain.VerdictUpheld, "", true},
		{"verdict glued to the note", "12 属实，确实没去", 12, domain.VerdictUpheld, "确实没去", true},
		{"no verdict", "12 看看", 0, "", "", false},
		{"no number", "属实", 0, "", "", false},
	}
	for _, c := range vf {
		t.Run("核实 "+c.name, func(t *testing.T) {
			id, v, note, ok := handlers.ParseVerify(c.in)
			if id != c.id || v != c.v || note != c.note || ok != c.ok {
				t.Errorf("ParseVerify(%q) = %d %q %q %v", c.in, id, v, note, ok)
			}
		})
	}
}
