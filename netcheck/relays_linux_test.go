package netcheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"localguard/testdata/netns"
)

// Relays with the real programs, each judged from the neighbour's side: a
// second host in a network namespace fetches /api/info through the relay,
// and the verdict must be exposed exactly when it can. FlowMeter itself
// listens on 127.0.0.1 throughout.

// relaysOf lists the verdict's relays, for failure messages.
func relaysOf(v Verdict) string {
	b, _ := json.MarshalIndent(v.Relays, "", "  ")
	return string(b)
}

// relayOn is the verdict's relay listening on port (a tunnel: forwarding
// it), nil when none.
func relayOn(v Verdict, port int) *Relay {
	for i, r := range v.Relays {
		if r.Port == port {
			return &v.Relays[i]
		}
	}
	return nil
}

// wantRelay checks, with a Checker kept across polls (as the window and
// watch keep one) and with fresh ones, that the neighbour's reading and the
// verdict agree (with fresh, a new Checker's too: a relay its command line
// or config shows), and returns the relay reported on port.
func wantRelay(t *testing.T, l lan, c *Checker, addr netip.Addr, port int, wantReads, fresh bool) *Relay {
	t.Helper()
	reads := l.reads(t, addr, port)
	if reads != wantReads {
		t.Fatalf("the neighbour reads /api/info through %v: %v, want %v", netip.AddrPortFrom(addr, uint16(port)), reads, wantReads)
	}
	var r *Relay
	vs := []Verdict{c.Check(context.Background())}
	if fresh {
		vs = append(vs, judgeAsUser(t, c.EnvPath))
	}
	for _, v := range vs {
		r = relayOn(v, port)
		checkRelayVerdict(t, c.EnvPath, v, r, port, reads)
	}
	if r != nil && reads {
		checkRelayReached(t, l, r, port)
	}
	return r
}

// checkRelayVerdict wants verdict v to agree with the neighbour's reading
// (reads) of FlowMeter through port, where r is v's relay on port: exposed
// with the relay reported when the neighbour reads, neither when it does
// not; and never the relay among FlowMeter's own listeners.
func checkRelayVerdict(t *testing.T, envPath string, v Verdict, r *Relay, port int, reads bool) {
	t.Helper()
	switch {
	case reads && v.Status != StatusExposed:
		t.Errorf("the neighbour reads FlowMeter through port %d, yet the verdict is %s: %s\n%s", port, v.Status, v.Message, relaysOf(v))
	case reads && r == nil:
		t.Errorf("no relay on port %d: %s", port, relaysOf(v))
	case !reads && r != nil:
		t.Errorf("relay on port %d reported, yet the neighbour cannot read FlowMeter through it: %+v", port, *r)
	case !reads && v.Status == StatusExposed:
		// Other tests on this machine may run an exposed FlowMeter:
		// only this install's own listeners must not be exposed.
		for _, li := range mine(v, envPath) {
			if len(li.ExposedOn) > 0 {
				t.Errorf("nothing reaches FlowMeter, yet: %s: %s", v.Status, v.Message)
			}
		}
	}
	for _, li := range v.Listeners {
		if li.Port == port {
			t.Errorf("the relay is among FlowMeter's listeners: %+v", li)
		}
	}
	t.Logf("%s: %s", v.Status, v.Message)
}

// checkRelayReached wants relay r on port, which the neighbour on l reads
// through, confirmed and, as a proxy, exposed on l's interface with the URL
// the neighbour types, untrusted.
func checkRelayReached(t *testing.T, l lan, r *Relay, port int) {
	t.Helper()
	found := false
	for _, e := range r.ExposedOn {
		if e.Interface == l.iface && e.URL == URL(l.v4, port) && !e.Trusted {
			found = true
		}
	}
	if r.Kind == RelayProxy && !found {
		t.Errorf("the relay's exposures %+v do not name %s with %s", r.ExposedOn, l.iface, URL(l.v4, port))
	}
	if !r.Confirmed {
		t.Errorf("the relay is not confirmed: %+v", *r)
	}
}

// flowMeterOnLoopback starts a FlowMeter on 127.0.0.1 and returns its
// checkout's .env and port.
func flowMeterOnLoopback(t *testing.T) (string, int) {
	t.Helper()
	port := freePort(t)
	backend := checkout(t, fmt.Sprintf("HOST=127.0.0.1\nPORT=%d\n", port))
	fm := start(t, backend, python, childEnv(), python, "-m", "app.main")
	fm.waitFlowMeter(t, lo4, port)
	return filepath.Join(backend, ".env"), port
}

