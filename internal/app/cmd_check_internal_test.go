package app

import (
	"testing"

	"qinqi/internal/domain"
	"qinqi/store"
)

func TestSummaryVerdict(t *testing.T) {
	cases := []struct {
		name string
		in   store.SummaryCheck
		want string
	}{
		{"clean", store.SummaryCheck{Pairings: 998917}, "checked 998917 pairings: every summary agrees with check_ins"},
		{"two", store.SummaryCheck{Pairings: 12, Mismatched: 2, Examples: []domain.PairingID{3, 6}},
			"checked 12 pairings: 2 summaries differ from check_ins (pairing ids 3, 6)"},
		{"more than shown", store.SummaryCheck{Pairings: 900, Mismatched: 40, Examples: []domain.PairingID{1, 2}},
			"checked 900 pairings: 40 summaries differ from check_ins (pairing ids 1, 2, …)"},
	}
	for _, c := range cases {
		if got := summaryVerdict(c.in); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
