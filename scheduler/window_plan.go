package scheduler

import (
	"cmp"
	"context"
	"slices"
	"time"

	"qinqi/internal/domain"
	"qinqi/store"
)

// The window reminders plan while they scan. A cadre's digest needs all of the cadre's pairings, and
// the scan visits pairings by id, so the planner first reads each cadre's last active pairing id
// (store.LastActivePairings); once the scan has passed it, the cadre is complete and joins the next
// chunk. Full chunks go to one writer goroutine through a channel of one, so the database writes one
// chunk while it reads the next batches, and memory holds only the cadres not complete yet plus two
// chunks. The cadres left when the scan ends are written after it, by cadre id. A store bound to one
// connection (a transaction) cannot overlap: there the chunks are written after the scan, in turn.

// cadrePlan is one complete cadre: its unreported pairings, in scan order.
type cadrePlan struct {
	cadre   domain.PersonID
	targets []target
}

// heldCadre is a cadre with targets: those found so far, until it is handed on.
type heldCadre struct {
	targets []target
	handed  bool
}

// collector gathers the scan's targets by cadre and hands each cadre on once the scan has passed the
// cadre's last active pairing, or when the scan ends.
type collector struct {
	due   []dueWindow
	leave map[domain.PersonID]bool
	order cadreCursor // empty when nothing may be handed on before the end
	held  map[domain.PersonID]*heldCadre
	ready []cadrePlan // complete cadres not in a chunk yet
}

func newCollector(due []dueWindow, leave map[domain.PersonID]bool, order []store.CadreLast) *collector {
	return &collector{due: due, leave: leave, order: cadreCursor{order: order}, held: map[domain.PersonID]*heldCadre{}}
}

// add takes one batch of the scan (ascending ids, after every earlier batch) and then hands on the
// cadres whose last pairing it has passed. A pairing of a cadre handed on already (made while the run
// was scanning) is left to the next run: the cadre's digest for this slot is written.
func (c *collector) add(fs []store.PairingFacts) {
	var top domain.PairingID
	for _, f := range fs {
		top = max(top, f.Pairing.ID)
		cadre := f.Pairing.CadreID
		if c.leave[cadre] {
			continue
		}
		h := c.held[cadre]
		for i, d := range c.due {
			if d.w.Applies(f.Tags, f.Program) && !reportedSince(f.CheckIns, d.w.Start) {
				if h == nil {
					h = &heldCadre{}
					c.held[cadre] = h
				}
				if !h.handed {
					h.targets = append(h.targets, target{f.Pairing.ID, i, f.HeadName})
				}
			}
		}
	}
	c.order.pass(top, false, c.handOn)
}

func (c *collector) handOn(cadre domain.PersonID) {
	if h := c.held[cadre]; h != nil && !h.handed {
		c.ready = append(c.ready, cadrePlan{cadre, h.targets})
		h.handed, h.targets = true, nil
	}
}

// finish hands on every cadre still held, by cadre id.
func (c *collector) finish() {
	start := len(c.ready)
	for cadre, h := range c.held {
		if !h.handed && len(h.targets) > 0 {
			c.ready = append(c.ready, cadrePlan{cadre, h.targets})
		}
	}
	slices.SortFunc(c.ready[start:], func(a, b cadrePlan) int { return cmp.Compare(a.cadre, b.cadre) })
	clear(c.held)
}

// chunks passes the ready cadres to write in chunks of per cadres; a short last chunk only when all.
func (c *collector) chunks(per int, all bool, write func([]cadrePlan) error) error {
	for len(c.ready) >= per || all && len(c.ready) > 0 {
		n := min(per, len(c.ready))
		chunk := slices.Clone(c.ready[:n])
		c.ready = append(c.ready[:0], c.ready[n:]...)
		if err := write(chunk); err != nil {
			return err
		}
	}
	return nil
}

// scan runs the collector over every active pairing, passing chunks to write as cadres complete and
// the rest at the end.
func (j *WindowReminders) scan(ctx context.Context, c *collector, now time.Time, per int, write func([]cadrePlan) error) error {
	var bounds []time.Time
	for _, d := range c.due {
		bounds = append(bounds, d.w.Start)
	}
	slices.SortFunc(bounds, func(a, b time.Time) int { return a.Compare(b) })
	bounds = slices.CompactFunc(bounds, time.Time.Equal)
	err := j.Store.ScanActivePairings(ctx, store.ScanOptions{At: now, Bounds: bounds, Batch: j.ScanBatch}, func(fs []store.PairingFacts) error {
		c.add(fs)
		return c.chunks(per, false, write)
	})
	if err != nil {
		return err
	}
	c.finish()
	return c.chunks(per, true, write)
}

// plan scans and writes. With a store that overlaps, one writer goroutine (behind) writes the chunks
// the scan hands it: the first error of either cancels the other, and plan returns only when the
// writer has stopped, so nothing uses the store after Run returns.
func (j *WindowReminders) plan(ctx context.Context, due []dueWindow, leave map[domain.PersonID]bool, at, now time.Time) (Result, error) {
	res := Result{}
	per := j.CadresPerTx
	if per <= 0 {
		per = 200
	}
	write := func(ctx context.Context, chunk []cadrePlan) error { return j.writeChunk(ctx, due, chunk, at, now, res) }
	if !j.Store.Overlaps(ctx) {
		return res, j.scan(ctx, newCollector(due, leave, nil), now, per, func(chunk []cadrePlan) error { return write(ctx, chunk) })
	}
	order, err := j.Store.LastActivePairings(ctx, now)
	if err != nil {
		return res, err
	}
	w := startBehind(ctx, 1, write)
	err = j.scan(w.ctx, newCollector(due, leave, order), now, per, w.hand)
	return res, w.finish(err)
}
