// Command qinqi is a chat assistant for cadre–household pairing programmes (结对帮扶, 走亲戚).
// The subcommands live in internal/app; this file only hands over the process's arguments and streams.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"qinqi/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() { <-ctx.Done(); stop() }() // a second Ctrl-C kills the process if stopping hangs
	code := app.Main(ctx, os.Args[1:], app.IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	stop()
	os.Exit(code)
}
