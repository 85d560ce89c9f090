package store

import (
	"context"
	"fmt"
	"strings"
)

// Codes are compared ignoring upper and lower case on both databases. MariaDB's utf8mb4_unicode_ci
// collation does so by itself (its unique index makes H113 and h113 one row); SQLite compares bytes.
// So imports refuse a code that differs from another only in case and resolve a reference written
// in another case to the stored spelling (internal/sheet), and the single-row lookups below fall
// back to a case-insensitive match on SQLite.

// CodeTable names a table keyed by code, for AllCodes.
type CodeTable string

// The tables keyed by code.
const (
	CodesRegions    CodeTable = "regions"
	CodesUnits      CodeTable = "units"
	CodesPeople     CodeTable = "people"
	CodesHouseholds CodeTable = "households"
	CodesPrograms   CodeTable = "programs"
	CodesPairings   CodeTable = "pairings"
)

// AllCodes returns every code of table t: tens of thousands of short strings for a county, read
// once per import so the case rule is checked the same way on both databases.
func (s *Store) AllCodes(ctx context.Context, t CodeTable) ([]string, error) {
	switch t {
	case CodesRegions, CodesUnits, CodesPeople, CodesHouseholds, CodesPrograms, CodesPairings:
	default:
		return nil, fmt.Errorf("store: %q is not a table keyed by code", t)
	}
	var codes []string
	if err := s.q(ctx).Table(string(t)).Order("id").Pluck("code", &codes).Error; err != nil {
		return nil, fmt.Errorf("store: codes of %s: %w", t, err)
	}
	return codes, nil
}

// RespellHeadCodes rewrites units' 一把手 codes written in another case than the person's code
// (respell maps the written spelling to the person's), so ResolveUnitHeads, which joins on the
// code, links them on SQLite as MariaDB's collation does.
func (s *Store) RespellHeadCodes(ctx context.Context, respell map[string]string) error {
	for from, to := range respell {
		if err := s.q(ctx).Model(&Unit{}).Where("head_code = ?", from).UpdateColumn("head_code", to).Error; err != nil {
			return fmt.Errorf("store: respell head code: %w", err)
		}
	}
	return nil
}

// HeadCodes returns the distinct 一把手 codes of the units (hundreds at most).
func (s *Store) HeadCodes(ctx context.Context) ([]string, error) {
	var codes []string
	if err := s.q(ctx).Model(&Unit{}).Where("head_code <> ''").Distinct().Pluck("head_code", &codes).Error; err != nil {
		return nil, fmt.Errorf("store: head codes: %w", err)
	}
	return codes, nil
}

// byCode reads the row with this code; on SQLite a miss is retried ignoring case (a full scan,
// paid only by a code typed in another case or not at all), as MariaDB's collation matches.
func byCode[T any](s *Store, ctx context.Context, code string) (T, error) {
	row, err := one[T](s, ctx, "code = ?", code)
	if err == nil || s.driver != DriverSQLite || strings.ToLower(code) == strings.ToUpper(code) {
		return row, err
	}
	if row2, err2 := one[T](s, ctx, "code = ? COLLATE NOCASE", code); err2 == nil {
		return row2, nil
	}
	return row, err
}
