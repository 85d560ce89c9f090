package scheduler

import (
	"context"
	"fmt"
	"sort"
	"strings"
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
	// RecipientsPerTx bounds a transaction (default 200 recipients).
	RecipientsPerTx int
}

func (j *OverdueScan) Name() string     { return "overdue-scan" }
func (j *OverdueScan) Schedule() string { return j.Spec }

type overdueHit struct {
	facts   store.PairingFacts
	status  policy.Status
	onLeave bool
}

// Run evaluates every active pairing, raises the ladder's new steps and closes ended spells.
func (j *OverdueScan) Run(ctx context.Context, at time.Time) (Result, error) {
	res := Result{}
	now := laterOf(j.Clock.Now(), at)
	leave, err := j.Leaves.On(ctx, now)
	if err != nil {
		return res, err
	}
	hits, err := j.overdue(ctx, now, leave, res)
	if err != nil {
		return res, err
	}
	guard, err := j.goLive(ctx)
	if err != nil {
		return res, err
	}
	alerts, lines, err := j.planFresh(ctx, hits, now, guard)
	if err != nil {
		return res, err
	}
	ended, err := j.closedSpells(ctx, hits, now)
	if err != nil {
		return res, err
	}
	return res, j.send(ctx, alerts, lines, ended, at, res)
}

