package proc

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/shirou/gopsutil/v4/process"
	"golang.org/x/sys/windows"
)

// Windows has no SIGINT for another console's process. The gentlest means
// that works is the Ctrl-C of its own console: Localguard attaches to
// FlowMeter's console for the moment and raises Ctrl-C there, which uvicorn
// (and Python) handle as a clean shutdown, exactly as if the person pressed
// Ctrl-C in that window. A FlowMeter with no console (started hidden, or a
// Localguard that has a console of its own and so cannot attach) is
// terminated, after the same warning the window shows before any stop.

// stopGrace is how long FlowMeter has to shut down after Ctrl-C before it
// is terminated.
var stopGrace = 10 * time.Second

// golang.org/x/sys/windows wraps GenerateConsoleCtrlEvent but not the
// console calls around it.
var (
	consoleDLL                = windows.NewLazySystemDLL("kernel32.dll")
	procAttachConsole         = consoleDLL.NewProc("AttachConsole")
	procFreeConsole           = consoleDLL.NewProc("FreeConsole")
	procSetConsoleCtrlHandler = consoleDLL.NewProc("SetConsoleCtrlHandler")
)

// consoleMu serialises attaching to another console: a process has at most
// one console at a time.
var consoleMu sync.Mutex

// winIdentity is what names one process beyond its pid, which Windows
// reuses: its creation time (milliseconds since 1970, as gopsutil and so a
// scan's system.ProcStat.Start give it) and its command line.
type winIdentity struct {
	start uint64
	args  []string
}

// Open opens a handle on the process: while it is open, Windows
// gives its pid to no other process, so the stop reaches this one or none.
func Open(pid int32) (Handle, error) {
	h, err := openForStop(pid)
	if err != nil {
		return nil, err
	}
	return winHold{h: h, pid: pid}, nil
}

// winHold is a process held by its handle.
type winHold struct {
	h   windows.Handle
	pid int32
}

// Interrupt stops the process gently (its console's Ctrl-C), then, after
// stopGrace, ends it.
func (w winHold) Interrupt() error {
	if ev, _ := windows.WaitForSingleObject(w.h, 0); ev == windows.WAIT_OBJECT_0 {
		return ErrGone
	}
	return stopHeld(w.h, w.pid, stopGrace)
}

func (w winHold) Release() { windows.CloseHandle(w.h) }

// stopIdentified stops pid, gently first, only if it is the process want
// describes (same creation time, same command line): a FlowMeter that
// exited and whose pid went to another program is never signalled.
func stopIdentified(pid int32, want winIdentity, grace time.Duration) error {
	h, err := openForStop(pid)
	if err != nil {
		return err
	}
	// While the handle is open the process object stays, so the pid cannot
	// pass to another process between the check and the signal.
	defer windows.CloseHandle(h)
	got, err := winIdentityOf(h, pid)
	if err != nil {
		return err
	}
	if got.start != want.start || !slices.Equal(got.args, want.args) {
		return fmt.Errorf("process %d is no longer the FlowMeter Localguard saw (it has exited and the pid was reused): %w", pid, errNotNamedProcess)
	}
	return stopHeld(h, pid, grace)
}

// stopHeld stops the process h holds: Ctrl-C in its console, then, if it
// is still there after grace, termination.
func stopHeld(h windows.Handle, pid int32, grace time.Duration) error {
	if restore, err := consoleCtrlC(uint32(pid)); err == nil {
		ev, _ := windows.WaitForSingleObject(h, uint32(grace/time.Millisecond))
		restore()
		if ev == windows.WAIT_OBJECT_0 {
			return nil
		}
	}
	if err := windows.TerminateProcess(h, 1); err != nil {
		return fmt.Errorf("terminating the process: %w", err)
	}
	windows.WaitForSingleObject(h, 5000)
	return nil
}

// errNotNamedProcess means the process to stop is not the FlowMeter named.
var errNotNamedProcess = errors.New("not the FlowMeter process named")

func openForStop(pid int32) (windows.Handle, error) {
	h, err := windows.OpenProcess(windows.SYNCHRONIZE|windows.PROCESS_TERMINATE|windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		return 0, fmt.Errorf("opening the process: %w", err)
	}
	return h, nil
}

// winIdentityOf reads the creation time through the handle and the command
// line through gopsutil (the open handle keeps the pid this process's).
func winIdentityOf(h windows.Handle, pid int32) (winIdentity, error) {
	var id winIdentity
	var created, exit, kernel, user windows.Filetime
	if err := windows.GetProcessTimes(h, &created, &exit, &kernel, &user); err != nil {
		return id, fmt.Errorf("reading the process's start time: %w", err)
	}
	id.start = uint64(created.Nanoseconds() / 1e6)
	args, err := (&process.Process{Pid: pid}).CmdlineSlice()
	if err != nil {
		return id, fmt.Errorf("reading the process's command line: %w", err)
	}
	id.args = args
	return id, nil
}

// consoleCtrlC raises Ctrl-C in the console of pid, as the person's own
// Ctrl-C there would (every program of that console gets it). It fails,
// changing nothing, when pid has no console or Localguard has one of its
// own. Ctrl-Break, which can be aimed at one process group, is not used:
// aimed at a process that does not lead a group (FlowMeter started from a
// shell does not) it reaches the whole console too, and Python ends on it
// without cleaning up. restore makes Localguard heed Ctrl-C again; call it
// once the event has been delivered (after waiting for FlowMeter).
func consoleCtrlC(pid uint32) (restore func(), err error) {
	consoleMu.Lock()
	if r, _, err := procAttachConsole.Call(uintptr(pid)); r == 0 {
		consoleMu.Unlock()
		return nil, fmt.Errorf("attaching to the process's console: %w", err)
	}
	// Localguard is attached to that console for the moment: it ignores
	// the Ctrl-C it raises there until restore.
	procSetConsoleCtrlHandler.Call(0, 1)
	err = windows.GenerateConsoleCtrlEvent(windows.CTRL_C_EVENT, 0)
	procFreeConsole.Call()
	restore = func() {
		procSetConsoleCtrlHandler.Call(0, 0)
		consoleMu.Unlock()
	}
	if err != nil {
		restore()
		return nil, fmt.Errorf("raising Ctrl-C in the process's console: %w", err)
	}
	return restore, nil
}
