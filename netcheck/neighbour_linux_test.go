package netcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"localguard/testdata/netns"
)

// Every way FlowMeter is started, judged from the neighbour's side: a
// second host in a network namespace, joined by a veth pair, tries to read
// /api/info; whenever it can, the verdict must be exposed — with --env and
// without, with an empty home (nothing remembered, no checkout in a common
// place). Issue 9's situations, each with real processes.

// reads reports whether the second host can read FlowMeter's /api/info at
// addr:port (a slow FlowMeter is given 15 s, as a patient neighbour would).
func (l lan) reads(t *testing.T, addr netip.Addr, port int) bool {
	t.Helper()
	script := `import json, sys, urllib.request
d = json.load(urllib.request.urlopen(sys.argv[1], timeout=15))
sys.exit(0 if d.get("docs") == "/docs" else 1)`
	err := exec.Command("ip", "netns", "exec", l.ns, python, "-c", script, URL(addr, port)+"/api/info").Run()
	return err == nil
}

// judgeAsUser is what `localguard check [--env envPath]` says with an empty
// home and nothing remembered.
func judgeAsUser(t *testing.T, envPath string) Verdict {
	t.Helper()
	c := Open(context.Background(), envPath, nil, t.TempDir(), childEnv())
	return c.Check(context.Background())
}

// wantNeighbourSide asserts the promise: the neighbour reads /api/info
// exactly when the verdict is exposed, with and without --env.
func wantNeighbourSide(t *testing.T, l lan, addr netip.Addr, port int, envPath string, wantReads bool) {
	t.Helper()
	reads := l.reads(t, addr, port)
	if reads != wantReads {
		t.Fatalf("the neighbour reads /api/info on %v: %v, want %v", netip.AddrPortFrom(addr, uint16(port)), reads, wantReads)
	}
	for _, env := range []string{envPath, ""} {
		v := judgeAsUser(t, env)
		if reads && v.Status != StatusExposed {
			t.Errorf("--env %q: the neighbour reads FlowMeter, yet the verdict is %s: %s\n%s", env, v.Status, v.Message, listeners(v))
		}
		if !reads && envPath != "" {
			for _, l := range mine(v, envPath) {
				if len(l.ExposedOn) > 0 {
					t.Errorf("--env %q: exposed on %+v, yet the neighbour cannot read FlowMeter: %s", env, l.ExposedOn, v.Message)
				}
			}
		}
		t.Logf("--env %q: %s: %s", env, v.Status, v.Message)
	}
}

// byPID is the verdict's listener held by pid.
func byPID(t *testing.T, v Verdict, pid int32) Listener {
	t.Helper()
	for _, l := range v.Listeners {
		if l.PID == pid {
			return l
		}
	}
	t.Fatalf("no listener of pid %d: %s", pid, listeners(v))
	return Listener{}
}

func listeners(v Verdict) string {
	b, _ := json.MarshalIndent(v.Listeners, "", "  ")
	return string(b)
}

// uvicornScript is a `uvicorn` launcher, as pip installs one: its command
// line is `python3 /path/uvicorn ...`.
func uvicornScript(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "uvicorn")
	if err := os.WriteFile(p, []byte("#!"+python+"\nimport sys\nfrom uvicorn.main import main\nsys.exit(main())\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Dir(p), 0o755)
	return p
}

func TestNeighbourSide(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	l := newLAN(t)
	for _, sc := range []struct {
		name string
		run  func(*testing.T, lan)
	}{
		{"uvicorn app.main:app --host 0.0.0.0 (the docstring's way)", neighbourUvicornLauncher},
		{"python -m uvicorn --reload, no --host: loopback whatever the .env says", neighbourUvicornReloadLoopback},
		{"python -m uvicorn --host 0.0.0.0", neighbourPythonUvicornHost},
		{"gunicorn with the uvicorn worker on 0.0.0.0", neighbourGunicorn},
		{"python run.py: always 127.0.0.1", neighbourRunPy},
		{"python -m app.main with APP_NAME set in its environment", neighbourAppNameInEnvironment},
		{"a slow /api/info behind a launcher Localguard does not know", neighbourSlowInfo},
		{"started from another folder with PYTHONPATH pointing at the backend", neighbourPythonPath},
		{"two FlowMeters, one on 127.0.0.1 and one on 0.0.0.0", neighbourTwoFlowMeters},
		{"the checkout reached through a bind mount", neighbourBindMount},
		{"the checkout deleted and re-created under a running FlowMeter", neighbourCheckoutRecreated},
		{"FlowMeter in another mount namespace, the backend mounted as /app", neighbourMountNamespace},
		{"bound to a trusted network's address, reached from an untrusted one", neighbourTrustedAddressUntrustedRoute},
		{"IP_FREEBIND on an address this computer does not have: nothing is sent there", neighbourFreebindNothingSent},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, l) })
	}
}

