package scheduler

import (
	"context"
	"maps"
	"slices"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

// A cadre's overdue digest needs only the cadre's own pairings, and the scan visits pairings by id,
// so the overdue scan writes it the way the window reminders do (window_plan.go): the cadre's new
// alerts are held until the scan has passed the cadre's last active pairing (store.LastActivePairings,
// read when the first alert is held, so a day without new alerts never reads it), then the digest is
// queued and the alerts are written already carried by it, in the transaction of the writer's next
// chunk: nothing is read back or linked afterwards (the household heads' names come with the scan).
// Coordinators, heads and admins, who hear of a whole unit, are complete only when the scan ends:
// their new alerts are held until then, the cadres their lines name are looked up once, and their
// digests are written the same way by the last chunk. Anyone with an alert unsent or past the cadre
// level still open (store.RecipientsWithPending) is owed more than the scan holds: their new alerts
// are written unsent and they get their one digest after the scan, read back from the database. A run that fails leaves the held alerts unwritten; the next run raises them.

// cadreDigests is the writer goroutine's record of the recipients whose digest the scan writes.
type cadreDigests struct {
	pastCadre map[domain.PersonID]bool // may hear past the cadre level: their digest waits for the end
	order     cadreCursor              // read at the first held alert
	loaded    bool
	held      map[domain.PersonID][]heldAlert // cadres', until the scan passes their last active pairing
	upper     map[domain.PersonID][]heldAlert // those in pastCadre, until the scan ends
	sent      map[domain.PersonID]bool        // their digest is written
	deferred  map[domain.PersonID]bool        // owed something else: their alerts are written unsent
}

func newCadreDigests() *cadreDigests {
	return &cadreDigests{held: map[domain.PersonID][]heldAlert{}, upper: map[domain.PersonID][]heldAlert{}, sent: map[domain.PersonID]bool{},
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

// heldAlert is a new alert held for a digest, kept small: on the first day after an import a
// million-pairing county holds about 130,000 of them until the scan ends. Held as store.Alert rows
// with their keys, lines and cadre names, they took the scan's peak to 190–230 MB RSS (Go heap
// 140–185 MB); held so, 137–152 MB (96–109 MB). What every alert of a run shares (its creation
// time, the run's) and what follows from the rest (the key) is put back by row, and the lines'
// cadres are named from one map per group of digests (nameCadres).
type heldAlert struct {
	pairing      domain.PairingID
	to           domain.PersonID
	cadre        domain.PersonID // the pairing's cadre, from the scan
	overdueSince int64           // the spell's day, Unix seconds
	level        domain.AlertLevel
	reason       string // shared by the pairing's alerts
	head         string // the household head
}

// hold is a planned alert as held, with what its line shows.
func hold(a store.Alert, l lineOf) heldAlert {
	return heldAlert{pairing: a.PairingID, to: a.RecipientID, cadre: l.cadre, overdueSince: a.OverdueSince.Unix(), level: a.Level,
		reason: a.Reason, head: l.head}
}

// row is the alert as planned at now (plan's row).
func (h heldAlert) row(now time.Time) store.Alert {
	since := time.Unix(h.overdueSince, 0).In(clock.Shanghai)
	return store.Alert{Key: alertKey(h.pairing, since, h.level, h.to), Level: h.level, PairingID: h.pairing, RecipientID: h.to,
		Reason: h.reason, OverdueSince: since, CreatedAt: now}
}

// lineOf is what the scan knows of an overdue pairing for a digest line.
type lineOf struct {
	head  string
	cadre domain.PersonID
}

// take holds a chunk's alerts for the digests written from memory, with what their lines show (by
// pairing), and returns those of recipients owed more, to be written unsent, noting them in to. Those
// in pastCadre, and any alert past the cadre level, wait for the end of the scan; a cadre's, for the
// scan to pass the cadre's last active pairing. An alert for a cadre whose digest is written already
// (a pairing the scan reached after it: handed to them meanwhile) is left to the next run.
func (c *cadreDigests) take(planned []store.Alert, lines map[domain.PairingID]lineOf, to map[domain.PersonID]bool) []store.Alert {
	var unsent []store.Alert
	for _, a := range planned {
		r := a.RecipientID
		switch {
		case c.deferred[r]:
			unsent = append(unsent, a)
			to[r] = true
		case a.Level != domain.AlertCadre || c.pastCadre[r]:
			c.upper[r] = append(c.upper[r], hold(a, lines[a.PairingID]))
		case !c.sent[r]:
			c.held[r] = append(c.held[r], hold(a, lines[a.PairingID]))
		}
	}
	return unsent
}

// cadreAlerts is one complete recipient's new alerts, in scan order.
type cadreAlerts struct {
	cadre  domain.PersonID
	alerts []heldAlert
}

// readyCadres are the held recipients the scan has passed: those whose digest is written now, and
// those found owed something else, whose alerts are written unsent for the digest after the scan;
// names are the cadres that the digests' lines past the cadre level name.
type readyCadres struct {
	digest, deferred []cadreAlerts
	names            map[domain.PersonID]string
}

// complete hands on the held cadres whose last active pairing is at most upTo, and at the end of the
// scan (last) every held recipient, and sorts them into digests and deferred ones. to holds the
// recipients of alerts an earlier run left unsent that this run found.
func (c *cadreDigests) complete(ctx context.Context, st Store, now time.Time, upTo domain.PairingID, last bool,
	to map[domain.PersonID]bool) (readyCadres, error) {
	var out readyCadres
	ready, err := c.ready(ctx, st, now, upTo, last)
	if err != nil || len(ready) == 0 {
		return out, err
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
	out.names, err = nameCadres(ctx, st, out.digest)
	return out, err
}

// ready takes the held cadres the scan has passed and, at its end, everyone held past the cadre level
// (by id). The cadres' order is read at the first held cadre alert.
func (c *cadreDigests) ready(ctx context.Context, st Store, now time.Time, upTo domain.PairingID, last bool) ([]cadreAlerts, error) {
	var ready []cadreAlerts
	if len(c.held) > 0 {
		if !c.loaded {
			order, err := st.LastActivePairings(ctx, now)
			if err != nil {
				return nil, err
			}
			c.order, c.loaded = cadreCursor{order: order}, true
		}
		ready = c.passed(upTo, last)
	}
	if last {
		ready = drain(ready, c.upper)
	}
	return ready, nil
}

// nameCadres looks up, in one read per 500 people, the cadres that the digests' lines past the cadre
// level name.
func nameCadres(ctx context.Context, st Store, digests []cadreAlerts) (map[domain.PersonID]string, error) {
	seen := map[domain.PersonID]bool{}
	var ids []domain.PersonID
	for _, r := range digests {
		for _, h := range r.alerts {
			if h.level != domain.AlertCadre && !seen[h.cadre] {
				seen[h.cadre] = true
				ids = append(ids, h.cadre)
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return st.PersonNames(ctx, ids)
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
		ready = drain(ready, c.held)
	}
	return ready
}

// drain appends everyone held in m, by id, and empties m.
func drain(ready []cadreAlerts, m map[domain.PersonID][]heldAlert) []cadreAlerts {
	for _, id := range slices.Sorted(maps.Keys(m)) {
		ready = append(ready, cadreAlerts{id, m[id]})
	}
	clear(m)
	return ready
}

// alertsPerTx bounds the new alerts that one transaction of digests carries (one recipient's are
// never split). At the end of the first day's scan of a million pairings the coordinators' and heads'
// digests carry about 130,000 alerts; written at once, their rows and keys doubled what the scan held
// (Go heap peak 71 -> 241 MB), while a group of this size costs no more statements than 500-row ones.
const alertsPerTx = 10000

// nextGroup is how many of the digests the next transaction writes: at least one, and as many more as
// keep their alerts within perTx (alertsPerTx when it is 0).
func nextGroup(digests []cadreAlerts, perTx int) int {
	if perTx <= 0 {
		perTx = alertsPerTx
	}
	n, rows := 0, 0
	for n < len(digests) && (n == 0 || rows+len(digests[n].alerts) <= perTx) {
		rows += len(digests[n].alerts)
		n++
	}
	return n
}

// writeChunk writes a chunk's unsent alerts and the digests of the cadres the scan has passed, their
// alerts carried by them, in one batched enqueue and multi-row INSERTs, with a key look-up first when
// lookUp. A step raised already (found by the look-up) is left out of the rows and of the digest;
// without the look-up the insert finds it and fails the chunk (store.ErrAlertsRaced), which the
// caller writes again with it. When another run queued a different digest for the same cadre today
// (the same key), that one stays theirs and the alerts it does not list are written unsent, for the
// next run.
func (j *OverdueScan) writeChunk(ctx context.Context, tx writer, unsent []store.Alert, ready []cadreAlerts, names map[domain.PersonID]string,
	lookUp bool, leave map[domain.PersonID]bool, now, at time.Time, res Result) error {
	var planned []store.Alert
	for _, r := range ready {
		for _, h := range r.alerts {
			planned = append(planned, h.row(now))
		}
	}
	seen, err := storedKeys(ctx, tx, lookUp, unsent, planned)
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
	msgs, carried := j.cadreMessages(ready, planned, names, len(rows), keep, leave, at, res)
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

// storedKeys are the keys of unsent and planned that are stored already, looked up only with lookUp;
// the map also gathers the keys written (a key is written once).
func storedKeys(ctx context.Context, tx writer, lookUp bool, unsent, planned []store.Alert) (map[string]bool, error) {
	if !lookUp {
		return make(map[string]bool, len(unsent)+len(planned)), nil
	}
	keys := make([]string, 0, len(unsent)+len(planned))
	for _, a := range unsent {
		keys = append(keys, a.Key)
	}
	for _, a := range planned {
		keys = append(keys, a.Key)
	}
	return tx.ExistingAlertKeys(ctx, keys)
}

// cadreMessages writes one digest per ready cadre from the alerts keep takes (it appends them to the
// rows, which hold n rows before), and for each digest the range of rows it carries. planned holds the
// ready cadres' alerts as rows, in order.
func (j *OverdueScan) cadreMessages(ready []cadreAlerts, planned []store.Alert, names map[domain.PersonID]string, n int, keep func(store.Alert) bool,
	leave map[domain.PersonID]bool, at time.Time, res Result) ([]store.OutboxMessage, [][2]int) {
	var msgs []store.OutboxMessage
	var carried [][2]int
	var lines []store.UnsentAlert
	for _, r := range ready {
		lines = lines[:0]
		for _, h := range r.alerts {
			if a := planned[0]; keep(a) {
				lines = append(lines, store.UnsentAlert{Level: a.Level, PairingID: a.PairingID, RecipientID: a.RecipientID,
					Reason: a.Reason, CadreID: h.cadre, CadreName: names[h.cadre], HeadName: h.head})
			}
			planned = planned[1:]
		}
		if len(lines) > 0 {
			msgs = append(msgs, j.digest(r.cadre, j.digestText(lines, leave, nil, res), at))
			carried = append(carried, [2]int{n, n + len(lines)})
		}
		n += len(lines)
	}
	return msgs, carried
}
