package netcheck

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"

	"localguard/netcheck/system"
)

// The slow-relay watch's pure parts: which connections are to FlowMeter,
// which pending request one was opened for, and whether the relay's own
// process held it.

// watchFixture is a machine with a FlowMeter, a forking relay, a silent
// service, a browser and a child of another program connected to
// FlowMeter.
type watchFixture struct {
	w             *relayWatch
	sys           *fakeSystem
	fmSock        system.Socket
	relay, silent system.Socket
	conn          func(lport, rport uint16, inode uint64) system.Conn
}

func TestRelayWatchAttribution(t *testing.T) {
	f := newWatchFixture()
	t.Run("to FlowMeter", func(t *testing.T) { checkToFlowMeter(t, f) })
	t.Run("opened for", func(t *testing.T) { checkOpenedFor(t, f) })
	t.Run("proven", func(t *testing.T) { checkProven(t, f) })
}

func newWatchFixture() watchFixture {
	lo := netip.MustParseAddr("127.0.0.1")
	lan := netip.MustParseAddr("192.168.1.23")
	own := func(a netip.Addr) bool { return a.IsLoopback() || a == lan }
	fmSock := system.Socket{Addr: lo, Port: 8000, Inode: 1}
	relay := system.Socket{Addr: netip.IPv4Unspecified(), Port: 9001, Inode: 50}
	silent := system.Socket{Addr: netip.IPv4Unspecified(), Port: 9002, Inode: 60}
	sys := &fakeSystem{procs: map[int32]*fakeProc{
		100: {st: system.ProcStat{PPID: 1, Name: "socat"}, sockets: []uint64{50}},     // the relay's master
		101: {st: system.ProcStat{PPID: 100, Name: "socat"}, sockets: []uint64{77}},   // its fork, connected onward
		200: {st: system.ProcStat{PPID: 1, Name: "runner"}, sockets: []uint64{60}},    // the silent service's, which started...
		201: {st: system.ProcStat{PPID: 200, Name: "python3"}, sockets: []uint64{99}}, // ...a process connected to FlowMeter
		300: {st: system.ProcStat{PPID: 1}, sockets: []uint64{88}},                    // a browser, connected to FlowMeter
		400: {st: system.ProcStat{PPID: 1}, sockets: []uint64{1, 78}},                 // FlowMeter
	}}
	w := &relayWatch{fm: map[int]system.Socket{8000: fmSock}, own: own, sys: sys}
	conn := func(lport, rport uint16, inode uint64) system.Conn {
		return system.Conn{Local: netip.AddrPortFrom(lo, lport), Remote: netip.AddrPortFrom(lo, rport), Inode: inode}
	}
	return watchFixture{w: w, sys: sys, fmSock: fmSock, relay: relay, silent: silent, conn: conn}
}

func checkToFlowMeter(t *testing.T, f watchFixture) {
	lan, conn := netip.MustParseAddr("192.168.1.23"), f.conn
	for _, tc := range []struct {
		name string
		c    system.Conn
		ok   bool
	}{
		{"the connecting side", conn(40000, 8000, 77), true},
		{"FlowMeter's side", conn(8000, 40000, 78), true},
		{"another port", conn(40000, 7000, 9), false},
		{"from beyond this computer", system.Conn{Local: netip.AddrPortFrom(lan, 8000), Remote: netip.MustParseAddrPort("192.168.1.50:40000")}, false},
	} {
		if _, ok := f.w.toFlowMeter(tc.c); ok != tc.ok {
			t.Errorf("%s: to FlowMeter %v, want %v", tc.name, ok, tc.ok)
		}
	}
}

func checkOpenedFor(t *testing.T, f watchFixture) {
	w, conn := f.w, f.conn
	pr, ps := &pendingAsk{sock: f.relay}, &pendingAsk{sock: f.silent}
	if got := w.openedFor(conn(40000, 8000, 77), []*pendingAsk{ps, pr}); len(got) != 1 || got[0] != pr {
		t.Errorf("the relay's child's connection given to %v, want the relay's request", got)
	}
	if got := w.openedFor(conn(8000, 40000, 78), []*pendingAsk{ps, pr}); len(got) != 0 {
		t.Errorf("FlowMeter's side of an open connection given to %v, want none (its other side is listed)", got)
	}
	if got := w.openedFor(conn(40001, 8000, 88), []*pendingAsk{ps, pr}); len(got) != 0 {
		t.Errorf("the browser's connection given to %v, want none", got)
	}
	if got := w.openedFor(conn(40004, 8000, 99), []*pendingAsk{ps, pr}); len(got) != 0 {
		t.Errorf("a connection of a child of another program given to %v, want none: its parent's sockets are not its", got)
	}
	if got := w.openedFor(conn(40001, 8000, 88), []*pendingAsk{ps}); len(got) != 1 || got[0] != ps {
		t.Error("with one request pending, a new connection is given to it (its holder is checked later)")
	}
	if got := w.openedFor(conn(8000, 40003, 0), []*pendingAsk{ps, pr}); len(got) != 2 || !ps.shared.Load() || !pr.shared.Load() {
		t.Errorf("a connection closed already, with two requests pending: given to %v, want both, shared", got)
	}
}

