package scheduler

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/policy"
	"qinqi/store"
)

// OverdueScan is the daily overdue scan and escalation ladder. Its rules (when a pairing is overdue
// and since when is policy.Evaluate's business):
//
//   - A spell is the run of scans that find a pairing overdue; the first scan that finds it no longer
//     overdue (a check-in satisfied a period, or the pairing ended) closes it.
//   - In a spell the cadre is reminded at once; the unit's coordinators once the spell is
//     CoordinatorAfterDays old, the unit head at HeadAfterDays. A cadre on leave is not reminded:
//     their overdue households go to the coordinators at once.
//   - Go-live guard: past the cadre, days count from the latest of the spell's date, escalation.start
//     (by default the day of the first sheet import) and the day of the latest sheet import. So before
//     go-live nothing goes past the cadre, and no scan tells a coordinator or head about periods that
//     ended before the sheets it judged them by were loaded: after an import (visits typed up from
//     paper, pairings made last spring) the cadre hears first and has the ladder's days to answer.
//   - Relays (接力): a relayed pairing is judged on the household's whole chain, from the first
//     pairing's start and with every earlier cadre's check-ins, so the old cadre's last visit still
//     satisfies its period and the new cadre owes nothing the household already had. Past the
//     cadre, days count from no earlier than the relay day: a household that was already overdue
//     reminds its new cadre at the next scan, and reaches the coordinators and the head only after
//     the ladder's days from the relay, giving the new cadre time to visit.
//   - Each level is alerted once per spell (an Alert row per pairing, spell, level and recipient),
//     even if the spell's date moves while it lasts.
//   - When a spell closes, the coordinators and heads alerted in it are told once that it is over.
//     The cadre is not: the reply to their own report said so.
//   - Every recipient gets at most one message per scan: new alerts and closed spells together.
//   - The scan judges at the time it runs (Clock.Now), not at its slot, so a late or caught-up run sees
//     the reports filed meanwhile.
type OverdueScan struct {
	Store      Store
	Policy     *policy.Engine
	Clock      clock.Clock
	Leaves     *Leaves
	Spec       string
	Escalation config.Escalation
	// RecipientsPerTx bounds a transaction of the digests read back after the scan (default 200
	// recipients).
	RecipientsPerTx int
	// PairingsPerChunk bounds how many overdue pairings are planned and held at once (default 2000).
	PairingsPerChunk int
	// AlertsPerTx bounds the new alerts one transaction of digests carries (default alertsPerTx).
	AlertsPerTx int
	// Writers is how many transactions write the digests due when the scan ends at once (default 1;
	// Jobs gives MySQL 2, SQLite takes one writer at a time).
	Writers int
}

func (j *OverdueScan) Name() string     { return "overdue-scan" }
func (j *OverdueScan) Schedule() string { return j.Spec }

type overdueHit struct {
	facts   store.PairingFacts
	status  policy.Status
	onLeave bool
}

// Run evaluates every active pairing, raises the ladder's new steps and closes ended spells. It works
// in two passes so that its memory follows a chunk and the new alerts, not the overdue pairings (on the
// first day after an import most of a county). During the scan, a cadre gets their digest as soon as
// the scan has passed their last active pairing, and everyone past the cadre level (coordinators,
// heads, admins) when it ends, their alerts written already carried by it (overdue_cadres.go). Then
// whoever is owed more than the scan held (alerts an earlier run left unsent, ended spells) gets their
// one digest, read back from the database. A run that fails midway leaves its alerts unsent or
// unwritten, and the next run sends them.
func (j *OverdueScan) Run(ctx context.Context, at time.Time) (Result, error) {
	res := Result{}
	now := laterOf(j.Clock.Now(), at)
	leave, err := j.Leaves.On(ctx, now)
	if err != nil {
		return res, err
	}
	guard, err := j.goLive(ctx)
	if err != nil {
		return res, err
	}
	open, err := j.Store.OpenAlertPairings(ctx) // before this run writes any
	if err != nil {
		return res, err
	}
	p := &overduePass{job: j, now: now, at: at, guard: guard, leave: leave, res: res, wres: Result{},
		open: open, still: make([]bool, len(open)), to: map[domain.PersonID]bool{}, cadres: newCadreDigests()}
	err = p.raise(ctx)
	for k, v := range p.wres {
		res[k] += v
	}
	if err != nil {
		return res, err
	}
	ended, err := j.closedSpells(ctx, p.closed(), now)
	if err != nil {
		return res, err
	}
	return res, j.send(ctx, p.to, p.cadres.sent, ended, leave, at, res)
}

