package app

import (
	"context"
	"errors"
)

// TODO(owner): implement; placeholder so the command table compiles while the command is built.
func runSeed(ctx context.Context, args []string, io IO) error {
	return errors.New("seed: not implemented yet")
}
