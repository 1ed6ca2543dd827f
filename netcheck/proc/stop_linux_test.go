//go:build linux

package proc

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startSleeper starts a real process that runs until killed.
func startSleeper(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	if len(args) == 0 {
		args = []string{"sleep", "60"}
	}
	cmd := exec.Command(args[0], args[1:]...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	awaitArgs(t, cmd.Process.Pid)
	return cmd
}

// holdWaiting starts cmd, which waits for a line on its standard input
// before it goes on, kills it when the test ends, and holds it as the
// dialog does; the line goes to the pipe returned.
func holdWaiting(t *testing.T, cmd *exec.Cmd) (io.WriteCloser, *Process) {
	t.Helper()
	in, _ := cmd.StdinPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	p, err := Hold(int32(cmd.Process.Pid), "")
	if err != nil {
		t.Fatal(err)
	}
	return in, p
}

// alive reports whether pid runs (and is not a zombie).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(b), ')')
	return i > 0 && len(b) > i+2 && b[i+2] != 'Z'
}

// TestStopSignalsTheProcessNamed: the process held when the dialog opened
// gets SIGINT when it is still the same.
func TestStopSignalsTheProcessNamed(t *testing.T) {
	cmd := startSleeper(t)
	p, err := Hold(int32(cmd.Process.Pid), "sleep 60")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGINT {
		t.Errorf("the process ended with %v, want SIGINT", err)
	}
}

// TestStopRefusesAnotherProcess: when the process is gone, or its pid now
// runs something else, Stop signals nothing and says FlowMeter already
// stopped.
func TestStopRefusesAnotherProcess(t *testing.T) {
	t.Run("exited", func(t *testing.T) {
		cmd := startSleeper(t)
		p, err := Hold(int32(cmd.Process.Pid), "")
		if err != nil {
			t.Fatal(err)
		}
		cmd.Process.Kill()
		cmd.Wait()
		if err := p.Stop(); !errors.Is(err, ErrAlreadyStopped) {
			t.Fatalf("Stop after exit: %v", err)
		}
	})
	t.Run("command line changed", func(t *testing.T) {
		// The same pid turns into another program (exec), as a reused pid
		// would: the command line no longer matches.
		cmd := exec.Command("sh", "-c", "read x; exec sleep 61")
		in, p := holdWaiting(t, cmd)
		pid := cmd.Process.Pid
		io.WriteString(in, "go\n")
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); strings.HasPrefix(string(b), "sleep\x0061") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the process did not exec")
			}
		}
		if err := p.Stop(); !errors.Is(err, ErrAlreadyStopped) {
			t.Fatalf("Stop after exec: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
		if !alive(pid) {
			t.Error("the other program was signalled")
		}
	})
	t.Run("verdict named another command line", func(t *testing.T) {
		cmd := startSleeper(t)
		if _, err := Hold(int32(cmd.Process.Pid), "python3 -m app.main"); !errors.Is(err, ErrAlreadyStopped) {
			t.Fatalf("Hold of a pid running something else: %v", err)
		}
	})
	t.Run("injected identity", func(t *testing.T) {
		cmd := startSleeper(t)
		p, err := Hold(int32(cmd.Process.Pid), "")
		if err != nil {
			t.Fatal(err)
		}
		real := processIdentity
		defer func() { processIdentity = real }()
		processIdentity = func(pid int32) (identity, error) {
			id, err := real(pid)
			id.start += 1000 // started a second later: another process
			return id, err
		}
		if err := p.Stop(); !errors.Is(err, ErrAlreadyStopped) {
			t.Fatalf("Stop with another start time: %v", err)
		}
		if !alive(cmd.Process.Pid) {
			t.Error("signalled")
		}
	})
}

// TestStopPidReused makes a real new process take the pid of the one the
// dialog held (as root, through /proc/sys/kernel/ns_last_pid), with an
// identity check fooled into accepting it: the pidfd still refuses to
// signal it.
func TestStopPidReused(t *testing.T) {
	if os.Geteuid() != 0 {
		missing(t, "needs root to choose the next pid")
	}
	for attempt := 0; attempt < 50; attempt++ {
		first := exec.Command("sleep", "60")
		if err := first.Start(); err != nil {
			t.Fatal(err)
		}
		pid := first.Process.Pid
		awaitArgs(t, pid)
		p, err := Hold(int32(pid), "sleep 60")
		if err != nil {
			t.Fatal(err)
		}
		id, _ := processIdentity(int32(pid))
		first.Process.Kill()
		first.Wait()
		if err := os.WriteFile("/proc/sys/kernel/ns_last_pid", []byte(strconv.Itoa(pid-1)), 0); err != nil {
			missing(t, "cannot choose the next pid: %v", err)
		}
		second := exec.Command("sleep", "60")
		if err := second.Start(); err != nil {
			t.Fatal(err)
		}
		if second.Process.Pid != pid {
			second.Process.Kill()
			second.Wait()
			p.Release()
			continue // another process took the pid first: try again
		}
		defer func() { second.Process.Kill(); second.Wait() }()
		real := processIdentity
		processIdentity = func(int32) (identity, error) { return id, nil }
		err = p.Stop()
		processIdentity = real
		if !errors.Is(err, ErrAlreadyStopped) {
			t.Fatalf("Stop of a reused pid: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
		if !alive(pid) {
			t.Fatal("the process that took the pid was signalled")
		}
		t.Logf("pid %d reused on attempt %d; the new process was left alone", pid, attempt+1)
		return
	}
	t.Fatal("could not make a process reuse a pid in 50 attempts")
}

// awaitArgs waits until pid's command line reads: just after exec it
// reads empty for a moment, until the kernel has set up the arguments.
func awaitArgs(t *testing.T, pid int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); len(b) > 0 {
			return
		}
	}
	t.Fatalf("pid %d has no command line", pid)
}
