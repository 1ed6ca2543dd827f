package netcheck

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"localguard/netcheck/system"

	"localguard/testdata/netns"
)

// wantSocket is a socket a case expects FlowMeter to listen on.
type wantSocket struct {
	addr netip.Addr
	dual bool
}

func (w wantSocket) String() string { return fmt.Sprintf("%v dual=%v", w.addr, w.dual) }

// findCase is one way of starting FlowMeter for TestFindFlowMeter and the
// sockets it must be found on.
type findCase struct {
	name   string
	argv   []string // {port} and {backend} replaced
	path   string   // executable when argv[0] is only a name
	env    []string
	dotenv string
	// outside runs the process in another folder than backend/.
	outside bool
	want    []wantSocket
	start   StartStyle
	flag    string
	flagSet bool
	// skip is why the case cannot run here, "" when it can.
	skip string
}

// TestFindFlowMeter starts a real FlowMeter-like backend (uvicorn serving
// testdata/flowmeter/backend) in each way FlowMeter is started, on each kind
// of address, and checks that the scan finds exactly its sockets, with the
// owner a person would stop, how it was started and the flag that put it
// there; that every address ReachableAddrs lists answers a real connect;
// and that addresses it does not list do not.
func TestFindFlowMeter(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	host, _ := hostAddr(t)
	py := []string{"python3"}
	// Other tests on this machine may add and remove interfaces (and their
	// fresh IPv6 addresses are unusable for a moment): look only at those
	// that were here from the start.
	before, err := Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	cases := []findCase{{
		name:   "python -m app.main, HOST=127.0.0.1 in .env",
		argv:   append(py, "-m", "app.main"),
		dotenv: "HOST=127.0.0.1\nPORT={port}\n",
		want:   []wantSocket{{addr: lo4}},
		start:  StartPythonModule,
	}, {
		name:   "python -m app.main, no HOST line: default 0.0.0.0",
		argv:   append(py, "-m", "app.main"),
		dotenv: "PORT={port}\n",
		want:   []wantSocket{{addr: any4}},
		start:  StartPythonModule,
	}, {
		name:  "python app/main.py, HOST=:: in the environment: IPv6 only",
		argv:  append(py, "app/main.py"),
		env:   []string{"HOST=::", "PORT={port}"},
		want:  []wantSocket{{addr: any6}},
		start: StartPythonModule,
	}, {
		name:   "python -m app.main, HOST=::1",
		argv:   append(py, "-m", "app.main"),
		dotenv: "host=::1\nPORT={port}\n",
		want:   []wantSocket{{addr: lo6}},
		start:  StartPythonModule,
	}, {
		name:   "python -m app.main, HOST= (empty): every IPv4 and IPv6 interface",
		argv:   append(py, "-m", "app.main"),
		dotenv: "HOST=\nPORT={port}\n",
		want:   []wantSocket{{addr: any4}, {addr: any6}},
		start:  StartPythonModule,
	}, {
		name:   "python -m app.main with reload (DEBUG=true), HOST= (empty): IPv4 only",
		argv:   append(py, "-m", "app.main"),
		dotenv: "HOST=\nPORT={port}\nDEBUG=true\n",
		want:   []wantSocket{{addr: any4}},
		start:  StartPythonModule,
	}, {
		name:   "python -m app.main on 127.0.0.2",
		argv:   append(py, "-m", "app.main"),
		dotenv: "HOST=127.0.0.2\nPORT={port}\n",
		want:   []wantSocket{{addr: lo4b}},
		start:  StartPythonModule,
	}, {
		name:    "uvicorn --host 0.0.0.0",
		argv:    append(py, "-m", "uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "{port}"),
		want:    []wantSocket{{addr: any4}},
		start:   StartUvicorn,
		flag:    "0.0.0.0",
		flagSet: true,
	}, {
		name:   "uvicorn without --host ignores HOST in .env: 127.0.0.1",
		argv:   append(py, "-m", "uvicorn", "app.main:app", "--port", "{port}"),
		dotenv: "HOST=0.0.0.0\n",
		want:   []wantSocket{{addr: lo4}},
		start:  StartUvicorn,
	}, {
		name:  "uvicorn with UVICORN_HOST=0.0.0.0 in the environment",
		argv:  append(py, "-m", "uvicorn", "app.main:app", "--port", "{port}"),
		env:   []string{"UVICORN_HOST=0.0.0.0"},
		want:  []wantSocket{{addr: any4}},
		start: StartUvicorn,
	}, {
		name:    "uvicorn --reload --host=:: : dual-stack, owned by the reloader",
		argv:    append(py, "-m", "uvicorn", "--reload", "--host=::", "--port", "{port}", "app.main:app"),
		want:    []wantSocket{{addr: any6, dual: true}},
		start:   StartUvicorn,
		flag:    "::",
		flagSet: true,
	}, {
		name:    "uvicorn on this machine's own address",
		argv:    append(py, "-m", "uvicorn", "app.main:app", "--host", host.String(), "--port", "{port}"),
		want:    []wantSocket{{addr: host}},
		start:   StartUvicorn,
		flag:    host.String(),
		flagSet: true,
		skip:    map[bool]string{false: "this machine has no non-loopback IPv4 address"}[host.IsValid()],
	}, {
		name:    "uvicorn --app-dir naming the checkout, run from elsewhere",
		argv:    append(py, "-m", "uvicorn", "--app-dir", "{backend}", "app.main:app", "--host", "127.0.0.1", "--port", "{port}"),
		outside: true,
		want:    []wantSocket{{addr: lo4}},
		start:   StartUvicorn,
		flag:    "127.0.0.1",
		flagSet: true,
	}, {
		name:  "packaged FlowMeter",
		argv:  []string{"FlowMeter", "-m", "app.main"},
		path:  python,
		env:   []string{"HOST=127.0.0.1", "PORT={port}"},
		want:  []wantSocket{{addr: lo4}},
		start: StartPackaged,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip != "" {
				t.Skip(tc.skip)
			}
			runFindCase(t, tc, before)
		})
	}
}

