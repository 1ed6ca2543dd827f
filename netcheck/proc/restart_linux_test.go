package proc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as a process that exec's another
// program with the very same command line (for TestStopRefusesOtherProgram).
func TestMain(m *testing.M) {
	if target := os.Getenv("LOCALGUARD_TEST_EXEC_INTO"); target != "" {
		bufio.NewReader(os.Stdin).ReadString('\n')
		env := append(os.Environ(), "LOCALGUARD_TEST_EXEC_INTO=")
		syscall.Exec(target, os.Args, env)
		os.Exit(5)
	}
	if os.Getenv("LOCALGUARD_TEST_EXEC_INTO") == "" && os.Getenv("LOCALGUARD_TEST_SLEEP") != "" {
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestStopRefusesOtherProgram: a process that exec's another program with
// the same arguments after the dialog opened (same pid, same start time,
// same command line) is not the FlowMeter the user was asked about, and is
// not signalled.
func TestStopRefusesOtherProgram(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other")
	copyFile(t, self, other, 0o755)
	cmd := exec.Command(self, "-test.run=^$", "flowmeter")
	cmd.Env = append(os.Environ(), "LOCALGUARD_TEST_EXEC_INTO="+other, "LOCALGUARD_TEST_SLEEP=1")
	in, p := holdWaiting(t, cmd)
	pid := cmd.Process.Pid
	before, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	io.WriteString(in, "go\n")
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		// The command line reads empty for a moment after the program
		// changed, until the kernel has set up the new one's arguments.
		exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
		if cl, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); exe == other && len(cl) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the process did not exec")
		}
	}
	if after, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); string(after) != string(before) {
		t.Fatalf("the command line changed (%q, %q): the test needs it the same", before, after)
	}
	if p.Same() {
		t.Error("Same after exec of another program")
	}
	if err := p.Stop(); !errors.Is(err, ErrAlreadyStopped) {
		t.Fatalf("Stop after exec of another program: %v", err)
	}
	time.Sleep(50 * time.Millisecond)
	if !alive(pid) {
		t.Error("the other program was signalled")
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, mode); err != nil {
		t.Fatal(err)
	}
}

// standIn is a FlowMeter-like process run by nobody: python3 -m app.main
// in a backend folder, with a PYTHONPATH sitecustomize hook that appends
// the uid and euid it runs as to uids, as a hook of the other user's
// would run.
type standIn struct {
	backend, uids string
	cmd           *exec.Cmd
}

// startAsNobody starts the stand-in as nobody and waits until its hook ran.
func startAsNobody(t *testing.T) *standIn {
	t.Helper()
	if os.Geteuid() != 0 {
		missing(t, "needs root to run a process as nobody")
	}
	python := "/usr/bin/python3" // a system python nobody may run (not a per-user shim)
	if _, err := os.Stat(python); err != nil {
		missing(t, "needs /usr/bin/python3")
	}
	root, err := os.MkdirTemp("", "lg19-owner-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	s := &standIn{backend: filepath.Join(root, "backend"), uids: filepath.Join(root, "uids")}
	for _, d := range []string{filepath.Join(s.backend, "app"), filepath.Join(root, "hook")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.Chmod(root, 0o755)
	write(t, filepath.Join(root, "hook", "sitecustomize.py"), "import os\nwith open(os.environ['LG_UIDS'], 'a') as f:\n    f.write('%d %d\\n' % (os.getuid(), os.geteuid()))\n", 0o644)
	write(t, filepath.Join(s.backend, "app", "__init__.py"), "", 0o644)
	write(t, filepath.Join(s.backend, "app", "main.py"), "import time\nprint('listening', flush=True)\ntime.sleep(120)\n", 0o644)
	write(t, s.uids, "", 0o666)
	os.Chmod(s.uids, 0o666)
	s.cmd = exec.Command(python, "-m", "app.main")
	s.cmd.Dir = s.backend
	s.cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=/root", "PYTHONPATH=" + filepath.Join(root, "hook"), "LG_UIDS=" + s.uids}
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534, Groups: []uint32{65534}}}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.cmd.Process.Kill(); s.cmd.Wait() })
	s.await(t, 1)
	return s
}

