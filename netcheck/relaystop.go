package netcheck

import (
	"context"
	"errors"
	"fmt"
)

// ErrNoRelay means no relay of FlowMeter runs with the pid given.
var ErrNoRelay = errors.New("no such relay")

// ErrRelayChanged means the pid no longer names the relay that was found:
// it ended, and another process may have its number now.
var ErrRelayChanged = errors.New("the relay process changed")

// StopRelay stops the relay process pid, as the verdict names it: it looks
// again, and signals only a process that is a relay of FlowMeter now, with
// the same start time and command line as when it was found (on Linux
// through a pidfd, so the number cannot be reused in between). Anyone using
// FlowMeter through it is cut off; FlowMeter itself keeps running.
func (c *Checker) StopRelay(ctx context.Context, pid int32) error {
	f := c.Gather(ctx)
	for _, r := range f.Relays {
		if r.Owner == nil || r.Owner.PID != pid {
			continue
		}
		if err := signalRelay(pid, r.start, r.Owner.Args, c.scanner.reader()); err != nil {
			return fmt.Errorf("stopping %s (pid %d): %w", r.Program, pid, err)
		}
		return nil
	}
	return fmt.Errorf("no relay of FlowMeter runs with pid %d: run localguard check to see the relays: %w", pid, ErrNoRelay)
}
