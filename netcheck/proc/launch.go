package proc

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
// way: the program, its arguments, its working folder, its environment,
// and the user it runs as.
type Launch struct {
	PID  int32
	Exe  string
	Args []string
	Dir  string
	Env  []string
	// Owner is the user FlowMeter runs as when that is not Localguard's
	// own user: Localguard (as root) starts it again as that user, never
	// as itself. nil when it runs as Localguard's user.
	Owner *Owner
	// Script is the shell script (or shell command) that started
	// FlowMeter and still waits for it, "" when none: Localguard restarts
	// FlowMeter alone, so the script's remaining lines will not run.
	Script string
}

// ErrCannotRestart means Localguard cannot start FlowMeter again itself (a
// process of another user, the released app, a process whose start it may
// not read): the caller says the command to run instead.
var ErrCannotRestart = errors.New("cannot restart FlowMeter itself")

// cannot is a refusal to restart, for the reason why.
func cannot(why string) error { return fmt.Errorf("%s: %w", why, ErrCannotRestart) }

// ReadLaunch reads how the process pid was started. It refuses, wrapping
// ErrCannotRestart, what Localguard cannot start again as it was: a
// process of another user unless Localguard runs as root (which then
// starts it as that user), the released app (started from its own
// shortcut), a process whose start it may not read.
func ReadLaunch(pid int32) (Launch, error) {
	p, err := process.NewProcess(pid)
	if err != nil {
		return Launch{}, fmt.Errorf("FlowMeter (pid %d) is no longer running: %w", pid, err)
	}
	owner, err := ownerOf(p)
	if err != nil {
		return Launch{}, err
	}
	exe, err1 := p.Exe()
	args, err2 := p.CmdlineSlice()
	dir, err3 := p.Cwd()
	env, err4 := p.Environ()
	if err := errors.Join(err1, err2, err3, err4); err != nil || len(args) == 0 {
		return Launch{}, cannot("Localguard may not read how FlowMeter was started")
	}
	if strings.EqualFold(strings.TrimSuffix(filepath.Base(exe), ".exe"), "FlowMeter") {
		return Launch{}, cannot("the released FlowMeter starts from its own shortcut")
	}
	dir = strings.TrimSuffix(dir, " (deleted)")
	if _, err := os.Stat(dir); err != nil {
		return Launch{}, cannot("FlowMeter's working folder is gone")
	}
	l := Launch{PID: pid, Exe: exe, Args: args, Dir: dir, Env: env, Owner: owner}
	if owner != nil {
		l.Env = owner.environ(env)
	}
	l.Script = waitingScript(p)
	return l, nil
}

// ScriptWarning is what a person must know before a restart of a
// FlowMeter that a shell script started and still waits for; "" when none.
func (l Launch) ScriptWarning() string {
	if l.Script == "" {
		return ""
	}
	return fmt.Sprintf("FlowMeter was started by %s, which still waits for it: Localguard restarts FlowMeter alone, not the script, so the script's remaining lines will not run (start the script again yourself if they matter).", l.Script)
}

// Restart stops the FlowMeter process p (held since the user was asked,
// so that only that very process is signalled), as Ctrl-C would, waits for
// it to end (wait at most), and starts it again as launch says it was
// started — as its owner, when that is another user —, detached from
// Localguard (it outlives it), its output in a log file under logDir.
// launch must have been read from p. It returns the new process's pid and
// the log's path; p is released.
func Restart(ctx context.Context, p *Process, launch Launch, logDir string, wait time.Duration) (int32, string, error) {
	if launch.PID != p.PID {
		p.Release()
		return 0, "", fmt.Errorf("the launch read is not FlowMeter (pid %d)'s: nothing was signalled", p.PID)
	}
	if err := p.Stop(); err != nil {
		return 0, "", err
	}
	if err := awaitEnd(ctx, p, wait); err != nil {
		return 0, "", err
	}
	return Start(launch, logDir)
}

// awaitEnd waits for p to end, wait at most.
func awaitEnd(ctx context.Context, p *Process, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for p.running() {
		if time.Now().After(deadline) {
			return fmt.Errorf("FlowMeter (pid %d) did not stop within %s: stop it in its terminal, then start it again", p.PID, wait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

// Start starts FlowMeter as launch says, detached, as launch's owner when
// it has one, its output in a new log file under logDir; it returns the
// pid and the log's path.
func Start(launch Launch, logDir string) (int32, string, error) {
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
	if err := asOwner(cmd, launch.Owner); err != nil {
		return 0, "", err
	}
	if err := cmd.Start(); err != nil {
		return 0, "", fmt.Errorf("starting FlowMeter again (%s): %w", strings.Join(launch.Args, " "), err)
	}
	go cmd.Wait() // reap it if it ends while Localguard runs
	return int32(cmd.Process.Pid), logPath, nil
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
