package seed

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

// The diary history (Options.History) walks back month by month from the end of each pairing's time
// (Options.Until, or its end): a contact every month (two for 监测户, whose rules ask for two), a visit in
// the middle month of each quarter, now and then a policy talk, a delivery or a practical deed, until
// about History entries are written or the pairing's start is reached. A few pairings went quiet one
// to three months before Until, so a scan on Until finds some overdue, as a real county would.
const (
	historyPage  = 2000 // pairings per page read and per transaction written
	shareQuiet   = 0.08 // pairings whose diary stops 1–3 months before Until
	shareExtra   = 0.12 // months with one extra policy/warmth/deed entry
	historySpan  = 0.4  // each pairing writes History × [0.8, 1.2) entries
	progressTick = 5 * time.Second
)

var historyNotes = map[domain.CheckInKind][]string{
	domain.KindContact: {"问了身体和吃药情况，药还够", "问候了一下，家里一切正常", "提醒按时缴纳医保", "问了孩子学习情况", "聊了天气和庄稼"},
	domain.KindVisit:   {"上门看了房子，冬天的煤已经备好", "到家里坐了坐，老人身体还行", "看了看圈里的猪，长势不错", "帮忙检查了电线"},
	domain.KindPolicy:  {"讲了医保缴费时间", "讲了产业奖补政策", "讲了教育资助申请办法"},
	domain.KindWarmth:  {"送去慰问品", "送去米和油"},
	domain.KindDeed:    {"帮忙联系了村医上门量血压", "帮忙申请了危房改造", "帮忙卖了两百斤土豆"},
}

