package store

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"
	"time"

	"qinqi/internal/domain"
)

// The scheduler's bulk scans read every active pairing in batches by ranges of pairing ids, never one
// query per pairing: the overdue scan must stay linear at a million pairings and twenty million check-ins.
// One joined query per batch brings the pairings with their households, cadres and summary rows
// (summary.go); check_ins is read only for the pairings whose summary does not reach back to the
// scan's window, for relay chains' earlier pairings, and when the caller asks for the history before
// the window (LatestBefore).

// CheckInFact is one non-undone check-in as the rules see it.
type CheckInFact struct {
	Kind domain.CheckInKind
	At   time.Time
}

// PairingFacts is one active pairing with what the jobs need to judge and address it.
type PairingFacts struct {
	Pairing   Pairing
	HeadName  string           // household head, for the cadre's own digest
	HeadID    *domain.PersonID // the head's Person row when the household uses the bot (spot-checks ask them)
	Tags      domain.Tags
	Program   string // program code, "" when none
	CadreUnit *domain.UnitID
	// Since is when the household's pairing chain began: Pairing.StartOn, or for a relayed
	// pairing the start of the first pairing it continues. The frequency rules judge from it.
	Since time.Time
	// CheckIns holds the check-ins with OccurredAt in [ScanOptions.Since, At] and, when
	// ScanOptions.LatestBefore is set, the latest check-in of each kind before Since — of the
	// pairing and of the pairings it continues (relay_chain.go).
	CheckIns []CheckInFact
	// summary is the pairing's summary row as the scan read it, kept (ScanOptions.Earlier) when it
	// knows the check-ins before the scan's window; LatestBefore reads them from it. Nil for relayed
	// pairings and for rows that do not know them (summary_earlier.go).
	summary *summaryCols
}

// ScanOptions say which pairings a scan visits and which check-ins it loads.
type ScanOptions struct {
	At           time.Time // pairings active at this instant; check-ins up to it
	Since        time.Time // check-ins from this instant
	LatestBefore bool      // also load the latest check-in of each kind before Since (or Bounds[0])
	Batch        int       // pairings per batch; default 900
	// Bounds (ascending) switch to the grouped form: check-ins from Bounds[0] are counted per kind
	// and per interval between consecutive bounds, and each group comes back as Count copies dated at
	// its latest check-in. Rules whose periods start only at bounds count exactly the same, while
	// the database returns a handful of rows per pairing instead of every check-in. Since is ignored.
	Bounds []time.Time
	// Lean leaves out what the overdue scan does not show: the pairing's code and the household head's
	// Person id stay empty. The head's name is read (its households row is read anyway): a cadre's
	// overdue digest, written during the scan, names the households.
	Lean bool
	// Earlier keeps with each pairing its summary row where the row knows the check-ins before the
	// window, so that LatestBefore answers from it; the overdue scan dates its spells so.
	Earlier bool
}

// ScanActivePairings calls fn with consecutive batches of active pairings, ordered by id. A batch is
// a range of Batch pairing ids (ids taken between the lowest and highest at the start; pairings made
// during the scan are not visited), so batches can be read independently: outside a transaction
// scanReaders goroutines read the next ranges while fn works on the current one, and the database,
// the decoding and the caller's evaluation overlap on two cores. At most scanReaders+1 batches are
// held at once, and fn is never called concurrently with itself, nor with an empty batch.
func (s *Store) ScanActivePairings(ctx context.Context, o ScanOptions, fn func([]PairingFacts) error) error {
	if o.Batch <= 0 {
		// Under 1,000: MariaDB turns an IN list of 1,000 or more values into a subquery
		// (in_predicate_conversion_threshold) and then reads each pairing's whole history.
		o.Batch = 900
	}
	programs, err := s.programCodes(ctx)
	if err != nil {
		return err
	}
	span, err := s.pairingSpan(ctx, o.Batch)
	if err != nil || span.n == 0 {
		return err
	}
	if s.oneConn(ctx) { // its statements cannot overlap
		return s.scanSerial(ctx, o, programs, span, fn)
	}
	return s.scanParallel(ctx, o, programs, span, fn)
}

