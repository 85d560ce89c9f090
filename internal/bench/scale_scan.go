package bench

import (
	"context"
	"errors"
)

// PLACEHOLDER: replaced by the helper that owns this file.
func scanSuite() Suite {
	return Suite{Name: "scale_scan", What: "not built yet", Run: func(context.Context, Env, *Report) error {
		return errors.New("bench: scale_scan not built yet")
	}}
}
