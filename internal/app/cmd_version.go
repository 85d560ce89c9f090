package app

import (
	"context"
	"fmt"
	"runtime"
)

func runVersion(_ context.Context, args []string, io IO) error {
	fs := newFlags("version", "", io)
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(io.Out, "qinqi %s (%s %s/%s)\n", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