// scanReaders is how many batches are read at once: two, so that one is being decoded while the
// database answers the other; more only queue on a two-core machine.
const scanReaders = 2

// idSpan is the pairing ids a scan visits, cut into n ranges of `size` ids: range k is
// (base + k·size, base + (k+1)·size].
type idSpan struct {
	base    domain.PairingID
	size, n int64
}

func (sp idSpan) bounds(k int64) (after, upTo domain.PairingID) {
	after = sp.base + domain.PairingID(k*sp.size)
	return after, after + domain.PairingID(sp.size)
}

// pairingSpan reads the lowest and highest pairing id (an index's two ends).
func (s *Store) pairingSpan(ctx context.Context, size int) (idSpan, error) {
	var lo, hi *int64
	err := s.q(ctx).Raw("SELECT MIN(id), MAX(id) FROM pairings").Row().Scan(&lo, &hi)
	if err != nil {
		return idSpan{}, fmt.Errorf("store: scan pairings: id range: %w", err)
	}
	if lo == nil || hi == nil {
		return idSpan{}, nil
	}
	n := (*hi - *lo + int64(size)) / int64(size)
	return idSpan{base: domain.PairingID(*lo - 1), size: int64(size), n: n}, nil
}

// scanBatch is one batch handed from a reader to the caller, or the error that ended it.
type scanBatch struct {
	facts []PairingFacts
	err   error
}

