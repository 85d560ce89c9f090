package app

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"qinqi/internal/config"
)

// TestLogsUseBeijingTime: log lines carry the same zone as every other time qinqi writes, whatever
// the host's zone (servers and CI often run in UTC, as this test's machine may).
func TestLogsUseBeijingTime(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			cfg := config.Defaults()
			cfg.Log.Format = format
			var b bytes.Buffer
			slot := time.Date(2027, 1, 31, 16, 0, 0, 0, time.UTC) // 2027-02-01 00:00 in Beijing
			newLogger(cfg, &b).Info("hello", "slot", slot)
			if n := strings.Count(b.String(), "+08:00"); n != 2 {
				t.Errorf("log line %q has %d +08:00 times, want the record's and the slot's", b.String(), n)
			}
			if !strings.Contains(b.String(), "2027-02-01T00:00:00") || strings.Contains(b.String(), "Z") {
				t.Errorf("log line %q does not show the slot in Beijing time", b.String())
			}
		})
	}
}
