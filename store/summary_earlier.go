package store

import (
	"context"
	"fmt"
	"maps"
	"math"
	"strconv"
	"strings"
	"time"

	"qinqi/internal/domain"
)

// The overdue scan dates the spell of each overdue pairing from the latest check-in of each kind
// before its window. On the first day after an import that is most of a county (77,847 pairings of a
// million), and reading them from check_ins went through about twenty index entries a pairing. A
// summary row knows them without a read: from Recent when the row is complete, else from Recent and
// Earlier, which the prune and the rebuild fill when they move CompleteFrom (PairingSummary).

// latestByKind is the latest entry of each kind, in Unix seconds, indexed like summaryLetters
// (noEntry when none).
type latestByKind [len(summaryLetters)]int64

const noEntry = math.MinInt64

func newLatest() latestByKind {
	var l latestByKind
	for i := range l {
		l[i] = noEntry
	}
	return l
}

// note keeps sec if it is the latest of its kind (letter) so far.
func (l *latestByKind) note(letter byte, sec int64) {
	if i := strings.IndexByte(summaryLetters, letter); i >= 0 && sec > l[i] {
		l[i] = sec
	}
}

// noteAll notes every entry of entries before the Unix second lo. It runs for every overdue pairing
// of a scan, so it walks the text instead of splitting it.
func (l *latestByKind) noteAll(entries string, lo int64) error {
	for i := 0; i < len(entries); {
		if entries[i] == ' ' {
			i++
			continue
		}
		j := i + 1
		for j < len(entries) && entries[j] != ' ' {
			j++
		}
		_, sec, err := parseEntry(entries[i:j])
		if err != nil {
			return err
		}
		if sec < lo {
			l.note(entries[i], sec)
		}
		i = j
	}
	return nil
}

// facts appends one check-in per kind that has one.
func (l *latestByKind) facts(out []CheckInFact, loc *time.Location) []CheckInFact {
	for i, sec := range l {
		if sec != noEntry {
			out = append(out, CheckInFact{Kind: domain.CheckInKinds[i], At: time.Unix(sec, 0).In(loc)})
		}
	}
	return out
}

// entries encodes l as a row's entries.
func (l *latestByKind) entries() string {
	var b []byte
	for i, sec := range l {
		if sec != noEntry {
			b = append(b, summaryLetters[i])
			b = strconv.AppendInt(b, sec, 36)
			b = append(b, ' ')
		}
	}
	return string(b)
}

// knowsEarlier says whether Earlier holds the latest entry of each kind before CompleteFrom.
func (r PairingSummary) knowsEarlier() bool {
	return r.CompleteFrom != nil && r.Earlier != nil && r.EarlierAt != nil && r.EarlierAt.Equal(*r.CompleteFrom)
}

// knowsBefore says whether the row's columns can give the latest check-in of each kind before the
// window of a scan that reads the row: it is complete (or there is no row: no check-ins), or it
// knows Earlier.
func (c summaryCols) knowsBefore() bool {
	if c.completeFrom == nil {
		return true
	}
	r := PairingSummary{CompleteFrom: c.completeFrom, Earlier: c.earlier, EarlierAt: c.earlierAt}
	return r.knowsEarlier()
}

// LatestBefore is LatestBeforeOf for pairings read by a scan with ScanOptions.Earlier: a pairing
// whose summary row knows its check-ins before `before` is answered from the row, without a read;
// the others (relayed pairings, rows that do not know their Earlier) from check_ins.
func (s *Store) LatestBefore(ctx context.Context, fs []PairingFacts, before time.Time) (map[domain.PairingID][]CheckInFact, error) {
	out := make(map[domain.PairingID][]CheckInFact, len(fs))
	var read []domain.PairingID
	var buf []CheckInFact // one backing array; each pairing gets a capped part
	lo := secondsFrom(before)
	for _, f := range fs {
		sum := f.summary
		if sum == nil || (sum.completeFrom != nil && sum.completeFrom.After(before)) {
			read = append(read, f.Pairing.ID)
			continue
		}
		l := newLatest()
		if err := sum.noteBefore(&l, lo); err != nil {
			return nil, fmt.Errorf("store: summary of pairing %d: %w", f.Pairing.ID, err)
		}
		start := len(buf)
		if buf = l.facts(buf, s.loc); len(buf) > start {
			out[f.Pairing.ID] = buf[start:len(buf):len(buf)]
		}
	}
	got, err := s.LatestBeforeOf(ctx, read, before)
	maps.Copy(out, got)
	return out, err
}

// noteBefore notes the row's entries before the Unix second lo: Recent's, and Earlier's when the
// row is not complete (all of them are before CompleteFrom).
func (c *summaryCols) noteBefore(l *latestByKind, lo int64) error {
	if c.recent != nil {
		if err := l.noteAll(*c.recent, lo); err != nil {
			return err
		}
	}
	if c.completeFrom != nil && c.earlier != nil {
		return l.noteAll(*c.earlier, lo)
	}
	return nil
}
