package store

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"qinqi/internal/domain"
)

// summaryChunk is how many pairing ids one transaction of the summary upkeep covers.
const summaryChunk = 1000

// RebuildSummaries rewrites every pairing's summary from check_ins, keeping the entries from `from`
// on (zero: all of them), one transaction per summaryChunk pairing ids. It is safe while reports
// arrive: a chunk first deletes its rows, which locks them (and on MariaDB the gaps between them),
// and only then reads check_ins, so a report's transaction either committed before the read and is
// in it, or waits for the chunk and appends to the new row. It returns the number of rows written.
func (s *Store) RebuildSummaries(ctx context.Context, from time.Time) (int, error) {
	from = wholeSecond(from)
	n := 0
	err := s.eachPairingRange(ctx, func(tx *Store, lo, hi domain.PairingID) error {
		k, err := tx.rebuildChunk(ctx, lo, hi, from)
		n += k
		return err
	})
	if err != nil {
		return n, fmt.Errorf("store: rebuild summaries: %w", err)
	}
	return n, nil
}

// eachPairingRange calls fn for consecutive ranges of summaryChunk pairing ids, from the lowest
// pairing id to the highest, each in its own transaction.
func (s *Store) eachPairingRange(ctx context.Context, fn func(tx *Store, lo, hi domain.PairingID) error) error {
	var lo, hi *int64
	if err := s.q(ctx).Raw("SELECT MIN(id), MAX(id) FROM pairings").Row().Scan(&lo, &hi); err != nil || lo == nil || hi == nil {
		return err
	}
	for start := domain.PairingID(*lo); start <= domain.PairingID(*hi); start += summaryChunk {
		if err := s.Tx(ctx, func(tx *Store) error { return fn(tx, start, start+summaryChunk-1) }); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) rebuildChunk(ctx context.Context, lo, hi domain.PairingID, from time.Time) (int, error) {
	if err := s.q(ctx).Exec("DELETE FROM pairing_summaries WHERE pairing_id BETWEEN ? AND ?", lo, hi).Error; err != nil {
		return 0, fmt.Errorf("store: clear summaries: %w", err)
	}
	raw, err := s.rawEntries(ctx, lo, hi)
	if err != nil {
		return 0, err
	}
	var complete *time.Time
	if !from.IsZero() {
		f := from.In(s.loc)
		complete = &f
	}
	rows := make([]PairingSummary, 0, len(raw))
	for _, id := range sortedKeys(raw) {
		r := PairingSummary{ID: id, CompleteFrom: complete}
		var b strings.Builder
		earlier := newLatest()
		for _, e := range raw[id] {
			if from.IsZero() || !e.at.Before(from) {
				b.WriteString(e.code)
			} else {
				earlier.note(e.code[0], e.at.Unix())
			}
		}
		r.Recent = b.String()
		if complete != nil {
			early := earlier.entries()
			r.Earlier, r.EarlierAt = &early, complete
		}
		rows = append(rows, r)
	}
	return len(rows), s.writeSummaries(ctx, rows)
}

// rawEntry is one non-undone check-in as its summary entry.
type rawEntry struct {
	code string
	at   time.Time
}

// rawEntries reads the non-undone check-ins of pairings lo..hi as summary entries, oldest first (the
// covering scan index alone answers it).
func (s *Store) rawEntries(ctx context.Context, lo, hi domain.PairingID) (map[domain.PairingID][]rawEntry, error) {
	rows, err := s.q(ctx).Raw("SELECT pairing_id, kind, occurred_at FROM check_ins WHERE pairing_id BETWEEN ? AND ?"+
		" AND undone_at IS NULL ORDER BY pairing_id, occurred_at", lo, hi).Rows()
	if err != nil {
		return nil, fmt.Errorf("store: read check-ins for summaries: %w", err)
	}
	defer rows.Close()
	out := map[domain.PairingID][]rawEntry{}
	for rows.Next() {
		var id domain.PairingID
		var kind domain.CheckInKind
		var at time.Time
		if err := rows.Scan(&id, &kind, &at); err != nil {
			return nil, fmt.Errorf("store: read check-ins for summaries: %w", err)
		}
		code, err := summaryEntry(kind, at)
		if err != nil {
			return nil, err
		}
		out[id] = append(out[id], rawEntry{code: code, at: at})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read check-ins for summaries: %w", err)
	}
	return out, nil
}

// writeSummaries inserts rows, replacing any row of the same pairing.
func (s *Store) writeSummaries(ctx context.Context, rows []PairingSummary) error {
	per := s.bulkRows()
	for start := 0; start < len(rows); start += per {
		part := rows[start:min(start+per, len(rows))]
		args := make([]any, 0, 5*len(part))
		for _, r := range part {
			args = append(args, r.ID, r.CompleteFrom, r.Recent, r.Earlier, r.EarlierAt)
		}
		q := insertSQL("pairing_summaries", []string{"pairing_id", "complete_from", "recent", "earlier", "earlier_at"}, len(part))
		if s.driver == DriverSQLite {
			q += " ON CONFLICT(pairing_id) DO UPDATE SET complete_from = excluded.complete_from, recent = excluded.recent," +
				" earlier = excluded.earlier, earlier_at = excluded.earlier_at"
		} else {
			q += " ON DUPLICATE KEY UPDATE complete_from = VALUES(complete_from), recent = VALUES(recent)," +
				" earlier = VALUES(earlier), earlier_at = VALUES(earlier_at)"
		}
		if err := s.q(ctx).Exec(q, args...).Error; err != nil {
			return fmt.Errorf("store: write summaries: %w", err)
		}
	}
	return nil
}

// PruneSummaries drops the entries older than before and moves those rows' CompleteFrom to before
// (or keeps a later one), keeping the latest dropped entry of each kind in Earlier, one locked chunk
// of rows at a time. A row that was complete from before CompleteFrom and does not know its Earlier
// (pruned by an older version, or an undo since) gets it from check_ins. Other rows are left as
// they are. It returns how many rows it rewrote. The summary-prune job calls it with now −
// SummaryHorizon; with a zero before it only fills the Earlier of the rows that lack it.
func (s *Store) PruneSummaries(ctx context.Context, before time.Time) (int, error) {
	before = wholeSecond(before)
	n := 0
	for after := domain.PairingID(0); ; {
		var got int
		err := s.Tx(ctx, func(tx *Store) error {
			rows, err := tx.lockedSummaries(ctx, after)
			if err != nil || len(rows) == 0 {
				return err
			}
			got, after = len(rows), rows[len(rows)-1].ID
			pruned, unknown, err := pruneRows(rows, before.In(s.loc), s.loc)
			if err != nil {
				return err
			}
			if err := tx.earlierFromCheckIns(ctx, pruned, unknown); err != nil {
				return err
			}
			n += len(pruned)
			return tx.writeSummaries(ctx, pruned)
		})
		if err != nil || got < summaryChunk {
			return n, err
		}
	}
}

// lockedSummaries reads (and on MariaDB locks) the next summaryChunk rows after `after`.
func (s *Store) lockedSummaries(ctx context.Context, after domain.PairingID) ([]PairingSummary, error) {
	var rows []PairingSummary
	err := s.q(ctx).Raw(s.forUpdate("SELECT pairing_id, complete_from, recent, earlier, earlier_at FROM pairing_summaries"+
		" WHERE pairing_id > ? ORDER BY pairing_id LIMIT ?"), after, summaryChunk).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: read summaries: %w", err)
	}
	return rows, nil
}

