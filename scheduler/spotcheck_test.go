package scheduler_test

import (
	"context"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/scheduler"
	"qinqi/store"
)

func TestSampleIsKeyedAndReproducible(t *testing.T) {
	var cands []scheduler.Candidate
	for i := 1; i <= 1000; i++ {
		cands = append(cands, scheduler.Candidate{Household: domain.HouseholdID(i)})
	}
	reversed := make([]scheduler.Candidate, len(cands))
	for i, c := range cands {
		reversed[len(cands)-1-i] = c
	}
	ids := func(cs []scheduler.Candidate) []domain.HouseholdID {
		out := make([]domain.HouseholdID, len(cs))
		for i, c := range cs {
			out[i] = c.Household
		}
		return out
	}
	secret, other := []byte("a deployment secret of 32 bytes!"), []byte("another deployment's own secret!")
	a := ids(scheduler.Sample(cands, 10, secret, "2026-10"))
	cases := []struct {
		name string
		got  []domain.HouseholdID
		same bool
	}{
		{"same secret and month, other row order", ids(scheduler.Sample(reversed, 10, secret, "2026-10")), true},
		{"another month", ids(scheduler.Sample(cands, 10, secret, "2026-11")), false},
		{"another secret", ids(scheduler.Sample(cands, 10, other, "2026-10")), false},
	}
	if len(a) != 100 {
		t.Fatalf("sampled %d of 1000 at 10%%, want 100", len(a))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			equal := len(a) == len(c.got)
			for i := range a {
				if equal && a[i] != c.got[i] {
					equal = false
				}
			}
			if equal != c.same {
				t.Errorf("same sample = %v, want %v", equal, c.same)
			}
		})
	}
}

func TestEachDeploymentDrawsItsOwnSample(t *testing.T) {
	ctx := context.Background()
	a, b := testenv.SQLite(t), testenv.SQLite(t)
	sa, err := a.SpotSecret(ctx)
	must(t, err)
	sb, err := b.SpotSecret(ctx)
	must(t, err)
	if len(sa) < 32 || string(sa) == string(sb) {
		t.Fatalf("migrate must generate a fresh secret per database: %x vs %x", sa, sb)
	}
	c := newCounty(t, a)
	cfg := defaults()
	cfg.SpotCheck.Percent = 100
	clk := clock.NewFake(clock.Date(2026, 11, 1))
	run(t, jobsByName(t, a, clk, cfg)["spot-check-sample"], clk, clock.Date(2026, 11, 1).Add(10*time.Hour))
	rows, err := a.SpotChecksOfMonth(ctx, "2026-10")
	must(t, err)
	if len(rows) != 3 || rows[0].Seed != scheduler.SecretID(sa) || rows[0].Seed == 0 {
		t.Errorf("rows %+v: each must carry the fingerprint %d of the secret", rows, scheduler.SecretID(sa))
	}
	_ = c
}

func TestPhoneOnlyHouseholdsAreNotAskedInChat(t *testing.T) {
	ctx := context.Background()
	st := testenv.SQLite(t)
	c := newCounty(t, st)
	must(t, st.SetPersonAccount(ctx, c.headC, ""))
	cfg := defaults()
	cfg.SpotCheck.Percent = 100
	clk := clock.NewFake(clock.Date(2026, 11, 1))
	res := run(t, jobsByName(t, st, clk, cfg)["spot-check-sample"], clk, clock.Date(2026, 11, 1).Add(10*time.Hour))
	if res["sampled"] != 3 || res["phone_callbacks"] != 1 {
		t.Errorf("counts %v: want 3 sampled, 1 for the phone", res)
	}
	if m := c.messages(t, "spot:2026-10:", c.headC); len(m) != 0 {
		t.Errorf("a head without a chat account was messaged: %q", m)
	}
}

