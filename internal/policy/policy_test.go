package policy_test

import (
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/policy"
)

func at(m time.Month, d int) time.Time { return clock.Date(2026, m, d).Add(10 * time.Hour) }

func TestEvaluate(t *testing.T) {
	eng := policy.New(config.Defaults().Frequency)
	plain := policy.Pairing{Start: clock.Date(2026, 1, 1)}
	monitored := policy.Pairing{Start: clock.Date(2026, 1, 1), Tags: domain.MakeTags(domain.TagDibao, domain.TagMonitored)}
	cases := []struct {
		name    string
		p       policy.Pairing
		cs      []policy.CheckIn
		now     time.Time
		due     bool
		overdue bool
		since   time.Time
		summary string
	}{
		{"contact and visit this month: nothing due", plain,
			[]policy.CheckIn{{domain.KindVisit, at(11, 3)}, {domain.KindContact, at(10, 3)}}, at(11, 20), false, false, time.Time{}, "本期已完成"},
		{"contact last month only: due, not overdue", plain,
			[]policy.CheckIn{{domain.KindContact, at(10, 3)}, {domain.KindVisit, at(10, 4)}}, at(11, 20), true, false, time.Time{}, "本月还需联系1次"},
		{"nothing since September: overdue since October ended short", plain,
			[]policy.CheckIn{{domain.KindVisit, at(9, 3)}}, at(11, 20), true, true, clock.Date(2026, 11, 1), "10月31日到期未完成，已逾期19天，本月还需联系1次，本季度还需走访1次"},
		{"a contact this month makes the missed month good", plain,
			[]policy.CheckIn{{domain.KindVisit, at(8, 3)}, {domain.KindContact, at(11, 2)}}, at(11, 20), true, false, time.Time{}, "本季度还需走访1次"},
		{"quarter without a visit: overdue since the quarter ended", plain,
			[]policy.CheckIn{{domain.KindVisit, at(4, 3)}, {domain.KindContact, at(10, 1)}, {domain.KindContact, at(9, 1)}, {domain.KindContact, at(11, 1)}},
			at(11, 20), true, true, clock.Date(2026, 10, 1), "9月30日到期未完成，已逾期50天，本季度还需走访1次"},
		{"new pairing is not overdue before its first period ends", policy.Pairing{Start: clock.Date(2026, 11, 10)},
			nil, at(11, 28), true, false, time.Time{}, "本月还需联系1次，本季度还需走访1次"},
		{"new pairing without contact is overdue once its first month ended", policy.Pairing{Start: clock.Date(2026, 10, 10)},
			[]policy.CheckIn{{domain.KindVisit, at(10, 12)}}, at(12, 2), true, true, clock.Date(2026, 12, 1), "11月30日到期未完成，已逾期1天，本月还需联系1次"},
		{"never contacted: overdue since the first (prorated) month ended", policy.Pairing{Start: clock.Date(2026, 9, 10)},
			nil, at(11, 5), true, true, clock.Date(2026, 10, 1), "9月30日到期未完成，已逾期35天，本月还需联系1次，本季度还需走访1次"},
		{"监测户 needs two a month", monitored,
			[]policy.CheckIn{{domain.KindVisit, at(11, 2)}, {domain.KindContact, at(10, 2)}, {domain.KindContact, at(10, 20)}}, at(11, 10), true, false, time.Time{}, "本月还需联系1次"},
		{"监测户 with one contact last month is overdue since October ended", monitored,
			[]policy.CheckIn{{domain.KindContact, at(9, 2)}, {domain.KindContact, at(9, 20)}, {domain.KindVisit, at(10, 2)}, {domain.KindContact, at(11, 2)}},
			at(11, 10), true, true, clock.Date(2026, 11, 1), "10月31日到期未完成，已逾期9天，本月还需联系1次"},
		{"future check-ins do not count", plain,
			[]policy.CheckIn{{domain.KindVisit, at(11, 25)}, {domain.KindVisit, at(10, 25)}}, at(11, 20), true, false, time.Time{}, "本月还需联系1次"},
		{"check-ins before the pairing started do not count", policy.Pairing{Start: clock.Date(2026, 10, 1)},
			[]policy.CheckIn{{domain.KindVisit, at(9, 25)}}, at(11, 20), true, true, clock.Date(2026, 11, 1), "10月31日到期未完成，已逾期19天，本月还需联系1次，本季度还需走访1次"},
		{"not started yet: nothing owed", policy.Pairing{Start: clock.Date(2026, 12, 1)},
			nil, at(11, 20), false, false, time.Time{}, "本期已完成"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := eng.Evaluate(c.p, c.cs, c.now)
			if st.Due != c.due || st.Overdue != c.overdue || !st.OverdueSince.Equal(c.since) {
				t.Errorf("due=%v overdue=%v since=%v, want due=%v overdue=%v since=%v", st.Due, st.Overdue, st.OverdueSince, c.due, c.overdue, c.since)
			}
			if got := st.Summary(c.now); got != c.summary {
				t.Errorf("summary %q, want %q", got, c.summary)
			}
		})
	}
}

