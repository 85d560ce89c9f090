package seed

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"time"

	"qinqi/internal/sheet"
	"qinqi/store"
)

// demoSheets is the small demo county (a copy of testdata/import/csv, kept equal by a test), embedded
// so `qinqi demo` works from any directory.
//
//go:embed demo/*.csv
var demoSheets embed.FS

// Demo loads the demo county (青山县: 2 townships, 4 villages, 3 units, 20 households, 23 pairings)
// through the ordinary importer, with six months of diary entries before now (see demoHistory);
// now is the instant the pairing rules are checked at.
// Loading it again changes nothing. The diary is not the example 走访台账: demoHistory dates it
// from now, so the demo's county has a recent past whatever day it is started. A database that
// had no households gets the demo's fixed sampling secret (see demoSecret).
func Demo(ctx context.Context, st *store.Store, now time.Time) error {
	before, err := st.CountOrg(ctx)
	if err != nil {
		return fmt.Errorf("seed: demo: %w", err)
	}
	for _, k := range sheet.Kinds {
		if k == sheet.Visits {
			continue
		}
		b, err := demoSheets.ReadFile("demo/" + string(k) + ".csv")
		if err != nil {
			return fmt.Errorf("seed: demo sheet %s: %w", k, err)
		}
		t, err := sheet.ReadCSV(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("seed: demo sheet %s: %w", k, err)
		}
		if _, err := sheet.Import(ctx, st, k, t, sheet.Options{Now: now}); err != nil {
			return fmt.Errorf("seed: demo sheet %s: %w", k, err)
		}
	}
	if before.Households == 0 {
		if err := demoSecret(ctx, st, now); err != nil {
			return err
		}
	}
	return demoHistory(ctx, st, now)
}

// demoSecret replaces the random call-back sampling secret of the demo database with a fixed one, so
// the sample county's monthly sample, and the demo scripts that cross the 1st, come out the same every
// run. The county is made up, and Demo writes the secret only into a database that held no
// households, so a county's own database (even one given the demo with `qinqi seed --demo --force`)
// keeps the secret `qinqi migrate` generated.
func demoSecret(ctx context.Context, st *store.Store, now time.Time) error {
	secret := sha256.Sum256([]byte("qinqi demo county 青山县"))
	if err := st.SetSetting(ctx, store.SettingSpotSecret, hex.EncodeToString(secret[:]), now); err != nil {
		return fmt.Errorf("seed: demo sampling secret: %w", err)
	}
	return nil
}
