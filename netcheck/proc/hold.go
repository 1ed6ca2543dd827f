package proc

import (
	"errors"
	"fmt"
)

// ErrAlreadyStopped means the FlowMeter process the user was asked about
// is no longer there: it ended, its pid now belongs to another process, or
// it runs another program now. Nothing was signalled.
var ErrAlreadyStopped = errors.New("FlowMeter already stopped")

// Process is a FlowMeter process as it was when the user was asked whether
// to stop it: its pid, its identity (start time, command line and the
// program it runs) and a hold on the process itself where the system gives
// one (a pidfd on Linux, a process handle on Windows), which keeps naming
// that very process even after its pid is reused. Stop signals it only if
// it is still the same.
type Process struct {
	PID  int32
	id   identity
	hold Handle
}

// identity is what tells a process from a later one with the same pid,
// and from itself after it exec'd another program: its start time, its
// command line and its program (Linux: the device and inode of
// /proc/PID/exe; elsewhere the image's path).
type identity struct {
	start   int64
	cmdline string
	program string
}

// processIdentity reads a process's identity. A variable, so that tests
// can make a process change identity.
var processIdentity = identityOf

// Hold takes hold of the FlowMeter process pid when the user is asked
// whether to stop it. cmdline is the command line the verdict showed for
// it ("" accepts any): a process with another one is not the FlowMeter the
// user saw. The program it runs is read now: one that exec's another
// program later, even with the same arguments, is not signalled. The hold
// is released by Release or Stop.
func Hold(pid int32, cmdline string) (*Process, error) {
	hold, err := Open(pid)
	if err != nil {
		return nil, alreadyStopped(pid, err)
	}
	// Read after the hold is taken: if the process is the one named now,
	// the hold is on it, whatever happens to the pid later.
	id, err := processIdentity(pid)
	if errors.Is(err, errProgramUnread) {
		hold.Release()
		return nil, fmt.Errorf("FlowMeter (pid %d) cannot be held: Localguard may not read which program it runs (%v), so it cannot make sure it stops that very process: stop it in its terminal with Ctrl-C", pid, err)
	}
	if err != nil || (cmdline != "" && id.cmdline != cmdline) {
		hold.Release()
		return nil, alreadyStopped(pid, err)
	}
	return &Process{PID: pid, id: id, hold: hold}, nil
}

// Same reports whether pid is still the process held (same start time,
// command line and program).
func (p *Process) Same() bool {
	id, err := processIdentity(p.PID)
	return err == nil && id == p.id
}

// Stop asks the process to stop, as Ctrl-C in its terminal would; whatever
// it holds in memory (loaded datasets) is lost. It signals nothing, and
// returns an error wrapping ErrAlreadyStopped, when the process ended, its
// pid now names another process, or it runs another program. The hold is
// released.
func (p *Process) Stop() error {
	defer p.Release()
	if p.hold == nil {
		return alreadyStopped(p.PID, nil)
	}
	id, err := processIdentity(p.PID)
	if err != nil || id != p.id {
		return alreadyStopped(p.PID, err)
	}
	if err := p.hold.Interrupt(); err != nil {
		if errors.Is(err, ErrGone) {
			return alreadyStopped(p.PID, err)
		}
		return fmt.Errorf("stopping FlowMeter (pid %d): %w: stop it in its terminal with Ctrl-C", p.PID, err)
	}
	return nil
}

// Release lets go of the process without signalling it.
func (p *Process) Release() {
	if p != nil && p.hold != nil {
		p.hold.Release()
		p.hold = nil
	}
}

// running reports whether the process p named still runs as itself (not
// ended, not a zombie: a zombie has no command line any more).
func (p *Process) running() bool {
	id, err := processIdentity(p.PID)
	return err == nil && id.start == p.id.start && id.cmdline == p.id.cmdline && id.cmdline != ""
}

// ErrGone is what a hold reports when its process has ended.
var ErrGone = errors.New("the process has ended")

// errProgramUnread means the program a process runs may not be read.
var errProgramUnread = errors.New("its program may not be read")

// Handle is a hold on one process.
type Handle interface {
	// Interrupt sends the process its clean-stop request; ErrGone when
	// it has ended.
	Interrupt() error
	// Release lets go of the process.
	Release()
}

func alreadyStopped(pid int32, cause error) error {
	if cause != nil {
		return fmt.Errorf("FlowMeter (pid %d) already stopped (%v): nothing was signalled: %w", pid, cause, ErrAlreadyStopped)
	}
	return fmt.Errorf("FlowMeter (pid %d) already stopped, or its pid now belongs to another program: nothing was signalled: %w", pid, ErrAlreadyStopped)
}

// Alive reports whether the process pid runs (and has not ended, as a
// zombie has).
func Alive(pid int32) bool {
	id, err := processIdentity(pid)
	return err == nil && id.cmdline != ""
}