// history writes the diary of every pairing that has none yet, pages of pairings in parallel.
func (g *gen) history(ctx context.Context) error {
	if g.o.History <= 0 {
		return nil
	}
	h := &historyRun{o: g.o, st: g.st, started: time.Now()}
	if err := h.prepare(ctx); err != nil {
		return err
	}
	pages := make(chan []store.CheckIn, g.o.Workers)
	var wg sync.WaitGroup
	errs := make(chan error, g.o.Workers+1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range g.o.Workers {
		wg.Go(func() {
			for rows := range pages {
				if err := g.st.Tx(ctx, func(tx *store.Store) error { return tx.BulkInsertCheckIns(ctx, rows) }); err != nil {
					errs <- fmt.Errorf("seed: history: %w", err)
					cancel()
					return
				}
				h.done(len(rows))
			}
		})
	}
	err := h.produce(ctx, pages)
	close(pages)
	wg.Wait()
	close(errs)
	if e, ok := <-errs; ok {
		return e // the first writer error explains the producer's cancellation
	}
	if err != nil {
		return err
	}
	h.report(true)
	return h.indexes(ctx)
}

// prepare drops the check-in indexes when the table is empty (a fresh load; see
// store.DropCheckInIndexes), and otherwise makes sure they exist, since resuming asks which pairings
// already have a diary.
func (h *historyRun) prepare(ctx context.Context) error {
	has, err := h.st.HasCheckIns(ctx)
	if err != nil {
		return err
	}
	if has {
		return h.indexes(ctx)
	}
	h.fresh = true
	dropped, err := h.st.DropCheckInIndexes(ctx)
	if err == nil && h.o.Progress != nil && len(dropped) > 0 {
		fmt.Fprintf(h.o.Progress, "history: check-in indexes dropped for the load (rebuilt at the end): %v\n", dropped)
	}
	return err
}

// indexes builds the check-in indexes the table lacks, by sorting.
func (h *historyRun) indexes(ctx context.Context) error {
	began := time.Now()
	made, err := h.st.EnsureCheckInIndexes(ctx)
	if err != nil {
		return fmt.Errorf("seed: history: %w", err)
	}
	if h.o.Progress != nil && len(made) > 0 {
		fmt.Fprintf(h.o.Progress, "history: %d check-in indexes built in %.0f s\n", len(made), time.Since(began).Seconds())
	}
	return nil
}

// historyRun is one history load: its options and progress counters.
type historyRun struct {
	o       Options
	st      *store.Store
	started time.Time
	fresh   bool // the table was empty: no pairing has a diary yet
	rows    atomic.Int64
	mu      sync.Mutex
	printed time.Time
}

// produce pages through the pairings and hands each page's diary to the writers.
func (h *historyRun) produce(ctx context.Context, pages chan<- []store.CheckIn) error {
	var last domain.PairingID
	for {
		ps, err := h.st.PairingsAfter(ctx, last, historyPage)
		if err != nil || len(ps) == 0 {
			return err
		}
		last = ps[len(ps)-1].ID
		have := map[domain.PairingID]bool{}
		if !h.fresh {
			if have, err = h.st.PairingsWithCheckIns(ctx, ps[0].ID, last); err != nil {
				return err
			}
		}
		var rows []store.CheckIn
		for _, p := range ps {
			if !have[p.ID] {
				rows = append(rows, Diary(p, h.o)...)
			}
		}
		if len(rows) > 0 {
			select {
			case pages <- rows:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if len(ps) < historyPage {
			return nil
		}
	}
}

func (h *historyRun) done(n int) {
	h.rows.Add(int64(n))
	h.report(false)
}

// report prints the rows written so far and the rate, at most every progressTick unless final.
func (h *historyRun) report(final bool) {
	if h.o.Progress == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	if !final && now.Sub(h.printed) < progressTick {
		return
	}
	h.printed = now
	n, secs := h.rows.Load(), now.Sub(h.started).Seconds()
	label := "history"
	if final {
		label = "history done"
	}
	fmt.Fprintf(h.o.Progress, "%s: %d check-ins in %.0f s (%.0f rows/s)\n", label, n, secs, float64(n)/max(secs, 1e-9))
}

// Diary is the synthetic history of one pairing under o (History, Until, Seed): the same pairing code
// and options always give the same entries, whatever order or batch the pairings are written in.
func Diary(p store.PairingPage, o Options) []store.CheckIn {
	r := rand.New(rand.NewPCG(uint64(o.Seed), codeHash(p.Code)))
	end := o.Until
	if p.EndOn != nil && p.EndOn.Before(end) {
		end = *p.EndOn
	}
	if !end.After(p.StartOn) {
		return nil
	}
	perMonth := 1
	if p.Tags.Has(domain.TagMonitored) {
		perMonth = 2
	}
	n := max(1, int(float64(o.History)*(1-historySpan/2+historySpan*r.Float64())+0.5))
	last := end.Add(-time.Nanosecond)
	month := clock.Date(last.Year(), last.Month(), 1)
	if r.Float64() < shareQuiet {
		month = month.AddDate(0, -(1 + r.IntN(3)), 0)
	}
	var out []store.CheckIn
	for ; len(out) < n; month = month.AddDate(0, -1, 0) {
		lo, hi := later(month, p.StartOn), earlier(month.AddDate(0, 1, 0), end)
		if !month.AddDate(0, 1, 0).After(p.StartOn) {
			break
		}
		if !hi.After(lo) {
			continue
		}
		for k := 0; k < perMonth && len(out) < n; k++ {
			kind := domain.KindContact
			if k == 0 && month.Month()%3 == 2 {
				kind = domain.KindVisit
			}
			out = append(out, entry(r, p, kind, lo, hi))
		}
		if len(out) < n && r.Float64() < shareExtra {
			out = append(out, entry(r, p, extraKind(r, month.Month()), lo, hi))
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].OccurredAt.Before(out[b].OccurredAt) })
	return out
}

// extraKind: deliveries cluster before the Spring Festival and the Mid-Autumn festival.
func extraKind(r *rand.Rand, m time.Month) domain.CheckInKind {
	if (m == time.January || m == time.February || m == time.September) && r.IntN(2) == 0 {
		return domain.KindWarmth
	}
	return []domain.CheckInKind{domain.KindPolicy, domain.KindDeed}[r.IntN(2)]
}

// entry is one diary row on a random day in [lo, hi) during working hours.
func entry(r *rand.Rand, p store.PairingPage, kind domain.CheckInKind, lo, hi time.Time) store.CheckIn {
	days := max(1, int(hi.Sub(clock.Day(lo)).Hours()/24))
	at := clock.Day(lo).AddDate(0, 0, r.IntN(days)).Add(8*time.Hour + time.Duration(r.IntN(11*60))*time.Minute)
	if at.Before(lo) {
		at = lo
	}
	if !at.Before(hi) {
		at = hi.Add(-time.Minute)
	}
	c := store.CheckIn{PairingID: p.ID, CadreID: p.CadreID, HouseholdID: p.HouseholdID, Kind: kind, Mode: domain.ModeInPerson,
		OccurredAt: at, ReportedAt: at.Add(time.Duration(r.IntN(180)) * time.Minute)}
	notes := historyNotes[kind]
	c.Text = notes[r.IntN(len(notes))]
	switch kind {
	case domain.KindContact:
		c.Mode = []domain.ContactMode{domain.ModePhone, domain.ModePhone, domain.ModeWeChat, domain.ModeInPerson}[r.IntN(4)]
	case domain.KindVisit:
		c.Place = "户家中"
	case domain.KindWarmth:
		c.Items, c.ValueFen = "米×20斤;油×1桶", int64(100+r.IntN(4)*50)*100
	case domain.KindDeed:
		c.ValueFen = int64(r.IntN(3)) * 5000
	}
	return c
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func codeHash(code string) uint64 {
	h := fnv.New64a()
	_, _ = io.WriteString(h, code)
	return h.Sum64()
}
