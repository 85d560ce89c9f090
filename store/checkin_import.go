package store

import (
	"context"
	"fmt"

	"qinqi/internal/domain"
)

// ImportKeyPrefix starts the SourceMsgID of a check-in typed up from a paper ledger (走访台账), so
// importing the same sheet twice stores each visit once, as a re-delivered message is stored once.
const ImportKeyPrefix = "import:"

// byColumn loads the rows whose column is one of vals, grouped by that column's value.
func byColumn[T any](s *Store, ctx context.Context, column string, vals []string, key func(T) string) (map[string][]T, error) {
	out := make(map[string][]T, len(vals))
	for start := 0; start < len(vals); start += codeChunk {
		var rows []T
		if err := s.q(ctx).Where(column+" IN ?", vals[start:min(start+codeChunk, len(vals))]).Order("id").Find(&rows).Error; err != nil {
			var zero T
			return nil, fmt.Errorf("store: %T by %s: %w", zero, column, err)
		}
		for _, r := range rows {
			out[key(r)] = append(out[key(r)], r)
		}
	}
	return out, nil
}

// PeopleByNames returns the people of each name (a name may be several people).
func (s *Store) PeopleByNames(ctx context.Context, names []string) (map[string][]Person, error) {
	return byColumn(s, ctx, "name", names, func(p Person) string { return p.Name })
}

// HouseholdsByHeadNames returns the households of each head's name (a name may be several households).
func (s *Store) HouseholdsByHeadNames(ctx context.Context, names []string) (map[string][]Household, error) {
	return byColumn(s, ctx, "head_name", names, func(h Household) string { return h.HeadName })
}

// PairingsOfHouseholds lists every pairing of the households, ended ones included, by household.
func (s *Store) PairingsOfHouseholds(ctx context.Context, hhs []domain.HouseholdID) (map[domain.HouseholdID][]Pairing, error) {
	out := map[domain.HouseholdID][]Pairing{}
	for start := 0; start < len(hhs); start += codeChunk {
		var rows []Pairing
		err := s.q(ctx).Where("household_id IN ?", hhs[start:min(start+codeChunk, len(hhs))]).Order("start_on, id").Find(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("store: pairings of households: %w", err)
		}
		for _, p := range rows {
			out[p.HouseholdID] = append(out[p.HouseholdID], p)
		}
	}
	return out, nil
}

// ImportCheckIns stores the check-ins whose SourceMsgID is not stored yet and returns how many it
// stored; every row must carry a SourceMsgID. No audit row per check-in: the import audits the sheet.
func (s *Store) ImportCheckIns(ctx context.Context, rows []CheckIn) (int, error) {
	keys := make([]string, len(rows))
	for i, c := range rows {
		if c.SourceMsgID == nil {
			return 0, fmt.Errorf("store: import check-ins: row %d has no source key", i)
		}
		keys[i] = *c.SourceMsgID
	}
	have, err := byColumn(s, ctx, "source_msg_id", keys, func(c CheckIn) string { return *c.SourceMsgID })
	if err != nil {
		return 0, err
	}
	var fresh []CheckIn
	for _, c := range rows {
		if len(have[*c.SourceMsgID]) == 0 {
			c.OccurredAt, c.ReportedAt = c.OccurredAt.In(s.loc), c.ReportedAt.In(s.loc)
			c.Text, c.Items = clipRunes(c.Text, 2000), clipRunes(c.Items, 500)
			fresh = append(fresh, c)
		}
	}
	if len(fresh) == 0 {
		return 0, nil
	}
	if err := s.q(ctx).CreateInBatches(&fresh, 200).Error; err != nil {
		return 0, fmt.Errorf("store: import check-ins: %w", err)
	}
	return len(fresh), s.summarize(ctx, fresh...)
}
