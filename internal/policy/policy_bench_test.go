package policy_test

import (
	"testing"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/policy"
)

// BenchmarkEvaluate is one pairing as the daily overdue scan judges it a million times: a 低保 and
// 监测户 household (the stricter monitoring rules) with its recent check-ins, grouped per period.
func BenchmarkEvaluate(b *testing.B) {
	eng := policy.New(config.Defaults().Frequency)
	p := policy.Pairing{Start: clock.Date(2026, 3, 16), Tags: domain.MakeTags(domain.TagDibao, domain.TagMonitored)}
	cs := []policy.CheckIn{{domain.KindVisit, at(7, 3)}, {domain.KindContact, at(8, 14)}, {domain.KindContact, at(9, 2)},
		{domain.KindPolicy, at(9, 20)}, {domain.KindVisit, at(10, 8)}, {domain.KindContact, at(11, 2)}}
	now := at(11, 20)
	b.ReportAllocs()
	for b.Loop() {
		eng.Evaluate(p, cs, now)
	}
}
