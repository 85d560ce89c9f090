package bench

import (
	"context"
	"errors"
)

// PLACEHOLDER: replaced by the helper that owns this file.
func planSuite() Suite {
	return Suite{Name: "scale_plan", What: "not built yet", Run: func(context.Context, Env, *Report) error {
		return errors.New("bench: scale_plan not built yet")
	}}
}
