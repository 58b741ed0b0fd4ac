package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// Runner returns the run function of an example named name that serves
// routes: it parses args, logs to stderr and serves until ctx ends.
func Runner(name string, routes Routes) func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		cfg, err := ParseFlags(name, args, stderr)
		if err != nil {
			return err
		}
		log := slog.New(slog.NewTextHandler(stderr, nil))
		return Run(ctx, cfg, stdout, log, routes)
	}
}

// Main runs an example as a program: until SIGINT or SIGTERM, then a
// graceful shutdown; exit status 1 on error.
func Main(name string, routes Routes) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := Runner(name, routes)(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}
