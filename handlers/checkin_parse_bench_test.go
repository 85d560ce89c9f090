package handlers_test

import (
	"testing"

	"qinqi/handlers"
)

// BenchmarkParseCheckIn parses every named test message per iteration; ns/op divided by the number
// of cases is the cost of one message. `qinqi bench --suite parser` reports the same as messages per second.
func BenchmarkParseCheckIn(b *testing.B) {
	fold := folder(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, tc := range parseCases {
			_, _ = handlers.ParseCheckIn(fold, tc.in, parseNow)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(parseCases)), "ns/msg")
}

// BenchmarkParseReport parses the corpus (each message against its cadre's list); ns/msg is the
// cost of one household-first parse.
func BenchmarkParseReport(b *testing.B) {
	fold := folder(b)
	cases, _ := buildCorpus(b, 17)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, tc := range cases {
			_, _ = handlers.ParseReport(fold, tc.in, parseNow, tc.hhs)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(cases)), "ns/msg")
}