// await waits until the hook ran n times.
func (s *standIn) await(t *testing.T, n int) []string {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(s.uids)
		if lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n"); len(b) > 0 && len(lines) >= n {
			return lines
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hook ran fewer than %d times: %q", n, b)
		}
	}
}

func write(t *testing.T, path, s string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), mode); err != nil {
		t.Fatal(err)
	}
}

// TestRestartAsOwner: Localguard as root restarts a FlowMeter that nobody
// runs as nobody (uid, gid, groups, HOME), never as root: the other user's
// PYTHONPATH hook never runs with uid 0.
func TestRestartAsOwner(t *testing.T) {
	s := startAsNobody(t)
	pid := int32(s.cmd.Process.Pid)
	launch, err := ReadLaunch(pid)
	if err != nil {
		t.Fatal(err)
	}
	if launch.Owner == nil || launch.Owner.UID != 65534 || launch.Owner.GID != 65534 {
		t.Fatalf("owner %+v, want nobody", launch.Owner)
	}
	p, err := Hold(pid, "")
	if err != nil {
		t.Fatal(err)
	}
	newPID, logPath, err := Restart(context.Background(), p, launch, t.TempDir(), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(int(newPID), syscall.SIGKILL) })
	lines := s.await(t, 2)
	for _, l := range lines {
		if l != "65534 65534" {
			t.Errorf("the hook ran as uid/euid %s, want 65534 65534 every time: %q", l, lines)
		}
	}
	status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", newPID))
	for _, want := range []string{"Uid:\t65534\t65534\t65534\t65534", "Gid:\t65534\t65534\t65534\t65534", "Groups:\t65534"} {
		if !strings.Contains(string(status), want) {
			t.Errorf("the restarted FlowMeter's status lacks %q:\n%s", want, status)
		}
	}
	env, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", newPID))
	if !strings.Contains(string(env), "\x00HOME=/nonexistent") && !strings.HasPrefix(string(env), "HOME=/nonexistent") {
		t.Errorf("the restarted FlowMeter's HOME is not nobody's: %q", env)
	}
	if _, err := os.Stat(logPath); err != nil {
		t.Errorf("no log: %v", err)
	}
}

// TestScriptWaits: a FlowMeter started by a shell script that waits for it
// is restarted with a warning that the script's remaining lines will not
// run.
func TestScriptWaits(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "start.sh")
	write(t, script, "#!/bin/sh\nsleep 61\necho after\n", 0o755)
	cmd := exec.Command("sh", script)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Process.Kill(); cmd.Wait() })
	child := childOf(t, cmd.Process.Pid)
	launch, err := ReadLaunch(child)
	if err != nil {
		t.Fatal(err)
	}
	if w := launch.ScriptWarning(); !strings.Contains(w, script) || !strings.Contains(w, "remaining lines will not run") {
		t.Errorf("warning %q", w)
	}
	// A process whose parent is this test binary (no shell) has none.
	plain := exec.Command("sleep", "60")
	plain.Start()
	t.Cleanup(func() { plain.Process.Kill(); plain.Wait() })
	if l, err := ReadLaunch(int32(plain.Process.Pid)); err != nil || l.Script != "" {
		t.Errorf("a process started by no script: %q, %v", l.Script, err)
	}
}

// childOf waits for pid's first child and returns its pid.
func childOf(t *testing.T, pid int) int32 {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
		if f := strings.Fields(string(b)); len(f) > 0 {
			var c int32
			fmt.Sscan(f[0], &c)
			return c
		}
		if time.Now().After(deadline) {
			t.Fatal("the script started no child")
		}
	}
}
