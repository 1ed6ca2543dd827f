package netcheck

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"

	"localguard/netcheck/system"
)

// natIfaces is a laptop on a LAN with Docker's bridge of containers.
var natTestIfaces = append(judgeIfaces[:2:2], Interface{Name: "docker0", Flags: net.FlagUp, Addrs: []InterfaceAddr{{netip.MustParsePrefix("172.17.0.1/16"), KindVirtual}}})

// natRule is nft's `iifname IIF tcp dport DPORT dnat to TO:PORT`, handle 7.
func natRule(iif string, dport uint16, to string, port uint16) system.NATRule {
	return system.NATRule{Source: "nftables", Family: "ip", Table: "fwd", Chain: "pre", Hook: "prerouting", Handle: 7, Position: 1,
		InIface: iif, Proto: "tcp", DPortMin: dport, DPortMax: dport, ToAddr: netip.MustParseAddr(to), ToPortMin: port, ToPortMax: port}
}

// natCase is one row of TestNATJudgement.
type natCase struct {
	name    string
	addr    string // FlowMeter's address, on port 8000
	nat     NATFacts
	want    Status
	wantIn  []string
	relays  int  // nat relays in the verdict
	exposed bool // the first nat relay exposes an untrusted network
	// viaRelay: the rule sends to a program on loopback, not to FlowMeter
	// (the relay's target_port is then unknown, 0).
	viaRelay bool
}

// viteOn is a program on 127.0.0.1:3000 (Vite, say) and what it answered.
func viteOn(id Identity) LoopbackTarget {
	return LoopbackTarget{Socket: system.Socket{Addr: netip.MustParseAddr("127.0.0.1"), Port: 3000, Inode: 3000}, Answer: id}
}