func TestSpotCheckAskAndRemind(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			c := newCounty(t, b.Open(t))
			cfg := defaults()
			cfg.SpotCheck.Percent = 100
			clk := clock.NewFake(clock.Date(2026, 11, 1))
			jobs := jobsByName(t, c.st, clk, cfg)
			asked := run(t, jobs["spot-check-sample"], clk, clock.Date(2026, 11, 1).Add(10*time.Hour))
			again := run(t, jobs["spot-check-sample"], clk, clock.Date(2026, 11, 1).Add(10*time.Hour))
			early := run(t, jobs["spot-check-remind"], clk, clock.Date(2026, 11, 3).Add(10*time.Hour+30*time.Minute))
			sc, err := c.st.OpenSpotCheck(ctx, c.hhA, clock.Date(2026, 10, 1))
			must(t, err)
			must(t, c.st.AnswerSpotCheck(ctx, sc.ID, domain.AnswerYes, clock.Date(2026, 11, 2), 1, false))
			reminded := run(t, jobs["spot-check-remind"], clk, clock.Date(2026, 11, 4).Add(10*time.Hour+30*time.Minute))
			twice := run(t, jobs["spot-check-remind"], clk, clock.Date(2026, 11, 5).Add(10*time.Hour+30*time.Minute))

			t.Run("every household is asked about October once", func(t *testing.T) {
				rows, err := c.st.SpotChecksOfMonth(ctx, "2026-10")
				must(t, err)
				if len(rows) != 3 || asked["sampled"] != 3 || again["sampled"] != 0 {
					t.Errorf("%d rows, counts %v then %v", len(rows), asked, again)
				}
				if m := c.messages(t, "spot:2026-10:", c.headA); len(m) != 1 || !contains(m, "10月份，您的帮扶干部张干部是否联系或走访过您？回复 1 是 / 2 否") {
					t.Errorf("question to A %q", m)
				}
			})
			t.Run("reminded once after remind_after, answered ones not", func(t *testing.T) {
				if early["reminded"] != 0 || reminded["reminded"] != 2 || twice["reminded"] != 0 {
					t.Errorf("reminded %v, %v, %v; want 0, 2, 0", early, reminded, twice)
				}
				if m := c.messages(t, "spot:2026-10:", c.headA); len(m) != 1 {
					t.Errorf("answered household reminded: %q", m)
				}
				if m := c.messages(t, "spot:2026-10:", c.headB); len(m) != 2 || !contains(m, "再打扰一下") {
					t.Errorf("B messages %q", m)
				}
			})
		})
	}
}

func TestRequestDeadlines(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			c := newCounty(t, b.Open(t))
			created := clock.Date(2026, 11, 2).Add(9 * time.Hour)
			must(t, c.st.InsertFixture(ctx, &store.Request{HouseholdID: c.hhA, PersonID: c.headA, PairingID: &c.pA, Kind: domain.ReqRequest,
				Category: domain.CatMedical, Status: domain.StatusNew, AckDueAt: created.Add(24 * time.Hour), DueAt: created.Add(7 * 24 * time.Hour), CreatedAt: created}))
			clk := clock.NewFake(created)
			job := jobsByName(t, c.st, clk, defaults())["request-deadlines"]
			runs := []time.Time{created.Add(20 * time.Hour), created.Add(25 * time.Hour), created.Add(26 * time.Hour), created.Add(50 * time.Hour)}
			for _, at := range runs {
				run(t, job, clk, at)
			}
			t.Run("the cadre once, after the acknowledgement deadline", func(t *testing.T) {
				m := c.messages(t, "request:", c.k1)
				if len(m) != 1 || !contains(m, "就医诉求") || !contains(m, "受理") {
					t.Errorf("cadre messages %q", m)
				}
			})
			t.Run("the coordinator once, a day later", func(t *testing.T) {
				m := c.messages(t, "request:", c.coord)
				if len(m) != 1 || !contains(m, "请督办") {
					t.Errorf("coordinator messages %q", m)
				}
			})
		})
	}
}

func TestMonthlyReport(t *testing.T) {
	st := testenv.SQLite(t)
	c := newCounty(t, st)
	c.checkIn(t, c.pA, domain.KindVisit, clock.Date(2026, 10, 3).Add(10*time.Hour))
	clk := clock.NewFake(clock.Date(2026, 11, 1))
	jobs := jobsByName(t, st, clk, defaults())
	res := run(t, jobs["report-monthly"], clk, clock.Date(2026, 11, 1).Add(8*time.Hour))
	rank := run(t, jobs["report-quarterly"], clk, clock.Date(2026, 10, 1).Add(8*time.Hour+10*time.Minute))
	cases := []struct {
		name  string
		to    domain.PersonID
		key   string
		wants []string
	}{
		{"coordinator gets October", c.coord, "report:monthly:2026-10:", []string{"月度督查通报", "2026年10月", "走访 1", "干部负担：2 位干部人均收到", "不要求即时回复"}},
		{"head gets October", c.head, "report:monthly:2026-10:", []string{"月度督查通报"}},
		{"quarterly report of Q3, outcomes and no ranking by default", c.coord, "report:quarterly:2026Q3:", []string{"季度通报", "户主确认走访", "户主异议"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := c.messages(t, tc.key, tc.to)
			if len(m) != 1 {
				t.Fatalf("messages %q", m)
			}
			for _, w := range tc.wants {
				if !contains(m, w) {
					t.Errorf("report lacks %q: %s", w, m[0])
				}
			}
		})
	}
	if res["reports"] != 2 || rank["reports"] != 2 {
		t.Errorf("counts %v %v, want 2 reports each", res, rank)
	}
}
