package bench

import "testing"

// The recommended pool is the scan's working set with a quarter more, in whole 128 MB steps.
func TestRecommendedPool(t *testing.T) {
	const m = 1 << 20
	for _, c := range []struct{ ws, want int64 }{
		{0, 128 * m},         // never below one step
		{100 * m, 128 * m},   // 125 MB
		{957 * m, 1280 * m},  // the 1m county: 1,196 MB → 1,280
		{1024 * m, 1280 * m}, // exactly 1,280
		{1025 * m, 1408 * m}, // just over
	} {
		if got := recommendedPool(c.ws); got != c.want {
			t.Errorf("recommendedPool(%d MB) = %d MB, want %d MB", c.ws/m, got/m, c.want/m)
		}
	}
}

func TestResizing(t *testing.T) {
	for status, want := range map[string]bool{
		"": false,
		"Completed resizing buffer pool at 261206 10:01:02.":                false,
		"Resizing buffer pool from 134217728 to 1342177280 (unit=2097152).": true,
		"Withdrawing blocks to be shrunken.":                                true,
	} {
		if got := resizing(status); got != want {
			t.Errorf("resizing(%q) = %v, want %v", status, got, want)
		}
	}
}