// TestSpellDate follows pairings day by day and checks the date of their overdue spell: fixed for
// as long as they stay overdue, moved only by a check-in that satisfies a period.
func TestSpellDate(t *testing.T) {
	monthly := []config.Rule{{Period: policy.Month, Count: 1}}
	twice := []config.Rule{{Period: policy.Month, Count: 2}}
	quarterly := []config.Rule{{Period: policy.Quarter, Count: 1, Kinds: []string{"visit"}}}
	weekly := []config.Rule{{Period: policy.Week, Count: 1}}
	type check struct {
		now   time.Time
		since time.Time // zero: not overdue
	}
	cases := []struct {
		name   string
		rules  []config.Rule
		start  time.Time
		cs     []policy.CheckIn
		checks []check
	}{
		{"two a month, one each month: one spell from the first short month, not a new one each month", twice, clock.Date(2026, 1, 1),
			[]policy.CheckIn{{domain.KindContact, at(1, 5)}, {domain.KindContact, at(1, 20)}, {domain.KindContact, at(2, 5)},
				{domain.KindContact, at(3, 5)}, {domain.KindContact, at(4, 5)}, {domain.KindContact, at(5, 5)}},
			[]check{{at(2, 20), time.Time{}}, {at(3, 2), clock.Date(2026, 3, 1)}, {at(4, 8), clock.Date(2026, 3, 1)},
				{at(5, 8), clock.Date(2026, 3, 1)}, {at(6, 2), clock.Date(2026, 3, 1)}}},
		{"two a month: the second contact of the month ends the spell, the next short month starts a new one", twice, clock.Date(2026, 1, 1),
			[]policy.CheckIn{{domain.KindContact, at(1, 5)}, {domain.KindContact, at(1, 20)}, {domain.KindContact, at(2, 5)},
				{domain.KindContact, at(3, 5)}, {domain.KindContact, at(3, 9)}, {domain.KindContact, at(4, 5)}},
			[]check{{at(3, 6), clock.Date(2026, 3, 1)}, {at(3, 10), time.Time{}}, {at(4, 20), time.Time{}}, {at(5, 3), clock.Date(2026, 5, 1)}}},
		{"pairing made on 03-31 owes nothing for March nor Q1", quarterly, clock.Date(2026, 3, 31), nil,
			[]check{{at(4, 8), time.Time{}}, {at(6, 30), time.Time{}}, {at(7, 1), clock.Date(2026, 7, 1)}}},
		{"pairing made on 03-31 owes nothing for March", monthly, clock.Date(2026, 3, 31), nil,
			[]check{{at(4, 8), time.Time{}}, {at(5, 1), clock.Date(2026, 5, 1)}}},
		{"pairing made on 03-16 owes March's contact (16 of 31 days)", monthly, clock.Date(2026, 3, 16), nil,
			[]check{{at(3, 31), time.Time{}}, {at(4, 1), clock.Date(2026, 4, 1)}, {at(6, 1), clock.Date(2026, 4, 1)}}},
		{"pairing made on 03-17 owes nothing for March (15 of 31 days)", monthly, clock.Date(2026, 3, 17), nil,
			[]check{{at(4, 8), time.Time{}}, {at(5, 1), clock.Date(2026, 5, 1)}}},
		{"weekly rule, a year without contact: the spell dates from the first week", weekly, clock.Date(2025, 1, 6), nil,
			[]check{{at(11, 20), clock.Date(2025, 1, 13)}}},
		{"February missed, March made good, April missed: the spell dates from April's deadline", monthly, clock.Date(2026, 1, 1),
			[]policy.CheckIn{{domain.KindContact, at(1, 5)}, {domain.KindContact, at(3, 5)}},
			[]check{{at(3, 2), clock.Date(2026, 3, 1)}, {at(5, 2), clock.Date(2026, 5, 1)}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eng := policy.New(config.Frequency{Default: c.rules})
			for _, ck := range c.checks {
				var known []policy.CheckIn
				for _, ci := range c.cs {
					if !ci.At.After(ck.now) {
						known = append(known, ci)
					}
				}
				st := eng.Evaluate(policy.Pairing{Start: c.start}, known, ck.now)
				if st.Overdue != !ck.since.IsZero() || !st.OverdueSince.Equal(ck.since) {
					t.Errorf("on %s: overdue=%v since %s, want since %s", ck.now.Format("01-02"), st.Overdue,
						st.OverdueSince.Format(time.DateOnly), ck.since.Format(time.DateOnly))
				}
			}
		})
	}
}

