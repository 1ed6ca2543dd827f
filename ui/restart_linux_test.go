package ui

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"localguard/netcheck"

	"localguard/testdata/listener"
	"localguard/testdata/netns"
)

// flowMeter starts the bench's FlowMeter-like server as `python3 -m
// app.main` in the backend folder of env, as FlowMeter is started, and
// waits until it listens.
func flowMeter(t *testing.T, env string) *exec.Cmd {
	t.Helper()
	python := "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		if python, err = exec.LookPath("python3"); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("CI needs python3 for a real FlowMeter-like listener")
			}
			t.Skip("python3 is needed for a real FlowMeter-like listener")
		}
	}
	backend := filepath.Dir(env)
	app := filepath.Join(backend, "app")
	src, err := os.ReadFile(filepath.Join("..", "testdata", "bench", "flowmeter_app.py"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(app, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(app, "main.py"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-m", "app.main")
	cmd.Dir = backend
	cmd.Env = os.Environ() // isolate removed HOST and PORT
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer // a traceback on Ctrl-C is FlowMeter stopping
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("the FlowMeter-like server's stderr:\n%s", stderr.String())
		}
	})
	listening := make(chan bool, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		listening <- strings.TrimSpace(line) == "listening"
	}()
	select {
	case ok := <-listening:
		if !ok {
			t.Fatal("the FlowMeter-like server did not start")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the FlowMeter-like server did not listen within 10 s")
	}
	return cmd
}

// TestFixRestartStop is the whole story on a real exposed FlowMeter: the
// fix moves the window to "restart needed" naming the process, Stop
// FlowMeter (after its warning) ends it, the header turns green with
// "FlowMeter is local-only now", and Undo puts the exact bytes back.
func TestFixRestartStop(t *testing.T) {
	if netns.Own(t) {
		return
	}
	addNetwork(t) // for FlowMeter on 0.0.0.0 to be exposed on
	isolate(t)
	original := fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\n", listener.FreePort(t))
	env := install(t, original)
	fm := flowMeter(t, env)
	h := newHarness(t, env)
	fixUntilRestart(t, h)
	if want := fmt.Sprintf("pid %d", fm.Process.Pid); !strings.Contains(allText(h.u.why), want) {
		t.Errorf("Why does not name the process (%s): %q", want, allText(h.u.why))
	}
	if h.u.title.Text != "Fixed — restart FlowMeter to finish" {
		t.Errorf("title %q", h.u.title.Text)
	}
	if h.u.verdict.Status != netcheck.StatusExposed {
		t.Errorf("status %s before the restart, want exposed", h.u.verdict.Status)
	}

	test.Tap(h.u.stop)
	if h.u.stopAsk == nil {
		t.Fatal("Stop FlowMeter did not ask first")
	}
	test.Tap(h.u.stopAsk.stop)
	// Stopped is not safe-with-the-fix-in-effect: FlowMeter is not
	// running, and nothing says the fix took effect until it runs again.
	h.until("stopped", func() bool { return h.u.title.Text == "Stopped — FlowMeter will start local-only" })
	if slices.Contains(titles(h.sent), "FlowMeter is local-only now") {
		t.Errorf("notified %q while FlowMeter is stopped", titles(h.sent))
	}
	// The user starts FlowMeter again, the same way.
	again := flowMeter(t, env)
	h.until("FlowMeter back, local-only", func() bool {
		return h.u.title.Text == "Safe — FlowMeter is local-only" && len(h.u.verdict.Listeners) > 0 && h.u.verdict.Listeners[0].PID == int32(again.Process.Pid)
	})
	if got := titles(h.sent); len(got) == 0 || got[len(got)-1] != "FlowMeter is local-only now" {
		t.Errorf("notifications %q, want the last to be %q", got, "FlowMeter is local-only now")
	}

	test.Tap(h.u.undo)
	if h.u.undoAsk == nil {
		t.Fatal("Undo did not ask first")
	}
	h.u.undoAsk.Confirm()
	h.status(netcheck.StatusAtRisk)
	if got := readFile(t, env); got != original {
		t.Errorf("Undo left %q, want %q", got, original)
	}
}

// TestFixThenRestart: after Apply, "Restart FlowMeter now" stops the real
// FlowMeter and starts it again with the same command line, working folder
// and environment, detached, its output in a log; the window follows it to
// green, and the new process listens on loopback only.
func TestFixThenRestart(t *testing.T) {
	if netns.Own(t) {
		return
	}
	addNetwork(t) // for FlowMeter on 0.0.0.0 to be exposed on
	dir := isolate(t)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	os.MkdirAll(filepath.Join(dir, "cache"), 0o755)
	t.Setenv("LOCALGUARD_TEST_MARKER", "kept-across-restart")
	env := install(t, fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\n", listener.FreePort(t)))
	fm := flowMeter(t, env)
	h := newHarness(t, env)
	fixUntilRestart(t, h)
	if h.u.stop.Text != labelStop {
		t.Errorf("the restart button reads %q", h.u.stop.Text)
	}
	test.Tap(h.u.stop)
	if h.u.stopAsk == nil {
		t.Fatal("Restart did not ask first")
	}
	test.Tap(h.u.stopAsk.restart)
	var again netcheck.Listener
	h.until("FlowMeter restarted, local-only", func() bool {
		for _, l := range h.u.verdict.Listeners {
			if l.EnvPath == env && l.PID != int32(fm.Process.Pid) {
				again = l
			}
		}
		return again.PID != 0 && h.u.title.Text == "Safe — FlowMeter is local-only"
	})
	t.Cleanup(func() { syscall.Kill(int(again.PID), syscall.SIGKILL) })
	if again.Address != "127.0.0.1" {
		t.Errorf("restarted on %s, want 127.0.0.1", again.Address)
	}
	sameStart(t, fm, again.PID, env)
	if h.u.restarted.pid != again.PID || !strings.HasPrefix(h.u.restarted.log, filepath.Join(dir, "cache", "localguard")) {
		t.Errorf("the window does not say where FlowMeter's output goes: %+v", h.u.restarted)
	}
	if b, err := os.ReadFile(h.u.restarted.log); err != nil || !strings.Contains(string(b), "listening") {
		t.Errorf("FlowMeter's log %s: %q, %v", h.u.restarted.log, b, err)
	}
}

// fixUntilRestart waits for the window to show the real FlowMeter
// exposed, then applies the fix, until only the restart is left.
func fixUntilRestart(t *testing.T, h *harness) {
	t.Helper()
	h.until("the first verdict", func() bool { return h.u.known })
	if h.u.verdict.Status != netcheck.StatusExposed {
		if os.Getenv("CI") == "" {
			t.Skipf("FlowMeter on 0.0.0.0 is not exposed here (no other interface?): %s", h.u.verdict.Message)
		}
		t.Fatalf("FlowMeter on 0.0.0.0 is not exposed: %s", h.u.verdict.Message)
	}
	if len(h.u.trust) == 0 {
		t.Error("no address listed under Where it can be reached")
	}
	test.Tap(h.u.action)
	h.until("the preview", func() bool { return h.u.preview != nil })
	test.Tap(h.u.preview.apply)
	h.until("restart needed", func() bool { return !h.u.stop.Hidden })
}

// titles are the notifications' titles.
func titles(sent []*fyne.Notification) (out []string) {
	for _, n := range sent {
		out = append(out, n.Title)
	}
	return out
}

// sameStart fails unless the process pid was started as fm was: the same
// command, folder and environment.
func sameStart(t *testing.T, fm *exec.Cmd, pid int32, env string) {
	t.Helper()
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	environ, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	cwd, _ := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid))
	if got := strings.ReplaceAll(strings.TrimRight(string(cmdline), "\x00"), "\x00", " "); got != strings.Join(fm.Args, " ") && !strings.HasSuffix(got, strings.Join(fm.Args[1:], " ")) {
		t.Errorf("restarted as %q, want %q", got, strings.Join(fm.Args, " "))
	}
	if cwd != filepath.Dir(env) {
		t.Errorf("restarted in %s, want %s", cwd, filepath.Dir(env))
	}
	if !strings.Contains(string(environ), "LOCALGUARD_TEST_MARKER=kept-across-restart") {
		t.Error("the environment FlowMeter was started with was not kept")
	}
}