func needProgram(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, "%s (Debian's %s) is not installed", name, pkg)
	}
	return p
}

func TestRelaysSocat(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	socat := needProgram(t, "socat", "socat")
	l := newLAN(t)
	env, port := flowMeterOnLoopback(t)
	c := Open(context.Background(), env, nil, t.TempDir(), childEnv())

	t.Run("on every interface", func(t *testing.T) {
		rp := freePort(t)
		s := start(t, "/", socat, childEnv(), "socat", fmt.Sprintf("TCP-LISTEN:%d,fork,reuseaddr", rp), fmt.Sprintf("TCP:127.0.0.1:%d", port))
		s.waitListening(t, rp, any4)
		// Idle: nothing went through it yet.
		if v := c.Check(context.Background()); relayOn(v, rp) == nil || v.Status != StatusExposed {
			t.Errorf("idle socat: %s: %s\n%s", v.Status, v.Message, relaysOf(v))
		}
		r := wantRelay(t, l, c, l.v4, rp, true, true)
		if r == nil {
			return
		}
		if r.PID != s.pid() || r.Kind != RelayProxy || r.TargetPort != port || r.Program != "socat" || r.Cause != CauseCommandLine {
			t.Errorf("relay %+v", *r)
		}
		if !strings.Contains(r.Advice, fmt.Sprintf("TCP-LISTEN:%d,bind=127.0.0.1,fork,reuseaddr", rp)) {
			t.Errorf("advice %q: want socat's own command, bound to 127.0.0.1", r.Advice)
		}
	})
	t.Run("on loopback only", func(t *testing.T) {
		rp := freePort(t)
		s := start(t, "/", socat, childEnv(), "socat", fmt.Sprintf("TCP-LISTEN:%d,bind=127.0.0.1,fork,reuseaddr", rp), fmt.Sprintf("TCP:127.0.0.1:%d", port))
		s.waitListening(t, rp, lo4)
		wantRelay(t, l, c, l.v4, rp, false, true)
	})
	t.Run("to another port: not FlowMeter's", func(t *testing.T) {
		other := freePort(t)
		web := start(t, t.TempDir(), python, childEnv(), python, "-m", "http.server", "--bind", "127.0.0.1", fmt.Sprint(other))
		web.waitListening(t, other, lo4)
		rp := freePort(t)
		s := start(t, "/", socat, childEnv(), "socat", fmt.Sprintf("TCP-LISTEN:%d,fork,reuseaddr", rp), fmt.Sprintf("TCP:127.0.0.1:%d", other))
		s.waitListening(t, rp, any4)
		if !l.connectFromPeer(t, l.v4, rp) {
			t.Fatal("the neighbour cannot connect to the unrelated socat")
		}
		wantRelay(t, l, c, l.v4, rp, false, true)
	})
}

