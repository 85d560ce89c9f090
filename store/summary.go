package store

import (
	"context"
	"fmt"
	"maps"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"qinqi/internal/domain"
)

// Per-pairing summaries. The daily scans (overdue, reminder planning, spot-checks) read one narrow row
// per pairing instead of grouping its check-ins: at a million pairings the grouped read of twenty
// million check-ins was most of the overdue scan. The row lists the pairing's non-undone check-ins as
// entries "kind letter + occurred_at in base-36 Unix seconds", and every writer of check_ins keeps it
// in the same transaction:
//
//   - a new check-in appends its entry with one upsert that reads nothing (CONCAT / ||), so
//     concurrent reports of one pairing cannot lose each other's entries;
//   - an undo removes one matching entry after a locking read of the row;
//   - bulk loads, sheet imports and fixtures append per pairing in multi-row upserts.
//
// CompleteFrom says from when the row holds every check-in (NULL: from the beginning). A pairing
// without a row has no check-ins at all, because the migration that created the table gave a row to
// every pairing that had one. PruneSummaries drops entries older than the scans can ask for and moves
// CompleteFrom forward; a scan whose window starts before a row's CompleteFrom reads that pairing
// from check_ins instead, so a summary is never wrong, only sometimes unused.
// `qinqi check summaries` compares every row with check_ins, and RebuildSummaries rewrites them.

// PairingSummary is one pairing's summary row.
type PairingSummary struct {
	ID           domain.PairingID `gorm:"column:pairing_id;primaryKey;autoIncrement:false"` // the pairing's id
	CompleteFrom *time.Time
	Recent       string `gorm:"type:text;not null"`
	// Earlier holds, of the check-ins before CompleteFrom, the latest of each kind (entries as in
	// Recent, which may hold a few more: back-dated ones appended since). The overdue scan dates a
	// spell from it instead of reading the pairing's older check-ins (summary_earlier.go). It counts
	// only while EarlierAt equals CompleteFrom: NULL or another instant (a row pruned before it was
	// kept, or by an older version; an undo of a check-in before CompleteFrom) means not known.
	Earlier   *string `gorm:"type:text"`
	EarlierAt *time.Time
}

// SummaryHorizon is how far back a summary keeps entries: longer than any scan window (the previous
// quarter's start is at most 184 days back), so pruning never takes what a scan reads.
const SummaryHorizon = 200 * 24 * time.Hour

// The summary's one-letter codes for the check-in kinds; kindLetter and letterKind are inverses.
const summaryLetters = "cvpwd"

func kindLetter(k domain.CheckInKind) (byte, bool) {
	for i, kind := range domain.CheckInKinds {
		if kind == k {
			return summaryLetters[i], true
		}
	}
	return 0, false
}

func letterKind(c byte) domain.CheckInKind {
	if i := strings.IndexByte(summaryLetters, c); i >= 0 {
		return domain.CheckInKinds[i]
	}
	return ""
}

// summaryEntry encodes one check-in: "v1q2w3e " (the trailing space separates entries).
func summaryEntry(kind domain.CheckInKind, at time.Time) (string, error) {
	k, ok := kindLetter(kind)
	if !ok {
		return "", fmt.Errorf("store: summary: unknown check-in kind %q", kind)
	}
	b := make([]byte, 0, 10)
	b = append(b, k)
	b = strconv.AppendInt(b, at.Unix(), 36)
	return string(append(b, ' ')), nil
}

// decodeSummary reads a row's entries with from <= At <= to (either bound may be zero: open). It
// runs for every entry of every pairing each scan, so it compares Unix seconds and builds a time
// only for the entries it keeps.
func decodeSummary(recent string, from, to time.Time, loc *time.Location, out []CheckInFact) ([]CheckInFact, error) {
	lo, hi := secondsFrom(from), int64(math.MaxInt64)
	if !to.IsZero() {
		hi = to.Unix()
	}
	for i := 0; i < len(recent); {
		if recent[i] == ' ' {
			i++
			continue
		}
		j := i + 1
		for j < len(recent) && recent[j] != ' ' {
			j++
		}
		kind, sec, err := parseEntry(recent[i:j])
		if err != nil {
			return out, err
		}
		if sec >= lo && sec <= hi {
			out = append(out, CheckInFact{Kind: kind, At: time.Unix(sec, 0).In(loc)})
		}
		i = j
	}
	return out, nil
}

// secondsFrom is the first whole second at or after from (entries are whole seconds); the lowest
// there is when from is zero.
func secondsFrom(from time.Time) int64 {
	if from.IsZero() {
		return math.MinInt64
	}
	if from.Nanosecond() > 0 {
		return from.Unix() + 1
	}
	return from.Unix()
}

