package handlers

import (
	"testing"

	"qinqi/internal/config"
	"qinqi/internal/domain"
)

// The router matches every message against every row of the table: a cadre's report finds its
// row and keyword without allocating (a list of keywords built per row was about 40 allocations a
// message), and an upper-case slash command still matches as before.
func TestMatchFindsAReportWithoutAllocating(t *testing.T) {
	r := New(Deps{Config: config.Defaults()})
	cadre := domain.MakeRoles(domain.RoleCadre)
	cases := []struct {
		name, text, id, word string
	}{
		{"report", "走访 1 看了看住房和身体 第3次", "visit", "走访"},
		{"longest keyword", "讲政策 2 讲了医保报销", "policy", "讲政策"},
		{"slash in capitals", "/VISIT 1", "visit", "/VISIT"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rt, word, ok := r.match(tc.text, cadre)
			if !ok || rt.id != tc.id || word != tc.word {
				t.Fatalf("match(%q) = %q %q %v, want %q %q", tc.text, rt.id, word, ok, tc.id, tc.word)
			}
		})
	}
	if n := testing.AllocsPerRun(100, func() { r.match(cases[0].text, cadre) }); n != 0 {
		t.Errorf("match of a report allocates %.0f times, want 0", n)
	}
}
