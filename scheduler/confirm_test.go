package scheduler_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// report stores a check-in with goods and money, occurred and reported at at.
func (c *county) report(t *testing.T, p domain.PairingID, kind domain.CheckInKind, at time.Time, items string, fen int64) {
	t.Helper()
	pr, err := c.st.PairingByID(context.Background(), p)
	must(t, err)
	_, _, err = c.st.CreateCheckIn(context.Background(), store.CheckIn{PairingID: p, CadreID: pr.CadreID, HouseholdID: pr.HouseholdID,
		Kind: kind, OccurredAt: at, ReportedAt: at, Items: items, ValueFen: fen}, pr.CadreID)
	must(t, err)
}

func TestVisitConfirmationQuestions(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			c := newCounty(t, b.Open(t))
			must(t, c.st.SetPersonAccount(ctx, c.headC, "")) // 李三's household has no chat: phoned instead
			day := clock.Date(2026, 12, 5)
			clk := clock.NewFake(day)
			job := jobsByName(t, c.st, clk, defaults())["visit-confirm"]
			c.report(t, c.pA, domain.KindVisit, day.Add(9*time.Hour+35*time.Minute), "化肥×3包", 50000)
			c.report(t, c.pB, domain.KindContact, day.Add(9*time.Hour+36*time.Minute), "", 0)
			c.report(t, c.pC, domain.KindWarmth, day.Add(9*time.Hour+37*time.Minute), "米×20斤", 0)
			early := run(t, job, clk, day.Add(9*time.Hour+40*time.Minute)) // inside the 10-minute undo window
			first := run(t, job, clk, day.Add(10*time.Hour+40*time.Minute))
			c.report(t, c.pA, domain.KindDeed, day.AddDate(0, 0, 2).Add(15*time.Hour), "", 0)
			waiting := run(t, job, clk, day.AddDate(0, 0, 2).Add(16*time.Hour+40*time.Minute))
			quiet := run(t, job, clk, day.AddDate(0, 0, 7).Add(22*time.Hour))
			again := run(t, job, clk, day.AddDate(0, 0, 7).Add(10*time.Hour+40*time.Minute))

			t.Run("nothing is asked while a report can still be undone", func(t *testing.T) {
				if early["asked"] != 0 {
					t.Errorf("asked %v", early)
				}
			})
			t.Run("one question in the household's words, only about visits, warmth and deeds", func(t *testing.T) {
				m := c.messages(t, "confirm:", c.headA)
				if first["asked"] != 1 || len(m) < 1 {
					t.Fatalf("first run %v, messages %q", first, m)
				}
				if want := "张干部说12月5日来家里看望了您，送了化肥3包、500元。是这样吗？回复 1 是　2 没有来　3 有出入"; m[0] != want {
					t.Errorf("question\n got %q\nwant %q", m[0], want)
				}
				if len(c.messages(t, "confirm:", c.headB)) != 0 {
					t.Error("a phone contact was asked about")
				}
			})
			t.Run("a household without chat is left to the call-back list", func(t *testing.T) {
				if first["phone_only"] != 1 || len(c.messages(t, "confirm:", c.headC)) != 0 {
					t.Errorf("run %v", first)
				}
			})
			t.Run("a later report waits for min_days, then the next question covers it", func(t *testing.T) {
				if waiting["asked"] != 0 || waiting["waiting"] != 1 {
					t.Errorf("two days later %v, want waiting", waiting)
				}
				if quiet["quiet"] != 1 || quiet["asked"] != 0 {
					t.Errorf("in quiet hours %v", quiet)
				}
				m := c.messages(t, "confirm:", c.headA)
				if again["asked"] != 1 || len(m) != 2 || m[1] != "张干部说12月7日帮您办了实事。是这样吗？回复 1 是　2 没有来　3 有出入" {
					t.Errorf("a week later %v: %q", again, m)
				}
			})
		})
	}
}

func TestCallbackListsGoToCoordinators(t *testing.T) {
	ctx := context.Background()
	st := testenv.SQLite(t)
	c := newCounty(t, st)
	must(t, st.SetPersonAccount(ctx, c.headC, "")) // 李三 has no chat
	c.report(t, c.pC, domain.KindWarmth, clock.Date(2026, 10, 20).Add(10*time.Hour), "米×20斤", 0)
	c.report(t, c.pA, domain.KindVisit, clock.Date(2026, 10, 21).Add(10*time.Hour), "", 0) // 王一 chats: not on the list
	cfg := defaults()
	cfg.SpotCheck.Percent = 100
	cfg.Outbox.FileDir = t.TempDir()
	clk := clock.NewFake(clock.Date(2026, 11, 1))
	jobs := jobsByName(t, st, clk, cfg)
	run(t, jobs["spot-check-sample"], clk, clock.Date(2026, 11, 1).Add(10*time.Hour))
	res := run(t, jobs["callback-lists"], clk, clock.Date(2026, 11, 1).Add(10*time.Hour+30*time.Minute))
	if res["lists"] != 1 || res["households"] != 1 {
		t.Fatalf("run %v: want one list with one household", res)
	}
	m := c.messages(t, "callbacks:2026-10:", c.coord)
	if len(m) != 2 || !contains(m, "有 1 户不用微信，需要电话回访（抽查 1 户") {
		t.Errorf("coordinator messages %q", m)
	}
	file, err := st.OutboxByKey(ctx, "callbacks:2026-10:"+strconv.FormatInt(int64(c.coord), 10)+":xlsx")
	must(t, err)
	if file.FileName != "回访清单-2026-10.xlsx" || file.FilePath == "" {
		t.Errorf("file %+v", file)
	}
	audit, err := st.AuditOf(ctx, store.EntCallback, 0)
	must(t, err)
	if len(audit) != 1 {
		t.Errorf("audit rows %+v: every list with phone numbers is logged", audit)
	}
	if again := run(t, jobs["callback-lists"], clk, clock.Date(2026, 11, 1).Add(10*time.Hour+30*time.Minute)); len(c.messages(t, "callbacks:", c.coord)) != 2 {
		t.Errorf("a second run sent again: %v", again)
	}
}
