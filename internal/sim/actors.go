package sim

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"qinqi/internal/domain"
	"qinqi/store"
)

// kindWords are the chat keywords the cadres use, with how often each kind happens.
var kindWords = []struct {
	kind  domain.CheckInKind
	word  string
	share float64
	text  string
}{
	{domain.KindContact, "电话", 0.45, "问了家里近况"},
	{domain.KindVisit, "走访", 0.38, "看了看住房和身体"},
	{domain.KindPolicy, "讲政策", 0.07, "讲了医保报销"},
	{domain.KindWarmth, "送温暖", 0.06, "送米20斤 油2桶"},
	{domain.KindDeed, "办实事", 0.04, "帮忙修了水管"},
}

// nudgeDays is how long a reminder or alert makes a cadre more likely to get in touch.
const nudgeDays = 3

// live decides what happens today: real (or, for liars, invented) contacts and new requests.
func (w *World) live(d time.Time) {
	month := d.Format("2006-01")
	for _, p := range w.pairings {
		if !p.Active(d.Add(15 * time.Hour)) {
			continue
		}
		c := w.cadres[p.CadreID]
		rate := c.rate
		if !c.nudged.IsZero() && d.Sub(c.nudged) < nudgeDays*24*time.Hour {
			rate += 0.06
		}
		if !c.alerted.IsZero() && d.Sub(c.alerted) < nudgeDays*24*time.Hour {
			rate += 0.15
		}
		if w.rng.Float64() < rate {
			w.contact(d, p, c, month)
		}
		// households on chat send requests themselves; the others tell their cadre in person
		if head, ok := w.heads[p.HouseholdID]; ok && w.rng.Float64() < w.o.RequestsPerYear/365 {
			w.later(d, 0, action{kind: "request", from: head, pairing: p.ID})
		}
	}
}

func (w *World) contact(d time.Time, p store.Pairing, c *cadre, month string) {
	k := kindWords[len(kindWords)-1]
	x := w.rng.Float64()
	for _, kw := range kindWords {
		if x < kw.share {
			k = kw
			break
		}
		x -= kw.share
	}
	if !c.liar {
		if w.truth[p.ID] == nil {
			w.truth[p.ID] = map[string]int{}
		}
		w.truth[p.ID][month]++
		if w.rng.Float64() >= w.o.ReportProb {
			return // done but never reported
		}
	}
	delay := 0
	if w.rng.Float64() < w.o.LateShare {
		delay = 1 + w.rng.IntN(5)
	}
	w.later(d, delay, action{kind: "report", from: p.CadreID, pairing: p.ID, ck: k.kind, occur: d, text: k.word + " %s %s" + k.text})
}