// overduePass is the first pass of one run: the overdue pairings of the current chunk, which
// pairings with open alerts are still overdue, and who has alerts to hear.
type overduePass struct {
	job            *OverdueScan
	now, at, guard time.Time
	leave          map[domain.PersonID]bool
	res            Result             // the scan's counts
	wres           Result             // the writer's counts, added to res when raise returns
	chart          *store.OrgChart    // loaded with the first overdue chunk (by the writer's goroutine)
	pending        []overdueHit       // overdue pairings not yet handed to the writer
	upTo           domain.PairingID   // the last pairing judged
	open           []domain.PairingID // pairings with open alerts before the run, ascending
	still          []bool             // open[i] was found overdue
	// to (recipients of unsent alerts) and cadres are the writer's goroutine's until raise returns.
	to      map[domain.PersonID]bool
	cadres  *cadreDigests
	scratch []policy.CheckIn // judge's, reused: a million pairings a run
	lookUp  atomic.Bool      // an insert found a stored key: write looks keys up from then on
	mu      sync.Mutex       // guards wres while the end's digests are written at once (writeGroups)
}

// overdueChunk is what the scan hands the writer: the overdue pairings judged since the last chunk,
// and how far the scan has got.
type overdueChunk struct {
	hits []overdueHit
	upTo domain.PairingID // every pairing up to it is judged
	last bool             // the scan has ended
}