// TestRelayByConnection: a forwarder Localguard does not know by name (a
// Python script) is found by its answer while idle, by the kernel's
// connections to FlowMeter's port while a request goes through it, and
// still known once it is idle again.
func TestRelayByConnection(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	l := newLAN(t)
	env, port := flowMeterOnLoopback(t)
	c := Open(context.Background(), env, nil, t.TempDir(), childEnv())
	rp := freePort(t)
	fwd := start(t, "/", python, childEnv(), python, "-c", pyForwarder("0.0.0.0", rp, port))
	fwd.waitListening(t, rp, any4)
	// Idle, it never connected to FlowMeter yet: its socket is asked as
	// every socket a neighbour can reach is, and its answer shows it.
	if v := c.Check(context.Background()); relayOn(v, rp) == nil || !slices.Contains(relayOn(v, rp).SeenBy, SeenAnswer) {
		t.Fatalf("an unknown forwarder is not found by its answer while idle: %s", relaysOf(v))
	}
	// The neighbour holds a connection through it while Localguard looks.
	hold := start(t, "/", "", childEnv(), "ip", "netns", "exec", l.ns, python, "-c",
		fmt.Sprintf(`import socket, time; s = socket.create_connection((%q, %d)); time.sleep(60)`, l.v4, rp))
	waitConnected(t, rp)
	// A one-shot check (a fresh Checker, one poll) names the connection's
	// owner at once, not after it lasted two polls.
	if r := relayOn(judgeAsUser(t, env), rp); r == nil || !slices.Contains(r.SeenBy, SeenConnection) || r.PID != fwd.pid() {
		t.Errorf("a one-shot check does not name the forwarder holding a connection to FlowMeter by that connection: %+v", r)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		v := c.Check(context.Background())
		if r := relayOn(v, rp); r != nil {
			if r.PID != fwd.pid() || !r.Confirmed || v.Status != StatusExposed {
				t.Errorf("%s: %s\n%s", v.Status, v.Message, relaysOf(v))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the forwarder holding a connection to FlowMeter is not found: %s", relaysOf(v))
		}
		time.Sleep(100 * time.Millisecond)
	}
	hold.stop()
	time.Sleep(200 * time.Millisecond)
	// Idle now: remembered while it lives.
	r := wantRelay(t, l, c, l.v4, rp, true, false)
	if r != nil && r.PID != fwd.pid() {
		t.Errorf("relay %+v", *r)
	}
}

// TestStopRelay: only a relay the verdict names is stopped, and only while
// its pid still names the process found; FlowMeter keeps running.
func TestStopRelay(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	socat := needProgram(t, "socat", "socat")
	env, port := flowMeterOnLoopback(t)
	rp := freePort(t)
	s := start(t, "/", socat, childEnv(), "socat", fmt.Sprintf("TCP-LISTEN:%d,fork,reuseaddr", rp), fmt.Sprintf("TCP:127.0.0.1:%d", port))
	s.waitListening(t, rp, any4)
	c := Open(context.Background(), env, nil, t.TempDir(), childEnv())
	v := c.Check(context.Background())
	r := relayOn(v, rp)
	if r == nil {
		t.Fatalf("no relay: %s", relaysOf(v))
	}
	fmPID := v.Listeners[0].PID
	for _, pid := range []int32{fmPID, int32(os.Getpid()), 1} {
		if err := c.StopRelay(context.Background(), pid); !errors.Is(err, ErrNoRelay) {
			t.Errorf("StopRelay(%d): %v, want ErrNoRelay", pid, err)
		}
	}
	// A pid whose start time is not the one found is never signalled.
	if err := signalRelay(s.pid(), 1, strings.Fields(r.Cmdline), nil); !errors.Is(err, ErrRelayChanged) {
		t.Errorf("another start time: %v, want ErrRelayChanged", err)
	}
	if syscall.Kill(int(s.pid()), 0) != nil {
		t.Fatal("the relay was signalled")
	}
	if err := c.StopRelay(context.Background(), s.pid()); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("socat still runs")
	}
	if IdentifyFlowMeter(context.Background(), lo4, port, time.Second) != IdentityFlowMeter {
		t.Error("FlowMeter stopped with its relay")
	}
	if v := c.Check(context.Background()); relayOn(v, rp) != nil {
		t.Errorf("the stopped relay is still listed: %s", relaysOf(v))
	}
}

// TestRelayContainer: a container port publisher (docker-proxy's command
// line, forwarding as Docker's does) for a container that is not
// FlowMeter's backend (the web page server's, on port 3000 inside) is a
// relay of kind container, judged from the neighbour's side; with the
// checkout's compose file, fixed at the source.
func TestRelayContainer(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	socat := needProgram(t, "socat", "socat")
	l := newLAN(t)
	env, port := flowMeterOnLoopback(t)
	// The "container": something on 127.0.0.1 that passes FlowMeter on.
	inner := freePort(t)
	s := start(t, "/", socat, childEnv(), "socat", fmt.Sprintf("TCP-LISTEN:%d,bind=127.0.0.1,fork,reuseaddr", inner), fmt.Sprintf("TCP:127.0.0.1:%d", port))
	s.waitListening(t, inner, lo4)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	pub := freePort(t)
	p := start(t, "/", exe, childEnv("NETCHECK_HELPER=proxy"), "docker-proxy", "-test.run=^TestHelperProcess$", "--",
		"-proto", "tcp", "-host-ip", "0.0.0.0", "-host-port", fmt.Sprint(pub), "-container-ip", "127.0.0.1", "-container-port", fmt.Sprint(inner))
	p.waitListening(t, pub, any4)
	compose := filepath.Join(filepath.Dir(filepath.Dir(env)), "docker-compose.yaml")
	os.WriteFile(compose, []byte(fmt.Sprintf("services:\n  frontend:\n    ports:\n      - \"%d:%d\"\n", pub, inner)), 0o644)
	c := Open(context.Background(), env, nil, t.TempDir(), childEnv())
	r := wantRelay(t, l, c, l.v4, pub, true, true)
	if r == nil {
		return
	}
	if r.Kind != RelayContainer || r.PID != p.pid() || r.TargetPort != inner || r.Cause != CauseContainer || r.Fix != "localguard fix --source "+compose {
		t.Errorf("relay %+v", *r)
	}
}