// pruneRows returns the rows to rewrite: those that hold entries older than before, without them,
// and those that do not know their Earlier. unknown are the ones of them whose Earlier must be read
// from check_ins (indexes into out).
func pruneRows(rows []PairingSummary, before time.Time, loc *time.Location) (out []PairingSummary, unknown []int, err error) {
	for _, r := range rows {
		cut := before // never moved back: the row holds nothing of [before, CompleteFrom)
		if r.CompleteFrom != nil && r.CompleteFrom.After(cut) {
			cut = *r.CompleteFrom
		}
		known := r.CompleteFrom == nil || r.knowsEarlier()
		earlier := newLatest()
		if r.CompleteFrom != nil && known {
			if err := earlier.noteAll(*r.Earlier, math.MaxInt64); err != nil {
				return out, unknown, fmt.Errorf("store: summary of pairing %d: %w", r.ID, err)
			}
		}
		var keep strings.Builder
		dropped := false
		for _, e := range strings.Fields(r.Recent) {
			_, sec, err := parseEntry(e)
			if err != nil {
				return out, unknown, fmt.Errorf("store: summary of pairing %d: %w", r.ID, err)
			}
			if !cut.IsZero() && sec < cut.Unix() {
				dropped = true
				earlier.note(e[0], sec)
				continue
			}
			keep.WriteString(e + " ")
		}
		if !dropped && known {
			continue
		}
		if !known {
			unknown = append(unknown, len(out))
		}
		early, at := earlier.entries(), cut.In(loc)
		r.Recent, r.CompleteFrom, r.Earlier, r.EarlierAt = keep.String(), &at, &early, &at
		out = append(out, r)
	}
	return out, unknown, nil
}

