// Package app holds qinqi's subcommands and the wiring that builds components in order and
// stops them in reverse. Each subcommand has its own flag set and -h help.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// IO is the process's standard streams, passed explicitly so commands are testable.
type IO struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, io IO) error
}

// commands is the one table of subcommands.
func commands() []command {
	return []command{
		{"serve", "run the bot in production (MySQL, Redis, WeCom, 服务号, WeChat)", runServe},
		{"demo", "run the bot on the embedded default with a console chat and sample data", runDemo},
		{"migrate", "apply pending database migrations", runMigrate},
		{"check", "check the per-pairing summaries against check_ins (-rebuild rewrites them)", runCheck},
		{"import", "import regions|units|people|households|pairings|visits (or all from a folder) from .xlsx or .csv", runImport},
		{"export", "export the check-ins, the 民情台账 ledger, the activity chart, the call-back list or the burden meter", runExport},
		{"seed", "write a deterministic synthetic county into the database", runSeed},
		{"bindcode", "print a one-time code that links a person's WeChat to their record", runBindcode},
		{"calendar", "print a year's visit windows (festivals, harvests, campaigns)", runCalendar},
		{"simulate", "run a synthetic county through a year on a fake clock and print the monthly report", runSimulate},
		{"bench", "measure throughput and latency against the database and Redis ceilings of this machine", runBench},
		{"status", "show each channel's health and the outbox by account and status", runStatus},
		{"version", "print the version", runVersion},
	}
}

// Version is set at build time with -ldflags "-X qinqi/internal/app.Version=…".
var Version = "dev"

// errUsage marks errors already explained by a flag set's usage output.
var errUsage = errors.New("usage")

// Main runs one subcommand and returns the process exit code.
func Main(ctx context.Context, args []string, io IO) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(io.Err)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], io)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		default:
			fmt.Fprintf(io.Err, "qinqi %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(io.Err, "qinqi: unknown command %q\n\n", args[0])
	usage(io.Err)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "qinqi — 走亲戚 chat assistant for cadre–household pairing programmes")
	fmt.Fprintln(w, "\nUsage: qinqi <command> [flags]   (qinqi <command> -h for the flags)\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
}

// newFlags makes a flag set whose -h prints the command's summary and flags to io.Err.
func newFlags(name, synopsis string, io IO) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Err)
	fs.Usage = func() {
		fmt.Fprintf(io.Err, "Usage: qinqi %s %s\n", name, synopsis)
		if summary := commandSummary(name, synopsis); summary != "" {
			fmt.Fprintf(io.Err, "\n%s.\n", strings.ToUpper(summary[:1])+summary[1:])
		}
		fmt.Fprintln(io.Err, "\nFlags:")
		fs.PrintDefaults()
	}
	return fs
}

// commandSummary is the one line -h prints under the usage: an export kind's own (the synopsis
// starts with the kind), else the command's.
func commandSummary(name, synopsis string) string {
	if name == "export" {
		kind, _, _ := strings.Cut(synopsis, " ")
		if s, ok := exportKinds()[kind]; ok {
			return s
		}
	}
	for _, c := range commands() {
		if c.name == name {
			return c.summary
		}
	}
	return ""
}

// parse parses flags, mapping flag errors to errUsage (the flag package already printed them).
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}
