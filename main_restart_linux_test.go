package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"localguard/testdata/listener"
)

// nobodysFlowMeter is a checkout whose FlowMeter (`python3 -m app.main`,
// the real uvicorn stack) runs as nobody, with a PYTHONPATH sitecustomize
// hook that appends the uid and euid each Python start runs as to uids.
type nobodysFlowMeter struct {
	env, uids string
	port      int
	cmd       *exec.Cmd
}

// startNobodysFlowMeter makes the checkout (readable by nobody) and starts
// its FlowMeter as nobody, on loopback.
func startNobodysFlowMeter(t *testing.T) *nobodysFlowMeter {
	t.Helper()
	needJourney(t)
	root, err := os.MkdirTemp("", "lg19-restart-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	os.Chmod(root, 0o755)
	port := listener.FreePort(t)
	env := journeyCheckoutIn(t, root, port)
	hook := filepath.Join(root, "hook")
	os.MkdirAll(hook, 0o755)
	os.WriteFile(filepath.Join(hook, "sitecustomize.py"), []byte("import os\nwith open(os.environ['LG_UIDS'], 'a') as f:\n    f.write('%d %d\\n' % (os.getuid(), os.geteuid()))\n"), 0o644)
	fm := &nobodysFlowMeter{env: env, uids: filepath.Join(root, "uids"), port: port}
	os.WriteFile(fm.uids, nil, 0o666)
	os.Chmod(fm.uids, 0o666)
	fm.cmd = exec.Command(python, "-m", "app.main")
	fm.cmd.Dir = filepath.Dir(env)
	fm.cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=/root", "PYTHONPATH=" + hook, "LG_UIDS=" + fm.uids}
	fm.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534, Groups: []uint32{65534}}}
	if err := fm.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fm.cmd.Process.Kill(); fm.cmd.Wait() })
	awaitListening(t, port)
	return fm
}

// journeyCheckoutIn is journeyCheckout under root, with HOST=127.0.0.1.
func journeyCheckoutIn(t *testing.T, root string, port int) string {
	t.Helper()
	backend := filepath.Join(root, "FlowMeter", "backend")
	os.MkdirAll(filepath.Join(backend, "app"), 0o755)
	os.Chmod(filepath.Join(root, "FlowMeter"), 0o755)
	for _, name := range []string{"__init__.py", "main.py"} {
		b, err := os.ReadFile(filepath.Join("netcheck", "testdata", "flowmeter", "backend", "app", name))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(backend, "app", name), b, 0o644)
	}
	env := filepath.Join(backend, ".env")
	os.WriteFile(env, []byte(fmt.Sprintf("HOST=127.0.0.1\nPORT=%d\nDEBUG=false\n", port)), 0o644)
	return env
}

func awaitListening(t *testing.T, port int) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second); err == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("FlowMeter did not listen on port %d", port)
}

// TestRestartAsNobody: `localguard restart` as root, on a FlowMeter nobody
// runs, starts it again as nobody (never as root: the hook never records
// uid 0), names the log, and follows it until it listens again (exit 0).
func TestRestartAsNobody(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	fm := startNobodysFlowMeter(t)
	code, out, errOut := runCLI(t, "", "restart", "--env", fm.env, "--yes", "--json")
	var res struct {
		Restarted bool   `json:"restarted"`
		OldPID    int    `json:"old_pid"`
		PID       int    `json:"pid"`
		Log       string `json:"log"`
		Status    string `json:"status"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("exit %d, not JSON: %v\n%s\n%s", code, err, out, errOut)
	}
	t.Cleanup(func() {
		if res.PID > 0 {
			syscall.Kill(res.PID, syscall.SIGKILL)
		}
	})
	if code != 0 || !res.Restarted || res.OldPID != fm.cmd.Process.Pid || res.PID == 0 || res.Log == "" {
		t.Fatalf("exit %d, %+v\n%s", code, res, errOut)
	}
	if !strings.Contains(errOut, "as nobody") || !strings.Contains(errOut, "will be lost") {
		t.Errorf("the warning does not say who it starts as and what is lost: %q", errOut)
	}
	b, _ := os.ReadFile(fm.uids)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) < 2 {
		t.Fatalf("the hook ran %d times, want the first start and the restart: %q", len(lines), b)
	}
	for _, l := range lines {
		if l != "65534 65534" {
			t.Errorf("a hook of nobody's ran as uid/euid %s: %q", l, lines)
		}
	}
	status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", res.PID))
	if !strings.Contains(string(status), "Uid:\t65534\t65534") {
		t.Errorf("the restarted FlowMeter does not run as nobody:\n%s", status)
	}
}

// TestRestartNothingRuns: no FlowMeter running, restart says so (exit 3).
func TestRestartNothingRuns(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	env := tempEnv(t, "HOST=127.0.0.1\nPORT=1\n")
	code, _, errOut := runCLI(t, "", "restart", "--env", env, "--yes")
	if code != 3 || !strings.Contains(errOut, "not running") {
		t.Errorf("exit %d, %q", code, errOut)
	}
}
