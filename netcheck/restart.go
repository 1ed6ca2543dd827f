package netcheck

import (
	"errors"
	"fmt"

	fmproc "localguard/netcheck/proc"
)

// Stopping and restarting FlowMeter live in netcheck/proc (process
// identity, holds, starting as the owner); these names are that
// package's, for the window and the command line, with what only the
// verdict knows (a listener's cause, the command to type).

// FlowMeterProcess is a FlowMeter process held since the user was asked.
type FlowMeterProcess = fmproc.Process

// Launch is how a FlowMeter process was started.
type Launch = fmproc.Launch

// HoldFlowMeter takes hold of the FlowMeter process pid (fmproc.Hold).
var HoldFlowMeter = fmproc.Hold

// Restart stops the process held and starts it again (fmproc.Restart).
var Restart = fmproc.Restart

// LogDir is where the logs of the FlowMeters Localguard started are kept.
var LogDir = fmproc.LogDir

// Alive reports whether the process pid runs (and is not a zombie).
var Alive = fmproc.Alive

// ErrAlreadyStopped means the process held is no longer there, or no
// longer the same: nothing was signalled.
var ErrAlreadyStopped = fmproc.ErrAlreadyStopped

// ErrCannotRestart means Localguard cannot start FlowMeter again itself:
// the error says the command to run instead.
var ErrCannotRestart = fmproc.ErrCannotRestart

// ReadLaunch reads how the FlowMeter process behind l was started. It
// refuses, wrapping ErrCannotRestart and naming the command to run
// instead, what Localguard cannot start again as it was: a process of
// another user (unless Localguard runs as root, which starts it as that
// user), a container's port publisher, the released app, a process whose
// environment or folder it may not read.
func ReadLaunch(l Listener) (Launch, error) {
	manual := func(why string) (Launch, error) {
		return Launch{}, fmt.Errorf("%s: %s: %w", why, RestartCommand(l), ErrCannotRestart)
	}
	if l.PID == 0 {
		return manual("FlowMeter runs as another user, so Localguard cannot start it again; stop it and start it again the way it was started")
	}
	if l.Cause == CauseContainer {
		return manual("a container publishes FlowMeter; restart the container instead")
	}
	launch, err := fmproc.ReadLaunch(l.PID)
	if errors.Is(err, ErrCannotRestart) {
		return Launch{}, fmt.Errorf("%w; to start it again: %s", err, RestartCommand(l))
	}
	return launch, err
}

// RestartCommand is the command a person types to start FlowMeter again
// as it runs now, in the shell the system's terminal uses.
func RestartCommand(l Listener) string {
	if l.Cmdline == "" {
		return "start FlowMeter again the way it was started"
	}
	if l.Cwd == "" {
		return l.Cmdline
	}
	return "cd " + shellQuote(l.Cwd) + " && " + l.Cmdline
}