// act carries out the day's pending actions in the order they were planned.
func (w *World) act(ctx context.Context, d, at time.Time) error {
	todo := w.pending[dayKey(d)]
	delete(w.pending, dayKey(d))
	for _, a := range todo {
		var err error
		switch a.kind {
		case "report":
			err = w.report1(ctx, d, a)
		case "request":
			err = w.request(ctx, d, a)
		case "accept", "resolve":
			err = w.handle(ctx, a)
		case "answer":
			err = w.answer(ctx, a)
		case "call":
			err = w.call(ctx, a)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// report1 sends one check-in by list number, with 昨天/前天/a date when it is late.
func (w *World) report1(ctx context.Context, d time.Time, a action) error {
	n := w.listNumber(a.from, a.pairing, d.Add(15*time.Hour))
	if n == 0 {
		return nil // the pairing ended (relay) before the cadre got round to reporting
	}
	var when string
	switch days := int(d.Sub(a.occur).Hours() / 24); {
	case days == 1:
		when = "昨天 "
	case days == 2:
		when = "前天 "
	case days > 2:
		when = fmt.Sprintf("%d月%d日 ", a.occur.Month(), a.occur.Day())
	}
	text := fmt.Sprintf(a.text, strconv.Itoa(n), when)
	replies, err := w.send(ctx, a.from, text)
	if err != nil {
		return err
	}
	if len(replies) == 0 || !strings.Contains(replies[0].Text, "已记录") {
		return fmt.Errorf("report %q was not saved: %v", text, replies)
	}
	w.tally.checkIn(a.occur.Format("2006-01"), a.ck)
	return nil
}

// listNumber is the pairing's number in the cadre's 我的亲戚 list (oldest pairing first), 0 when inactive.
func (w *World) listNumber(cadre domain.PersonID, pairing domain.PairingID, at time.Time) int {
	var mine []store.Pairing
	for _, p := range w.pairings {
		if p.CadreID == cadre && p.Active(at) {
			mine = append(mine, p)
		}
	}
	sort.SliceStable(mine, func(i, j int) bool {
		if !mine[i].StartOn.Equal(mine[j].StartOn) {
			return mine[i].StartOn.Before(mine[j].StartOn)
		}
		return mine[i].ID < mine[j].ID
	})
	for i, p := range mine {
		if p.ID == pairing {
			return i + 1
		}
	}
	return 0
}

var reRequestID = regexp.MustCompile(`编号(\d+)`)

// request sends a household request and plans the assignee's acceptance and resolution.
func (w *World) request(ctx context.Context, d time.Time, a action) error {
	cats := domain.RequestCategories
	cat := cats[w.rng.IntN(len(cats))]
	replies, err := w.send(ctx, a.from, "诉求 "+string(cat)+" 想请干部帮忙看看")
	if err != nil {
		return err
	}
	if len(replies) == 0 {
		return fmt.Errorf("request got no reply")
	}
	m := reRequestID.FindStringSubmatch(replies[0].Text)
	if m == nil {
		return fmt.Errorf("request not saved: %q", replies[0].Text)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	r, err := w.st.RequestByID(ctx, domain.RequestID(id))
	if err != nil {
		return err
	}
	w.tally.request(d.Format("2006-01"))
	who := domain.PersonID(0)
	if r.AssigneeID != nil {
		who = *r.AssigneeID
	}
	if who == 0 {
		return nil // nobody to handle it: the deadline job escalates it
	}
	ack := w.rng.IntN(3)            // 0–2 days: most within the day's deadline
	done := ack + 1 + w.rng.IntN(9) // resolved 1–9 days after acceptance
	w.later(d, ack, action{kind: "accept", from: who, req: r.ID})
	w.later(d, done, action{kind: "resolve", from: who, req: r.ID})
	return nil
}

func (w *World) handle(ctx context.Context, a action) error {
	text := fmt.Sprintf("办结 %d 已经联系相关部门办好了", a.req)
	if a.kind == "accept" {
		text = fmt.Sprintf("受理 %d", a.req)
	}
	_, err := w.send(ctx, a.from, text)
	return err
}

// deliver "sends" every new outbox message at once (the simulator stands in for the rate-limited
// sender) and lets the recipients react.
func (w *World) deliver(ctx context.Context, at time.Time) error {
	for {
		ms, err := w.st.OutboxAfter(ctx, w.lastSeen, 1000)
		if err != nil || len(ms) == 0 {
			return err
		}
		last := ms[len(ms)-1].ID
		for _, m := range ms {
			if err := w.react(ctx, m, at); err != nil {
				return err
			}
		}
		if err := w.st.MarkOutboxSentThrough(ctx, last, at); err != nil {
			return err
		}
		w.tally.messages(at.Format("2006-01"), len(ms))
		w.lastSeen = last
	}
}

func (w *World) react(ctx context.Context, m store.OutboxMessage, at time.Time) error {
	if m.PersonID == nil {
		return nil
	}
	to := *m.PersonID
	parts := strings.Split(m.Key, ":")
	switch {
	case parts[0] == "remind":
		if c := w.cadres[to]; c != nil {
			c.nudged = at
		}
	case parts[0] == "overdue":
		if c := w.cadres[to]; c != nil {
			c.alerted = at
		}
	case parts[0] == "spot" && len(parts) == 4, parts[0] == "confirm" && len(parts) == 3:
		w.question(to, at)
	case parts[0] == "callbacks" && len(parts) == 3:
		return w.callList(ctx, parts[1], at)
	}
	return nil
}
