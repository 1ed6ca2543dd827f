package netcheck

import (
	"errors"
	"fmt"
)

// ErrAlreadyStopped means the FlowMeter process the user was asked about
// is no longer there: it ended, or its pid now belongs to another process.
// Nothing was signalled.
var ErrAlreadyStopped = errors.New("FlowMeter already stopped")

// FlowMeterProcess is a FlowMeter process as it was when the user was asked
// whether to stop it: its pid, its start time and command line, and a hold
// on the process itself where the system gives one (a pidfd on Linux, a
// process handle on Windows), which keeps naming that very process even
// after its pid is reused. Stop signals it only if it is still the same.
type FlowMeterProcess struct {
	PID     int32
	start   int64
	cmdline string
	hold    processHold
}

// processIdentity is what tells a process from a later one with the same
// pid: its start time and its command line. A variable, so that tests can
// make a process change identity.
var processIdentity = identityOf

// HoldFlowMeter takes hold of the FlowMeter process pid when the user is
// asked whether to stop it. cmdline is the command line the verdict showed
// for it ("" accepts any): a process with another one is not the FlowMeter
// the user saw. The hold is released by Release or Stop.
func HoldFlowMeter(pid int32, cmdline string) (*FlowMeterProcess, error) {
	hold, err := holdProcess(pid)
	if err != nil {
		return nil, alreadyStopped(pid, err)
	}
	// Read after the hold is taken: if the process is the one named now,
	// the hold is on it, whatever happens to the pid later.
	start, cl, err := processIdentity(pid)
	if err != nil || (cmdline != "" && cl != cmdline) {
		hold.release()
		return nil, alreadyStopped(pid, err)
	}
	return &FlowMeterProcess{PID: pid, start: start, cmdline: cl, hold: hold}, nil
}

// Stop asks the process to stop, as Ctrl-C in its terminal would; whatever
// it holds in memory (loaded datasets) is lost. It signals nothing, and
// returns an error wrapping ErrAlreadyStopped, when the process ended or
// its pid now names another process. The hold is released.
func (p *FlowMeterProcess) Stop() error {
	defer p.Release()
	if p.hold == nil {
		return alreadyStopped(p.PID, nil)
	}
	start, cl, err := processIdentity(p.PID)
	if err != nil || start != p.start || cl != p.cmdline {
		return alreadyStopped(p.PID, err)
	}
	if err := p.hold.interrupt(); err != nil {
		if errors.Is(err, errGone) {
			return alreadyStopped(p.PID, err)
		}
		return fmt.Errorf("stopping FlowMeter (pid %d): %w: stop it in its terminal with Ctrl-C", p.PID, err)
	}
	return nil
}

// Release lets go of the process without signalling it.
func (p *FlowMeterProcess) Release() {
	if p != nil && p.hold != nil {
		p.hold.release()
		p.hold = nil
	}
}

// errGone is what a hold reports when its process has ended.
var errGone = errors.New("the process has ended")

// processHold is a hold on one process.
type processHold interface {
	// interrupt sends the process its clean-stop request; errGone when
	// it has ended.
	interrupt() error
	release()
}

func alreadyStopped(pid int32, cause error) error {
	if cause != nil {
		return fmt.Errorf("FlowMeter (pid %d) already stopped (%v): nothing was signalled: %w", pid, cause, ErrAlreadyStopped)
	}
	return fmt.Errorf("FlowMeter (pid %d) already stopped, or its pid now belongs to another program: nothing was signalled: %w", pid, ErrAlreadyStopped)
}