// envOf is the .env of the checkout's backend folder.
func envOf(backend string) string { return filepath.Join(backend, ".env") }

// neighbourUvicornLauncher: uvicorn app.main:app --host 0.0.0.0 (the docstring's way).
func neighbourUvicornLauncher(t *testing.T, l lan) {
	port := freePort(t)
	backend := checkout(t, "HOST=127.0.0.1\n")
	c := start(t, backend, python, childEnv(), python, uvicornScript(t), "app.main:app", "--host", "0.0.0.0", "--port", fmt.Sprint(port))
	c.waitFlowMeter(t, lo4, port)
	wantNeighbourSide(t, l, l.v4, port, envOf(backend), true)
	v := judgeAsUser(t, envOf(backend))
	if l := byPID(t, v, c.pid()); l.Cause != CauseCommandLine {
		t.Errorf("cause %s: want command-line", l.Cause)
	}
}

// neighbourUvicornReloadLoopback: python -m uvicorn --reload, no --host: loopback whatever the .env says.
func neighbourUvicornReloadLoopback(t *testing.T, l lan) {
	port := freePort(t)
	backend := checkout(t, "HOST=0.0.0.0\n")
	c := start(t, backend, python, childEnv(), python, "-m", "uvicorn", "app.main:app", "--reload", "--port", fmt.Sprint(port))
	c.waitFlowMeter(t, lo4, port)
	wantNeighbourSide(t, l, l.v4, port, envOf(backend), false)
	v := judgeAsUser(t, envOf(backend))
	if l := byPID(t, v, c.pid()); len(l.ExposedOn) > 0 || len(v.Findings) == 0 || v.Findings[0].Key != "HOST" {
		t.Errorf("%s: %s %+v; want nothing exposed, with HOST as a finding", v.Status, v.Message, v.Findings)
	}
}

// neighbourPythonUvicornHost: python -m uvicorn --host 0.0.0.0.
func neighbourPythonUvicornHost(t *testing.T, l lan) {
	port := freePort(t)
	backend := checkout(t, "")
	c := start(t, backend, python, childEnv(), python, "-m", "uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", fmt.Sprint(port))
	c.waitFlowMeter(t, lo4, port)
	wantNeighbourSide(t, l, l.v4, port, envOf(backend), true)
}

// neighbourGunicorn: gunicorn with the uvicorn worker on 0.0.0.0.
func neighbourGunicorn(t *testing.T, l lan) {
	gunicorn, err := exec.LookPath("gunicorn")
	if err != nil {
		missing(t, "gunicorn (Debian's gunicorn) is not installed")
	}
	port := freePort(t)
	backend := checkout(t, "")
	c := start(t, backend, gunicorn, childEnv(), "gunicorn", "-k", "uvicorn.workers.UvicornWorker", "-b", fmt.Sprintf("0.0.0.0:%d", port), "app.main:app")
	c.waitFlowMeter(t, lo4, port)
	wantNeighbourSide(t, l, l.v4, port, envOf(backend), true)
	if l := byPID(t, judgeAsUser(t, ""), c.pid()); l.Cause != CauseCommandLine {
		t.Errorf("gunicorn's listener: %+v", l)
	}
}

