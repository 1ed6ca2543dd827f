package netcheck

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/shirou/gopsutil/v4/process"
)

// Launch is how a FlowMeter process was started, read from the running
// process before it is stopped, so that it can be started again the same
// way: the program, its arguments, its working folder and its environment.
type Launch struct {
	PID  int32
	Exe  string
	Args []string
	Dir  string
	Env  []string
}

// ErrCannotRestart means Localguard cannot start FlowMeter again itself (a
// process of another user, a container, the released app): the error says
// the command to run instead.
var ErrCannotRestart = errors.New("cannot restart FlowMeter itself")

// ReadLaunch reads how the FlowMeter process behind l was started. It
// refuses, wrapping ErrCannotRestart, what Localguard cannot start again
// as it was: another user's process, a container's port publisher, the
// released app (started from its own shortcut), a process whose
// environment or folder it may not read.
func ReadLaunch(l Listener) (Launch, error) {
	manual := func(why string) (Launch, error) {
		return Launch{}, fmt.Errorf("%s: %s: %w", why, RestartCommand(l), ErrCannotRestart)
	}
	if l.PID == 0 {
		return manual("FlowMeter runs as another user, so Localguard cannot start it again; stop it and start it again the way it was started")
	}
	switch l.Cause {
	case CauseContainer:
		return manual("a container publishes FlowMeter; restart the container instead")
	}
	p, err := process.NewProcess(l.PID)
	if err != nil {
		return Launch{}, fmt.Errorf("FlowMeter (pid %d) is no longer running: %w", l.PID, err)
	}
	exe, err1 := p.Exe()
	args, err2 := p.CmdlineSlice()
	dir, err3 := p.Cwd()
	env, err4 := p.Environ()
	if err := errors.Join(err1, err2, err3, err4); err != nil || len(args) == 0 {
		return manual("Localguard may not read how FlowMeter was started")
	}
	if strings.EqualFold(baseName(exe), "FlowMeter") {
		return manual("the released FlowMeter starts from its own shortcut")
	}
	dir = strings.TrimSuffix(dir, " (deleted)")
	if _, err := os.Stat(dir); err != nil {
		return manual("FlowMeter's working folder is gone")
	}
	return Launch{PID: l.PID, Exe: exe, Args: args, Dir: dir, Env: env}, nil
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

// Restart stops the FlowMeter process p (held since the user was asked,
// so that only that very process is signalled), as Ctrl-C would, waits for
// it to end (wait at most), and starts it again as launch says it was
// started, detached from Localguard (it outlives it), its output in a log
// file under logDir. launch must have been read from p. It returns the new
// process's pid and the log's path; p is released.
func Restart(ctx context.Context, p *FlowMeterProcess, launch Launch, logDir string, wait time.Duration) (int32, string, error) {
	if launch.PID != p.PID {
		p.Release()
		return 0, "", fmt.Errorf("the launch read is not FlowMeter (pid %d)'s: nothing was signalled", p.PID)
	}
	if err := p.Stop(); err != nil {
		return 0, "", err
	}
	deadline := time.Now().Add(wait)
	for p.running() {
		if time.Now().After(deadline) {
			return 0, "", fmt.Errorf("FlowMeter (pid %d) did not stop within %s: stop it in its terminal, then start it again", p.PID, wait)
		}
		select {
		case <-ctx.Done():
			return 0, "", ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	if err := os.MkdirAll(logDir, 0o700); err != nil {
		return 0, "", fmt.Errorf("creating %s for FlowMeter's log: %w", logDir, err)
	}
	logPath := filepath.Join(logDir, "flowmeter-"+time.Now().Format("20060102-150405")+".log")
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return 0, "", fmt.Errorf("creating FlowMeter's log %s: %w", logPath, err)
	}
	defer log.Close()
	cmd := &exec.Cmd{Path: launch.Exe, Args: launch.Args, Dir: launch.Dir, Env: launch.Env, Stdout: log, Stderr: log}
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return 0, "", fmt.Errorf("starting FlowMeter again (%s): %w", strings.Join(launch.Args, " "), err)
	}
	go cmd.Wait() // reap it if it ends while Localguard runs
	return int32(cmd.Process.Pid), logPath, nil
}

// running reports whether the process p named still runs as itself (not
// ended, not a zombie: a zombie has no command line any more).
func (p *FlowMeterProcess) running() bool {
	start, cl, err := processIdentity(p.PID)
	return err == nil && start == p.start && cl == p.cmdline && cl != ""
}

// LogDir is where Localguard keeps the logs of the FlowMeters it started:
// the user's cache folder when it exists (never created from nothing),
// else the temporary folder.
func LogDir() string {
	if dir, err := os.UserCacheDir(); err == nil {
		if _, err := os.Stat(dir); err == nil {
			return filepath.Join(dir, "localguard")
		}
	}
	return filepath.Join(os.TempDir(), "localguard-"+fmt.Sprint(os.Getuid()))
}
