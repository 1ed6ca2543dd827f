package netcheck

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"localguard/testdata/netns"
)

// Relays on ports Localguard never connects to (issue 18's attack: 9100,
// raw printing). No byte may go there, so what they serve cannot be asked:
// a listener there whose holder names FlowMeter's port — on its command
// line, or in a file it reads — is a relay that could not be checked
// (status error, never safe), with the reason it was not asked. Judged
// idle: no connection goes through it while Localguard looks. A
// listener on another never-asked port whose holder names nothing stays
// safe, and receives no connection.

func TestNeverAskedRelays(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	l := newLAN(t)
	env, port := flowMeterOnLoopback(t)
	printer := listenCounting(t, "0.0.0.0:9101", "")
	// Another program's listener on 9102 whose command line names no
	// FlowMeter port (a spooler): connected to by no one, so the kernel
	// would show any connection Localguard made.
	spooler := start(t, t.TempDir(), python, childEnv(), python, "-c",
		"import socket, sys, time; s = socket.socket(); s.bind(('0.0.0.0', int(sys.argv[1]))); s.listen(8); time.sleep(600)", "9102")
	spooler.waitListening(t, 9102, any4)
	for _, tc := range []struct {
		name  string
		start func(t *testing.T, rp, port int) *child
		seen  SeenBy
	}{
		{"socat copied under another file name", startRenamedSocat, SeenCommandLine},
		{"a short Python reverse proxy", startPythonProxy, SeenCommandLine},
		{"haproxy in TCP mode", startHAProxy, SeenConfig},
		{"rinetd", startRinetd, SeenConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.start(t, 9100, port)
			p.waitListening(t, 9100, any4)
			if !l.reads(t, l.v4, 9100) {
				t.Fatalf("the neighbour cannot read FlowMeter through port 9100: not a relay")
			}
			waitIdle(t, 9100)
			before := printer.conns.Load()
			wantNeverAsked(t, judgeAsUser(t, env), port, tc.seen)
			kept := Open(context.Background(), env, nil, t.TempDir(), childEnv())
			for range 2 {
				wantNeverAsked(t, kept.Check(context.Background()), port, tc.seen)
			}
			if n := printer.conns.Load() - before; n != 0 {
				t.Errorf("the listener on 9101, whose holder names nothing, was connected to %d times", n)
			}
			wantNoConnection(t, 9102)
			p.stop()
		})
	}
	if v := judgeAsUser(t, env); v.Status != StatusSafe || len(v.Relays) > 0 {
		t.Errorf("the never-asked listener whose holder names nothing: %s: %s\n%s", v.Status, v.Message, relaysOf(v))
	}
	wantNoConnection(t, 9102)
	if n, b := printer.conns.Load(), printer.bytes.Load(); n != 0 || b != 0 {
		t.Errorf("port 9101 was connected to %d times and received %d bytes, want none", n, b)
	}
}

// wantNeverAsked wants v not safe because of an unchecked relay on 9100 to
// port, seen as seen, with the reason it was not asked in the message and
// the JSON.
func wantNeverAsked(t *testing.T, v Verdict, port int, seen SeenBy) {
	t.Helper()
	r := relayOn(v, 9100)
	switch {
	case r == nil || v.Status == StatusSafe:
		t.Fatalf("a relay to FlowMeter on never-asked port 9100: %s: %s\n%s", v.Status, v.Message, relaysOf(v))
	case !r.Unchecked || r.Confirmed || r.TargetPort != port || r.NotAsked == "" || !slices.Contains(r.SeenBy, seen):
		t.Errorf("relay %+v: want unchecked, to port %d, not asked with a reason, seen by %s", *r, port, seen)
	}
	if v.Status != StatusError || !strings.Contains(v.Message, "never connects to port 9100") || !strings.Contains(v.Message, fmt.Sprintf("FlowMeter's port %d", port)) {
		t.Errorf("%s: %s: want status error saying why port 9100 was not asked", v.Status, v.Message)
	}
	t.Logf("%s: %s", v.Status, v.Message)
}

// wantNoConnection wants no connection to port, established or waiting.
func wantNoConnection(t *testing.T, port int) {
	t.Helper()
	if out, _ := runOut("ss", "-Htn", fmt.Sprintf("( sport = :%d or dport = :%d )", port, port)); len(out) > 0 {
		t.Errorf("a connection to never-asked port %d: %s", port, out)
	}
}

// waitIdle waits until no connection to port is established (the
// neighbour's read is over): the relay is judged idle.
func waitIdle(t *testing.T, port int) {
	t.Helper()
	for range 200 {
		if out, _ := runOut("ss", "-Htn", "state", "established", fmt.Sprintf("( sport = :%d or dport = :%d )", port, port)); len(out) == 0 {
			return
		}
		sleepShort()
	}
	t.Fatalf("connections to port %d stay established", port)
}