// scanParallel deals the ranges round-robin to scanReaders readers and takes their batches back in
// range order: range k is reader k mod scanReaders's next batch.
func (s *Store) scanParallel(ctx context.Context, o ScanOptions, programs map[domain.ProgramID]string, span idSpan,
	fn func([]PairingFacts) error) error {
	ctx, cancel := context.WithCancel(ctx)
	outs := make([]chan scanBatch, scanReaders)
	for i := range outs {
		outs[i] = make(chan scanBatch) // unbuffered: each reader stays one batch ahead, no more
		go s.readRanges(ctx, o, programs, span, int64(i), outs[i])
	}
	defer func() {
		cancel()
		for _, out := range outs { // wait for the readers, so nothing uses the store after we return
			for range out {
			}
		}
	}()
	for k := int64(0); k < span.n; k++ {
		b, ok := <-outs[k%scanReaders]
		if !ok {
			break // cancelled
		}
		if b.err != nil {
			return b.err
		}
		if len(b.facts) == 0 {
			continue
		}
		if err := fn(b.facts); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// readRanges reads ranges first, first+scanReaders, … in order and hands each batch over; it closes
// out when done, failed or cancelled.
func (s *Store) readRanges(ctx context.Context, o ScanOptions, programs map[domain.ProgramID]string, span idSpan,
	first int64, out chan<- scanBatch) {
	defer close(out)
	for k := first; k < span.n; k += scanReaders {
		after, upTo := span.bounds(k)
		facts, err := s.nextBatch(ctx, o, after, upTo, programs)
		select {
		case out <- scanBatch{facts: facts, err: err}:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

// scanSerial is ScanActivePairings without read-ahead, for a store bound to a transaction.
func (s *Store) scanSerial(ctx context.Context, o ScanOptions, programs map[domain.ProgramID]string, span idSpan,
	fn func([]PairingFacts) error) error {
	for k := range span.n {
		after, upTo := span.bounds(k)
		facts, err := s.nextBatch(ctx, o, after, upTo, programs)
		if err != nil {
			return err
		}
		if len(facts) == 0 {
			continue
		}
		if err := fn(facts); err != nil {
			return err
		}
	}
	return nil
}

// nextBatch is the batch of active pairings with ids in (after, upTo], with their check-ins: from
// their summary rows (summary.go) when the scan needs no history before its window, else from
// check_ins.
func (s *Store) nextBatch(ctx context.Context, o ScanOptions, after, upTo domain.PairingID, programs map[domain.ProgramID]string) ([]PairingFacts, error) {
	withSummary := !o.LatestBefore
	facts, sums, err := s.activeBatch(ctx, o, after, upTo, programs, withSummary)
	if err != nil || len(facts) == 0 {
		return nil, err
	}
	var cis map[domain.PairingID][]CheckInFact
	if withSummary {
		cis, err = s.summaryCheckIns(ctx, facts, sums, o)
	} else {
		cis, err = s.loadCheckIns(ctx, pairingIDs(facts), o, false)
	}
	if err != nil {
		return nil, err
	}
	ids, links := relayedOf(facts)
	chains := map[domain.PairingID]relayChain{}
	if len(ids) > 0 {
		if chains, err = s.walkChains(ctx, ids, links); err != nil {
			return nil, err
		}
	}
	if err := s.attachChains(ctx, facts, chains, cis, o); err != nil {
		return nil, err
	}
	return facts, nil
}

// relayedOf lists the facts' pairings that continue a relay, with their links (RelayedFromID was read
// with the batch).
func relayedOf(fs []PairingFacts) ([]domain.PairingID, []relayLink) {
	var ids []domain.PairingID
	var links []relayLink
	for _, f := range fs {
		if p := f.Pairing; p.RelayedFromID != nil {
			ids = append(ids, p.ID)
			links = append(links, relayLink{ID: p.ID, RelayedFromID: p.RelayedFromID, StartOn: p.StartOn})
		}
	}
	return ids, links
}

// summaryCols are a batch row's summary columns (NULL both when the pairing has no row).
type summaryCols struct {
	completeFrom *time.Time
	recent       *string
	earlier      *string    // only when the scan asks for ScanOptions.Earlier
	earlierAt    *time.Time // likewise
}

// activeBatch reads the active pairings with ids in (after, upTo] with their household and cadre
// columns (and, withSummary, their summary rows) in one joined query, scanned by hand: this runs
// every day over every pairing. A Lean scan leaves out the columns the overdue scan does not show.
func (s *Store) activeBatch(ctx context.Context, o ScanOptions, after, upTo domain.PairingID, programs map[domain.ProgramID]string,
	withSummary bool) ([]PairingFacts, []summaryCols, error) {
	at := o.At.In(s.loc)
	cols, join := ", h.head_name", ""
	if !o.Lean {
		cols += ", p.code, h.head_id"
	}
	if withSummary {
		cols, join = cols+", ps.complete_from, ps.recent", " LEFT JOIN pairing_summaries ps ON ps.pairing_id = p.id"
		if o.Earlier {
			cols += ", ps.earlier, ps.earlier_at"
		}
	}
	rows, err := s.q(ctx).Raw("SELECT p.id, p.cadre_id, p.household_id, p.program_id, p.relayed_from_id, p.start_on, p.end_on,"+
		" h.tags, c.unit_id"+cols+" FROM pairings p JOIN households h ON h.id = p.household_id"+
		" LEFT JOIN people c ON c.id = p.cadre_id"+join+
		" WHERE p.id > ? AND p.id <= ? AND p.start_on <= ? AND (p.end_on IS NULL OR p.end_on > ?) ORDER BY p.id",
		after, upTo, at, at).Rows()
	if err != nil {
		return nil, nil, fmt.Errorf("store: scan pairings: %w", err)
	}
	defer rows.Close()
	out := make([]PairingFacts, 0, upTo-after)
	sums := make([]summaryCols, 0, upTo-after)
	var row activeRow
	dest := row.dest(o.Lean, withSummary, o.Earlier)
	for rows.Next() {
		row = activeRow{}
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, fmt.Errorf("store: scan pairing row: %w", err)
		}
		f := row.f
		p := &f.Pairing
		p.StartOn = p.StartOn.In(s.loc)
		if p.EndOn != nil {
			e := p.EndOn.In(s.loc)
			p.EndOn = &e
		}
		if p.ProgramID != nil {
			f.Program = programs[*p.ProgramID]
		}
		out, sums = append(out, f), append(sums, row.sum)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("store: scan pairings: %w", err)
	}
	return out, sums, nil
}

// activeRow is where activeBatch scans a row: one set of destinations for the whole batch.
type activeRow struct {
	f   PairingFacts
	sum summaryCols
}

func (r *activeRow) dest(lean, withSummary, earlier bool) []any {
	p := &r.f.Pairing
	dest := []any{&p.ID, &p.CadreID, &p.HouseholdID, &p.ProgramID, &p.RelayedFromID, &p.StartOn, &p.EndOn,
		&r.f.Tags, &r.f.CadreUnit, &r.f.HeadName}
	if !lean {
		dest = append(dest, &p.Code, &r.f.HeadID)
	}
	if withSummary {
		dest = append(dest, &r.sum.completeFrom, &r.sum.recent)
		if earlier {
			dest = append(dest, &r.sum.earlier, &r.sum.earlierAt)
		}
	}
	return dest
}

func pairingIDs(fs []PairingFacts) []domain.PairingID {
	ids := make([]domain.PairingID, len(fs))
	for i, f := range fs {
		ids[i] = f.Pairing.ID
	}
	return ids
}

// attachCheckIns sets the facts' CheckIns and Since, relay chains included. facts are by id ascending.
func (s *Store) attachCheckIns(ctx context.Context, facts []PairingFacts, o ScanOptions) error {
	ids := pairingIDs(facts)
	cis, err := s.loadCheckIns(ctx, ids, o, false)
	if err != nil {
		return err
	}
	chains, err := s.relayChains(ctx, ids)
	if err != nil {
		return err
	}
	return s.attachChains(ctx, facts, chains, cis, o)
}

// attachChains sets the facts' CheckIns to cis plus, for relayed pairings (chains), the check-ins of
// the pairings they continue (read from check_ins: relays are few), and their Since.
func (s *Store) attachChains(ctx context.Context, facts []PairingFacts, chains map[domain.PairingID]relayChain,
	cis map[domain.PairingID][]CheckInFact, o ScanOptions) error {
	if len(chains) > 0 {
		earlier, err := s.loadCheckIns(ctx, ancestors(chains), o, true)
		if err != nil {
			return err
		}
		for id, ch := range chains {
			for _, a := range ch.from {
				cis[id] = append(cis[id], earlier[a]...)
			}
		}
	}
	for i := range facts {
		facts[i].CheckIns = cis[facts[i].Pairing.ID]
		facts[i].Since = chainStart(facts[i].Pairing, chains)
	}
	return nil
}

// loadCheckIns picks the plain or the grouped form. ids are ascending; sparse ids (a relay chain's
// earlier pairings) are always named one by one.
func (s *Store) loadCheckIns(ctx context.Context, ids []domain.PairingID, o ScanOptions, sparse bool) (map[domain.PairingID][]CheckInFact, error) {
	if len(ids) == 0 {
		return map[domain.PairingID][]CheckInFact{}, nil
	}
	if len(o.Bounds) > 0 {
		return s.groupedCheckIns(ctx, ids, o, sparse)
	}
	return s.checkInFacts(ctx, ids, o, sparse)
}

// pairingsWhere selects the batch's check-ins. Without the history before the look-back it names the
// pairings one by one, so the (pairing_id, occurred_at, …) index is read from each pairing's look-back
// on (one range per pairing) instead of from its first check-in ever: years of history cost nothing.
func (s *Store) pairingsWhere(ids []domain.PairingID, withHistory bool) (string, []any) {
	if withHistory {
		return "pairing_id BETWEEN ? AND ?", []any{ids[0], ids[len(ids)-1]}
	}
	return "pairing_id IN (" + sqlInts(ids) + ")", nil
}

// sqlInts writes ids as a comma-separated list of literal integers. Used instead of hundreds of
// placeholders: the pure-Go SQLite driver binds parameters in quadratic time.
func sqlInts[T ~int64](ids []T) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(int64(id), 10))
	}
	return b.String()
}

func (s *Store) programCodes(ctx context.Context) (map[domain.ProgramID]string, error) {
	var rows []Program
	if err := s.q(ctx).Select("id, code").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: program codes: %w", err)
	}
	out := make(map[domain.ProgramID]string, len(rows))
	for _, p := range rows {
		out[p.ID] = p.Code
	}
	return out, nil
}

