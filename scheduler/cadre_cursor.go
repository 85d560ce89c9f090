package scheduler

import (
	"qinqi/internal/domain"
	"qinqi/store"
)

// cadreCursor walks the cadres in the order the scan completes them: by their last active pairing
// (store.LastActivePairings). Both the window reminders and the overdue scan hand a cadre's digest
// on once the scan, which visits pairings by id, has passed that pairing.
type cadreCursor struct {
	order []store.CadreLast
	next  int // order[:next] are passed
}

// pass calls fn once for each cadre not passed yet whose last active pairing is at most top, or for
// every one left when all.
func (c *cadreCursor) pass(top domain.PairingID, all bool, fn func(domain.PersonID)) {
	for ; c.next < len(c.order) && (all || c.order[c.next].Last <= top); c.next++ {
		fn(c.order[c.next].Cadre)
	}
}