// runFindCase starts FlowMeter as tc says and wants the scan to find
// exactly its sockets, owned and started as tc says, each reachable where
// ReachableAddrs says on the interfaces that are still those in before.
func runFindCase(t *testing.T, tc findCase, before []Interface) {
	port := freePort(t)
	backend := checkout(t, strings.Join(sub([]string{tc.dotenv}, port, ""), ""))
	dir := backend
	if tc.outside {
		dir = t.TempDir()
	}
	argv := sub(tc.argv, port, backend)
	path := tc.path
	if path == "" && argv[0] == "python3" {
		path = python
	}
	c := start(t, dir, path, childEnv(sub(tc.env, port, backend)...), argv...)
	c.waitListening(t, port, tc.wantAddrs()...)
	c.waitFlowMeter(t, probeAddr(system.Socket{Addr: tc.want[0].addr}), port)

	found, err := FindFlowMeter(context.Background(), backend, port)
	if err != nil {
		t.Fatal(err)
	}
	if got := foundSockets(found); !slices.Equal(got, tc.want) {
		t.Fatalf("found %v, want %v", got, tc.want)
	}
	ifs := interfacesStill(t, before)
	for _, f := range found {
		checkOwner(t, f, c.pid(), dir, port)
		if f.Owner.Start != tc.start || f.Owner.HostFlag != tc.flag || f.Owner.HostFlagSet != tc.flagSet {
			t.Errorf("owner started as %s, host flag %q (set %v); want %s, %q (%v)",
				f.Owner.Start, f.Owner.HostFlag, f.Owner.HostFlagSet, tc.start, tc.flag, tc.flagSet)
		}
		checkReach(t, f, ifs)
	}
}

// wantAddrs is the addresses of the sockets tc wants.
func (tc findCase) wantAddrs() []netip.Addr {
	var addrs []netip.Addr
	for _, w := range tc.want {
		addrs = append(addrs, w.addr)
	}
	return addrs
}

// foundSockets is what the scan found, in wantSocket's terms, sorted by
// address.
func foundSockets(found []FlowMeterSocket) []wantSocket {
	var got []wantSocket
	for _, f := range found {
		got = append(got, wantSocket{addr: f.Addr, dual: f.DualStack})
	}
	slices.SortFunc(got, func(a, b wantSocket) int { return a.addr.Compare(b.addr) })
	return got
}