// parseEntry reads one entry's kind and Unix seconds (base 36, as strconv.AppendInt wrote them).
func parseEntry(e string) (domain.CheckInKind, int64, error) {
	if len(e) < 2 {
		return "", 0, fmt.Errorf("store: summary entry %q is unreadable", e)
	}
	kind := letterKind(e[0])
	digits, neg := e[1:], false
	if digits[0] == '-' && len(digits) > 1 {
		digits, neg = digits[1:], true
	}
	var sec int64
	for k := 0; k < len(digits); k++ {
		d := base36Digit(digits[k])
		if d < 0 || sec > (math.MaxInt64-d)/36 {
			return "", 0, fmt.Errorf("store: summary entry %q is unreadable", e)
		}
		sec = sec*36 + d
	}
	if kind == "" {
		return "", 0, fmt.Errorf("store: summary entry %q is unreadable", e)
	}
	if neg {
		sec = -sec
	}
	return kind, sec, nil
}

func base36Digit(c byte) int64 {
	switch {
	case c >= '0' && c <= '9':
		return int64(c - '0')
	case c >= 'a' && c <= 'z':
		return int64(c-'a') + 10
	case c >= 'A' && c <= 'Z': // never written, but strconv reads them too
		return int64(c-'A') + 10
	}
	return -1
}

// summaryAdds are the entries to append, by pairing, in ascending pairing order.
type summaryAdds struct {
	ids     []domain.PairingID
	entries map[domain.PairingID]string
}

func (a *summaryAdds) add(c CheckIn) error {
	if c.UndoneAt != nil {
		return nil
	}
	e, err := summaryEntry(c.Kind, c.OccurredAt)
	if err != nil {
		return err
	}
	if a.entries == nil {
		a.entries = map[domain.PairingID]string{}
	}
	if _, ok := a.entries[c.PairingID]; !ok {
		a.ids = append(a.ids, c.PairingID)
	}
	a.entries[c.PairingID] += e
	return nil
}

// summarize appends the entries of newly written check-ins to their pairings' rows. In an inbound
// batch the entries are held and appended with the batch's others before its commit (batch_hold.go):
// entries of one pairing from several messages join in order, as one message after another would
// have appended them.
func (s *Store) summarize(ctx context.Context, rows ...CheckIn) error {
	if h := s.held(ctx); h != nil {
		for _, c := range rows {
			if err := h.addSummary(c); err != nil {
				return err
			}
		}
		return nil
	}
	var adds summaryAdds
	for _, c := range rows {
		if err := adds.add(c); err != nil {
			return err
		}
	}
	sort.Slice(adds.ids, func(i, j int) bool { return adds.ids[i] < adds.ids[j] }) // one lock order for every writer
	per := s.bulkRows()
	for start := 0; start < len(adds.ids); start += per {
		ids := adds.ids[start:min(start+per, len(adds.ids))]
		args := make([]any, 0, 2*len(ids))
		for _, id := range ids {
			args = append(args, id, adds.entries[id])
		}
		// hand-written, like insertRow: this runs in every report's transaction
		if _, err := s.exec(ctx, s.appendSummarySQL(len(ids)), args...); err != nil {
			return fmt.Errorf("store: append to summaries: %w", err)
		}
	}
	return nil
}

// appendSummarySQL is the upsert that appends to n rows, creating the missing ones complete.
func (s *Store) appendSummarySQL(n int) string {
	q := "INSERT INTO pairing_summaries (pairing_id, complete_from, recent) VALUES " +
		strings.TrimSuffix(strings.Repeat("(?,NULL,?),", n), ",")
	if s.driver == DriverSQLite {
		return q + " ON CONFLICT(pairing_id) DO UPDATE SET recent = recent || excluded.recent"
	}
	return q + " ON DUPLICATE KEY UPDATE recent = CONCAT(recent, VALUES(recent))"
}

