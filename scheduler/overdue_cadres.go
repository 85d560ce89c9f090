package scheduler

import (
	"context"
	"maps"
	"slices"
	"time"

	"qinqi/internal/domain"
	"qinqi/store"
)

// A cadre's overdue digest needs only the cadre's own pairings, and the scan visits pairings by id,
// so the overdue scan writes it the way the window reminders do (window_plan.go): the cadre's new
// alerts are held until the scan has passed the cadre's last active pairing (store.LastActivePairings,
// read when the first alert is held, so a day without new alerts never reads it), then the digest is
// queued and the alerts are written already carried by it, in the transaction of the writer's next
// chunk: nothing is read back or linked afterwards (the household heads' names come with the scan).
// This is for cadres who are only cadres and are owed
// nothing else: coordinators, heads and admins, who hear of a whole unit, and anyone with an alert
// unsent or past the cadre level still open (store.RecipientsWithPending) get their one digest after
// the scan, as before. A run that fails leaves the held alerts unwritten; the next run raises them.

// cadreDigests is the writer goroutine's record of the cadres whose digest the scan writes.
type cadreDigests struct {
	pastCadre map[domain.PersonID]bool // may hear past the cadre level: their digest waits for the end
	order     cadreCursor              // read at the first held alert
	loaded    bool
	held      map[domain.PersonID][]heldAlert
	sent      map[domain.PersonID]bool // their digest is written
	deferred  map[domain.PersonID]bool // owed something else: their alerts are written unsent
}

func newCadreDigests() *cadreDigests {
	return &cadreDigests{held: map[domain.PersonID][]heldAlert{}, sent: map[domain.PersonID]bool{},
		deferred: map[domain.PersonID]bool{}}
}

// pastCadre lists everyone an alert past the cadre level may go to: coordinators, admins, unit heads.
func pastCadre(chart store.OrgChart) map[domain.PersonID]bool {
	out := map[domain.PersonID]bool{}
	for _, ids := range chart.Coordinators {
		for _, id := range ids {
			out[id] = true
		}
	}
	for _, id := range chart.Admins {
		out[id] = true
	}
	for _, u := range chart.Units {
		if u.HeadID != nil {
			out[*u.HeadID] = true
		}
	}
	return out
}

// heldAlert is a cadre's new alert and the household head its digest line names.
type heldAlert struct {
	alert store.Alert
	head  string
}

// take holds a chunk's cadre-level alerts of cadres who are only cadres for their digests, with the
// household heads' names (heads, by pairing), and returns the others, to be written unsent, noting
// their recipients in to. An alert for a cadre whose digest is written already (a pairing the scan
// reached after it: handed to them meanwhile) is left to the next run.
func (c *cadreDigests) take(planned []store.Alert, heads map[domain.PairingID]string, to map[domain.PersonID]bool) []store.Alert {
	var unsent []store.Alert
	for _, a := range planned {
		r := a.RecipientID
		switch {
		case a.Level != domain.AlertCadre || c.pastCadre[r] || c.deferred[r]:
			unsent = append(unsent, a)
			to[r] = true
		case !c.sent[r]:
			c.held[r] = append(c.held[r], heldAlert{a, heads[a.PairingID]})
		}
	}
	return unsent
}

// cadreAlerts is one complete cadre's new alerts, in scan order.
type cadreAlerts struct {
	cadre  domain.PersonID
	alerts []heldAlert
}

// readyCadres are the held cadres the scan has passed: those whose digest is written now, and those
// found owed something else, whose alerts are written unsent for the digest after the scan.
type readyCadres struct {
	digest, deferred []cadreAlerts
}