// interfacesStill is this machine's interfaces that were already in before
// (same name, same index): other tests add and remove their own.
func interfacesStill(t *testing.T, before []Interface) []Interface {
	t.Helper()
	ifs, err := Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(ifs, func(it Interface) bool {
		return !slices.ContainsFunc(before, func(b Interface) bool { return b.Name == it.Name && b.Index == it.Index })
	})
}

// checkOwner checks what the scan says of the process that owns a socket
// started by a test: the pid a person would stop (the one the test
// started), its folder, its environment, and that FlowMeter answered.
func checkOwner(t *testing.T, f FlowMeterSocket, pid int32, dir string, port int) {
	t.Helper()
	if !f.Confirmed {
		t.Errorf("%v: GET /api/info did not confirm FlowMeter", f.Addr)
	}
	o := f.Owner
	if o == nil {
		t.Fatalf("%v: no owner", f.Addr)
	}
	if o.PID != pid {
		t.Errorf("%v: owner pid %d (%s), want %d", f.Addr, o.PID, o.Cmdline, pid)
	}
	if o.Cwd != dir {
		t.Errorf("%v: owner cwd %q, want %q", f.Addr, o.Cwd, dir)
	}
	if o.Environ == nil {
		t.Errorf("%v: owner environment not read", f.Addr)
	}
	if v, _ := o.Getenv("LANG"); v != "C.UTF-8" {
		t.Errorf("%v: LANG in the owner's environment is %q, want C.UTF-8", f.Addr, v)
	}
}

// checkReach checks ReachableAddrs against real connects from this machine:
// every address listed answers; every other address of this machine does
// not, unless another socket on that port (a test's other family) serves it.
func checkReach(t *testing.T, f FlowMeterSocket, ifs []Interface) {
	t.Helper()
	ctx := context.Background()
	listed := map[netip.Addr]bool{}
	for _, r := range ReachableAddrs(f.Socket, ifs) {
		listed[r.Addr.WithZone("")] = true
		if !Probe(ctx, r.Addr, f.Port) {
			t.Errorf("%v: listed as reachable on %s %v, but a connect fails", f.Addr, r.Interface, r.Addr)
		}
	}
	if len(listed) == 0 {
		t.Errorf("%v: reachable nowhere", f.Addr)
	}
	socks, _ := system.New().Listeners(context.Background())
	for _, it := range ifs {
		for _, ia := range it.Addrs {
			a := ia.Prefix.Addr()
			if listed[a] || servedByOther(socks, f.Socket, a) {
				continue
			}
			if a.Is6() && a.IsLinkLocalUnicast() {
				a = a.WithZone(it.Name)
			}
			if Probe(ctx, a, f.Port) {
				t.Errorf("%v: not listed as reachable on %s %v, but a connect succeeds", f.Addr, it.Name, a)
			}
		}
	}
}

// servedByOther reports whether another listening socket on s's port
// answers on a.
func servedByOther(socks []system.Socket, s system.Socket, a netip.Addr) bool {
	for _, o := range socks {
		if o.Inode == s.Inode || o.Port != s.Port {
			continue
		}
		for _, r := range ReachableAddrs(o, []Interface{{Addrs: []InterfaceAddr{{Prefix: netip.PrefixFrom(a, a.BitLen()), Kind: ClassifyAddr("", 0, a)}}}}) {
			if r.Addr.WithZone("") == a {
				return true
			}
		}
	}
	return false
}

