package proc

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/windows"

	"localguard/netcheck/system"
)

// TestMain lets the test binary act as a console program for the stop
// tests.
func TestMain(m *testing.M) {
	if ready := os.Getenv("LOCALGUARD_TEST_CTRLC"); ready != "" {
		awaitCtrlC(ready)
		return
	}
	os.Exit(m.Run())
}

// awaitCtrlC is the test binary as a console program that shuts down
// cleanly on Ctrl-C (exit 7), as uvicorn does; it writes the file ready
// once it listens for it.
func awaitCtrlC(ready string) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt)
	os.WriteFile(ready, nil, 0o600)
	select {
	case <-c:
		os.Exit(7)
	case <-time.After(time.Minute):
		os.Exit(3)
	}
}

// startConsoleChild starts the test binary as awaitCtrlC with the given
// creation flags and waits until it is ready.
func startConsoleChild(t *testing.T, flags uint32) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ready := filepath.Join(t.TempDir(), "ready")
	cmd := exec.Command(self, "-test.run=^$")
	cmd.Env = append(os.Environ(), "LOCALGUARD_TEST_CTRLC="+ready)
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: flags}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, err := os.Stat(ready); err == nil {
			return cmd
		}
		if time.Now().After(deadline) {
			t.Fatal("the child did not start")
		}
	}
}

// identityNow reads a process's identity as the scan would have seen it.
func identityNow(t *testing.T, pid int) winIdentity {
	t.Helper()
	h, err := openForStop(int32(pid))
	if err != nil {
		t.Fatal(err)
	}
	defer windows.CloseHandle(h)
	id, err := winIdentityOf(h, int32(pid))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// exitCode waits for cmd and returns its exit code.
func exitCode(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the child did not exit")
	}
	return cmd.ProcessState.ExitCode()
}

// TestStopCtrlC: a FlowMeter in its own console gets Ctrl-C there and
// shuts down cleanly; Localguard, attached for the moment, is not stopped.
func TestStopCtrlC(t *testing.T) {
	// The test binary runs with its output piped: it gives up its console
	// (if any), as the windowed Localguard has none.
	procFreeConsole.Call()
	cmd := startConsoleChild(t, windows.CREATE_NEW_CONSOLE)
	if err := stopIdentified(int32(cmd.Process.Pid), identityNow(t, cmd.Process.Pid), 20*time.Second); err != nil {
		t.Fatal(err)
	}
	if code := exitCode(t, cmd); code != 7 {
		t.Errorf("exit code %d, want 7 (a clean shutdown on Ctrl-C)", code)
	}
}

// TestStopNoConsole: a FlowMeter without a console is terminated.
func TestStopNoConsole(t *testing.T) {
	cmd := startConsoleChild(t, windows.DETACHED_PROCESS)
	if err := stopIdentified(int32(cmd.Process.Pid), identityNow(t, cmd.Process.Pid), time.Second); err != nil {
		t.Fatal(err)
	}
	if code := exitCode(t, cmd); code != 1 {
		t.Errorf("exit code %d, want 1 (terminated)", code)
	}
}

// TestStopRefusesOtherProcess: a process that is not the one named (other
// start time or command line) gets no signal.
func TestStopRefusesOtherProcess(t *testing.T) {
	cmd := startConsoleChild(t, windows.DETACHED_PROCESS)
	id := identityNow(t, cmd.Process.Pid)
	// The identity is the one a scan reads, so a stop can be held to it.
	if st, err := system.New().Stat(int32(cmd.Process.Pid)); err != nil || st.Start != id.start {
		t.Errorf("scan's start time %d (%v), stop's %d", st.Start, err, id.start)
	}
	other := id
	other.start++
	other2 := id
	other2.args = append(append([]string(nil), id.args...), "--other")
	for _, want := range []winIdentity{other, other2} {
		if err := stopIdentified(int32(cmd.Process.Pid), want, time.Second); !errors.Is(err, errNotNamedProcess) {
			t.Errorf("stop of another process: %v, want errNotNamedProcess", err)
		}
	}
	if ev, _ := windows.WaitForSingleObject(mustHandle(t, cmd.Process.Pid), 200); ev == windows.WAIT_OBJECT_0 {
		t.Error("the process was stopped")
	}
}

func mustHandle(t *testing.T, pid int) windows.Handle {
	t.Helper()
	h, err := openForStop(int32(pid))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { windows.CloseHandle(h) })
	return h
}

// TestHoldNamesProgram: on Windows the process is held by its image path
// and creation time too; Stop reaches it through its console's Ctrl-C,
// and a process whose image is not the one held is refused.
func TestHoldNamesProgram(t *testing.T) {
	procFreeConsole.Call()
	cmd := startConsoleChild(t, windows.CREATE_NEW_CONSOLE)
	p, err := Hold(int32(cmd.Process.Pid), "")
	if err != nil {
		t.Fatal(err)
	}
	self, _ := os.Executable()
	if !strings.EqualFold(filepath.Base(p.id.program), filepath.Base(self)) || p.id.start == 0 {
		t.Errorf("identity %+v, want the image %s and a creation time", p.id, self)
	}
	if !p.Same() {
		t.Error("not the same process just after the hold")
	}
	held := p.id
	p.id.program += ".other"
	if err := p.Stop(); !errors.Is(err, ErrAlreadyStopped) {
		t.Fatalf("Stop with another image: %v", err)
	}
	p, err = Hold(int32(cmd.Process.Pid), "")
	if err != nil || p.id != held {
		t.Fatalf("held again: %+v, %v", p, err)
	}
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	if code := exitCode(t, cmd); code != 7 {
		t.Errorf("exit code %d, want 7 (a clean shutdown on Ctrl-C)", code)
	}
}
