package main

import (
	"bytes"
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
	"localguard/testdata/netns"
)

// The journey: a real FlowMeter-like app (uvicorn, FastAPI, python-dotenv)
// started as `python3 -m app.main` with .env.example's settings, and a second
// host on a LAN in a network namespace.

const python = "/usr/bin/python3"

// needJourney skips, saying what is missing, unless the real uvicorn stack
// and root (for the network namespace) are here. CI has both.
func needJourney(t *testing.T) {
	t.Helper()
	var missing []string
	if err := exec.Command(python, "-c", "import uvicorn, fastapi, dotenv").Run(); err != nil {
		missing = append(missing, "python3-uvicorn, python3-fastapi and python3-dotenv (apt-get install them)")
	}
	if os.Geteuid() != 0 {
		missing = append(missing, "root, for a second host in a network namespace")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		missing = append(missing, "ip (apt-get install iproute2)")
	}
	if len(missing) == 0 {
		return
	}
	msg := "the end-to-end journey needs " + strings.Join(missing, "; ")
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// lan is a second host: a network namespace joined to this one by a veth
// pair, hostAddr on this side, peerAddr inside.
type lan struct {
	ns, iface          string
	hostAddr, peerAddr string
}

func newLAN(t *testing.T) *lan {
	t.Helper()
	n := os.Getpid() % 200
	l := &lan{
		ns:       fmt.Sprintf("lgjourney%d", os.Getpid()),
		iface:    fmt.Sprintf("lgj%dh", os.Getpid()%100000),
		hostAddr: fmt.Sprintf("10.213.%d.1", n),
		peerAddr: fmt.Sprintf("10.213.%d.2", n),
	}
	peer := strings.TrimSuffix(l.iface, "h") + "p"
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	t.Cleanup(func() {
		exec.Command("ip", "link", "del", l.iface).Run()
		exec.Command("ip", "netns", "del", l.ns).Run()
	})
	ip("netns", "add", l.ns)
	ip("link", "add", l.iface, "type", "veth", "peer", "name", peer)
	ip("link", "set", peer, "netns", l.ns)
	ip("addr", "add", l.hostAddr+"/24", "dev", l.iface)
	ip("link", "set", l.iface, "up")
	ip("-n", l.ns, "addr", "add", l.peerAddr+"/24", "dev", peer)
	ip("-n", l.ns, "link", "set", peer, "up")
	ip("-n", l.ns, "link", "set", "lo", "up")
	return l
}

// connects reports whether the second host can open a TCP connection to
// this host's LAN address on port.
func (l *lan) connects(port int) bool {
	script := fmt.Sprintf("import socket; socket.create_connection((%q, %d), timeout=2).close()", l.hostAddr, port)
	return exec.Command("ip", "netns", "exec", l.ns, python, "-c", script).Run() == nil
}

// flowMeter is a running FlowMeter-like app.
type flowMeter struct {
	cmd *exec.Cmd
	out bytes.Buffer
}

// startFlowMeter starts `python3 -m app.main` in backend, as a user would.
func startFlowMeter(t *testing.T, backend string, port int) *flowMeter {
	t.Helper()
	fm := &flowMeter{cmd: exec.Command(python, "-m", "app.main")}
	fm.cmd.Dir = backend
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !strings.EqualFold(k, "HOST") && !strings.EqualFold(k, "PORT") {
			fm.cmd.Env = append(fm.cmd.Env, kv)
		}
	}
	fm.cmd.Stdout, fm.cmd.Stderr = &fm.out, &fm.out
	fm.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := fm.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fm.stop)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second); err == nil {
			c.Close()
			return fm
		}
	}
	t.Fatalf("FlowMeter did not start on port %d:\n%s", port, fm.out.String())
	return nil
}