// TestDecoysAreNotFlowMeter starts other programs' listeners next to a
// real FlowMeter and checks that none of them is reported: a wildcard web
// server in another folder on another port, one on FlowMeter's own port, a
// web server run inside backend/ itself, and another checkout's FlowMeter
// on this install's port. Without a checkout (backendDir ""), the other
// checkout's FlowMeter is found, as it answers as FlowMeter.
func TestDecoysAreNotFlowMeter(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	port, decoyPort, inside := freePort(t), freePort(t), freePort(t)
	backend := checkout(t, fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\n", port))

	fm := start(t, backend, python, childEnv(), "python3", "-m", "app.main")
	elsewhere := t.TempDir()
	decoy := start(t, elsewhere, python, childEnv(), "python3", "-m", "http.server", "--bind", "0.0.0.0", fmt.Sprint(decoyPort))
	inBackend := start(t, backend, python, childEnv(), "python3", "-m", "http.server", "--bind", "0.0.0.0", fmt.Sprint(inside))
	fm.waitListening(t, port, any4)
	decoy.waitListening(t, decoyPort, any4)
	inBackend.waitListening(t, inside, any4)
	fm.waitFlowMeter(t, lo4, port)

	// found reports whether FindFlowMeter(backendDir, port) finds a socket
	// on want; others may run on this machine, so only want is looked at.
	found := func(backendDir string, port, want int) bool {
		t.Helper()
		found, err := FindFlowMeter(context.Background(), backendDir, port)
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for _, f := range found {
			got = append(got, f.Port)
		}
		for _, p := range []int{decoyPort, inside} {
			if slices.Contains(got, p) {
				t.Errorf("FindFlowMeter(%q, %d) reports the web server on %d", backendDir, port, p)
			}
		}
		if backendDir != "" && slices.ContainsFunc(got, func(p int) bool { return p != port }) {
			t.Errorf("FindFlowMeter(%q, %d) found ports %v", backendDir, port, got)
		}
		return slices.Contains(got, want)
	}
	if !found(backend, port, port) {
		t.Errorf("FlowMeter on %d is not found", port)
	}

	// Another install's FlowMeter on the port this install expects.
	fm.stop()
	otherBackend := checkout(t, fmt.Sprintf("HOST=127.0.0.1\nPORT=%d\n", port))
	fm2 := start(t, otherBackend, python, childEnv(), "python3", "-m", "app.main")
	fm2.waitFlowMeter(t, lo4, port)
	if found(backend, port, port) {
		t.Errorf("another install's FlowMeter is reported for this one")
	}
	if !found("", port, port) || !found("", 0, port) {
		t.Errorf("without a checkout, the running FlowMeter is not found")
	}
	fm2.stop()

	// A web server on FlowMeter's port, in another folder.
	web := start(t, elsewhere, python, childEnv(), "python3", "-m", "http.server", "--bind", "127.0.0.1", fmt.Sprint(port))
	web.waitListening(t, port, lo4)
	if found(backend, port, port) || found("", port, port) {
		t.Errorf("a web server on FlowMeter's port is reported")
	}
}

// TestOtherStartStyles covers the starts that are not uvicorn's own: the
// Vite dev server in the checkout's frontend/ (a stand-in run by node,
// proxying /api like FlowMeter's vite config) and a container port
// publisher (docker-proxy's command line, forwarding to the backend).
func TestOtherStartStyles(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	port, vitePort, pubPort := freePort(t), freePort(t), freePort(t)
	backend := checkout(t, fmt.Sprintf("HOST=127.0.0.1\nPORT=%d\n", port))
	fm := start(t, backend, python, childEnv(), "python3", "-m", "app.main")
	fm.waitFlowMeter(t, lo4, port)

	t.Run("vite --host", func(t *testing.T) { checkViteRelay(t, backend, port, vitePort) })
	t.Run("docker-proxy publishing the port", func(t *testing.T) { checkContainerPublisher(t, backend, port, pubPort) })
}

// checkViteRelay starts the Vite stand-in with --host on vitePort in front
// of the FlowMeter on port and wants it reported as a confirmed relay on
// ::, never as one of FlowMeter's own listeners.
func checkViteRelay(t *testing.T, backend string, port, vitePort int) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the Vite stand-in needs it")
	}
	frontend := filepath.Join(filepath.Dir(backend), "frontend")
	v := start(t, frontend, node, childEnv(fmt.Sprintf("BACKEND_PORT=%d", port)),
		"node", "node_modules/vite/bin/vite.js", "--host", "--port", fmt.Sprint(vitePort))
	v.waitListening(t, vitePort, any6)
	// Vite's dev server passes FlowMeter on: a relay, never one of
	// FlowMeter's own listeners.
	found, err := FindFlowMeter(context.Background(), backend, port)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		if f.Port == vitePort {
			t.Errorf("the Vite dev server is among FlowMeter's listeners: %+v", f)
		}
	}
	verdict := Open(context.Background(), filepath.Join(backend, ".env"), nil, t.TempDir(), childEnv()).Check(context.Background())
	r := relayOn(verdict, vitePort)
	if r == nil {
		t.Fatalf("the Vite dev server on %d is not a relay: %s", vitePort, relaysOf(verdict))
	}
	if r.Program != "vite" || r.PID != v.pid() || r.Cause != CauseCommandLine || !r.Confirmed || r.Address != "::" {
		t.Errorf("vite relay %+v: want confirmed through the proxy, on ::", *r)
	}
}