// overdue scans every active pairing and returns the overdue ones with their spells dated.
// Whether a pairing is overdue depends only on the current and previous periods; when its spell began
// needs its older history, so that is read afterwards for the overdue ones only.
func (j *OverdueScan) overdue(ctx context.Context, now time.Time, leave map[domain.PersonID]bool, res Result) ([]overdueHit, error) {
	var hits []overdueHit
	opts := store.ScanOptions{At: now, Bounds: j.Policy.Bounds(now)}
	err := j.Store.ScanActivePairings(ctx, opts, func(fs []store.PairingFacts) error {
		for _, f := range fs {
			res["pairings"]++
			if st := j.evaluate(f, now); st.Overdue {
				hits = append(hits, overdueHit{f, st, leave[f.Pairing.CadreID]})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res["overdue"] = len(hits)
	return hits, j.dateSpells(ctx, hits, opts.Bounds[0], now)
}

func (j *OverdueScan) evaluate(f store.PairingFacts, at time.Time) policy.Status {
	return j.Policy.Evaluate(policyPairing(f), toPolicy(f.CheckIns), at)
}

func policyPairing(f store.PairingFacts) policy.Pairing {
	start := f.Since
	if start.IsZero() {
		start = f.Pairing.StartOn
	}
	return policy.Pairing{Tags: f.Tags, Program: f.Program, Start: start}
}

// dateSpells adds each overdue pairing's check-ins before the look-back and re-evaluates, which dates
// its spell: the latest check-in of each kind is enough under rules asking one check-in per period,
// the whole history is read for pairings under a rule asking several.
func (j *OverdueScan) dateSpells(ctx context.Context, hits []overdueHit, before, at time.Time) error {
	var latestIDs, historyIDs []domain.PairingID
	for _, h := range hits {
		if j.Policy.NeedsHistory(policyPairing(h.facts)) {
			historyIDs = append(historyIDs, h.facts.Pairing.ID)
		} else {
			latestIDs = append(latestIDs, h.facts.Pairing.ID)
		}
	}
	latest, err := j.Store.LatestBeforeOf(ctx, latestIDs, before)
	if err != nil {
		return err
	}
	history, err := j.Store.HistoryOf(ctx, historyIDs, before)
	if err != nil {
		return err
	}
	for i := range hits {
		f := &hits[i].facts
		f.CheckIns = append(append(f.CheckIns, latest[f.Pairing.ID]...), history[f.Pairing.ID]...)
		hits[i].status = j.evaluate(*f, at)
		f.CheckIns = nil // judged: only the status is needed from here on
	}
	return nil
}

func toPolicy(cs []store.CheckInFact) []policy.CheckIn {
	out := make([]policy.CheckIn, len(cs))
	for i, c := range cs {
		out[i] = policy.CheckIn{Kind: c.Kind, At: c.At}
	}
	return out
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

// planChunk bounds how many overdue pairings are planned at once: on most days nearly every step
// was taken on an earlier day, and only the fresh ones are kept, so memory follows the new alerts,
// not the overdue pairings (a million-pairing county held 280 MB of already-sent alerts otherwise).
const planChunk = 2000

// planFresh plans the alerts of every overdue pairing and keeps those whose level and recipient have
// no open alert for the pairing (the spell's step was taken already).
func (j *OverdueScan) planFresh(ctx context.Context, hits []overdueHit, now, guard time.Time) ([]store.Alert, map[string]string, error) {
	if len(hits) == 0 {
		return nil, nil, nil
	}
	chart, err := j.Store.LoadOrgChart(ctx)
	if err != nil {
		return nil, nil, err
	}
	var fresh []store.Alert
	freshLines := map[string]string{}
	for start := 0; start < len(hits); start += planChunk {
		chunk := hits[start:min(start+planChunk, len(hits))]
		alerts, lines, err := j.plan(ctx, chart, chunk, now, guard)
		if err != nil {
			return nil, nil, err
		}
		ids := make([]domain.PairingID, len(chunk))
		for i, h := range chunk {
			ids[i] = h.facts.Pairing.ID
		}
		open, err := j.Store.OpenAlertsOf(ctx, ids)
		if err != nil {
			return nil, nil, err
		}
		taken := map[string]bool{}
		for _, a := range open {
			taken[stepOf(a)] = true
		}
		for _, a := range alerts {
			if !taken[stepOf(a)] {
				fresh = append(fresh, a)
				freshLines[a.Key] = lines[a.Key]
			}
		}
	}
	return fresh, freshLines, nil
}

// stepOf names a ladder step of a pairing's spell: its level and recipient.
func stepOf(a store.Alert) string {
	return fmt.Sprintf("%d:%s:%d", a.PairingID, a.Level, a.RecipientID)
}

// plan decides the steps due for each overdue pairing and the digest line each recipient sees for it.
func (j *OverdueScan) plan(ctx context.Context, chart store.OrgChart, hits []overdueHit, now, guard time.Time) ([]store.Alert, map[string]string, error) {
	cadreIDs := make([]domain.PersonID, 0, len(hits))
	for _, h := range hits {
		cadreIDs = append(cadreIDs, h.facts.Pairing.CadreID)
	}
	names, err := j.Store.PersonNames(ctx, cadreIDs)
	if err != nil {
		return nil, nil, err
	}
	var alerts []store.Alert
	lines := map[string]string{} // alert key → digest line
	for _, h := range hits {
		p, days := h.facts.Pairing, ladderDays(h.status, laterOf(guard, clock.Day(h.facts.Pairing.StartOn)), now)
		since := clock.Day(h.status.OverdueSince)
		summary := h.status.Summary(now)
		add := func(level domain.AlertLevel, to domain.PersonID, line string) {
			key := fmt.Sprintf("overdue:%d:%s:%s", p.ID, since.Format("20060102"), level)
			if level == domain.AlertCoordinator { // a unit may have several coordinators: one row each
				key += fmt.Sprintf(":%d", to)
			}
			alerts = append(alerts, store.Alert{Key: key, Level: level, PairingID: p.ID, RecipientID: to,
				Reason: summary, OverdueSince: since, CreatedAt: now})
			lines[key] = line
		}
		if !h.onLeave {
			add(domain.AlertCadre, p.CadreID, lineCadre(h.facts.HeadName, summary))
		}
		coordLine := lineCoordinator(names[p.CadreID], h.facts.HeadName, summary, h.onLeave)
		if days >= 0 && (h.onLeave || days >= j.Escalation.CoordinatorAfterDays) {
			for _, c := range chart.CoordinatorsFor(h.facts.CadreUnit) {
				add(domain.AlertCoordinator, c, coordLine)
			}
		}
		if days >= j.Escalation.HeadAfterDays {
			if head, ok := chart.HeadFor(h.facts.CadreUnit); ok {
				add(domain.AlertHead, head, coordLine)
			}
		}
	}
	return alerts, lines, nil
}

// endedSpells are the open alerts of pairings no longer overdue, and the line their recipients see.
type endedSpells struct {
	alerts []store.Alert
	lines  map[domain.PairingID]string
}

// closedSpells finds the open alerts of pairings the scan did not find overdue.
func (j *OverdueScan) closedSpells(ctx context.Context, hits []overdueHit, now time.Time) (endedSpells, error) {
	out := endedSpells{lines: map[domain.PairingID]string{}}
	open, err := j.Store.OpenAlertPairings(ctx)
	if err != nil || len(open) == 0 {
		return out, err
	}
	still := make(map[domain.PairingID]bool, len(hits))
	for _, h := range hits {
		still[h.facts.Pairing.ID] = true
	}
	var closed []domain.PairingID
	for _, id := range open {
		if !still[id] {
			closed = append(closed, id)
		}
	}
	if len(closed) == 0 {
		return out, nil
	}
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

// send writes the fresh alerts, closes the ended spells and sends one digest per recipient, in
// transactions of RecipientsPerTx recipients. AddAlerts inserts each key once more, so an alert
// raised meanwhile by another instance is not repeated.
func (j *OverdueScan) send(ctx context.Context, alerts []store.Alert, lines map[string]string, ended endedSpells,
	at time.Time, res Result) error {
	byTo := map[domain.PersonID]*digest{}
	get := func(id domain.PersonID) *digest {
		if byTo[id] == nil {
			byTo[id] = &digest{}
		}
		return byTo[id]
	}
	for _, a := range alerts {
		get(a.RecipientID).alerts = append(get(a.RecipientID).alerts, a)
	}
	for _, a := range ended.alerts {
		d := get(a.RecipientID)
		d.ended = append(d.ended, a)
	}
	to := make([]domain.PersonID, 0, len(byTo))
	for id := range byTo {
		to = append(to, id)
	}
	sort.Slice(to, func(a, b int) bool { return to[a] < to[b] })
	per := j.RecipientsPerTx
	if per <= 0 {
		per = 200
	}
	for start := 0; start < len(to); start += per {
		chunk := to[start:min(start+per, len(to))]
		err := j.Store.Tx(ctx, func(tx *store.Store) error {
			return j.digests(ctx, tx, chunk, byTo, lines, ended.lines, at, res)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// digest is what one recipient hears from one scan.
type digest struct {
	alerts []store.Alert // new steps
	ended  []store.Alert // open alerts of spells that ended
}

// digests writes the alerts of a chunk of recipients, closes their ended spells and queues one
// digest each, in a few statements for the whole chunk (one alert key look-up and insert, one
// resolve, one batched enqueue, one link per 500 alerts) instead of six per recipient.
func (j *OverdueScan) digests(ctx context.Context, tx writer, to []domain.PersonID, byTo map[domain.PersonID]*digest,
	lines map[string]string, endLines map[domain.PairingID]string, at time.Time, res Result) error {
	var alerts []store.Alert
	var endIDs []domain.AlertID
	for _, id := range to {
		alerts = append(alerts, byTo[id].alerts...)
		for _, a := range byTo[id].ended {
			endIDs = append(endIDs, a.ID)
		}
	}
	fresh, err := tx.AddAlerts(ctx, alerts)
	if err != nil {
		return err
	}
	if err := tx.ResolveAlerts(ctx, endIDs, j.Clock.Now()); err != nil {
		return err
	}
	freshOf := map[domain.PersonID][]store.Alert{}
	for _, a := range fresh {
		freshOf[a.RecipientID] = append(freshOf[a.RecipientID], a)
	}
	var msgs []store.OutboxMessage
	var who []domain.PersonID
	for _, id := range to {
		endText := endedText(byTo[id].ended, endLines)
		res["ended_notices"] += len(endText)
		if text := j.digestText(freshOf[id], lines, endText, res); text != "" {
			msgs = append(msgs, store.OutboxMessage{Key: fmt.Sprintf("overdue:%s:%d", clock.Day(at).Format("20060102"), id),
				PersonID: ptr(id), Priority: store.PriorityAlert, CreatedAt: j.Clock.Now(), Text: text})
			who = append(who, id)
		}
	}
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

// endedText is one line per pairing whose spell ended, for those who heard of it past the cadre.
func endedText(ended []store.Alert, endLines map[domain.PairingID]string) []string {
	var out []string
	seen := map[domain.PairingID]bool{}
	for _, a := range ended {
		if a.Level != domain.AlertCadre && !seen[a.PairingID] {
			seen[a.PairingID] = true
			out = append(out, endLines[a.PairingID])
		}
	}
	return out
}

// digestText puts the recipient's new alerts, highest level first, and the spells that ended into one text.
func (j *OverdueScan) digestText(fresh []store.Alert, lines map[string]string, ended []string, res Result) string {
	byLevel := map[domain.AlertLevel][]string{}
	for _, a := range fresh {
		byLevel[a.Level] = append(byLevel[a.Level], lines[a.Key])
		res["alerts_"+string(a.Level)]++
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
