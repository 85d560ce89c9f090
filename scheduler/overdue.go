package scheduler

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/policy"
	"qinqi/store"
)

// OverdueScan is the daily overdue scan and escalation ladder: an overdue pairing's cadre is reminded,
// after CoordinatorAfterDays the unit's coordinators are alerted, after HeadAfterDays the unit head.
// Each step is raised once per pairing and overdue spell (Alert key), and every recipient gets one
// digest per day. A cadre on leave is not reminded; their overdue households go to the coordinators at once.
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

// Run evaluates every active pairing at the slot time.
func (j *OverdueScan) Run(ctx context.Context, at time.Time) (Result, error) {
	res := Result{}
	leave, err := j.Leaves.On(ctx, at)
	if err != nil {
		return res, err
	}
	var hits []overdueHit
	// Whether a pairing is overdue depends only on the current and previous periods; when it started
	// being overdue needs its older history, so that is read afterwards for the overdue ones only.
	opts := store.ScanOptions{At: at, Bounds: j.Policy.Bounds(at)}
	err = j.Store.ScanActivePairings(ctx, opts, func(fs []store.PairingFacts) error {
		for _, f := range fs {
			res["pairings"]++
			if st := j.evaluate(f, at); st.Overdue {
				hits = append(hits, overdueHit{f, st, leave[f.Pairing.CadreID]})
			}
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	if err := j.spellStarts(ctx, hits, opts.Bounds[0], at); err != nil {
		return res, err
	}
	res["overdue"] = len(hits)
	if len(hits) == 0 {
		return res, nil
	}
	alerts, lines, err := j.planFresh(ctx, hits, at)
	if err != nil {
		return res, err
	}
	return res, j.send(ctx, alerts, lines, at, res)
}

// planChunk bounds how many overdue pairings are planned at once: on most days nearly every alert
// was raised on an earlier day, and only the fresh ones are kept, so memory follows the new alerts,
// not the overdue pairings (a million-pairing county held 280 MB of already-sent alerts otherwise).
const planChunk = 2000

// planFresh plans the alerts of every overdue pairing and keeps those not raised before.
func (j *OverdueScan) planFresh(ctx context.Context, hits []overdueHit, at time.Time) ([]store.Alert, map[string]string, error) {
	chart, err := j.Store.LoadOrgChart(ctx)
	if err != nil {
		return nil, nil, err
	}
	var fresh []store.Alert
	freshLines := map[string]string{}
	for start := 0; start < len(hits); start += planChunk {
		alerts, lines, err := j.plan(ctx, chart, hits[start:min(start+planChunk, len(hits))], at)
		if err != nil {
			return nil, nil, err
		}
		keys := make([]string, len(alerts))
		for i, a := range alerts {
			keys[i] = a.Key
		}
		isNew, err := j.Store.NewAlertKeys(ctx, keys)
		if err != nil {
			return nil, nil, err
		}
		for _, a := range alerts {
			if isNew[a.Key] {
				fresh = append(fresh, a)
				freshLines[a.Key] = lines[a.Key]
			}
		}
	}
	return fresh, freshLines, nil
}

func (j *OverdueScan) evaluate(f store.PairingFacts, at time.Time) policy.Status {
	return j.Policy.Evaluate(policy.Pairing{Tags: f.Tags, Program: f.Program, Start: f.Pairing.StartOn}, toPolicy(f.CheckIns), at)
}

// spellStarts adds each overdue pairing's latest check-ins before the look-back and re-evaluates, which
// fixes OverdueSince (and with it the alert keys) to the end of the first missed period.
func (j *OverdueScan) spellStarts(ctx context.Context, hits []overdueHit, before, at time.Time) error {
	if len(hits) == 0 {
		return nil
	}
	ids := make([]store.PairingID, len(hits))
	for i, h := range hits {
		ids[i] = h.facts.Pairing.ID
	}
	old, err := j.Store.LatestBeforeOf(ctx, ids, before)
	if err != nil {
		return err
	}
	for i := range hits {
		f := &hits[i].facts
		f.CheckIns = append(f.CheckIns, old[f.Pairing.ID]...)
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

// plan decides the steps due for each overdue pairing and the digest line each recipient sees for it.
func (j *OverdueScan) plan(ctx context.Context, chart store.OrgChart, hits []overdueHit, at time.Time) ([]store.Alert, map[string]string, error) {
	cadreIDs := make([]store.PersonID, 0, len(hits))
	for _, h := range hits {
		cadreIDs = append(cadreIDs, h.facts.Pairing.CadreID)
	}
	names, err := j.Store.PersonNames(ctx, cadreIDs)
	if err != nil {
		return nil, nil, err
	}
	now := j.Clock.Now()
	var alerts []store.Alert
	lines := map[string]string{} // alert key → digest line
	for _, h := range hits {
		p, days := h.facts.Pairing, h.status.DaysOverdue(at)
		since := clock.Day(h.status.OverdueSince)
		add := func(level store.AlertLevel, to store.PersonID, line string) {
			key := fmt.Sprintf("overdue:%d:%s:%s", p.ID, since.Format("20060102"), level)
			if level == store.AlertCoordinator { // a unit may have several coordinators: one row each
				key += fmt.Sprintf(":%d", to)
			}
			alerts = append(alerts, store.Alert{Key: key, Level: level, PairingID: p.ID, RecipientID: to,
				Reason: h.status.Summary(at), OverdueSince: since, CreatedAt: now})
			lines[key] = line
		}
		summary := h.status.Summary(at)
		if !h.onLeave {
			add(store.AlertCadre, p.CadreID, lineCadre(h.facts.HeadName, summary))
		}
		coordLine := lineCoordinator(names[p.CadreID], h.facts.HeadName, summary, h.onLeave)
		if h.onLeave || days >= j.Escalation.CoordinatorAfterDays {
			for _, c := range chart.CoordinatorsFor(h.facts.CadreUnit) {
				add(store.AlertCoordinator, c, coordLine)
			}
		}
		if days >= j.Escalation.HeadAfterDays {
			if head, ok := chart.HeadFor(h.facts.CadreUnit); ok {
				add(store.AlertHead, head, coordLine)
			}
		}
	}
	return alerts, lines, nil
}

// send writes the fresh alerts and one digest per recipient, in transactions of RecipientsPerTx recipients.
// AddAlerts inserts each key once more, so an alert raised meanwhile by another instance is not repeated.
func (j *OverdueScan) send(ctx context.Context, alerts []store.Alert, lines map[string]string, at time.Time, res Result) error {
	byTo := map[store.PersonID][]store.Alert{}
	for _, a := range alerts {
		byTo[a.RecipientID] = append(byTo[a.RecipientID], a)
	}
	to := make([]store.PersonID, 0, len(byTo))
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
			for _, id := range chunk {
				if err := j.digest(ctx, tx, id, byTo[id], lines, at, res); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (j *OverdueScan) digest(ctx context.Context, tx writer, to store.PersonID, as []store.Alert, lines map[string]string,
	at time.Time, res Result) error {
	fresh, err := tx.AddAlerts(ctx, as)
	if err != nil || len(fresh) == 0 {
		return err
	}
	byLevel := map[store.AlertLevel][]string{}
	ids := make([]store.AlertID, len(fresh))
	for i, a := range fresh {
		byLevel[a.Level] = append(byLevel[a.Level], lines[a.Key])
		ids[i] = a.ID
		res["alerts_"+string(a.Level)]++
	}
	var parts []string
	switch {
	case len(byLevel[store.AlertHead]) > 0:
		parts = append(parts, textOverdueHead(append(byLevel[store.AlertHead], byLevel[store.AlertCoordinator]...), j.Escalation.HeadAfterDays))
	case len(byLevel[store.AlertCoordinator]) > 0:
		parts = append(parts, textOverdueCoordinator(byLevel[store.AlertCoordinator]))
	}
	if len(byLevel[store.AlertCadre]) > 0 {
		parts = append(parts, textOverdueCadre(byLevel[store.AlertCadre]))
	}
	out, err := tx.EnqueueOutbox(ctx, store.OutboxMessage{Key: fmt.Sprintf("overdue:%s:%d", clock.Day(at).Format("20060102"), to),
		PersonID: ptr(to), Priority: store.PriorityAlert, CreatedAt: j.Clock.Now(), Text: strings.Join(parts, "\n\n")})
	if err != nil {
		return err
	}
	res["messages"]++
	return tx.SetAlertOutbox(ctx, ids, out.ID)
}
