package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"qinqi/internal/domain"
)

// A relay (接力) ends one pairing and starts another for the same household with RelayedFromID
// set. The household's story runs through the whole chain: whoever visited it, it was visited. So
// every read of "a pairing's contacts" (the overdue scan, 我的亲戚, the coordinator's 逾期) reads
// the contacts of the pairing and of every pairing it continues, and the frequency rules judge the
// chain from its first pairing's start.

// maxRelayDepth bounds the walk back along a chain (a household relayed more often than this is
// judged on its latest maxRelayDepth pairings).
const maxRelayDepth = 64

// relayChain is what a relayed pairing continues: the pairings before it, nearest first, and the
// start of the earliest of them.
type relayChain struct {
	from  []domain.PairingID
	start time.Time
}

type relayLink struct {
	ID            domain.PairingID
	RelayedFromID *domain.PairingID
	StartOn       time.Time
}

// relayChains maps each of ids that continues a relay to its chain; pairings that continue none
// are absent. One query per step back, none beyond the first when nothing was relayed.
func (s *Store) relayChains(ctx context.Context, ids []domain.PairingID) (map[domain.PairingID]relayChain, error) {
	return s.walkChains(ctx, ids, nil)
}

// walkChains is relayChains given, when not nil, the links of ids already read (the relayed ones
// among them: a scan batch reads them with its pairings), which saves the walk its first query.
func (s *Store) walkChains(ctx context.Context, ids []domain.PairingID, known []relayLink) (map[domain.PairingID]relayChain, error) {
	parent := map[domain.PairingID]domain.PairingID{}
	start := map[domain.PairingID]time.Time{}
	frontier, first := ids, true
	for depth := 0; len(frontier) > 0 && depth <= maxRelayDepth; depth++ {
		rows := known
		if !first || known == nil {
			var err error
			if rows, err = s.relayLinks(ctx, frontier, first); err != nil {
				return nil, err
			}
		}
		first, frontier = false, nil
		for _, r := range rows {
			start[r.ID] = r.StartOn.In(s.loc)
			if _, seen := parent[r.ID]; r.RelayedFromID != nil && !seen {
				parent[r.ID] = *r.RelayedFromID
				frontier = append(frontier, *r.RelayedFromID)
			}
		}
	}
	out := map[domain.PairingID]relayChain{}
	for _, id := range ids {
		p, ok := parent[id]
		seen := map[domain.PairingID]bool{id: true}
		var ch relayChain
		for ok && !seen[p] && len(ch.from) < maxRelayDepth {
			seen[p] = true
			ch.from = append(ch.from, p)
			if st, known := start[p]; known {
				ch.start = st
			}
			p, ok = parent[p]
		}
		if len(ch.from) > 0 {
			out[id] = ch
		}
	}
	return out, nil
}

// relayLinks reads id, relayed_from_id and start_on of ids; onlyRelayed keeps the relayed ones.
func (s *Store) relayLinks(ctx context.Context, ids []domain.PairingID, onlyRelayed bool) ([]relayLink, error) {
	var out []relayLink
	for lo := 0; lo < len(ids); lo += keyChunk {
		q := s.q(ctx).Model(&Pairing{}).Select("id, relayed_from_id, start_on").
			Where("id IN (" + sqlInts(ids[lo:min(lo+keyChunk, len(ids))]) + ")")
		if onlyRelayed {
			q = q.Where("relayed_from_id IS NOT NULL")
		}
		var rows []relayLink
		if err := q.Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("store: relay chains: %w", err)
		}
		out = append(out, rows...)
	}
	return out, nil
}

// ancestors lists every pairing the chains continue, ascending and without repeats.
func ancestors(chains map[domain.PairingID]relayChain) []domain.PairingID {
	var out []domain.PairingID
	for _, ch := range chains {
		out = append(out, ch.from...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// foldChains adds to each relayed pairing's entry the entries of the pairings it continues.
func foldChains[T any](m map[domain.PairingID][]T, chains map[domain.PairingID]relayChain) {
	add := map[domain.PairingID][]T{}
	for id, ch := range chains {
		for _, a := range ch.from {
			add[id] = append(add[id], m[a]...)
		}
	}
	for id, xs := range add {
		m[id] = append(m[id], xs...)
	}
}

// withChains extends ids by the pairings they continue and returns the chains for folding back.
func (s *Store) withChains(ctx context.Context, ids []domain.PairingID) ([]domain.PairingID, map[domain.PairingID]relayChain, error) {
	chains, err := s.relayChains(ctx, ids)
	if err != nil || len(chains) == 0 {
		return ids, chains, err
	}
	all := append(slices.Clone(ids), ancestors(chains)...)
	slices.Sort(all)
	return slices.Compact(all), chains, nil
}

// chainStart is when the household's pairing chain that p continues began: p's own start unless p
// was relayed.
func chainStart(p Pairing, chains map[domain.PairingID]relayChain) time.Time {
	if ch, ok := chains[p.ID]; ok && !ch.start.IsZero() {
		return ch.start
	}
	return p.StartOn
}
