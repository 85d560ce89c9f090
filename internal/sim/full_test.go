package sim_test

import (
	"os"
	"testing"

	"qinqi/internal/clock"
	"qinqi/internal/sim"
	"qinqi/internal/testenv"
)

// TestCountyYear is the full-size run of docs/simulation.md (2,000 households, 1,200 cadres, 2026). It takes
// minutes, so it runs only when QINQI_SIM_FULL is set (CI sets it); it checks the run completes and catches
// liars, and leaves timing to the CI job's timeout.
func TestCountyYear(t *testing.T) {
	if os.Getenv("QINQI_SIM_FULL") == "" {
		t.Skip("set QINQI_SIM_FULL=1 to run the 2,000-household year")
	}
	o := sim.Options{From: clock.Date(2026, 1, 1), To: clock.Date(2026, 12, 31), Households: 2000, Cadres: 1200, Seed: 1}
	rep := runSim(t, testenv.SQLite(t), o)
	if rep.JobErrors != 0 || rep.Total.LiesFound == 0 || len(rep.Months) != 12 {
		t.Errorf("job errors %d, lies found %d, months %d", rep.JobErrors, rep.Total.LiesFound, len(rep.Months))
	}
	t.Logf("wall time %s", rep.Wall)
}
