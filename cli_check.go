package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"localguard/netcheck"
)

// check prints the verdict once; its exit code says the status.
func (c cli) check(args []string) int {
	cmd := c.command("check")
	if code, done := cmd.parse(c, args); done {
		return code
	}
	v := cmd.checker.Check(context.Background())
	c.print(v, cmd.json, nil)
	return v.Status.ExitCode()
}

// watch prints the verdict now and each time it changes, until
// interrupted.
func (c cli) watch(args []string) int {
	cmd := c.command("watch")
	if code, done := cmd.parse(c, args); done {
		return code
	}
	if cmd.interval < 100*time.Millisecond {
		fmt.Fprintf(c.err, "localguard watch: --interval %v is too short: use 100ms or more.\n", cmd.interval)
		return 3
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd.checker.Watch(ctx, cmd.interval, func(v netcheck.Verdict) {
		if !cmd.json {
			fmt.Fprintf(c.out, "%s ", time.Now().Format("15:04:05"))
		}
		c.print(v, cmd.json, nil)
	})
	return 0
}
