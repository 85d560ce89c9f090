package app

import (
	"bytes"
	"strings"
	"testing"

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
			newLogger(cfg, &b).Info("hello")
			if !strings.Contains(b.String(), "+08:00") {
				t.Errorf("log line %q has no +08:00 time", b.String())
			}
		})
	}
}
