package netcheck

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"localguard/testdata/netns"
)

var anyV4 = netip.MustParseAddr("0.0.0.0")

// TestCauses produces each cause for real, with a real uvicorn app, and
// checks the verdict names it, offers `localguard fix` only when the .env is
// the cause, and otherwise says what to change instead.
func TestCauses(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	tests := []struct {
		name     string
		dotenv   string
		env      []string
		argv     []string
		cause    CauseKind
		fixFile  bool   // localguard fix is offered
		inAdvice string // what the verdict says to change instead
	}{
		{name: "env-file", dotenv: "HOST=0.0.0.0\nPORT={port}\n",
			argv: []string{python, "-m", "app.main"}, cause: CauseEnvFile, fixFile: true},
		{name: "default", dotenv: "PORT={port}\n",
			argv: []string{python, "-m", "app.main"}, cause: CauseDefault, fixFile: true},
		{name: "environment", dotenv: "HOST=127.0.0.1\nPORT={port}\n", env: []string{"HOST=0.0.0.0"},
			argv: []string{python, "-m", "app.main"}, cause: CauseEnvironment, inAdvice: "unset HOST"},
		{name: "command-line", dotenv: "HOST=127.0.0.1\n",
			argv:  []string{python, "-m", "uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "{port}"},
			cause: CauseCommandLine, inAdvice: "--host 127.0.0.1"},
		{name: "uvicorn variable", dotenv: "HOST=127.0.0.1\n", env: []string{"UVICORN_HOST=0.0.0.0", "UVICORN_PORT={port}"},
			argv: []string{python, "-m", "uvicorn", "app.main:app"}, cause: CauseEnvironment, inAdvice: "UVICORN_HOST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			port := freePort(t)
			backend := checkout(t, strings.ReplaceAll(tt.dotenv, "{port}", fmt.Sprint(port)))
			c := start(t, backend, "", childEnv(sub(tt.env, port, backend)...), sub(tt.argv, port, backend)...)
			c.waitListening(t, port, anyV4)
			c.waitFlowMeter(t, lo4, port)
			envPath := filepath.Join(backend, ".env")
			checker := &Checker{EnvPath: envPath, Environ: childEnv()}
			v := checker.Check(context.Background())
			ls := mine(v, envPath)
			if len(ls) != 1 {
				t.Fatalf("listeners %+v", v.Listeners)
			}
			l := ls[0]
			if l.Cause != tt.cause || l.PID != c.pid() || l.Cwd != backend || l.FormulaSandbox != "on" {
				t.Errorf("listener %+v, want cause %s, pid %d", l, tt.cause, c.pid())
			}
			if v.Status != StatusExposed && len(l.ExposedOn) > 0 {
				t.Errorf("status %s with exposures %+v", v.Status, l.ExposedOn)
			}
			if len(l.ExposedOn) == 0 {
				t.Skip("this machine has no address but loopback: nothing can be exposed")
			}
			if gotFix := v.Fix != ""; gotFix != tt.fixFile || !strings.Contains(v.Advice, tt.inAdvice) {
				t.Errorf("fix %q, advice %q; want fix offered %v, advice with %q\n%s", v.Fix, v.Advice, tt.fixFile, tt.inAdvice, v.Message)
			}
			checkPlanFixOnlyForEnvFile(t, checker, envPath, tt.fixFile)
		})
	}
}

// checkPlanFixOnlyForEnvFile wants PlanFix to plan a change when the .env is
// the cause (fixFile) and to refuse with ErrNotTheFile otherwise, leaving
// the file at envPath as it was either way.
func checkPlanFixOnlyForEnvFile(t *testing.T, checker *Checker, envPath string, fixFile bool) {
	t.Helper()
	before, _ := os.ReadFile(envPath)
	plan, err := checker.PlanFix(context.Background())
	if fixFile {
		if err != nil || plan.Empty() {
			t.Errorf("PlanFix: %v, %+v", err, plan)
		}
	} else if !errors.Is(err, ErrNotTheFile) {
		t.Errorf("PlanFix should refuse: %v", err)
	}
	if after, _ := os.ReadFile(envPath); !bytes.Equal(before, after) {
		t.Error("planning changed the file")
	}
}