// raise scans every active pairing and plans and writes the alerts of the overdue ones, a chunk at a
// time. Whether a pairing is overdue depends only on the current and previous periods; when its spell
// began needs its older history, so that is read afterwards for the chunk's overdue pairings only.
// One goroutine beside the scan plans and writes the chunks in order (behind), so reading the
// pairings and judging them go on while a chunk's history is read and its alerts written; at most
// two chunks are held, the one being written and the one being gathered (and the cadre alerts held
// for digests, overdue_cadres.go). Either side's error stops the other.
func (p *overduePass) raise(ctx context.Context) error {
	chunk := p.job.PairingsPerChunk
	if chunk <= 0 {
		chunk = planChunk
	}
	opts := store.ScanOptions{At: p.now, Bounds: p.job.Policy.Bounds(p.now), Lean: true, Earlier: true}
	w := startBehind(ctx, 0, func(ctx context.Context, c overdueChunk) error { return p.flush(ctx, c, opts.Bounds[0]) })
	hand := func(last bool) error {
		err := w.hand(overdueChunk{hits: p.pending, upTo: p.upTo, last: last})
		p.pending = nil
		return err
	}
	err := p.job.Store.ScanActivePairings(w.ctx, opts, func(fs []store.PairingFacts) error {
		for _, f := range fs {
			p.judge(f)
			if len(p.pending) >= chunk {
				if err := hand(false); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err == nil {
		err = hand(true) // also when nothing is pending: the cadres still held get their digests
	}
	return w.finish(err)
}

// judge evaluates one pairing and keeps it among the pending hits when it is overdue.
func (p *overduePass) judge(f store.PairingFacts) {
	p.res["pairings"]++
	p.upTo = f.Pairing.ID
	st := p.job.evaluate(f, p.now, &p.scratch)
	if !st.Overdue {
		return
	}
	p.pending = append(p.pending, overdueHit{f, st, p.leave[f.Pairing.CadreID]})
	p.res["overdue"]++
	if i, ok := slices.BinarySearch(p.open, f.Pairing.ID); ok {
		p.still[i] = true
	}
}

// flush dates the spells of a chunk's overdue pairings and plans their fresh alerts; it holds those
// written with their digests and writes the rest unsent, noting their recipients and those of any
// alert an earlier run left unsent. Then the recipients the scan has passed get their digests
// (overdue_cadres.go), the first of them in the unsent alerts' transaction, in transactions of at most
// alertsPerTx of their alerts, at the scan's end on Writers transactions at once. Only the writer's
// goroutine (behind) touches chart, to and cadres while the scan runs.
func (p *overduePass) flush(ctx context.Context, c overdueChunk, before time.Time) error {
	var unsent []store.Alert
	if len(c.hits) > 0 {
		planned, err := p.planChunk(ctx, c.hits, before)
		if err != nil {
			return err
		}
		lines := make(map[domain.PairingID]lineOf, len(c.hits))
		for _, h := range c.hits {
			lines[h.facts.Pairing.ID] = lineOf{head: h.facts.HeadName, cadre: h.facts.Pairing.CadreID}
		}
		unsent = p.cadres.take(planned, lines, p.to)
	}
	ready, err := p.cadres.complete(ctx, p.job.Store, p.now, c.upTo, c.last, p.to)
	if err != nil {
		return err
	}
	for _, r := range ready.deferred {
		for _, h := range r.alerts {
			unsent = append(unsent, h.row(p.now))
		}
		p.to[r.cadre] = true
	}
	writers := 1
	if c.last { // nothing else runs now: the scan has ended
		writers = p.job.Writers
	}
	return p.writeGroups(ctx, groupsOf(unsent, ready.digest, p.job.AlertsPerTx), ready.names, writers)
}

// writeGroup is what one transaction writes: unsent alerts and the digests of some recipients.
type writeGroup struct {
	unsent  []store.Alert
	digests []cadreAlerts
}

// groupsOf splits the digests into transactions of at most perTx alerts (one recipient's are never
// split), the unsent alerts going with the first.
func groupsOf(unsent []store.Alert, digests []cadreAlerts, perTx int) []writeGroup {
	var gs []writeGroup
	for len(unsent) > 0 || len(digests) > 0 {
		n := nextGroup(digests, perTx)
		gs = append(gs, writeGroup{unsent, digests[:n]})
		unsent, digests = nil, digests[n:]
	}
	return gs
}

// writeGroups writes the groups on up to writers transactions at once. At the end of a first day's
// scan of a million pairings the coordinators', heads' and admins' digests are about 130,000 alerts
// in 13 groups, written while nothing else runs: one transaction at a time keeps one core busy, the
// client's and the server's turns alternating. The groups are different recipients, so their keys
// never meet. The first failure stops the groups not yet begun, those under way finish; what
// committed stays, as when a run dies midway, and the next run writes what is missing.
func (p *overduePass) writeGroups(ctx context.Context, gs []writeGroup, names map[domain.PersonID]string, writers int) error {
	var (
		next  atomic.Int64
		once  sync.Once
		first error
	)
	work := func() {
		for i := int(next.Add(1) - 1); i < len(gs); i = int(next.Add(1) - 1) {
			if err := p.write(ctx, gs[i].unsent, gs[i].digests, names); err != nil {
				once.Do(func() { first = err })
				next.Store(int64(len(gs)))
				return
			}
			clear(gs[i].digests) // written: their held alerts may go
		}
	}
	var wg sync.WaitGroup
	for range min(max(writers, 1), len(gs)) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	return first
}

// write writes a group of digests and unsent alerts in one transaction (writeChunk). Their keys are
// not looked up until an insert of the run finds one stored: the steps of a spell nobody was told of
// yet have none (on the first day after an import, 200,000 keys in 415 reads at a million pairings
// found nothing), and a run that finds one rolls the group back and writes it again, and every later
// group, with the look-up (up to three times, when other runs keep raising steps meanwhile). wres
// counts only what committed.
func (p *overduePass) write(ctx context.Context, unsent []store.Alert, ready []cadreAlerts, names map[domain.PersonID]string) error {
	var err error
	for range 3 {
		part, lookUp := Result{}, p.lookUp.Load()
		err = p.job.Store.Tx(ctx, func(tx *store.Store) error {
			return p.job.writeChunk(ctx, tx, unsent, ready, names, lookUp, p.leave, p.now, p.at, part)
		})
		if err == nil {
			p.mu.Lock()
			defer p.mu.Unlock()
			for k, v := range part {
				p.wres[k] += v
			}
			return nil
		}
		if !errors.Is(err, store.ErrAlertsRaced) {
			return err
		}
		p.lookUp.Store(true)
	}
	return err
}

// planChunk dates the chunk's spells and plans its new alerts, leaving out the steps taken already.
func (p *overduePass) planChunk(ctx context.Context, hits []overdueHit, before time.Time) ([]store.Alert, error) {
	if err := p.job.dateSpells(ctx, hits, before, p.now); err != nil {
		return nil, err
	}
	if p.chart == nil {
		chart, err := p.job.Store.LoadOrgChart(ctx)
		if err != nil {
			return nil, err
		}
		p.chart = &chart
		p.cadres.pastCadre = pastCadre(chart)
	}
	return p.job.fresh(ctx, hits, p.job.plan(*p.chart, hits, p.now, p.guard), p.to)
}

// closed lists the pairings that had open alerts and were not found overdue: their spells ended.
func (p *overduePass) closed() []domain.PairingID {
	var out []domain.PairingID
	for i, id := range p.open {
		if !p.still[i] {
			out = append(out, id)
		}
	}
	return out
}

// evaluate judges f at at; buf holds its check-ins in the rules' form (the Status keeps none of them).
func (j *OverdueScan) evaluate(f store.PairingFacts, at time.Time, buf *[]policy.CheckIn) policy.Status {
	*buf = toPolicy((*buf)[:0], f.CheckIns)
	return j.Policy.Evaluate(policyPairing(f), *buf, at)
}

func policyPairing(f store.PairingFacts) policy.Pairing {
	start := f.Since
	if start.IsZero() {
		start = f.Pairing.StartOn
	}
	return policy.Pairing{Tags: f.Tags, Program: f.Program, Start: start}
}

// dateSpells adds each overdue pairing's check-ins before the look-back and re-evaluates, which dates
// its spell: the latest check-in of each kind is enough under rules asking one check-in per period
// (from the summary row the scan read, where the row knows it), the whole history is read for
// pairings under a rule asking several.
func (j *OverdueScan) dateSpells(ctx context.Context, hits []overdueHit, before, at time.Time) error {
	var latestOf []store.PairingFacts
	var historyIDs []domain.PairingID
	for _, h := range hits {
		if j.Policy.NeedsHistory(policyPairing(h.facts)) {
			historyIDs = append(historyIDs, h.facts.Pairing.ID)
		} else {
			latestOf = append(latestOf, h.facts)
		}
	}
	latest, err := j.Store.LatestBefore(ctx, latestOf, before)
	if err != nil {
		return err
	}
	history, err := j.Store.HistoryOf(ctx, historyIDs, before)
	if err != nil {
		return err
	}
	var buf []policy.CheckIn
	for i := range hits {
		f := &hits[i].facts
		f.CheckIns = append(append(f.CheckIns, latest[f.Pairing.ID]...), history[f.Pairing.ID]...)
		hits[i].status = j.evaluate(*f, at, &buf)
		f.CheckIns = nil // judged: only the status is needed from here on
	}
	return nil
}

func toPolicy(dst []policy.CheckIn, cs []store.CheckInFact) []policy.CheckIn {
	for _, c := range cs {
		dst = append(dst, policy.CheckIn{Kind: c.Kind, At: c.At})
	}
	return dst
}

// goLive is the day before which the ladder does not count days past the cadre: the later of
// escalation.start (default: the first sheet import) and the latest sheet import; zero when neither.
func (j *OverdueScan) goLive(ctx context.Context) (time.Time, error) {
	first, last, err := j.Store.SheetImports(ctx)
	if err != nil {
		return time.Time{}, err
	}
	guard := clock.Day(first)
	if first.IsZero() {
		guard = time.Time{}
	}
	if j.Escalation.Start != "" {
		if guard, err = time.ParseInLocation(time.DateOnly, j.Escalation.Start, clock.Shanghai); err != nil {
			return time.Time{}, fmt.Errorf("escalation.start: %w", err)
		}
	}
	if !last.IsZero() && clock.Day(last).After(guard) {
		guard = clock.Day(last)
	}
	return guard, nil
}

// ladderDays is how many days the spell counts for the steps past the cadre (negative before go-live).
func ladderDays(st policy.Status, guard, now time.Time) int {
	from := clock.Day(st.OverdueSince)
	if guard.After(from) {
		from = guard
	}
	return int(clock.Day(now).Sub(from).Hours()/24 + 0.5)
}

// planChunk is how many overdue pairings a run plans at once by default: it holds that many with
// their check-ins and writes their new alerts before reading on (a million-pairing county held over
// 300 MB of overdue pairings and alerts on the first day otherwise).
const planChunk = 2000

// fresh keeps the planned alerts whose level and recipient have no open alert for the pairing (the
// spell's step was taken already), and notes in to the recipients of open alerts that a failed run
// wrote and did not send.
func (j *OverdueScan) fresh(ctx context.Context, hits []overdueHit, planned []store.Alert, to map[domain.PersonID]bool) ([]store.Alert, error) {
	ids := make([]domain.PairingID, len(hits))
	for i, h := range hits {
		ids[i] = h.facts.Pairing.ID
	}
	open, err := j.Store.OpenStepsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	taken := make(map[ladderStep]bool, len(open))
	for _, a := range open {
		taken[ladderStep{a.PairingID, a.Level, a.RecipientID}] = true
		if a.Unsent {
			to[a.RecipientID] = true
		}
	}
	if len(taken) == 0 { // the first day after an import: thousands of alerts a chunk, none taken
		return planned, nil
	}
	var out []store.Alert
	for _, a := range planned {
		if !taken[ladderStep{a.PairingID, a.Level, a.RecipientID}] {
			out = append(out, a)
		}
	}
	return out, nil
}

// ladderStep is a ladder step of a pairing's spell: its level and recipient.
type ladderStep struct {
	pairing domain.PairingID
	level   domain.AlertLevel
	to      domain.PersonID
}

// plan decides the steps due for each overdue pairing; the summary of its lateness goes in Reason,
// from which the digest line is written.
func (j *OverdueScan) plan(chart store.OrgChart, hits []overdueHit, now, guard time.Time) []store.Alert {
	var alerts []store.Alert
	for _, h := range hits {
		p, days := h.facts.Pairing, ladderDays(h.status, laterOf(guard, clock.Day(h.facts.Pairing.StartOn)), now)
		since := clock.Day(h.status.OverdueSince)
		summary := store.ClipAlertReason(h.status.Summary(now)) // as stored: a cadre's digest is written from it
		add := func(level domain.AlertLevel, to domain.PersonID) {
			alerts = append(alerts, store.Alert{Key: alertKey(p.ID, since, level, to), Level: level, PairingID: p.ID, RecipientID: to,
				Reason: summary, OverdueSince: since, CreatedAt: now})
		}
		if !h.onLeave {
			add(domain.AlertCadre, p.CadreID)
		}
		if days >= 0 && (h.onLeave || days >= j.Escalation.CoordinatorAfterDays) {
			for _, c := range chart.CoordinatorsFor(h.facts.CadreUnit) {
				add(domain.AlertCoordinator, c)
			}
		}
		if days >= j.Escalation.HeadAfterDays {
			if head, ok := chart.HeadFor(h.facts.CadreUnit); ok {
				add(domain.AlertHead, head)
			}
		}
	}
	return alerts
}

// alertKey is the key of a pairing's ladder step in the spell that began on the day since.
func alertKey(pairing domain.PairingID, since time.Time, level domain.AlertLevel, to domain.PersonID) string {
	key := fmt.Sprintf("overdue:%d:%s:%s", pairing, since.Format("20060102"), level)
	if level == domain.AlertCoordinator { // a unit may have several coordinators: one row each
		key += fmt.Sprintf(":%d", to)
	}
	return key
}

// endedSpells are the open alerts of pairings no longer overdue, and the line their recipients see.
type endedSpells struct {
	alerts []store.Alert
	lines  map[domain.PairingID]string // also says which pairings' spells ended
}

// closedSpells reads the open alerts of the pairings whose spells ended.
func (j *OverdueScan) closedSpells(ctx context.Context, closed []domain.PairingID, now time.Time) (endedSpells, error) {
	out := endedSpells{lines: map[domain.PairingID]string{}}
	if len(closed) == 0 {
		return out, nil
	}
	var err error
	if out.alerts, err = j.Store.OpenAlertsOf(ctx, closed); err != nil {
		return out, err
	}
	ends, err := j.Store.SpellEnds(ctx, closed, now)
	if err != nil {
		return out, err
	}
	for _, id := range closed {
		e := ends[id]
		out.lines[id] = lineSpellEnded(e.CadreName, e.HeadName, e.Active)
	}
	return out, nil
}

// send gives every recipient with unsent alerts or ended spells one digest, in transactions of
// RecipientsPerTx recipients. A digest's key (day and recipient) keeps another instance running the
// scan meanwhile from queuing a second one; the alerts it carried are linked to it, so no later run
// sends them again. Those whose digest the scan wrote (sent) get no second one: what else they are
// owed (nothing, unless another run raced this one) waits for the next run, only their silent ended
// alerts are closed.
func (j *OverdueScan) send(ctx context.Context, to, sent map[domain.PersonID]bool, ended endedSpells, leave map[domain.PersonID]bool,
	at time.Time, res Result) error {
	endedOf := map[domain.PersonID][]store.Alert{}
	for _, a := range ended.alerts {
		if sent[a.RecipientID] && tellsEnd(a) {
			continue
		}
		endedOf[a.RecipientID] = append(endedOf[a.RecipientID], a)
		to[a.RecipientID] = true
	}
	ids := slices.Sorted(maps.Keys(to))
	per := j.RecipientsPerTx
	if per <= 0 {
		per = 200
	}
	for start := 0; start < len(ids); start += per {
		chunk := ids[start:min(start+per, len(ids))]
		err := j.Store.Tx(ctx, func(tx *store.Store) error {
			return j.digests(ctx, tx, chunk, sent, endedOf, ended.lines, leave, at, res)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// digests reads the unsent alerts of a chunk of recipients, closes their ended spells and queues one
// digest each, in a few statements for the whole chunk (one read, one resolve, one batched enqueue,
// one link per 500 alerts) instead of six per recipient. Unsent alerts of spells that ended are
// closed without a word: their recipients never heard of them.
func (j *OverdueScan) digests(ctx context.Context, tx writer, to []domain.PersonID, sent map[domain.PersonID]bool,
	endedOf map[domain.PersonID][]store.Alert, endLines map[domain.PairingID]string, leave map[domain.PersonID]bool, at time.Time, res Result) error {
	unsent, err := tx.UnsentAlertsOf(ctx, to)
	if err != nil {
		return err
	}
	freshOf := map[domain.PersonID][]store.UnsentAlert{}
	for _, a := range unsent {
		if _, ended := endLines[a.PairingID]; !ended {
			freshOf[a.RecipientID] = append(freshOf[a.RecipientID], a)
		}
	}
	var endIDs []domain.AlertID
	for _, id := range to {
		for _, a := range endedOf[id] {
			endIDs = append(endIDs, a.ID)
		}
	}
	if err := tx.ResolveAlerts(ctx, endIDs, j.Clock.Now()); err != nil {
		return err
	}
	var msgs []store.OutboxMessage
	var who []domain.PersonID
	for _, id := range to {
		if sent[id] {
			continue
		}
		endText := endedText(endedOf[id], endLines)
		res["ended_notices"] += len(endText)
		if text := j.digestText(freshOf[id], leave, endText, res); text != "" {
			msgs, who = append(msgs, j.digest(id, text, at)), append(who, id)
		}
	}
	return j.queue(ctx, tx, msgs, who, freshOf, res)
}

// queue enqueues the digests and links each recipient's alerts to theirs.
func (j *OverdueScan) queue(ctx context.Context, tx writer, msgs []store.OutboxMessage, who []domain.PersonID,
	freshOf map[domain.PersonID][]store.UnsentAlert, res Result) error {
	if len(msgs) == 0 {
		return nil
	}
	queued, err := tx.EnqueueOutboxBatch(ctx, msgs)
	if err != nil {
		return err
	}
	res["messages"] += len(queued)
	link := map[domain.OutboxID][]domain.AlertID{}
	for i, id := range who {
		for _, a := range freshOf[id] {
			link[queued[i].ID] = append(link[queued[i].ID], a.ID)
		}
	}
	return tx.LinkAlerts(ctx, link)
}

// digest is the overdue message to id on the day of at.
func (j *OverdueScan) digest(id domain.PersonID, text string, at time.Time) store.OutboxMessage {
	return store.OutboxMessage{Key: fmt.Sprintf("overdue:%s:%d", clock.Day(at).Format("20060102"), id),
		PersonID: ptr(id), Priority: store.PriorityAlert, CreatedAt: j.Clock.Now(), Text: text}
}

// tellsEnd: the end of an alert's spell is told to its recipient when they heard of it past the cadre.
func tellsEnd(a store.Alert) bool { return a.Level != domain.AlertCadre && a.OutboxID != nil }

// endedText is one line per pairing whose spell ended, for those who heard of it past the cadre.
func endedText(ended []store.Alert, endLines map[domain.PairingID]string) []string {
	var out []string
	seen := map[domain.PairingID]bool{}
	for _, a := range ended {
		if tellsEnd(a) && !seen[a.PairingID] {
			seen[a.PairingID] = true
			out = append(out, endLines[a.PairingID])
		}
	}
	return out
}

// digestText puts the recipient's new alerts, highest level first, and the spells that ended into one text.
// A level's lines past digestCap are counted, not written: no part lists more of any level (a head's
// coordinator lines follow its own), and a unit head's digest on the first day after an import counts
// thousands.
func (j *OverdueScan) digestText(fresh []store.UnsentAlert, leave map[domain.PersonID]bool, ended []string, res Result) string {
	byLevel := map[domain.AlertLevel][]string{}
	for _, a := range fresh {
		line := ""
		switch {
		case len(byLevel[a.Level]) >= digestCap:
		case a.Level == domain.AlertCadre:
			line = lineCadre(a.HeadName, a.Reason)
		default:
			line = lineCoordinator(a.CadreName, a.HeadName, a.Reason, leave[a.CadreID])
		}
		byLevel[a.Level] = append(byLevel[a.Level], line)
	}
	for level, lines := range byLevel {
		res["alerts_"+string(level)] += len(lines)
	}
	var parts []string
	switch {
	case len(byLevel[domain.AlertHead]) > 0:
		parts = append(parts, textOverdueHead(append(byLevel[domain.AlertHead], byLevel[domain.AlertCoordinator]...), j.Escalation.HeadAfterDays))
	case len(byLevel[domain.AlertCoordinator]) > 0:
		parts = append(parts, textOverdueCoordinator(byLevel[domain.AlertCoordinator]))
	}
	if len(byLevel[domain.AlertCadre]) > 0 {
		parts = append(parts, textOverdueCadre(byLevel[domain.AlertCadre]))
	}
	if len(ended) > 0 {
		parts = append(parts, textSpellsEnded(ended))
	}
	return strings.Join(parts, "\n\n")
}

// laterOf is the later of two instants: jobs judge at the run's wall time, never before their slot.
func laterOf(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}