// complete hands on the held cadres whose last active pairing is at most upTo, or all at the end of
// the scan (last), and sorts them into digests and deferred ones. to holds the recipients of alerts an
// earlier run left unsent that this run found.
func (c *cadreDigests) complete(ctx context.Context, st Store, now time.Time, upTo domain.PairingID, last bool,
	to map[domain.PersonID]bool) (readyCadres, error) {
	var out readyCadres
	if len(c.held) == 0 {
		return out, nil
	}
	if !c.loaded {
		order, err := st.LastActivePairings(ctx, now)
		if err != nil {
			return out, err
		}
		c.order, c.loaded = cadreCursor{order: order}, true
	}
	ready := c.passed(upTo, last)
	if len(ready) == 0 {
		return out, nil
	}
	ids := make([]domain.PersonID, len(ready))
	for i, r := range ready {
		ids[i] = r.cadre
	}
	owed, err := st.RecipientsWithPending(ctx, ids)
	if err != nil {
		return out, err
	}
	for _, r := range ready {
		if owed[r.cadre] || to[r.cadre] {
			c.deferred[r.cadre] = true
			out.deferred = append(out.deferred, r)
		} else {
			c.sent[r.cadre] = true
			out.digest = append(out.digest, r)
		}
	}
	return out, nil
}

// passed takes the held cadres whose last active pairing is at most upTo, or all when last.
func (c *cadreDigests) passed(upTo domain.PairingID, last bool) []cadreAlerts {
	var ready []cadreAlerts
	c.order.pass(upTo, last, func(cadre domain.PersonID) {
		if as, ok := c.held[cadre]; ok {
			ready = append(ready, cadreAlerts{cadre, as})
			delete(c.held, cadre)
		}
	})
	if last { // cadres without an active pairing when the order was read (handed one meanwhile)
		for _, id := range slices.Sorted(maps.Keys(c.held)) {
			ready = append(ready, cadreAlerts{id, c.held[id]})
		}
		clear(c.held)
	}
	return ready
}

// writeChunk writes a chunk's unsent alerts and the digests of the cadres the scan has passed, their
// alerts carried by them, in one key look-up, one batched enqueue and multi-row INSERTs. A step
// another run raised already is left out (of the rows and of the digest). When another run queued a
// different digest for the same cadre today (the same key), that one stays theirs and the alerts it
// does not list are written unsent, for the next run.
func (j *OverdueScan) writeChunk(ctx context.Context, tx writer, unsent []store.Alert, ready []cadreAlerts,
	at time.Time, res Result) error {
	var keys []string
	for _, a := range unsent {
		keys = append(keys, a.Key)
	}
	for _, r := range ready {
		for _, h := range r.alerts {
			keys = append(keys, h.alert.Key)
		}
	}
	seen, err := tx.ExistingAlertKeys(ctx, keys)
	if err != nil {
		return err
	}
	var rows []store.Alert
	keep := func(a store.Alert) bool {
		if seen[a.Key] {
			return false
		}
		seen[a.Key] = true
		rows = append(rows, a)
		return true
	}
	for _, a := range unsent {
		keep(a)
	}
	msgs, carried := j.cadreMessages(ready, len(rows), keep, at, res)
	if len(msgs) > 0 {
		queued, err := tx.EnqueueOutboxBatch(ctx, msgs)
		if err != nil {
			return err
		}
		res["messages"] += len(queued)
		for i, q := range queued {
			if store.OutboxTextIs(q, msgs[i].Text) {
				for k := carried[i][0]; k < carried[i][1]; k++ {
					rows[k].OutboxID = ptr(q.ID)
				}
			}
		}
	}
	return tx.InsertAlerts(ctx, rows)
}

// cadreMessages writes one digest per ready cadre from the alerts keep takes (it appends them to the
// rows, which hold n rows before), and for each digest the range of rows it carries.
func (j *OverdueScan) cadreMessages(ready []cadreAlerts, n int, keep func(store.Alert) bool,
	at time.Time, res Result) ([]store.OutboxMessage, [][2]int) {
	var msgs []store.OutboxMessage
	var carried [][2]int
	var lines []store.UnsentAlert
	for _, r := range ready {
		lines = lines[:0]
		for _, h := range r.alerts {
			if a := h.alert; keep(a) {
				lines = append(lines, store.UnsentAlert{Level: a.Level, PairingID: a.PairingID, RecipientID: a.RecipientID,
					Reason: a.Reason, HeadName: h.head})
			}
		}
		if len(lines) > 0 {
			msgs = append(msgs, j.digest(r.cadre, j.digestText(lines, nil, nil, res), at))
			carried = append(carried, [2]int{n, n + len(lines)})
		}
		n += len(lines)
	}
	return msgs, carried
}