// TestSandboxOffIsWorst: an exposed FlowMeter with its formula sandbox off
// says that anyone on the network can run programs.
func TestSandboxOffIsWorst(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	port := freePort(t)
	backend := checkout(t, fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\nALLOW_UNSAFE_FORMULAS=true\n", port))
	c := start(t, backend, "", childEnv(), python, "-m", "app.main")
	c.waitFlowMeter(t, lo4, port)
	v := (&Checker{EnvPath: filepath.Join(backend, ".env"), Environ: childEnv()}).Check(context.Background())
	if ls := mine(v, filepath.Join(backend, ".env")); len(ls) != 1 || ls[0].FormulaSandbox != "off" {
		t.Fatalf("listeners %+v", v.Listeners)
	}
	if len(v.Findings) == 0 || v.Findings[0].Key != "ALLOW_UNSAFE_FORMULAS" || v.Findings[0].Severity != "critical" {
		t.Errorf("findings %+v", v.Findings)
	}
	if v.Status == StatusExposed && !strings.Contains(v.Message, "run any program") {
		t.Errorf("message %q", v.Message)
	}
}

// watchLines runs Checker.Watch in the background and collects verdicts.
type watchLines struct {
	mu     sync.Mutex
	lines  []Verdict
	cancel context.CancelFunc
	done   chan struct{}
}

func startWatch(t *testing.T, c *Checker, interval time.Duration) *watchLines {
	ctx, cancel := context.WithCancel(context.Background())
	w := &watchLines{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		c.Watch(ctx, interval, func(v Verdict) {
			w.mu.Lock()
			w.lines = append(w.lines, v)
			w.mu.Unlock()
		})
	}()
	t.Cleanup(func() { cancel(); <-w.done })
	return w
}

func (w *watchLines) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.lines)
}

// waitFor waits for a new verdict after the first n that satisfies ok, and
// returns how many there are then.
func (w *watchLines) waitFor(t *testing.T, n int, what string, ok func(Verdict) bool) int {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		w.mu.Lock()
		for i := n; i < len(w.lines); i++ {
			if ok(w.lines[i]) {
				w.mu.Unlock()
				return i + 1
			}
		}
		w.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var got []string
	for _, v := range w.lines[n:] {
		got = append(got, string(v.Status)+": "+v.Message)
	}
	t.Fatalf("watch never reported %s; it reported:\n%s", what, strings.Join(got, "\n"))
	return 0
}

// quiet checks that no verdict comes while nothing changes.
func (w *watchLines) quiet(t *testing.T, n int, d time.Duration) {
	t.Helper()
	time.Sleep(d)
	if got := w.count(); got != n {
		t.Errorf("watch repeated itself while nothing changed: %d verdicts, want %d", got, n)
	}
}

