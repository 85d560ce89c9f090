package policy_test

import (
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/policy"
	"qinqi/store"
)

func at(m time.Month, d int) time.Time { return clock.Date(2026, m, d).Add(10 * time.Hour) }

func TestEvaluate(t *testing.T) {
	eng := policy.New(config.Defaults().Frequency)
	plain := policy.Pairing{Start: clock.Date(2026, 1, 1)}
	monitored := policy.Pairing{Start: clock.Date(2026, 1, 1), Tags: store.MakeTags(store.TagDibao, store.TagMonitored)}
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
			[]policy.CheckIn{{store.KindVisit, at(11, 3)}, {store.KindContact, at(10, 3)}}, at(11, 20), false, false, time.Time{}, "本期已完成"},
		{"contact last month only: due, not overdue", plain,
			[]policy.CheckIn{{store.KindContact, at(10, 3)}, {store.KindVisit, at(10, 4)}}, at(11, 20), true, false, time.Time{}, "本月还需联系1次"},
		{"nothing since September: overdue since Nov 1", plain,
			[]policy.CheckIn{{store.KindVisit, at(9, 3)}}, at(11, 20), true, true, clock.Date(2026, 11, 1), "已逾期19天，本月还需联系1次，本季度还需走访1次"},
		{"a contact this month makes the missed month good", plain,
			[]policy.CheckIn{{store.KindVisit, at(8, 3)}, {store.KindContact, at(11, 2)}}, at(11, 20), true, false, time.Time{}, "本季度还需走访1次"},
		{"quarter without a visit: overdue since the quarter ended", plain,
			[]policy.CheckIn{{store.KindVisit, at(4, 3)}, {store.KindContact, at(10, 1)}, {store.KindContact, at(9, 1)}, {store.KindContact, at(11, 1)}},
			at(11, 20), true, true, clock.Date(2026, 10, 1), "已逾期50天，本季度还需走访1次"},
		{"new pairing is not overdue before its first period ends", policy.Pairing{Start: clock.Date(2026, 11, 10)},
			nil, at(11, 28), true, false, time.Time{}, "本月还需联系1次，本季度还需走访1次"},
		{"new pairing without contact is overdue once its first month ended", policy.Pairing{Start: clock.Date(2026, 10, 10)},
			[]policy.CheckIn{{store.KindVisit, at(10, 12)}}, at(12, 2), true, true, clock.Date(2026, 12, 1), "已逾期1天，本月还需联系1次"},
		{"never contacted: overdue since the first period ended", policy.Pairing{Start: clock.Date(2026, 9, 10)},
			nil, at(11, 5), true, true, clock.Date(2026, 10, 1), "已逾期35天，本月还需联系1次，本季度还需走访1次"},
		{"监测户 needs two a month", monitored,
			[]policy.CheckIn{{store.KindVisit, at(11, 2)}, {store.KindContact, at(10, 2)}, {store.KindContact, at(10, 20)}}, at(11, 10), true, false, time.Time{}, "本月还需联系1次"},
		{"监测户 with one contact last month is overdue", monitored,
			[]policy.CheckIn{{store.KindVisit, at(10, 2)}, {store.KindContact, at(11, 2)}}, at(11, 10), true, true, clock.Date(2026, 11, 1), "已逾期9天，本月还需联系1次"},
		{"future check-ins do not count", plain,
			[]policy.CheckIn{{store.KindVisit, at(11, 25)}, {store.KindVisit, at(10, 25)}}, at(11, 20), true, false, time.Time{}, "本月还需联系1次"},
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
		{"tag", policy.Pairing{Tags: store.MakeTags(store.TagMonitored)}, "month×2"},
		{"program beats tag", policy.Pairing{Program: "teach", Tags: store.MakeTags(store.TagMonitored)}, "week"},
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