func (s *Store) pairingFacts(ctx context.Context, ps []Pairing, programs map[domain.ProgramID]string, o ScanOptions) ([]PairingFacts, error) {
	hhIDs := make([]domain.HouseholdID, 0, len(ps))
	cadreIDs := make([]domain.PersonID, 0, len(ps))
	for _, p := range ps {
		hhIDs = append(hhIDs, p.HouseholdID)
		cadreIDs = append(cadreIDs, p.CadreID)
	}
	var hhs []Household
	if err := s.q(ctx).Select("id, head_name, head_id, tags").Where("id IN ?", hhIDs).Find(&hhs).Error; err != nil {
		return nil, fmt.Errorf("store: scan households: %w", err)
	}
	hh := make(map[domain.HouseholdID]Household, len(hhs))
	for _, h := range hhs {
		hh[h.ID] = h
	}
	var cadres []Person
	if err := s.q(ctx).Select("id, unit_id").Where("id IN ?", cadreIDs).Find(&cadres).Error; err != nil {
		return nil, fmt.Errorf("store: scan cadres: %w", err)
	}
	unit := make(map[domain.PersonID]*domain.UnitID, len(cadres))
	for _, c := range cadres {
		unit[c.ID] = c.UnitID
	}
	out := make([]PairingFacts, len(ps))
	for i, p := range ps {
		f := PairingFacts{Pairing: p, HeadName: hh[p.HouseholdID].HeadName, HeadID: hh[p.HouseholdID].HeadID, Tags: hh[p.HouseholdID].Tags,
			CadreUnit: unit[p.CadreID]}
		if p.ProgramID != nil {
			f.Program = programs[*p.ProgramID]
		}
		out[i] = f
	}
	return out, s.attachCheckIns(ctx, out, o)
}

