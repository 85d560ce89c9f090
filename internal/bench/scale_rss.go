package bench

import (
	"context"
	"errors"
)

// PLACEHOLDER: replaced by the helper that owns this file.
func rssSuite() Suite {
	return Suite{Name: "scale_rss", What: "not built yet", Run: func(context.Context, Env, *Report) error {
		return errors.New("bench: scale_rss not built yet")
	}}
}
