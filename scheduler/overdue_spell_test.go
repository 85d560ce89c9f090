package scheduler_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// day is 2026-m-d at 10:00 Beijing time.
func day(m time.Month, d int) time.Time { return clock.Date(2026, m, d).Add(10 * time.Hour) }

// ladderWorld runs the daily overdue scan over the fixture county and tells what the ladder did.
type ladderWorld struct {
	c     *county
	clk   *clock.Fake
	cfg   config.Config
	names map[domain.PairingID]string
	who   map[domain.PersonID]string
}

func newLadder(t *testing.T, st *store.Store, freq config.Frequency) *ladderWorld {
	c := newCounty(t, st)
	cfg := defaults()
	cfg.Frequency = freq
	l := &ladderWorld{c: c, clk: clock.NewFake(clock.Date(2026, 1, 1)), cfg: cfg,
		who: map[domain.PersonID]string{c.k1: "K1", c.k2: "K2", c.coord: "coordinator", c.head: "head"}}
	l.relabel(t)
	return l
}

// relabel names every pairing by its household head (relays add pairings).
func (l *ladderWorld) relabel(t *testing.T) {
	t.Helper()
	ps, err := l.c.st.AllPairings(context.Background())
	must(t, err)
	names := map[domain.HouseholdID]string{l.c.hhA: "王一", l.c.hhB: "王二", l.c.hhC: "李三"}
	l.names = map[domain.PairingID]string{}
	for _, p := range ps {
		l.names[p.ID] = names[p.HouseholdID]
	}
}

// scan runs the scan at 08:30 of every day in [from, to], calling before(d) first (nil allowed).
func (l *ladderWorld) scan(t *testing.T, from, to time.Time, before func(time.Time)) {
	t.Helper()
	job := jobsByName(t, l.c.st, l.clk, l.cfg)["overdue-scan"]
	for d := clock.Day(from); !d.After(clock.Day(to)); d = d.AddDate(0, 0, 1) {
		if before != nil {
			before(d)
		}
		run(t, job, l.clk, d.Add(8*time.Hour+30*time.Minute))
	}
}

// events lists what happened, by day: "03-04 coordinator 王二" for an alert raised, "04-11 ended 王二 → head"
// for a spell-ended notice.
func (l *ladderWorld) events(t *testing.T) []string {
	t.Helper()
	ctx := context.Background()
	as, err := l.c.st.Alerts(ctx, time.Time{}, time.Time{})
	must(t, err)
	type event struct {
		at   time.Time
		text string
	}
	var evs []event
	add := func(at time.Time, format string, args ...any) {
		at = clock.Day(at)
		evs = append(evs, event{at, at.Format("01-02 ") + fmt.Sprintf(format, args...)})
	}
	for _, a := range as {
		add(a.CreatedAt, "%s %s", a.Level, l.names[a.PairingID])
	}
	ms, err := l.c.st.OutboxWithPrefix(ctx, "overdue:")
	must(t, err)
	for _, m := range ms {
		if i := strings.Index(m.Text, "【逾期已解除】"); i >= 0 {
			for _, line := range strings.Split(m.Text[i:], "\n")[1:] {
				add(m.CreatedAt, "ended %s → %s", strings.SplitN(strings.SplitN(line, "→ ", 2)[1], "：", 2)[0], l.who[*m.PersonID])
			}
		}
	}
	sort.Slice(evs, func(i, j int) bool {
		if !evs[i].at.Equal(evs[j].at) {
			return evs[i].at.Before(evs[j].at)
		}
		return evs[i].text < evs[j].text
	})
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.text
	}
	return out
}

func same(got, want []string) bool { return strings.Join(got, "|") == strings.Join(want, "|") }