// TestWatch: FlowMeter appears, its .env is edited by hand, it restarts,
// it goes away; one verdict per change and none while nothing changes.
func TestWatch(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	port := freePort(t)
	backend := checkout(t, fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\n", port))
	envPath := filepath.Join(backend, ".env")
	w := startWatch(t, &Checker{EnvPath: envPath, Environ: childEnv()}, 200*time.Millisecond)
	n := w.waitFor(t, 0, "at-risk with nothing running", func(v Verdict) bool { return v.Status == StatusAtRisk && len(v.Listeners) == 0 })
	w.quiet(t, n, time.Second)

	fm := start(t, backend, "", childEnv(), python, "-m", "app.main")
	n = w.waitFor(t, n, "FlowMeter appearing", func(v Verdict) bool { return len(v.Listeners) == 1 && v.Listeners[0].PID == fm.pid() })
	w.quiet(t, n, time.Second)

	// Edited by hand, as a person would, in place.
	if err := os.WriteFile(envPath, []byte(fmt.Sprintf("HOST=127.0.0.1\nPORT=%d\n", port)), 0o644); err != nil {
		t.Fatal(err)
	}
	n = w.waitFor(t, n, "the .env edit", func(v Verdict) bool { return v.Env.Host == "127.0.0.1" })

	fm.stop()
	n = w.waitFor(t, n, "FlowMeter leaving", func(v Verdict) bool { return len(v.Listeners) == 0 && v.Status == StatusSafe })
	fm = start(t, backend, "", childEnv(), python, "-m", "app.main")
	n = w.waitFor(t, n, "FlowMeter back on loopback", func(v Verdict) bool {
		return v.Status == StatusSafe && len(v.Listeners) == 1 && v.Listeners[0].Address == "127.0.0.1"
	})
	w.quiet(t, n, time.Second)
}

// TestWatchSockets: FlowMeter starting and stopping shows at once, with an
// interval of an hour: the watch looks at the listening sockets between
// two checks, and checks when they changed.
func TestWatchSockets(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	port := freePort(t)
	backend := checkout(t, fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\n", port))
	w := startWatch(t, &Checker{EnvPath: filepath.Join(backend, ".env"), Environ: childEnv()}, time.Hour)
	n := w.waitFor(t, 0, "at-risk with nothing running", func(v Verdict) bool { return v.Status == StatusAtRisk && len(v.Listeners) == 0 })
	fm := start(t, backend, "", childEnv(), python, "-m", "app.main")
	n = w.waitFor(t, n, "FlowMeter appearing", func(v Verdict) bool { return len(v.Listeners) == 1 && v.Listeners[0].PID == fm.pid() })
	fm.stop()
	w.waitFor(t, n, "FlowMeter leaving", func(v Verdict) bool { return len(v.Listeners) == 0 })
}

// TestWatchInterfaces (root): an interface added and removed while FlowMeter
// listens on every address changes the verdict at once, without waiting for
// the next poll.
func TestWatchInterfaces(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	needRoot(t)
	port := freePort(t)
	backend := checkout(t, fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\n", port))
	fm := start(t, backend, "", childEnv(), python, "-m", "app.main")
	fm.waitFlowMeter(t, lo4, port)
	w := startWatch(t, &Checker{EnvPath: filepath.Join(backend, ".env"), Environ: childEnv()}, time.Hour)
	n := w.waitFor(t, 0, "the first verdict", func(v Verdict) bool { return len(v.Listeners) == 1 })

	ns := fmt.Sprintf("lgw%d", os.Getpid())
	host, peer := fmt.Sprintf("lgw%dh", os.Getpid()%100000), fmt.Sprintf("lgw%dp", os.Getpid()%100000)
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
	}
	t.Cleanup(func() { exec.Command("ip", "link", "del", host).Run(); exec.Command("ip", "netns", "del", ns).Run() })
	ip("netns", "add", ns)
	ip("link", "add", host, "type", "veth", "peer", "name", peer)
	ip("link", "set", peer, "netns", ns)
	ip("addr", "add", "10.214.7.1/24", "dev", host)
	ip("link", "set", host, "up")
	ip("-n", ns, "link", "set", peer, "up")
	onVeth := func(v Verdict) bool {
		for _, e := range v.Listeners[0].ExposedOn {
			if e.Interface == host && e.Address == "10.214.7.1" {
				return true
			}
		}
		return false
	}
	n = w.waitFor(t, n, "the new interface", func(v Verdict) bool { return len(v.Listeners) == 1 && onVeth(v) })
	ip("link", "del", host)
	w.waitFor(t, n, "the interface gone", func(v Verdict) bool { return len(v.Listeners) == 1 && !onVeth(v) })
}

// TestTrustedNetwork (root): FlowMeter on the address of a LAN is exposed
// until the user trusts that network and every other network this computer
// is on (the weak host model: a neighbour on any of them can route to that
// address); the trust is remembered by subnet (and gateway), so the same
// interface on another subnet is not trusted.
func TestTrustedNetwork(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	needRoot(t)
	iface := fmt.Sprintf("lgt%dh", os.Getpid()%100000)
	addVeth(t, iface, "10.215.3.1/24")
	port := freePort(t)
	backend := checkout(t, fmt.Sprintf("HOST=10.215.3.1\nPORT=%d\n", port))
	fm := start(t, backend, "", childEnv(), python, "-m", "app.main")
	fm.waitFlowMeter(t, netip.MustParseAddr("10.215.3.1"), port)

	store, err := OpenStore(filepath.Join(t.TempDir(), "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	c := &Checker{EnvPath: filepath.Join(backend, ".env"), Environ: childEnv(), Store: store}
	if v := c.Check(context.Background()); v.Status != StatusExposed {
		t.Fatalf("before trusting: %s: %s", v.Status, v.Message)
	}
	if err := store.SetTrusted(iface, netip.MustParseAddr("10.215.3.1"), true); err != nil {
		t.Fatal(err)
	}
	v := c.Check(context.Background())
	others := trustTheOthers(t, store, iface, v)
	if others > 0 && v.Status != StatusExposed {
		t.Errorf("trusting %s alone, with %d other networks: %s: %s", iface, others, v.Status, v.Message)
	}
	v = c.Check(context.Background())
	if v.Status != StatusAtRisk || !v.Listeners[0].ExposedOn[0].Trusted || !strings.Contains(v.Message, "networks you trust") && !strings.Contains(v.Message, "this computer only for now") {
		t.Fatalf("after trusting every network: %s: %s %+v", v.Status, v.Message, v.Listeners)
	}
	// Another subnet on the same interface is another network.
	exec.Command("ip", "addr", "del", "10.215.3.1/24", "dev", iface).Run()
	exec.Command("ip", "addr", "add", "10.215.3.1/16", "dev", iface).Run()
	c.cache.forgetInterfaces()
	if v := c.Check(context.Background()); v.Status != StatusExposed {
		t.Errorf("a /16 on the same interface should not be trusted: %s: %s", v.Status, v.Message)
	}
}

// addVeth adds a veth pair named iface (its peer ends in p instead of h)
// with addr on iface, up, removed when the test ends.
func addVeth(t *testing.T, iface, addr string) {
	t.Helper()
	t.Cleanup(func() { exec.Command("ip", "link", "del", iface).Run() })
	for _, args := range [][]string{
		{"link", "add", iface, "type", "veth", "peer", "name", strings.TrimSuffix(iface, "h") + "p"},
		{"addr", "add", addr, "dev", iface},
		{"link", "set", iface, "up"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
	}
}

// trustTheOthers wants only iface trusted among the networks v's first
// listener is exposed on, then trusts every other of them in store; it
// returns how many others there were.
func trustTheOthers(t *testing.T, store *Store, iface string, v Verdict) int {
	t.Helper()
	others := 0
	for _, e := range v.Listeners[0].ExposedOn {
		// A network of this computer's own guests is trusted by default.
		if e.Interface == iface && !e.Trusted || e.Interface != iface && e.Trusted != (e.Kind == KindVirtual) {
			t.Errorf("after trusting %s: %+v", iface, e)
		}
		if e.Interface != iface {
			others++
			if err := store.SetTrusted(e.Interface, netip.MustParseAddr(e.Via), true); err != nil {
				t.Fatal(err)
			}
		}
	}
	return others
}

// TestWatchStaysSmall: a watch through FlowMeter restarts keeps the same
// number of goroutines and a bounded memory, and leaves nothing running
// once stopped.
func TestWatchStaysSmall(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	port := freePort(t)
	backend := checkout(t, fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\n", port))
	base := runtime.NumGoroutine()
	c := &Checker{EnvPath: filepath.Join(backend, ".env"), Environ: childEnv()}
	w := startWatch(t, c, 20*time.Millisecond)
	var during []int
	var heap []uint64
	for round := range 4 {
		fm := start(t, backend, "", childEnv(), python, "-m", "app.main")
		fm.waitFlowMeter(t, lo4, port)
		w.waitFor(t, 0, "FlowMeter running", func(v Verdict) bool { return len(v.Listeners) == 1 && v.Listeners[0].PID == fm.pid() })
		os.WriteFile(filepath.Join(backend, ".env"), []byte(fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\nDEBUG=%v\n", port, round%2 == 0)), 0o644)
		fm.stop()
		w.waitFor(t, 0, "FlowMeter gone", func(v Verdict) bool { return len(v.Listeners) == 0 })
		time.Sleep(200 * time.Millisecond) // a few quiet polls
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		during = append(during, runtime.NumGoroutine())
		heap = append(heap, m.HeapInuse)
	}
	if during[len(during)-1] > during[0] {
		t.Errorf("goroutines grew across restarts: %v", during)
	}
	if last, first := heap[len(heap)-1], heap[0]; last > first+4<<20 {
		t.Errorf("heap grew across restarts: %v", heap)
	}
	w.cancel()
	<-w.done
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > base && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base {
		t.Errorf("%d goroutines left after the watch stopped, %d before", n, base)
	}
}

// TestDiscover: a running FlowMeter is found by its working directory and
// comes first; a remembered install and a checkout in a common place follow.
func TestDiscover(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	needNoFlowMeter(t)
	home := t.TempDir()
	common := filepath.Join(home, "src", "flowmeter", "backend")
	os.MkdirAll(common, 0o755)
	os.WriteFile(filepath.Join(common, ".env.example"), []byte("HOST=0.0.0.0\n"), 0o644)
	remembered := checkout(t, "HOST=127.0.0.1\n")

	store, _ := OpenStore(filepath.Join(t.TempDir(), "state.json"))
	store.Install = filepath.Join(remembered, ".env")
	got, err := Discover(context.Background(), store, home)
	if err != nil || len(got) < 2 || got[0].EnvPath != store.Install || got[0].How != FoundRemembered ||
		got[len(got)-1].EnvPath != filepath.Join(common, ".env") || got[len(got)-1].How != FoundCommon {
		t.Fatalf("without a running FlowMeter: %+v, %v", got, err)
	}

	port := freePort(t)
	running := checkout(t, fmt.Sprintf("HOST=127.0.0.1\nPORT=%d\n", port))
	fm := start(t, running, "", childEnv(), python, "-m", "app.main")
	fm.waitFlowMeter(t, lo4, port)
	got, err = Discover(context.Background(), store, home)
	if err != nil || got[0].EnvPath != filepath.Join(running, ".env") || got[0].How != FoundRunning || got[1].EnvPath != store.Install {
		t.Fatalf("with a running FlowMeter: %+v, %v", got, err)
	}

	fm.stop()
	if _, err := Discover(context.Background(), nil, t.TempDir()); err == nil {
		// Another FlowMeter may run on this machine; only then is one found.
		t.Log("a FlowMeter outside the test is running here")
	} else if !errors.Is(err, ErrNoInstall) {
		t.Errorf("nothing to find: %v", err)
	}
}

// mine are the verdict's listeners of the install at envPath: every
// FlowMeter on the machine is in a verdict, and another test's (or
// another program's) may run at the same time.
func mine(v Verdict, envPath string) []Listener {
	var out []Listener
	for _, l := range v.Listeners {
		if l.EnvPath == envPath {
			out = append(out, l)
		}
	}
	return out
}