// TestNATJudgement: with route_localnet on, a DNAT rule to FlowMeter on
// loopback is a relay of kind nat on the networks it takes packets from;
// unreadable rules keep the verdict from safe; everything else stays safe.
func TestNATJudgement(t *testing.T) {
	iptables := natRule("", 9000, "127.0.0.1", 8000)
	iptables.Source, iptables.Table, iptables.Chain, iptables.Position = "iptables-nft", "nat", "PREROUTING", 3
	samePort := natRule("wlan0", 0, "127.0.0.1", 0)
	samePort.DPortMin, samePort.DPortMax = 7000, 9000
	mapRule := natRule("", 0, "127.0.0.1", 0)
	mapRule.ToAddr = netip.Addr{}
	for _, tc := range []natCase{
		{name: "route_localnet off", addr: "127.0.0.1", nat: NATFacts{Rules: []system.NATRule{natRule("wlan0", 9000, "127.0.0.1", 8000)}}, want: StatusSafe},
		{name: "route_localnet on, no rule", addr: "127.0.0.1", nat: NATFacts{RouteLocalnet: []string{"wlan0"}}, want: StatusSafe},
		{name: "a DNAT rule on the LAN", addr: "127.0.0.1", nat: NATFacts{RouteLocalnet: []string{"wlan0"}, Rules: []system.NATRule{natRule("wlan0", 9000, "127.0.0.1", 8000)}},
			want: StatusExposed, relays: 1, exposed: true,
			wantIn: []string{"wlan0 (local network, 192.168.1.23)", "net.ipv4.conf.wlan0.route_localnet=1", "table ip fwd, chain pre (handle 7)", "TCP port 9000 arriving on wlan0 to 127.0.0.1:8000", "sudo nft delete rule ip fwd pre handle 7", "sudo sysctl -w net.ipv4.conf.wlan0.route_localnet=0"}},
		{name: "the rule keeps the port", addr: "127.0.0.1", nat: NATFacts{RouteLocalnet: []string{"wlan0"}, Rules: []system.NATRule{samePort}},
			want: StatusExposed, relays: 1, exposed: true, wantIn: []string{"TCP ports 7000 to 9000 arriving on wlan0 to 127.0.0.1 (the same port)"}},
		{name: "iptables-nft, route_localnet on for all", addr: "0.0.0.0", nat: NATFacts{RouteLocalnet: []string{"all"}, Rules: []system.NATRule{iptables}},
			want: StatusExposed, relays: 1, exposed: true, wantIn: []string{"rule 3 of iptables' PREROUTING chain", "sudo iptables-nft -t nat -D PREROUTING 3", "net.ipv4.conf.all.route_localnet=1"}},
		{name: "the rule takes packets from an interface without route_localnet", addr: "127.0.0.1", nat: NATFacts{RouteLocalnet: []string{"wlan0"}, Rules: []system.NATRule{natRule("eth7", 9000, "127.0.0.1", 8000)}}, want: StatusSafe},
		{name: "a rule to another port", addr: "127.0.0.1", nat: NATFacts{RouteLocalnet: []string{"wlan0"}, Rules: []system.NATRule{natRule("wlan0", 9000, "127.0.0.1", 8001)}}, want: StatusSafe},
		{name: "a rule to another loopback address", addr: "127.0.0.2", nat: NATFacts{RouteLocalnet: []string{"wlan0"}, Rules: []system.NATRule{natRule("wlan0", 9000, "127.0.0.1", 8000)}}, want: StatusSafe},
		{name: "a rule to a container", addr: "127.0.0.1", nat: NATFacts{RouteLocalnet: []string{"wlan0"}, Rules: []system.NATRule{natRule("wlan0", 8000, "172.17.0.2", 8000)}}, want: StatusSafe},
		{name: "FlowMeter on IPv6 loopback", addr: "::1", nat: NATFacts{RouteLocalnet: []string{"wlan0"}, Rules: []system.NATRule{natRule("wlan0", 9000, "127.0.0.1", 8000)}}, want: StatusSafe},
		{name: "route_localnet on Docker's bridge only (trusted)", addr: "127.0.0.1", nat: NATFacts{RouteLocalnet: []string{"docker0"}, Rules: []system.NATRule{natRule("docker0", 9000, "127.0.0.1", 8000)}},
			want: StatusSafe, relays: 1},
		{name: "a rule whose destination is a map's", addr: "127.0.0.1", nat: NATFacts{RouteLocalnet: []string{"wlan0"}, Rules: []system.NATRule{mapRule}},
			want: StatusAtRisk, relays: 1, wantIn: []string{"looks up in a map", "sudo nft delete rule ip fwd pre handle 7", "net.ipv4.conf.wlan0.route_localnet=1"}},
		{name: "a rule to a proxy on loopback that passes FlowMeter on", addr: "127.0.0.1", nat: NATFacts{RouteLocalnet: []string{"wlan0"}, Rules: []system.NATRule{natRule("wlan0", 9000, "127.0.0.1", 3000)}, LoopbackRelays: []LoopbackTarget{viteOn(IdentityFlowMeter)}},
			want: StatusExposed, relays: 1, exposed: true, viaRelay: true, wantIn: []string{"to 127.0.0.1:3000: a program there passes FlowMeter on", "sudo nft delete rule ip fwd pre handle 7"}},
		{name: "a rule to a program on loopback that does not answer", addr: "127.0.0.1", nat: NATFacts{RouteLocalnet: []string{"wlan0"}, Rules: []system.NATRule{natRule("wlan0", 9000, "127.0.0.1", 3000)}, LoopbackRelays: []LoopbackTarget{viteOn(IdentityUnknown)}},
			want: StatusAtRisk, relays: 1, viaRelay: true, wantIn: []string{"did not answer in time"}},
		{name: "a rule to another program on loopback", addr: "127.0.0.1", nat: NATFacts{RouteLocalnet: []string{"wlan0"}, Rules: []system.NATRule{natRule("wlan0", 9000, "127.0.0.1", 3000)}, LoopbackRelays: []LoopbackTarget{viteOn(IdentityOther)}},
			want: StatusSafe},
		{name: "the rules cannot be read", addr: "127.0.0.1", nat: NATFacts{RouteLocalnet: []string{"wlan0"}, RulesErr: fmt.Errorf("%w (nftables: operation not permitted)", system.ErrNATUnreadable)},
			want: StatusAtRisk, relays: 1, wantIn: []string{"net.ipv4.conf.wlan0.route_localnet=1", "could not read the NAT rules", "root only", "sudo localguard check", "sudo sysctl -w net.ipv4.conf.wlan0.route_localnet=0"}},
	} {
		t.Run(tc.name, func(t *testing.T) { runNATCase(t, tc) })
	}
}

// runNATCase judges one row and checks the verdict.
func runNATCase(t *testing.T, tc natCase) {
	lf := fm(tc.addr, 8000, StartUvicorn, "uvicorn app.main:app --port 8000", backendA, "")
	v := Judge(Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{lf}, Interfaces: natTestIfaces, NAT: tc.nat})
	if v.Status != tc.want {
		t.Errorf("status %s, want %s: %s", v.Status, tc.want, v.Message)
	}
	nat := natRelays(v)
	if len(nat) != tc.relays {
		t.Fatalf("%d nat relays, want %d: %+v", len(nat), tc.relays, v.Relays)
	}
	if tc.exposed && (nat[0].ExposedOn[0].Trusted || nat[0].Unchecked) {
		t.Errorf("the nat relay exposes nothing: %+v", nat[0])
	}
	text := v.Message + " " + v.Advice
	for _, r := range nat {
		text += " " + r.Why + " " + r.Fix + " " + r.Advice
		if r.TargetPort != 8000 && !tc.viaRelay || len(r.ExposedOn) == 0 {
			t.Errorf("nat relay %+v", r)
		}
	}
	for _, s := range tc.wantIn {
		if !strings.Contains(text, s) {
			t.Errorf("%q not said: %s", s, text)
		}
	}
}

// natRelays are a verdict's relays of kind nat.
func natRelays(v Verdict) []Relay {
	var out []Relay
	for _, r := range v.Relays {
		if r.Kind == RelayNAT {
			out = append(out, r)
		}
	}
	return out
}