// checkInFacts loads the check-ins of the pairings with ids in [lo, hi]: one range scan on the
// (pairing_id, occurred_at) index, plus one grouped MAX for the latest of each kind before Since.
func (s *Store) checkInFacts(ctx context.Context, ids []domain.PairingID, o ScanOptions, sparse bool) (map[domain.PairingID][]CheckInFact, error) {
	out := map[domain.PairingID][]CheckInFact{}
	where, args := s.pairingsWhere(ids, false)
	rows, err := s.q(ctx).Model(&CheckIn{}).Select("pairing_id, kind, occurred_at").
		Where(where+" AND occurred_at >= ? AND occurred_at <= ? AND undone_at IS NULL", append(args, o.Since.In(s.loc), o.At.In(s.loc))...).
		Rows()
	if err != nil {
		return nil, fmt.Errorf("store: scan check-ins: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id domain.PairingID
		var f CheckInFact
		if err := rows.Scan(&id, &f.Kind, &f.At); err != nil {
			return nil, fmt.Errorf("store: scan check-in row: %w", err)
		}
		f.At = f.At.In(s.loc)
		out[id] = append(out[id], f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: scan check-ins: %w", err)
	}
	if o.LatestBefore {
		if err := s.latestBefore(ctx, ids, !sparse, o.Since, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) latestBefore(ctx context.Context, ids []domain.PairingID, asRange bool, since time.Time, out map[domain.PairingID][]CheckInFact) error {
	where, args := s.pairingsWhere(ids, asRange)
	rows, err := s.q(ctx).Model(&CheckIn{}).Select("pairing_id, kind, MAX(occurred_at)").
		Where(where+" AND undone_at IS NULL AND occurred_at < ?", append(args, since.In(s.loc))...).
		Group("pairing_id, kind").Rows()
	if err != nil {
		return fmt.Errorf("store: latest check-ins: %w", err)
	}
	defer rows.Close()
	return s.readLatest(rows, out)
}

// aggTime reads a MAX(time) column: MySQL returns a time, SQLite the stored text (the aggregate
// loses the column's declared type).
func (s *Store) aggTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case time.Time:
		return t.In(s.loc), nil
	case []byte:
		return s.aggTime(string(t))
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05"} {
			if p, err := time.ParseInLocation(layout, strings.TrimSpace(t), s.loc); err == nil {
				return p.In(s.loc), nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("store: unreadable time %v (%T)", v, v)
}

// groupedCheckIns is checkInFacts in the grouped form (ScanOptions.Bounds): one aggregate query per batch.
func (s *Store) groupedCheckIns(ctx context.Context, ids []domain.PairingID, o ScanOptions, sparse bool) (map[domain.PairingID][]CheckInFact, error) {
	var bucket strings.Builder
	args := []any{}
	bucket.WriteString("CASE")
	for i := len(o.Bounds) - 1; i >= 0; i-- {
		fmt.Fprintf(&bucket, " WHEN occurred_at >= ? THEN %d", i+1)
		args = append(args, o.Bounds[i].In(s.loc))
	}
	bucket.WriteString(" ELSE 0 END")
	where, idArgs := s.pairingsWhere(ids, o.LatestBefore && !sparse)
	q := "SELECT pairing_id, kind, " + bucket.String() + " AS bucket, COUNT(*), MAX(occurred_at) FROM check_ins WHERE " + where
	args = append(args, idArgs...)
	if !o.LatestBefore {
		q += " AND occurred_at >= ?"
		args = append(args, o.Bounds[0].In(s.loc))
	}
	q += " AND occurred_at <= ? AND undone_at IS NULL"
	args = append(args, o.At.In(s.loc))
	rows, err := s.q(ctx).Raw(q+" GROUP BY pairing_id, kind, bucket", args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("store: grouped check-ins: %w", err)
	}
	defer rows.Close()
	out := map[domain.PairingID][]CheckInFact{}
	for rows.Next() {
		var (
			id       domain.PairingID
			kind     domain.CheckInKind
			b, n     int
			latestAt any
		)
		if err := rows.Scan(&id, &kind, &b, &n, &latestAt); err != nil {
			return nil, fmt.Errorf("store: grouped check-in row: %w", err)
		}
		at, err := s.aggTime(latestAt)
		if err != nil {
			return nil, err
		}
		if b == 0 {
			n = 1 // before the first bound only the latest matters
		}
		for range n {
			out[id] = append(out[id], CheckInFact{Kind: kind, At: at})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: grouped check-ins: %w", err)
	}
	return out, nil
}

// LatestBeforeOf returns, for the given pairings, the latest non-undone check-in of each kind before
// `before` (one grouped query per 500 pairings). The overdue scan asks this only for the few pairings
// found overdue, instead of reading every pairing's whole history every day.
// A relayed pairing gets those of the pairings it continues too (relay_chain.go).
func (s *Store) LatestBeforeOf(ctx context.Context, ids []domain.PairingID, before time.Time) (map[domain.PairingID][]CheckInFact, error) {
	ids, chains, err := s.withChains(ctx, ids)
	if err != nil {
		return nil, err
	}
	out, err := s.latestBeforeOf(ctx, ids, before)
	foldChains(out, chains)
	return out, err
}

func (s *Store) latestBeforeOf(ctx context.Context, ids []domain.PairingID, before time.Time) (map[domain.PairingID][]CheckInFact, error) {
	return s.byChunks(ctx, ids, func(part []domain.PairingID, out map[domain.PairingID][]CheckInFact) error {
		rows, err := s.q(ctx).Model(&CheckIn{}).Select("pairing_id, kind, MAX(occurred_at)").
			Where("pairing_id IN ("+sqlInts(part)+") AND undone_at IS NULL AND occurred_at < ?", before.In(s.loc)).
			Group("pairing_id, kind").Rows()
		if err != nil {
			return fmt.Errorf("store: latest check-ins of pairings: %w", err)
		}
		defer rows.Close()
		return s.readLatest(rows, out)
	})
}

// chunkWorkers is how many keyChunk look-ups byChunks runs at once outside a transaction: two keep
// both cores of the database busy while the caller waits for all of them.
const chunkWorkers = 2

// byChunks calls read for each keyChunk of ids, with its own map, and merges the maps. Outside a
// transaction it runs up to chunkWorkers reads at once; a transaction's one connection reads in turn.
func (s *Store) byChunks(ctx context.Context, ids []domain.PairingID,
	read func(part []domain.PairingID, out map[domain.PairingID][]CheckInFact) error) (map[domain.PairingID][]CheckInFact, error) {
	out := map[domain.PairingID][]CheckInFact{}
	workers := chunkWorkers
	if s.oneConn(ctx) {
		workers = 1
	}
	parts := make(chan []domain.PairingID)
	errs := make(chan error, workers)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for part := range parts {
				got := map[domain.PairingID][]CheckInFact{}
				if err := read(part, got); err != nil {
					errs <- err
					return
				}
				mu.Lock()
				maps.Copy(out, got) // parts hold disjoint pairings
				mu.Unlock()
			}
		}()
	}
	err := feedChunks(ctx, ids, parts, errs)
	close(parts)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs: // a reader failed on one of the last parts
		default:
		}
	}
	return out, err
}

// feedChunks hands ids out in keyChunk parts until done, a reader fails or ctx ends.
func feedChunks(ctx context.Context, ids []domain.PairingID, parts chan<- []domain.PairingID, errs <-chan error) error {
	for start := 0; start < len(ids); start += keyChunk {
		select {
		case parts <- ids[start:min(start+keyChunk, len(ids))]:
		case err := <-errs:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (s *Store) readLatest(rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}, out map[domain.PairingID][]CheckInFact) error {
	for rows.Next() {
		var id domain.PairingID
		var kind domain.CheckInKind
		var at any
		if err := rows.Scan(&id, &kind, &at); err != nil {
			return fmt.Errorf("store: latest check-in row: %w", err)
		}
		t, err := s.aggTime(at)
		if err != nil {
			return err
		}
		out[id] = append(out[id], CheckInFact{Kind: kind, At: t})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: latest check-ins: %w", err)
	}
	return nil
}

// HistoryOf returns every non-undone check-in (kind and time) of the given pairings before `before`.
// The overdue scan reads it only for overdue pairings under a rule asking several check-ins per
// period, whose spell cannot be dated from the latest check-in alone.
// A relayed pairing's history includes the pairings it continues (relay_chain.go).
func (s *Store) HistoryOf(ctx context.Context, ids []domain.PairingID, before time.Time) (map[domain.PairingID][]CheckInFact, error) {
	ids, chains, err := s.withChains(ctx, ids)
	if err != nil {
		return nil, err
	}
	out, err := s.historyOf(ctx, ids, before)
	foldChains(out, chains)
	return out, err
}

func (s *Store) historyOf(ctx context.Context, ids []domain.PairingID, before time.Time) (map[domain.PairingID][]CheckInFact, error) {
	return s.byChunks(ctx, ids, func(part []domain.PairingID, out map[domain.PairingID][]CheckInFact) error {
		rows, err := s.q(ctx).Model(&CheckIn{}).Select("pairing_id, kind, occurred_at").
			Where("pairing_id IN ("+sqlInts(part)+") AND undone_at IS NULL AND occurred_at < ?", before.In(s.loc)).
			Rows()
		if err != nil {
			return fmt.Errorf("store: check-in history: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id domain.PairingID
			var f CheckInFact
			if err := rows.Scan(&id, &f.Kind, &f.At); err != nil {
				return fmt.Errorf("store: check-in history row: %w", err)
			}
			f.At = f.At.In(s.loc)
			out[id] = append(out[id], f)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: check-in history: %w", err)
		}
		return nil
	})
}
