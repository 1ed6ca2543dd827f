package netcheck

import (
	"net/netip"
	"strings"
	"testing"

	"localguard/netcheck/system"
)

// TestPortProxyJudgement: an entry of Windows' port proxy that points to
// FlowMeter's port, whose listener answered as FlowMeter on the LAN, is a
// relay named with the netsh command that removes it, and no pid to stop
// (the listener is the IP Helper service's).
func TestPortProxyJudgement(t *testing.T) {
	lf := fm("127.0.0.1", 8000, StartPythonModule, "python -m app.main", backendA, "HOST=127.0.0.1\n")
	for _, tc := range []struct {
		name  string
		entry system.PortProxy
		want  Status
		fix   string
	}{
		{"every address", system.PortProxy{Kind: "v4tov4", ListenAddr: "0.0.0.0", ListenPort: 8080, ConnectAddr: "127.0.0.1", ConnectPort: 8000}, StatusExposed,
			"netsh interface portproxy delete v4tov4 listenport=8080 listenaddress=0.0.0.0"},
		{"added without listenaddress", system.PortProxy{Kind: "v4tov4", ListenAddr: "*", ListenPort: 8080, ConnectAddr: "localhost", ConnectPort: 8000}, StatusExposed,
			"netsh interface portproxy delete v4tov4 listenport=8080"},
	} {
		sock := system.Socket{Addr: netip.IPv4Unspecified(), Port: 8080, Inode: 99, DualKnown: true}
		rf := RelayFacts{Program: programPortProxy, Kind: RelayProxy, Socket: sock, TargetPort: 8000, Confirmed: true, Answered: map[netip.Addr]bool{}}
		for _, r := range ReachableAddrs(sock, judgeIfaces) {
			rf.Answered[r.Addr] = true
		}
		v := Judge(Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{lf}, Interfaces: judgeIfaces,
			Relays: []RelayFacts{rf}, NAT: NATFacts{PortProxies: []system.PortProxy{tc.entry}}})
		if v.Status != tc.want || len(v.Relays) != 1 {
			t.Fatalf("%s: %s: %s", tc.name, v.Status, v.Message)
		}
		r := v.Relays[0]
		if r.Fix != tc.fix || r.PID != 0 || !strings.Contains(v.Message, tc.fix) || !strings.Contains(v.Message, "port proxy") || strings.Contains(v.Message, "pid 0") {
			t.Errorf("%s: relay %+v\nmessage: %s", tc.name, r, v.Message)
		}
	}
}

// TestPointsToFlowMeter: an entry is FlowMeter's relay when it connects to
// this computer on a FlowMeter port; one to WSL's virtual machine (another
// computer to Windows) is asked like any socket instead.
func TestPointsToFlowMeter(t *testing.T) {
	socks := []FlowMeterSocket{{Socket: system.Socket{Addr: netip.MustParseAddr("127.0.0.1"), Port: 8000}}}
	own := ownAddrsOf(judgeIfaces)
	for _, tc := range []struct {
		addr string
		port int
		want bool
	}{
		{"127.0.0.1", 8000, true}, {"localhost", 8000, true}, {"192.168.1.23", 8000, true}, {"::1", 8000, true},
		{"127.0.0.1", 8001, false}, {"172.29.112.5", 8000, false}, {"wsl-host", 8000, false},
	} {
		p := system.PortProxy{Kind: "v4tov4", ListenAddr: "*", ListenPort: 9000, ConnectAddr: tc.addr, ConnectPort: tc.port}
		if got := pointsToFlowMeter(p, socks, own); got != tc.want {
			t.Errorf("%s/%d: %v, want %v", tc.addr, tc.port, got, tc.want)
		}
	}
}