func TestRulesPrecedence(t *testing.T) {
	cfg := config.Defaults().Frequency
	cfg.ByProgram = map[string][]config.Rule{"teach": {{Period: policy.Week, Count: 1}}}
	eng := policy.New(cfg)
	cases := []struct {
		name string
		p    policy.Pairing
		want string
	}{
		{"default", policy.Pairing{}, "month"},
		{"tag", policy.Pairing{Tags: domain.MakeTags(domain.TagMonitored)}, "month×2"},
		{"program beats tag", policy.Pairing{Program: "teach", Tags: domain.MakeTags(domain.TagMonitored)}, "week"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs := eng.Rules(c.p)
			got := rs[0].Period
			if rs[0].Count > 1 {
				got += "×2"
			}
			if got != c.want {
				t.Errorf("first rule %s, want %s", got, c.want)
			}
		})
	}
}

func TestPeriodOf(t *testing.T) {
	cases := []struct {
		name, period string
		t            time.Time
		start, end   time.Time
	}{
		{"week starts Monday", policy.Week, at(11, 22), clock.Date(2026, 11, 16), clock.Date(2026, 11, 23)},
		{"first half", policy.HalfMonth, at(2, 15), clock.Date(2026, 2, 1), clock.Date(2026, 2, 16)},
		{"second half of February", policy.HalfMonth, at(2, 16), clock.Date(2026, 2, 16), clock.Date(2026, 3, 1)},
		{"month", policy.Month, at(12, 31), clock.Date(2026, 12, 1), clock.Date(2027, 1, 1)},
		{"quarter", policy.Quarter, at(8, 31), clock.Date(2026, 7, 1), clock.Date(2026, 10, 1)},
		{"UTC input uses the Shanghai day", policy.Month, time.Date(2026, 10, 31, 17, 0, 0, 0, time.UTC), clock.Date(2026, 11, 1), clock.Date(2026, 12, 1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, e := policy.PeriodOf(c.period, c.t)
			if !s.Equal(c.start) || !e.Equal(c.end) {
				t.Errorf("got [%v, %v), want [%v, %v)", s, e, c.start, c.end)
			}
		})
	}
}

func TestLookback(t *testing.T) {
	eng := policy.New(config.Defaults().Frequency)
	if got, want := eng.Lookback(at(11, 20)), clock.Date(2026, 7, 1); !got.Equal(want) {
		t.Errorf("lookback %v, want %v (start of the previous quarter)", got, want)
	}
}

// TestSummaryNamesTheDeadline: the overdue part names the missed deadline (the last day of the
// period that fell short), with its year only when that is more than half a year back.
func TestSummaryNamesTheDeadline(t *testing.T) {
	st := policy.Status{Overdue: true, OverdueSince: clock.Date(2026, 11, 1)}
	for _, c := range []struct {
		now  time.Time
		want string
	}{
		{clock.Date(2026, 11, 1).Add(9 * time.Hour), "10月31日到期未完成"},
		{clock.Date(2026, 11, 2), "10月31日到期未完成，已逾期1天"},
		{clock.Date(2027, 1, 20), "10月31日到期未完成，已逾期80天"},
		{clock.Date(2027, 6, 1), "2026年10月31日到期未完成，已逾期212天"},
	} {
		if got := st.Summary(c.now); got != c.want {
			t.Errorf("at %s: %q, want %q", c.now.Format(time.DateOnly), got, c.want)
		}
	}
}