// stop ends FlowMeter and its reloader's children, as Ctrl-C would.
func (fm *flowMeter) stop() {
	if fm.cmd.Process == nil || fm.cmd.ProcessState != nil {
		return
	}
	syscall.Kill(-fm.cmd.Process.Pid, syscall.SIGINT)
	done := make(chan struct{})
	go func() { fm.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		syscall.Kill(-fm.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

// journeyCheckout makes FlowMeter/backend with the test app and
// .env.example's content on port.
func journeyCheckout(t *testing.T, port int) string {
	t.Helper()
	backend := filepath.Join(t.TempDir(), "FlowMeter", "backend")
	app := filepath.Join(backend, "app")
	if err := os.MkdirAll(app, 0o755); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join("netcheck", "testdata", "flowmeter", "backend", "app")
	for _, name := range []string{"__init__.py", "main.py"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(app, name), b, 0o644)
	}
	env := strings.Replace(envExample, "PORT=8000", "PORT="+strconv.Itoa(port), 1)
	env = strings.Replace(env, "DEBUG=true", "DEBUG=false", 1)
	if err := os.WriteFile(filepath.Join(backend, ".env"), []byte(env), 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(backend, ".env")
}

type exposureJSON struct {
	Interface string `json:"interface"`
	Address   string `json:"address"`
	URL       string `json:"url"`
}

type listenerJSON struct {
	Address   string         `json:"address"`
	Port      int            `json:"port"`
	PID       int            `json:"pid"`
	Cause     string         `json:"cause"`
	ExposedOn []exposureJSON `json:"exposed_on"`
}

// TestJourney: check says exposed (exit 1) and the neighbour connects →
// fix --yes → still exposed, with the restart message → FlowMeter restarted
// → safe (exit 0) and the neighbour can no longer connect → undo gives the
// exact bytes back.
func TestJourney(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needJourney(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	os.Unsetenv("HOST")
	l := newLAN(t)
	port := listener.FreePort(t)
	envPath := journeyCheckout(t, port)
	orig, _ := os.ReadFile(envPath)
	fm := startFlowMeter(t, filepath.Dir(envPath), port)

	checkExposedBefore(t, l, port, envPath)
	if code, out, stderr := runCLI(t, "", "fix", "--env", envPath, "--yes"); code != 0 {
		t.Fatalf("fix: exit %d\n%s\n%s", code, out, stderr)
	}
	checkAwaitsRestart(t, envPath, fm.cmd.Process.Pid)
	fm.stop()
	startFlowMeter(t, filepath.Dir(envPath), port)
	checkSafeAfterRestart(t, l, port, envPath)
	undoToOriginal(t, envPath, orig, "--env", envPath)
}

// checkExposedBefore: before the fix, check says exposed (exit 1) on the
// LAN's address, and the neighbour connects.
func checkExposedBefore(t *testing.T, l *lan, port int, envPath string) {
	t.Helper()
	code, out, _ := runCLI(t, "", "check", "--env", envPath, "--json")
	v := decodeJourney(t, out)
	if code != 1 || v.Status != "exposed" || !v.exposedOn(l.iface, l.hostAddr) {
		t.Fatalf("check before the fix: exit %d\n%s", code, out)
	}
	if !l.connects(port) {
		t.Fatal("the verdict says exposed, but the second host cannot connect")
	}
}

// checkAwaitsRestart: after the fix, before the restart, check still says
// exposed, and that the settings are fixed and the process pid must restart.
func checkAwaitsRestart(t *testing.T, envPath string, pid int) {
	t.Helper()
	code, out, _ := runCLI(t, "", "check", "--env", envPath, "--json")
	v := decodeJourney(t, out)
	if code != 1 || v.Status != "exposed" || !containsAll(v.Message, "already fixed", "restart", strconv.Itoa(pid)) {
		t.Fatalf("check after the fix, before the restart: exit %d\n%s", code, out)
	}
}

// checkSafeAfterRestart: after the restart, check says safe (exit 0) with
// one listener on 127.0.0.1, and the neighbour can no longer connect.
func checkSafeAfterRestart(t *testing.T, l *lan, port int, envPath string) {
	t.Helper()
	code, out, _ := runCLI(t, "", "check", "--env", envPath, "--json")
	v := decodeJourney(t, out)
	if ls := v.on(port); code != 0 || v.Status != "safe" || len(ls) != 1 || ls[0].Address != "127.0.0.1" {
		t.Fatalf("check after the restart: exit %d\n%s", code, out)
	}
	if l.connects(port) {
		t.Fatal("the verdict says safe, but the second host still connects")
	}
}

type journeyVerdict struct {
	verdictJSON
	Listeners []listenerJSON `json:"listeners"`
}

// on are the listeners on port: every FlowMeter on the machine is in a
// verdict, another test's too.
func (v journeyVerdict) on(port int) []listenerJSON {
	var out []listenerJSON
	for _, l := range v.Listeners {
		if l.Port == port {
			out = append(out, l)
		}
	}
	return out
}

func decodeJourney(t *testing.T, s string) journeyVerdict {
	t.Helper()
	decode(t, s)
	var v journeyVerdict
	if err := jsonUnmarshal(s, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func (v journeyVerdict) exposedOn(iface, addr string) bool {
	for _, l := range v.Listeners {
		for _, e := range l.ExposedOn {
			if e.Interface == iface && e.Address == addr {
				return true
			}
		}
	}
	return false
}