// TestOverdueSpells: one alert per level per overdue spell, for rules asking one or several contacts a
// period, new pairings, relays and leave. Each case lists everything the ladder did in the months run.
func TestOverdueSpells(t *testing.T) {
	monthly := []config.Rule{{Period: "month", Count: 1}}
	cases := []struct {
		name  string
		freq  config.Frequency
		setup func(t *testing.T, l *ladderWorld)
		from  time.Time
		to    time.Time
		daily func(t *testing.T, l *ladderWorld, d time.Time)
		want  []string
	}{
		{
			name: "two a month, one contact each month: one spell, each level once, no restart each month",
			freq: config.Frequency{Default: monthly, ByTag: map[string][]config.Rule{"监测户": {{Period: "month", Count: 2}}}},
			setup: func(t *testing.T, l *ladderWorld) {
				for m := time.January; m <= time.June; m++ {
					l.c.checkIn(t, l.c.pA, domain.KindContact, day(m, 5))
					l.c.checkIn(t, l.c.pB, domain.KindContact, day(m, 5))
					l.c.checkIn(t, l.c.pC, domain.KindContact, day(m, 5))
				}
				l.c.checkIn(t, l.c.pB, domain.KindContact, day(1, 20)) // January is satisfied, February is not
			},
			from: day(2, 1), to: day(6, 30),
			want: []string{"03-01 cadre 王二", "03-04 coordinator 王二", "03-08 head 王二"},
		},
		{
			name: "a pairing made on 03-31 under a quarterly visit rule reaches nobody in April",
			freq: config.Frequency{Default: []config.Rule{{Period: "quarter", Count: 1, Kinds: []string{"visit"}}}},
			setup: func(t *testing.T, l *ladderWorld) {
				must(t, l.c.st.UpsertPairings(context.Background(), []store.Pairing{{Code: "PC", CadreID: l.c.k2, HouseholdID: l.c.hhC, StartOn: clock.Date(2026, 3, 31)}}))
				l.c.checkIn(t, l.c.pA, domain.KindVisit, day(3, 2))
				l.c.checkIn(t, l.c.pB, domain.KindVisit, day(3, 2))
			},
			from: day(4, 1), to: day(4, 30),
			want: nil,
		},
		{
			name: "a contact ends the spell: the coordinator and the head hear it once, the next missed month is a new spell",
			freq: config.Frequency{Default: monthly},
			setup: func(t *testing.T, l *ladderWorld) {
				l.c.checkIn(t, l.c.pB, domain.KindContact, day(10, 1))
				l.c.checkIn(t, l.c.pC, domain.KindContact, day(10, 1))
				l.c.checkIn(t, l.c.pA, domain.KindContact, day(9, 1))
			},
			from: day(11, 1), to: clock.Date(2027, 1, 5),
			daily: func(t *testing.T, l *ladderWorld, d time.Time) {
				if d.Equal(clock.Date(2026, 11, 10)) {
					l.c.checkIn(t, l.c.pA, domain.KindContact, day(11, 9)) // a visit yesterday, reported this morning
					l.c.checkIn(t, l.c.pB, domain.KindContact, day(11, 9))
					l.c.checkIn(t, l.c.pC, domain.KindContact, day(11, 9))
				}
			},
			want: []string{"11-01 cadre 王一", "11-04 coordinator 王一", "11-08 head 王一",
				"11-10 ended 王一 → coordinator", "11-10 ended 王一 → head",
				"01-01 cadre 李三", "01-01 cadre 王一", "01-01 cadre 王二", "01-04 coordinator 李三", "01-04 coordinator 王一", "01-04 coordinator 王二"},
		},
		{
			name: "a relay ends the old pairings' spells; the new cadre is judged on the chain, the ladder counts from the relay",
			freq: config.Frequency{Default: monthly},
			setup: func(t *testing.T, l *ladderWorld) {
				l.c.checkIn(t, l.c.pA, domain.KindContact, day(9, 1))
				l.c.checkIn(t, l.c.pB, domain.KindContact, day(10, 1))
				l.c.checkIn(t, l.c.pC, domain.KindContact, day(10, 1))
			},
			from: day(11, 1), to: day(12, 3),
			daily: func(t *testing.T, l *ladderWorld, d time.Time) {
				if d.Equal(clock.Date(2026, 11, 20)) { // K1's two households go to K2, 王一 unvisited since September
					_, err := l.c.st.RelayPairings(context.Background(), store.Relay{From: l.c.k1, To: l.c.k2, Actor: l.c.coord, At: d}, nil)
					must(t, err)
					l.c.checkIn(t, l.c.pC, domain.KindContact, day(11, 20))
					l.relabel(t)
				}
			},
			want: []string{"11-01 cadre 王一", "11-04 coordinator 王一", "11-08 head 王一",
				"11-20 cadre 王一", "11-20 ended 王一 → coordinator", "11-20 ended 王一 → head",
				"11-23 coordinator 王一", "11-27 head 王一", "12-01 cadre 王二"},
		},
		{
			name: "leave: the coordinator hears at once, the cadre after the leave, each once",
			freq: config.Frequency{Default: monthly},
			setup: func(t *testing.T, l *ladderWorld) {
				l.c.checkIn(t, l.c.pA, domain.KindContact, day(10, 1))
				l.c.checkIn(t, l.c.pB, domain.KindContact, day(10, 1))
				l.c.checkIn(t, l.c.pC, domain.KindContact, day(9, 1))
				_, err := l.c.st.AddLeave(context.Background(), store.Leave{PersonID: l.c.k2, FromOn: clock.Date(2026, 10, 25), ToOn: clock.Date(2026, 11, 5)})
				must(t, err)
			},
			from: day(11, 1), to: day(11, 30),
			daily: func(t *testing.T, l *ladderWorld, d time.Time) {
				for _, p := range []domain.PairingID{l.c.pA, l.c.pB} {
					if d.Day() == 2 {
						l.c.checkIn(t, p, domain.KindContact, d.Add(7*time.Hour))
					}
				}
			},
			want: []string{"11-01 coordinator 李三", "11-06 cadre 李三", "11-08 head 李三"},
		},
	}
	for _, b := range testenv.Backends() {
		for _, tc := range cases {
			t.Run(b.Name+"/"+tc.name, func(t *testing.T) {
				l := newLadder(t, b.Open(t), tc.freq)
				tc.setup(t, l)
				l.relabel(t)
				var daily func(time.Time)
				if tc.daily != nil {
					daily = func(d time.Time) { tc.daily(t, l, d) }
				}
				l.scan(t, tc.from, tc.to, daily)
				if got := l.events(t); !same(got, tc.want) {
					t.Errorf("ladder did\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
				}
			})
		}
	}
}

// TestOverdueDaysDoNotReset: under a rule asking two contacts a month, a cadre who makes one a month
// stays in one spell whose age keeps growing (the old code reset "已逾期N天" to 0 each month).
func TestOverdueDaysDoNotReset(t *testing.T) {
	l := newLadder(t, testenv.SQLite(t), config.Frequency{Default: []config.Rule{{Period: "month", Count: 2}}})
	for m := time.January; m <= time.April; m++ {
		l.c.checkIn(t, l.c.pB, domain.KindContact, day(m, 5))
	}
	l.c.checkIn(t, l.c.pB, domain.KindContact, day(1, 20))
	l.scan(t, day(4, 20), day(4, 20), nil)
	if m := l.c.messages(t, "overdue:20260420:", l.c.coord); len(m) != 1 || !contains(m, "王二：2月28日到期未完成，已逾期50天") {
		t.Errorf("coordinator digest %q, want 王二 overdue 50 days (since March 1)", m)
	}
}

// TestGoLive: a county that starts with its history on paper. Pairings began in January; the visits
// typed up from the 走访台账 show 王一 contacted every month, 王二 last in August, 李三 never. The
// sheets are imported on the morning of 11-03. Nothing goes past the cadre on day one.
func TestGoLive(t *testing.T) {
	imported := func(l *ladderWorld, at time.Time) {
		must(t, l.c.st.Audit(context.Background(), store.AuditEntry{Action: store.ActUpsert, Entity: "sheet:visits", At: at}))
	}
	cases := []struct {
		name  string
		start string // escalation.start
		to    time.Time
		daily func(l *ladderWorld, d time.Time)
		want  []string
	}{
		{"default go-live is the import day: cadres first, coordinators 3 days later, heads 7", "", day(11, 12), nil,
			[]string{"11-03 cadre 李三", "11-03 cadre 王二", "11-06 coordinator 李三", "11-06 coordinator 王二", "11-10 head 李三", "11-10 head 王二"}},
		{"escalation.start later than the import: nothing past the cadre before it", "2026-11-20", day(11, 26), nil,
			[]string{"11-03 cadre 李三", "11-03 cadre 王二", "11-23 coordinator 李三", "11-23 coordinator 王二"}},
		{"an import in the middle of the ladder holds the head back from that day", "", day(11, 16),
			func(l *ladderWorld, d time.Time) {
				if d.Equal(clock.Date(2026, 11, 8)) {
					imported(l, d.Add(7*time.Hour))
				}
			},
			[]string{"11-03 cadre 李三", "11-03 cadre 王二", "11-06 coordinator 李三", "11-06 coordinator 王二", "11-15 head 李三", "11-15 head 王二"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := newLadder(t, testenv.SQLite(t), config.Frequency{Default: []config.Rule{{Period: "month", Count: 1}}})
			l.cfg.Escalation.Start = tc.start
			for m := time.January; m <= time.October; m++ {
				l.c.checkIn(t, l.c.pA, domain.KindContact, day(m, 5))
				if m <= time.August {
					l.c.checkIn(t, l.c.pB, domain.KindContact, day(m, 5))
				}
			}
			imported(l, clock.Date(2026, 11, 3).Add(7*time.Hour))
			var daily func(time.Time)
			if tc.daily != nil {
				daily = func(d time.Time) { tc.daily(l, d) }
			}
			l.scan(t, day(11, 3), tc.to, daily)
			if got := l.events(t); !same(got, tc.want) {
				t.Errorf("ladder did\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
			if m := l.c.messages(t, "overdue:20261103:", l.c.k2); len(m) != 1 || !contains(m, "李三（1月31日到期未完成，已逾期275天") {
				t.Errorf("K2's day-one reminder %q, want the real age of the spell (since Feb 1)", m)
			}
		})
	}
}
