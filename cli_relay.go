package main

import (
	"context"
	"fmt"

	"localguard/netcheck"
)

// stopRelay stops a relay the verdict names, after saying what it cuts
// off and asking.
func (c cli) stopRelay(args []string) int {
	cmd := c.command("stop-relay")
	if code, done := cmd.parse(c, args); done {
		return code
	}
	if cmd.pid <= 0 {
		fmt.Fprintln(c.err, "localguard stop-relay: give the relay's pid with --pid (localguard check --json lists them in relays).")
		return 3
	}
	ctx := context.Background()
	var relay *netcheck.Relay
	for _, r := range cmd.checker.Check(ctx).Relays {
		if r.PID == int32(cmd.pid) {
			relay = &r
			break
		}
	}
	if relay == nil {
		fmt.Fprintf(c.err, "localguard stop-relay: no relay of FlowMeter runs with pid %d: run localguard check to see the relays.\n", cmd.pid)
		return 1
	}
	fmt.Fprintf(c.out, "Localguard will stop %s (pid %d: %s), which passes FlowMeter on. Anyone using FlowMeter through it is cut off; FlowMeter itself keeps running. If it was started for a reason, make the change instead: %s\n",
		relay.Program, relay.PID, relay.Cmdline, relay.Advice)
	if !cmd.yes && !c.confirm("Stop it? [y/N] ") {
		fmt.Fprintln(c.err, "localguard stop-relay: not stopped.")
		return 1
	}
	if err := cmd.checker.StopRelay(ctx, int32(cmd.pid)); err != nil {
		fmt.Fprintf(c.err, "localguard stop-relay: %v\n", err)
		return 1
	}
	fmt.Fprintf(c.out, "Asked %s (pid %d) to stop.\n", relay.Program, relay.PID)
	return 0
}
