//go:build !unix

package bench

import "time"

// processCPU is not measured on this platform; rows then show wall-clock figures only.
func processCPU() (time.Duration, bool) { return 0, false }
