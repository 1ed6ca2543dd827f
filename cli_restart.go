package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"localguard/netcheck"
)

// Exit codes of restart (docs/cli.md).
const (
	restartDone    = 0 // stopped, started again, and running
	restartFailed  = 1 // declined, refused (the process changed), or the stop or start failed
	restartBad     = 3 // bad input, or no FlowMeter to restart
	restartOneself = 4 // Localguard may not restart it itself: the command to run was said
)

// restartWait is how long restart waits for FlowMeter to stop, and then
// to listen again.
const restartWait = 15 * time.Second

// restartResult is what `restart --json` adds to the verdict.
type restartResult struct {
	Restarted bool   `json:"restarted"`
	OldPID    int32  `json:"old_pid,omitempty"`
	PID       int32  `json:"pid,omitempty"`
	Log       string `json:"log,omitempty"`
	Command   string `json:"command,omitempty"`
	Warning   string `json:"warning,omitempty"`
	Error     string `json:"error,omitempty"`
}

// restart is the window's "Restart FlowMeter now" on the command line:
// the same warning, the same hold on the very process, started again as it
// was (as its owner), then followed until it runs again.
func (c cli) restart(args []string) int {
	cmd := c.command("restart")
	if code, done := cmd.parse(c, args); done {
		return code
	}
	ctx := context.Background()
	v := cmd.checker.Check(ctx)
	l, err := netcheck.RestartTarget(v)
	if err != nil {
		return c.restartEnd(cmd, v, &restartResult{Error: err.Error()}, restartBad)
	}
	res := &restartResult{OldPID: l.PID}
	p, err := netcheck.HoldFlowMeter(l.PID, l.Cmdline)
	if err != nil {
		res.Error = err.Error()
		return c.restartEnd(cmd, v, res, restartFailed)
	}
	launch, err := netcheck.ReadLaunch(l)
	if err != nil {
		p.Release()
		res.Error = err.Error()
		if errors.Is(err, netcheck.ErrCannotRestart) {
			res.Command = netcheck.RestartCommand(l)
			return c.restartEnd(cmd, v, res, restartOneself)
		}
		return c.restartEnd(cmd, v, res, restartFailed)
	}
	res.Warning = launch.ScriptWarning()
	if !c.askRestart(cmd, l, launch) {
		p.Release()
		res.Error = "not restarted: FlowMeter keeps running"
		return c.restartEnd(cmd, v, res, restartFailed)
	}
	pid, log, err := netcheck.Restart(ctx, p, launch, netcheck.LogDir(), restartWait)
	if err != nil {
		res.Error = err.Error()
		return c.restartEnd(cmd, v, res, restartFailed)
	}
	res.PID, res.Log = pid, log
	if !cmd.json {
		fmt.Fprintf(c.out, "Started FlowMeter again (pid %d); its output goes to %s.\n", pid, log)
	}
	v, err = followRestart(ctx, cmd.checker, pid)
	if err != nil {
		res.Error = fmt.Sprintf("%v: see its log %s", err, log)
		return c.restartEnd(cmd, v, res, restartFailed)
	}
	res.Restarted = true
	return c.restartEnd(cmd, v, res, restartDone)
}

// askRestart says what the restart does and loses, and asks unless --yes.
func (c cli) askRestart(cmd *command, l netcheck.Listener, launch netcheck.Launch) bool {
	who := ""
	if launch.Owner != nil {
		who = " as " + launch.Owner.Name + ", the user it runs as,"
	}
	fmt.Fprintf(c.err, "Localguard will stop FlowMeter (pid %d: %s), as Ctrl-C in its terminal would, and start it again%s the same way, in %s. Every dataset loaded in FlowMeter's memory will be lost, and anyone using FlowMeter now is cut off. Save or export what you need first.\n",
		l.PID, l.Cmdline, who, launch.Dir)
	if w := launch.ScriptWarning(); w != "" {
		fmt.Fprintln(c.err, w)
	}
	return cmd.yes || c.confirm("Restart FlowMeter now? [y/N] ")
}

// followRestart checks until the FlowMeter started as pid listens (or
// its process ended, or restartWait passed), and returns the verdict then.
func followRestart(ctx context.Context, checker *netcheck.Checker, pid int32) (netcheck.Verdict, error) {
	deadline := time.Now().Add(restartWait)
	for {
		v := checker.Check(ctx)
		for _, l := range v.Listeners {
			if l.PID == pid {
				return v, nil
			}
		}
		if !netcheck.Alive(pid) {
			return v, fmt.Errorf("FlowMeter (pid %d) ended soon after it started", pid)
		}
		if time.Now().After(deadline) {
			return v, fmt.Errorf("FlowMeter (pid %d) did not listen within %s", pid, restartWait)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// restartEnd prints the outcome (the verdict with --json) and returns code.
func (c cli) restartEnd(cmd *command, v netcheck.Verdict, res *restartResult, code int) int {
	if cmd.json {
		enc := json.NewEncoder(c.out)
		enc.SetEscapeHTML(false)
		enc.Encode(struct {
			netcheck.Verdict
			*restartResult
		}{v, res})
		return code
	}
	if res.Command != "" {
		fmt.Fprintf(c.err, "localguard restart: %s\n", res.Error)
		fmt.Fprintf(c.out, "Run this to start FlowMeter again yourself, after stopping it:\n  %s\n", res.Command)
		return code
	}
	if res.Error != "" {
		fmt.Fprintf(c.err, "localguard restart: %s\n", res.Error)
		return code
	}
	fmt.Fprint(c.out, v.Text(isTerminal(c.out)))
	return code
}