// neighbourRunPy: python run.py: always 127.0.0.1.
func neighbourRunPy(t *testing.T, l lan) {
	port := freePort(t)
	backend := checkout(t, fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\n", port))
	c := start(t, backend, python, childEnv(), python, "run.py")
	c.waitFlowMeter(t, lo4, port)
	wantNeighbourSide(t, l, l.v4, port, envOf(backend), false)
	v := judgeAsUser(t, "")
	if l := byPID(t, v, c.pid()); l.EnvPath != envOf(backend) || l.Cause != CauseDefault || !strings.Contains(l.Why, "run.py always binds 127.0.0.1") {
		t.Errorf("run.py: %q %s: %s\n%s", v.Env.Path, v.Status, v.Message, listeners(v))
	}
	if v := judgeAsUser(t, envOf(backend)); v.Status != StatusSafe {
		t.Errorf("run.py with HOST=0.0.0.0 in its .env: %s: %s", v.Status, v.Message)
	}
}

// neighbourAppNameInEnvironment: python -m app.main with APP_NAME set in its environment.
func neighbourAppNameInEnvironment(t *testing.T, l lan) {
	port := freePort(t)
	backend := checkout(t, fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\n", port))
	c := start(t, backend, python, childEnv("APP_NAME=Plant 4 analytics"), python, "-m", "app.main")
	c.waitFlowMeter(t, lo4, port)
	wantNeighbourSide(t, l, l.v4, port, envOf(backend), true)
}

// neighbourSlowInfo: a slow /api/info behind a launcher Localguard does not know.
func neighbourSlowInfo(t *testing.T, l lan) {
	port := freePort(t)
	backend := checkout(t, "")
	c := start(t, backend, python, childEnv("TEST_INFO_DELAY=2"), python, "-c",
		fmt.Sprintf("import uvicorn; uvicorn.run('app.main:app', host='0.0.0.0', port=%d, log_level='warning')", port))
	c.waitListening(t, port, any4)
	wantNeighbourSide(t, l, l.v4, port, envOf(backend), true)
	if l := byPID(t, judgeAsUser(t, ""), c.pid()); !l.Confirmed {
		t.Errorf("not confirmed with the longer deadline: %+v", l)
	}
}

// neighbourPythonPath: started from another folder with PYTHONPATH pointing at the backend.
func neighbourPythonPath(t *testing.T, l lan) {
	port := freePort(t)
	backend := checkout(t, "")
	elsewhere := t.TempDir()
	os.WriteFile(filepath.Join(elsewhere, ".env"), []byte(fmt.Sprintf("PORT=%d\n", port)), 0o644)
	c := start(t, elsewhere, python, childEnv("PYTHONPATH="+backend), python, "-m", "app.main")
	c.waitFlowMeter(t, lo4, port)
	wantNeighbourSide(t, l, l.v4, port, envOf(backend), true)
	v := judgeAsUser(t, envOf(backend))
	if l := byPID(t, v, c.pid()); l.EnvPath != envOf(backend) || !strings.Contains(v.Fix, filepath.Join(elsewhere, ".env")) {
		t.Errorf("PYTHONPATH: install %q, fix %q: want the backend's install, and the .env it reads fixed", l.EnvPath, v.Fix)
	}
}

// neighbourTwoFlowMeters: two FlowMeters, one on 127.0.0.1 and one on 0.0.0.0.
func neighbourTwoFlowMeters(t *testing.T, l lan) {
	p1, p2 := freePort(t), freePort(t)
	local := checkout(t, fmt.Sprintf("HOST=127.0.0.1\nPORT=%d\n", p1))
	open := checkout(t, fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\n", p2))
	a := start(t, local, python, childEnv(), python, "-m", "app.main")
	b := start(t, open, python, childEnv(), python, "-m", "app.main")
	a.waitFlowMeter(t, lo4, p1)
	b.waitFlowMeter(t, lo4, p2)
	wantNeighbourSide(t, l, l.v4, p2, envOf(local), true)
	v := judgeAsUser(t, envOf(local))
	if len(v.Installs) < 2 || !strings.Contains(v.Message, open) {
		t.Errorf("installs %+v, message %q: want both, naming the exposed one", v.Installs, v.Message)
	}
}

// neighbourBindMount: the checkout reached through a bind mount.
func neighbourBindMount(t *testing.T, l lan) {
	needRoot(t)
	port := freePort(t)
	backend := checkout(t, fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\n", port))
	mnt := filepath.Join(t.TempDir(), "mnt")
	os.MkdirAll(mnt, 0o755)
	if out, err := exec.Command("mount", "--bind", filepath.Dir(backend), mnt).CombinedOutput(); err != nil {
		t.Fatalf("mount --bind: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })
	c := start(t, filepath.Join(mnt, "backend"), python, childEnv(), python, "-m", "app.main")
	c.waitFlowMeter(t, lo4, port)
	wantNeighbourSide(t, l, l.v4, port, envOf(backend), true)
	if l := byPID(t, judgeAsUser(t, envOf(backend)), c.pid()); l.EnvPath != envOf(resolveDir(backend)) {
		t.Errorf("through the bind mount: install %q, want %q", l.EnvPath, envOf(backend))
	}
}

// neighbourCheckoutRecreated: the checkout deleted and re-created under a running FlowMeter.
func neighbourCheckoutRecreated(t *testing.T, l lan) {
	port := freePort(t)
	backend := checkout(t, fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\n", port))
	c := start(t, backend, python, childEnv(), python, "-m", "app.main")
	c.waitFlowMeter(t, lo4, port)
	root := filepath.Dir(backend)
	if err := os.RemoveAll(root); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(backend, "app"), 0o755)
	os.WriteFile(filepath.Join(backend, "app", "main.py"), []byte("# re-created\n"), 0o644)
	os.WriteFile(envOf(backend), []byte(fmt.Sprintf("HOST=127.0.0.1\nPORT=%d\n", port)), 0o644)
	wantNeighbourSide(t, l, l.v4, port, envOf(backend), true)
}

// neighbourMountNamespace: FlowMeter in another mount namespace, the backend mounted as /app.
func neighbourMountNamespace(t *testing.T, l lan) {
	needRoot(t)
	port := freePort(t)
	backend := checkout(t, fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\n", port))
	// As `docker run --network host -v ./backend:/app`: a private /mnt
	// holds the backend as /mnt/app, seen only inside.
	script := fmt.Sprintf("mount -t tmpfs none /mnt && mkdir /mnt/app && mount --bind %s /mnt/app && cd /mnt/app && exec %s -m uvicorn app.main:app --host 0.0.0.0 --port %d", backend, python, port)
	c := start(t, "/", "", childEnv(), "unshare", "-m", "--propagation", "private", "sh", "-c", script)
	c.waitFlowMeter(t, lo4, port)
	wantNeighbourSide(t, l, l.v4, port, envOf(backend), true)
	v := judgeAsUser(t, envOf(backend))
	for _, l := range v.Listeners {
		if l.Port == port && l.EnvPath != envOf(backend) {
			t.Errorf("in another mount namespace: install %q, want %q (the same folder on disk)", l.EnvPath, envOf(backend))
		}
	}
}

// neighbourTrustedAddressUntrustedRoute: bound to a trusted network's address, reached from an untrusted one.
func neighbourTrustedAddressUntrustedRoute(t *testing.T, l lan) {
	needRoot(t)
	dummy := fmt.Sprintf("lgd%d", os.Getpid()%100000)
	n := os.Getpid()%200 + 20
	addr := netip.MustParseAddr(fmt.Sprintf("10.214.%d.1", n))
	// A veth whose other end stays down: a network this computer is
	// on, with its own address, that the neighbour is not on.
	for _, args := range [][]string{{"link", "add", dummy, "type", "veth", "peer", "name", dummy + "p"}, {"addr", "add", addr.String() + "/24", "dev", dummy}, {"link", "set", dummy, "up"}} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
	}
	t.Cleanup(func() { exec.Command("ip", "link", "del", dummy).Run() })
	if out, err := exec.Command("ip", "-n", l.ns, "route", "add", fmt.Sprintf("10.214.%d.0/24", n), "via", l.v4.String()).CombinedOutput(); err != nil {
		t.Fatalf("route in the namespace: %v: %s", err, out)
	}
	port := freePort(t)
	backend := checkout(t, fmt.Sprintf("HOST=%s\nPORT=%d\n", addr, port))
	c := start(t, backend, python, childEnv(), python, "-m", "app.main")
	c.waitFlowMeter(t, addr, port)
	if !l.reads(t, addr, port) {
		t.Fatal("the neighbour cannot route to the trusted network's address: the test is wrong")
	}
	store := &Store{Trusted: []Network{{Interface: dummy, Subnet: netip.PrefixFrom(addr, 24).Masked()}}}
	v := Open(context.Background(), envOf(backend), store, t.TempDir(), childEnv()).Check(context.Background())
	if v.Status != StatusExposed || !strings.Contains(v.Message, l.iface) {
		t.Errorf("the neighbour on %s reads FlowMeter on the trusted %s's address, yet: %s: %s", l.iface, dummy, v.Status, v.Message)
	}
}

// neighbourFreebindNothingSent: IP_FREEBIND on an address this computer does not have: nothing is sent there.
func neighbourFreebindNothingSent(t *testing.T, l lan) {
	needRoot(t)
	port := freePort(t)
	peer := netip.MustParseAddr(strings.TrimSuffix(l.v4.String(), ".1") + ".2")
	logFile := filepath.Join(t.TempDir(), "connections")
	os.WriteFile(logFile, nil, 0o666)
	// A logging server on the neighbour's own address and port.
	logger := start(t, "/", "", childEnv(), "ip", "netns", "exec", l.ns, python, "-c", fmt.Sprintf(`import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((%q, %d)); s.listen()
while True:
    c, a = s.accept()
    open(%q, "a").write("connection from %%s\n" %% (a,)); c.close()`, peer, port, logFile))
	time.Sleep(300 * time.Millisecond)
	backend := checkout(t, fmt.Sprintf("PORT=%d\n", port))
	// A Python process in the backend listening with IP_FREEBIND on the
	// neighbour's address (IP_FREEBIND is 15).
	fb := start(t, backend, python, childEnv(), python, "-c", fmt.Sprintf(`import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_IP, 15, 1); s.bind((%q, %d)); s.listen(); time.sleep(600)`, peer, port))
	fb.waitListening(t, port, peer)
	for _, env := range []string{envOf(backend), ""} {
		v := judgeAsUser(t, env)
		if v.Status == StatusExposed {
			t.Errorf("--env %q: %s: %s", env, v.Status, v.Message)
		}
	}
	time.Sleep(200 * time.Millisecond)
	if b, _ := os.ReadFile(logFile); len(b) > 0 {
		t.Errorf("Localguard sent something to the neighbour's address %v: %s", peer, b)
	}
	if logger.cmd.ProcessState != nil {
		t.Errorf("the logging server stopped: %s", logger.out)
	}
}

// TestBusyFlowMeterOfAnotherUser: FlowMeter runs as nobody on 0.0.0.0 and
// answers /api/info slowly; Localguard runs as a third user, who may see
// neither its working folder nor its sockets' owner. The neighbour reads
// it, so the verdict must be exposed.
func TestBusyFlowMeterOfAnotherUser(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needRoot(t)
	needUvicorn(t)
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		missing(t, "setpriv (util-linux) is not installed")
	}
	l := newLAN(t)
	port := freePort(t)
	backend := checkout(t, fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\n", port))
	fm := start(t, backend, setpriv, childEnv("TEST_INFO_DELAY=2"), asUser(ownerUID, python, "-m", "app.main")...)
	fm.waitListening(t, port, any4)
	if !l.reads(t, l.v4, port) {
		t.Fatal("the neighbour cannot read FlowMeter")
	}
	bin := copyTestBinary(t, filepath.Dir(filepath.Dir(backend)))
	for _, env := range []string{filepath.Join(backend, ".env"), ""} {
		cmd := exec.Command(setpriv, asUser(scannerUID, bin, "-test.run=^TestHelperProcess$", "--", env)[1:]...)
		cmd.Env = childEnv("NETCHECK_HELPER=check")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("the check as uid %d failed: %v\n%s", scannerUID, err, stderr.Bytes())
		}
		var v Verdict
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		if v.Status != StatusExposed {
			t.Errorf("--env %q as another user: %s: %s\n%s", env, v.Status, v.Message, listeners(v))
		}
	}
}

// copyTestBinary copies the test binary into dir, where other users may run
// it.
func copyTestBinary(t *testing.T, dir string) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "netcheck.test")
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// runCheck prints the verdict for ENVPATH ("" to discover), as JSON, with
// nothing remembered and an empty home.
func runCheck(args []string) error {
	env := ""
	if len(args) > 0 {
		env = args[0]
	}
	v := Open(context.Background(), env, nil, "", os.Environ()).Check(context.Background())
	return json.NewEncoder(os.Stdout).Encode(v)
}

// TestFixIgnoresOtherInstalls: another install's FlowMeter exposed by a
// --host flag does not stop `fix` of this install's .env (it is not what
// puts *that* FlowMeter on the network, but it is this one's fix).
func TestFixIgnoresOtherInstalls(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	newLAN(t) // a network for the flag to expose it on
	port := freePort(t)
	other := checkout(t, "")
	c := start(t, other, python, childEnv(), python, "-m", "uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", fmt.Sprint(port))
	c.waitFlowMeter(t, lo4, port)
	mine := checkout(t, "HOST=0.0.0.0\n")
	checker := Open(context.Background(), filepath.Join(mine, ".env"), nil, t.TempDir(), childEnv())
	plan, err := checker.PlanFix(context.Background())
	if err != nil || plan.Empty() {
		t.Fatalf("PlanFix of this install, another install exposed by a flag: %v", err)
	}
	// Its own FlowMeter exposed by a flag: refused, as before.
	theirs := Open(context.Background(), filepath.Join(other, ".env"), nil, t.TempDir(), childEnv())
	if _, err := theirs.PlanFix(context.Background()); !errors.Is(err, ErrNotTheFile) {
		t.Errorf("PlanFix of the flag-exposed install: %v, want ErrNotTheFile", err)
	}
}