// checkContainerPublisher starts a docker-proxy stand-in publishing the
// FlowMeter on port as pubPort on 0.0.0.0 and wants that port found, owned
// by the publisher as a container start, answering as FlowMeter.
func checkContainerPublisher(t *testing.T, backend string, port, pubPort int) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p := start(t, "/", exe, childEnv("NETCHECK_HELPER=proxy"), "docker-proxy", "-test.run=^TestHelperProcess$", "--",
		"-proto", "tcp", "-host-ip", "0.0.0.0", "-host-port", fmt.Sprint(pubPort),
		"-container-ip", "127.0.0.1", "-container-port", fmt.Sprint(port))
	p.waitListening(t, pubPort, any4)
	// The container's port is FlowMeter's; the published one differs.
	found, err := FindFlowMeter(context.Background(), backend, port)
	if err != nil {
		t.Fatal(err)
	}
	var pub *FlowMeterSocket
	for i := range found {
		if found[i].Port == pubPort {
			pub = &found[i]
		}
	}
	if pub == nil {
		t.Fatalf("the published port %d is not found: %+v", pubPort, found)
	}
	if pub.Owner == nil || pub.Owner.Start != StartContainer || pub.Owner.HostFlag != "0.0.0.0" || pub.Owner.PID != p.pid() {
		t.Errorf("publisher owner %+v", pub.Owner)
	}
	if !pub.Confirmed {
		t.Errorf("the published port does not answer as FlowMeter")
	}
}

// TestSandboxState reads the formula sandbox as FlowMeter reports it:
// on by default, off with ALLOW_UNSAFE_FORMULAS=true, unknown from a
// program that is not FlowMeter or from nothing at all.
func TestSandboxState(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	ctx := context.Background()
	for _, tc := range []struct {
		env  string
		want Sandbox
	}{{"", "on"}, {"ALLOW_UNSAFE_FORMULAS=true", "off"}, {"ALLOW_UNSAFE_FORMULAS=false", "on"}} {
		t.Run(string(tc.want)+" "+tc.env, func(t *testing.T) {
			port := freePort(t)
			backend := checkout(t, fmt.Sprintf("HOST=127.0.0.1\nPORT=%d\n%s\n", port, tc.env))
			c := start(t, backend, python, childEnv(), "python3", "-m", "app.main")
			c.waitFlowMeter(t, lo4, port)
			if got := SandboxState(ctx, lo4, port); got != tc.want {
				t.Errorf("SandboxState = %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("not FlowMeter", func(t *testing.T) {
		port := freePort(t)
		c := start(t, t.TempDir(), python, childEnv(), "python3", "-m", "http.server", "--bind", "127.0.0.1", fmt.Sprint(port))
		c.waitListening(t, port, lo4)
		if got := SandboxState(ctx, lo4, port); got != "unknown" {
			t.Errorf("SandboxState = %q, want unknown", got)
		}
		if IdentifyFlowMeter(ctx, lo4, port, time.Second) != IdentityOther {
			t.Errorf("a web server is taken for FlowMeter")
		}
	})
	t.Run("nothing listening", func(t *testing.T) {
		port := freePort(t)
		if got := SandboxState(ctx, lo4, port); got != "unknown" {
			t.Errorf("SandboxState = %q, want unknown", got)
		}
		if Probe(ctx, lo4, port) {
			t.Errorf("Probe succeeds on a free port")
		}
	})
}
