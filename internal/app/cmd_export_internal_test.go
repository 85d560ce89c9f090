package app

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestExportKindsHelp: each export kind's -h says what that kind writes, not what the checkins export does.
func TestExportKindsHelp(t *testing.T) {
	for kind, want := range exportKinds() {
		var errb bytes.Buffer
		code := Main(context.Background(), []string{"export", kind, "-h"}, IO{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &errb})
		help := errb.String()
		if code != 0 || !strings.Contains(help, "Usage: qinqi export "+kind) || !strings.Contains(help, want[1:]) {
			t.Errorf("export %s -h = %d:\n%s\nwant the usage and %q", kind, code, help, want)
		}
		for other, line := range exportKinds() {
			if other != kind && strings.Contains(help, line[1:]) {
				t.Errorf("export %s -h describes %s too:\n%s", kind, other, help)
			}
		}
	}
}