func checkProven(t *testing.T, f watchFixture) {
	conn := f.conn
	for _, tc := range []struct {
		name          string
		sock          system.Socket
		conns         []system.Conn
		proven, other bool
	}{
		{"held by the relay's child", f.relay, []system.Conn{conn(8000, 40000, 78), conn(40000, 8000, 77)}, true, false},
		{"the browser's, not the silent service's", f.silent, []system.Conn{conn(40001, 8000, 88)}, false, true},
		{"a child's of another program, not the silent service's", f.silent, []system.Conn{conn(40004, 8000, 99)}, false, true},
		{"closed at once: no holder to see", f.silent, []system.Conn{conn(8000, 40002, 0)}, false, false},
	} {
		p := &pendingAsk{sock: tc.sock, conns: tc.conns, target: f.fmSock}
		p.prove(f.sys)
		if p.proven != tc.proven || p.other != tc.other {
			t.Errorf("%s: proven %v other %v, want %v %v", tc.name, p.proven, p.other, tc.proven, tc.other)
		}
	}
}

// Judge with the new relay facts: a name, a late answer, a relay that
// cannot be told.
func TestJudgeNamedLateUnsure(t *testing.T) {
	local := fm("127.0.0.1", 8000, StartPythonModule, "python3 -m app.main", backendA, "HOST=127.0.0.1\n")
	named := servedProxy()
	named.HostName = "mylaptop"
	late := servedProxy()
	late.Late, late.Seen, late.SeenBy = true, SeenConnection, []SeenBy{SeenConnection}
	unsure := relay("nginx", "nginx: master process nginx", "0.0.0.0", 80, 8000, "")
	unsure.Unchecked, unsure.Confirmed = true, false
	unsure.UncheckedWhy = "its configuration passes FlowMeter's port 8000 on for names no list can hold (server_name *.lab)"
	for _, tc := range []struct {
		name   string
		rf     RelayFacts
		want   Status
		wantIn []string
		json   string
	}{
		{"a virtual host for a name", named, StatusExposed, []string{"who asks for it by the name mylaptop"}, `"host_name":"mylaptop"`},
		{"a late relay, proven by its connection", late, StatusExposed, []string{"slower than Localguard waits", "it connected to FlowMeter's port while Localguard asked it"}, `"late":true`},
		{"names no list holds", unsure, StatusError, []string{"cannot tell whether nginx (pid", "server_name *.lab"}, `"unchecked_why":"its configuration`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := Judge(Facts{Interfaces: judgeIfaces, Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{local}, Relays: []RelayFacts{tc.rf}})
			if v.Status != tc.want {
				t.Fatalf("status %s, want %s: %s", v.Status, tc.want, v.Message)
			}
			for _, w := range tc.wantIn {
				if !strings.Contains(v.Message, w) {
					t.Errorf("message %q lacks %q", v.Message, w)
				}
			}
			b, _ := json.Marshal(v.Relays[0])
			if !strings.Contains(string(b), tc.json) {
				t.Errorf("relay JSON %s lacks %s", b, tc.json)
			}
		})
	}
}

// mergeRelays keeps a relay its answer could not tell unchecked, with the
// reason, unless its program's own check confirmed it.
func TestMergeUnsure(t *testing.T) {
	byProgram := relay("nginx", "nginx: master process nginx", "0.0.0.0", 80, 8000, "")
	byProgram.Socket.Inode, byProgram.Confirmed, byProgram.Unchecked = 9, false, true
	unsure := byProgram
	unsure.Unchecked, unsure.UncheckedWhy, unsure.SeenBy = true, "why", []SeenBy{SeenConfig}
	got := mergeRelays([]RelayFacts{byProgram}, []RelayFacts{unsure})
	if len(got) != 1 || !got[0].Unchecked || got[0].UncheckedWhy != "why" {
		t.Errorf("merged %+v: want one unchecked relay with the reason", got)
	}
	confirmed := byProgram
	confirmed.Confirmed, confirmed.Unchecked = true, false
	got = mergeRelays([]RelayFacts{confirmed}, []RelayFacts{unsure})
	if len(got) != 1 || got[0].Unchecked || !got[0].Confirmed {
		t.Errorf("merged %+v: a confirmed relay stays confirmed", got)
	}
}