// earlierFromCheckIns fills the Earlier of rows[i] for i in unknown from check_ins: the latest
// non-undone check-in of each kind before the row's CompleteFrom. The rows are locked, so a report
// committing meanwhile is in the read, or appends to the row after it.
func (s *Store) earlierFromCheckIns(ctx context.Context, rows []PairingSummary, unknown []int) error {
	byCut := map[time.Time][]int{} // one read per CompleteFrom: all of them but rows rebuilt oddly share one
	for _, i := range unknown {
		cut := rows[i].CompleteFrom.UTC()
		byCut[cut] = append(byCut[cut], i)
	}
	for cut, idx := range byCut {
		ids := make([]domain.PairingID, len(idx))
		for k, i := range idx {
			ids[k] = rows[i].ID
		}
		latest, err := s.latestBeforeOf(ctx, ids, cut)
		if err != nil {
			return err
		}
		for _, i := range idx {
			l := newLatest()
			for _, f := range latest[rows[i].ID] {
				if k, ok := kindLetter(f.Kind); ok {
					l.note(k, f.At.Unix())
				}
			}
			early := l.entries()
			rows[i].Earlier = &early
		}
	}
	return nil
}

// SummaryCheck is what CheckSummaries found.
type SummaryCheck struct {
	Pairings   int                // pairings with a summary row or a check-in
	Mismatched int                // whose row differs from check_ins
	Examples   []domain.PairingID // the first few of them
}

// CheckSummaries compares every summary row with check_ins: from the row's CompleteFrom on, it
// must hold exactly the pairing's non-undone check-ins (to the second); a pairing without a row must
// have none. Each chunk reads both in one transaction, so reports arriving meanwhile cause no false
// alarm on MariaDB; on SQLite the transaction keeps writers out for the chunk's few milliseconds.
func (s *Store) CheckSummaries(ctx context.Context) (SummaryCheck, error) {
	var out SummaryCheck
	err := s.eachPairingRange(ctx, func(tx *Store, lo, hi domain.PairingID) error { return tx.checkChunk(ctx, lo, hi, &out) })
	if err != nil {
		return out, fmt.Errorf("store: check summaries: %w", err)
	}
	return out, nil
}

func (s *Store) checkChunk(ctx context.Context, lo, hi domain.PairingID, out *SummaryCheck) error {
	var rows []PairingSummary
	if err := s.q(ctx).Where("pairing_id BETWEEN ? AND ?", lo, hi).Find(&rows).Error; err != nil {
		return err
	}
	raw, err := s.rawEntries(ctx, lo, hi)
	if err != nil {
		return err
	}
	stored := make(map[domain.PairingID]PairingSummary, len(rows))
	for _, r := range rows {
		stored[r.ID] = r
		if _, ok := raw[r.ID]; !ok {
			raw[r.ID] = nil
		}
	}
	for _, id := range sortedKeys(raw) {
		out.Pairings++
		if !summaryMatches(stored[id], raw[id], s.loc) {
			out.Mismatched++
			if len(out.Examples) < 20 {
				out.Examples = append(out.Examples, id)
			}
		}
	}
	return nil
}

// summaryMatches compares a row's entries from its CompleteFrom on with the raw ones, and when the
// row knows its Earlier, the latest of each kind before CompleteFrom too.
func summaryMatches(r PairingSummary, raw []rawEntry, loc *time.Location) bool {
	return entriesMatch(r, raw, loc) && (!r.knowsEarlier() || earlierMatches(r, raw))
}

// earlierMatches: the latest entry of each kind before CompleteFrom, in Earlier and Recent, is the
// latest raw one.
func earlierMatches(r PairingSummary, raw []rawEntry) bool {
	cut := r.CompleteFrom.Unix()
	have, want := newLatest(), newLatest()
	if have.noteAll(*r.Earlier, cut) != nil || have.noteAll(r.Recent, cut) != nil {
		return false
	}
	for _, e := range raw {
		if sec := e.at.Unix(); sec < cut {
			want.note(e.code[0], sec)
		}
	}
	return have == want
}

func entriesMatch(r PairingSummary, raw []rawEntry, loc *time.Location) bool {
	var from time.Time
	if r.CompleteFrom != nil {
		from = *r.CompleteFrom
	}
	got, err := decodeSummary(r.Recent, from, time.Time{}, loc, nil)
	if err != nil {
		return false
	}
	var want, have []string
	for _, e := range raw {
		if from.IsZero() || !e.at.Before(from) {
			want = append(want, e.code)
		}
	}
	for _, f := range got {
		code, err := summaryEntry(f.Kind, f.At)
		if err != nil {
			return false
		}
		have = append(have, code)
	}
	slices.Sort(want)
	slices.Sort(have)
	return slices.Equal(want, have)
}

// wholeSecond truncates t to its second (keeping zero zero): entries are dated to the second, so a
// bound with a fraction would split a second between a row's pruned and kept entries.
func wholeSecond(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return time.Unix(t.Unix(), 0)
}

func sortedKeys[V any](m map[domain.PairingID]V) []domain.PairingID {
	out := make([]domain.PairingID, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}
