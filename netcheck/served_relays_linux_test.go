package netcheck

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Relays whose program is on no list of Localguard's, judged from the
// neighbour's side (issue 18): each is found by what it serves — its
// socket answers as FlowMeter — and told from a FlowMeter of its own by
// the connection it opens to FlowMeter's port while the answer is served.
// Each is judged idle (nothing went through it yet), after a request went
// through, and while the neighbour holds a connection through it.

func TestUnlistedRelays(t *testing.T) {
	needUvicorn(t)
	l := newLAN(t)
	env, port := flowMeterOnLoopback(t)
	for _, tc := range []struct {
		name  string
		start func(t *testing.T, rp, port int) *child
	}{
		{"a short Python reverse proxy on 0.0.0.0", startPythonProxy},
		{"socat copied under another file name", startRenamedSocat},
		{"haproxy in TCP mode", startHAProxy},
		{"rinetd", startRinetd},
		{"haproxy letting in only its networks, not loopback", startHAProxyNetworksOnly},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rp := freePort(t)
			p := tc.start(t, rp, port)
			p.waitListening(t, rp, any4)
			checkUnlistedRelay(t, l, env, rp, port)
			p.stop()
		})
	}
}

// checkUnlistedRelay judges the relay on rp idle, after traffic and while
// a connection is held through it: exposed each time, with the relay named,
// confirmed by its answer, and never among FlowMeter's listeners.
func checkUnlistedRelay(t *testing.T, l lan, env string, rp, port int) {
	t.Helper()
	kept := Open(context.Background(), env, nil, t.TempDir(), childEnv())
	wantUnlistedRelay(t, "idle", judgeAsUser(t, env), rp, port)
	wantUnlistedRelay(t, "idle, kept Checker", kept.Check(context.Background()), rp, port)
	if !l.reads(t, l.v4, rp) {
		t.Fatalf("the neighbour cannot read FlowMeter through port %d", rp)
	}
	wantUnlistedRelay(t, "after traffic", judgeAsUser(t, env), rp, port)
	wantUnlistedRelay(t, "after traffic, kept Checker", kept.Check(context.Background()), rp, port)
	hold := start(t, "/", "", childEnv(), "ip", "netns", "exec", l.ns, python, "-c",
		fmt.Sprintf(`import socket, time; s = socket.create_connection((%q, %d)); s.sendall(b"GET /api/info HTTP/1.1\r\nHost: x\r\n"); time.sleep(60)`, l.v4, rp))
	waitConnected(t, rp)
	wantUnlistedRelay(t, "while a connection is held", judgeAsUser(t, env), rp, port)
	wantUnlistedRelay(t, "while a connection is held, kept Checker", kept.Check(context.Background()), rp, port)
	hold.stop()
}

// wantUnlistedRelay wants v exposed by a confirmed relay on rp to port.
func wantUnlistedRelay(t *testing.T, when string, v Verdict, rp, port int) {
	t.Helper()
	r := relayOn(v, rp)
	switch {
	case v.Status != StatusExposed || r == nil:
		t.Errorf("%s: the neighbour reads FlowMeter through port %d, yet: %s: %s\n%s", when, rp, v.Status, v.Message, relaysOf(v))
		return
	case !r.Confirmed || r.TargetPort != port || r.PID == 0 || !slices.Contains(r.SeenBy, SeenAnswer):
		t.Errorf("%s: relay %+v: want confirmed by its answer, to port %d, with its pid", when, *r, port)
	}
	for _, li := range v.Listeners {
		if li.Port == rp {
			t.Errorf("%s: the relay is among FlowMeter's listeners: %+v", when, li)
		}
	}
	t.Logf("%s: %s: %s", when, v.Status, v.Message)
}

// waitConnected waits until a connection to port is established.
func waitConnected(t *testing.T, port int) {
	t.Helper()
	for range 200 {
		if out, _ := runOut("ss", "-Htn", "state", "established", fmt.Sprintf("( sport = :%d )", port)); len(out) > 0 {
			return
		}
		sleepShort()
	}
	t.Fatalf("no connection to port %d was established", port)
}

func startPythonProxy(t *testing.T, rp, port int) *child {
	p, err := filepath.Abs("testdata/reverse_proxy.py")
	if err != nil {
		t.Fatal(err)
	}
	return start(t, t.TempDir(), python, childEnv(), python, p, fmt.Sprint(rp), fmt.Sprint(port))
}

func startRenamedSocat(t *testing.T, rp, port int) *child {
	socat := needProgram(t, "socat", "socat")
	b, err := os.ReadFile(socat)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "portbridge")
	if err := os.WriteFile(p, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return start(t, "/", p, childEnv(), "portbridge", fmt.Sprintf("TCP-LISTEN:%d,fork,reuseaddr", rp), fmt.Sprintf("TCP:127.0.0.1:%d", port))
}

func startHAProxy(t *testing.T, rp, port int) *child {
	haproxy := needProgram(t, "haproxy", "haproxy")
	cfg := filepath.Join(t.TempDir(), "haproxy.cfg")
	conf := fmt.Sprintf("defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 60s\n  timeout server 60s\nfrontend in\n  bind 0.0.0.0:%d\n  default_backend fm\nbackend fm\n  server fm 127.0.0.1:%d\n", rp, port)
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return start(t, "/", haproxy, childEnv(), "haproxy", "-db", "-f", cfg)
}

// startHAProxyNetworksOnly is haproxy passing FlowMeter on to 10.0.0.0/8
// only, as an "allow 10.0.0.0/8; deny all" list does: a client on
// loopback is turned away, so only a question asked as a neighbour asks
// it (through this computer's own address on a network) finds it.
func startHAProxyNetworksOnly(t *testing.T, rp, port int) *child {
	haproxy := needProgram(t, "haproxy", "haproxy")
	cfg := filepath.Join(t.TempDir(), "haproxy.cfg")
	conf := fmt.Sprintf("defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 60s\n  timeout server 60s\nfrontend in\n  bind 0.0.0.0:%d\n  tcp-request connection reject unless { src 10.0.0.0/8 }\n  default_backend fm\nbackend fm\n  server fm 127.0.0.1:%d\n", rp, port)
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return start(t, "/", haproxy, childEnv(), "haproxy", "-db", "-f", cfg)
}

func startRinetd(t *testing.T, rp, port int) *child {
	rinetd := needProgram(t, "rinetd", "rinetd")
	cfg := filepath.Join(t.TempDir(), "rinetd.conf")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("0.0.0.0 %d 127.0.0.1 %d\n", rp, port)), 0o644); err != nil {
		t.Fatal(err)
	}
	return start(t, "/", rinetd, childEnv(), "rinetd", "-f", "-c", cfg)
}