// unsummarize removes one entry of an undone check-in from its pairing's row. An entry already
// pruned (older than the row's CompleteFrom) is not there to remove, which is fine.
func (s *Store) unsummarize(ctx context.Context, c CheckIn) error {
	e, err := summaryEntry(c.Kind, c.OccurredAt)
	if err != nil {
		return err
	}
	var rows []PairingSummary
	err = s.q(ctx).Raw(s.forUpdate("SELECT pairing_id, complete_from, recent FROM pairing_summaries WHERE pairing_id = ?"), c.PairingID).
		Scan(&rows).Error
	if err != nil {
		return fmt.Errorf("store: read summary of pairing %d: %w", c.PairingID, err)
	}
	if len(rows) == 0 {
		return nil
	}
	rest, found := removeEntry(rows[0].Recent, e)
	// undone before CompleteFrom, it may have been its kind's latest there: Earlier is no longer
	// known (the scan reads check_ins for the pairing until the next prune fills it again)
	forget := rows[0].CompleteFrom != nil && c.OccurredAt.Unix() < rows[0].CompleteFrom.Unix()
	if !found && !forget {
		return nil
	}
	q := "UPDATE pairing_summaries SET recent = ?"
	if forget {
		q += ", earlier_at = NULL"
	}
	if err := s.q(ctx).Exec(q+" WHERE pairing_id = ?", rest, c.PairingID).Error; err != nil {
		return fmt.Errorf("store: write summary of pairing %d: %w", c.PairingID, err)
	}
	return nil
}

// removeEntry drops the first whole entry e ("v1q2w3e ") from recent.
func removeEntry(recent, e string) (string, bool) {
	for i := 0; ; {
		j := strings.Index(recent[i:], e)
		if j < 0 {
			return recent, false
		}
		j += i
		if j == 0 || recent[j-1] == ' ' {
			return recent[:j] + recent[j+len(e):], true
		}
		i = j + 1
	}
}

// summaryCheckIns turns a scan batch's summary rows into its check-ins in the scan's window, in the
// form loadCheckIns gives (grouped when the scan has Bounds). Pairings whose row is complete only
// from after the window's start are read from check_ins instead.
func (s *Store) summaryCheckIns(ctx context.Context, facts []PairingFacts, sums []summaryCols, o ScanOptions) (map[domain.PairingID][]CheckInFact, error) {
	from := o.Since
	if len(o.Bounds) > 0 {
		from = o.Bounds[0]
	}
	out := make(map[domain.PairingID][]CheckInFact, len(facts))
	var stale []domain.PairingID
	var buf []CheckInFact // the batch's check-ins, one backing array; each pairing gets a capped part
	for i, f := range facts {
		id, sum := f.Pairing.ID, sums[i]
		if sum.completeFrom != nil && sum.completeFrom.After(from) {
			stale = append(stale, id)
			continue
		}
		if o.Earlier && f.Pairing.RelayedFromID == nil && sum.knowsBefore() {
			facts[i].summary = &sums[i] // decoded only if the pairing turns out overdue (LatestBefore)
		}
		if sum.recent == nil {
			continue
		}
		start := len(buf)
		var err error
		if buf, err = decodeSummary(*sum.recent, from, o.At, s.loc, buf); err != nil {
			return nil, fmt.Errorf("store: summary of pairing %d: %w", id, err)
		}
		cs := buf[start:]
		if len(o.Bounds) > 0 {
			cs = groupFacts(cs, o.Bounds)
			buf = buf[:start+len(cs)]
		}
		if len(cs) > 0 {
			out[id] = cs[:len(cs):len(cs)] // appending to it (relay chains) must copy, not overwrite the next
		}
	}
	if len(stale) > 0 {
		raw, err := s.loadCheckIns(ctx, stale, o, true)
		if err != nil {
			return nil, err
		}
		maps.Copy(out, raw)
	}
	return out, nil
}

// groupFacts is groupedCheckIns done in Go: per kind and per interval between consecutive bounds,
// as many copies as the interval holds check-ins, dated at its latest. cs are all at or after bounds[0].
func groupFacts(cs []CheckInFact, bounds []time.Time) []CheckInFact {
	type group struct {
		kind   domain.CheckInKind
		bucket int
		n      int
		latest time.Time
	}
	var room [12]group // a handful: kinds × intervals; on the stack, a million pairings a scan
	groups := room[:0]
	for _, c := range cs {
		b := 0 // the number of bounds at or before c.At; bounds are a handful
		for b < len(bounds) && !bounds[b].After(c.At) {
			b++
		}
		i := 0
		for i < len(groups) && (groups[i].kind != c.Kind || groups[i].bucket != b) {
			i++
		}
		if i == len(groups) {
			groups = append(groups, group{kind: c.Kind, bucket: b})
			i = len(groups) - 1
		}
		g := &groups[i]
		g.n++
		if c.At.After(g.latest) {
			g.latest = c.At
		}
	}
	out := cs[:0]
	for _, g := range groups {
		for range g.n {
			out = append(out, CheckInFact{Kind: g.kind, At: g.latest})
		}
	}
	return out
}
