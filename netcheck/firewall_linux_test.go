package netcheck

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"

	"localguard/netcheck/firewall"
)

// The host firewall, judged from the neighbour's side: FlowMeter on
// 0.0.0.0, two networks (veth pairs to two neighbour namespaces), and
// nftables rules (native, then through iptables-nft) in a network namespace
// of the test's own, never the host's. Whenever a neighbour reads
// /api/info the verdict says exposed on that network; a network the rules
// keep out is "blocked" and not an exposure now; no verdict is ever safe.

// inOwnNetns runs the test again in a network namespace of its own (made
// by unshare for it alone, whatever namespace it runs in now: the host's
// cannot always be told, as /proc/1/ns may not be readable), and reports
// whether the caller is that run. The outer run passes or fails with the
// inner one. The inner run checks that its namespace is new and empty
// (loopback only) before any rule is written.
func inOwnNetns(t *testing.T) bool {
	t.Helper()
	needRoot(t)
	self, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	if parent := os.Getenv("LG20_PARENT_NETNS"); parent != "" {
		if parent == self {
			t.Fatal("still in the parent's network namespace after unshare: no rule is written")
		}
		ifs, err := net.Interfaces()
		if err != nil || len(ifs) != 1 || ifs[0].Flags&net.FlagLoopback == 0 {
			t.Fatalf("the test's own network namespace is not empty (%v, %v): no rule is written", ifs, err)
		}
		if out, err := exec.Command("ip", "link", "set", "lo", "up").CombinedOutput(); err != nil {
			t.Fatalf("ip link set lo up: %v: %s", err, out)
		}
		return true
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		missing(t, "unshare (util-linux) is not installed: no network namespace of the test's own")
	}
	cmd := exec.Command(unshare, "--net", "--", os.Args[0], "-test.run", "^"+t.Name()+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "LG20_PARENT_NETNS="+self)
	out, err := cmd.CombinedOutput()
	t.Logf("in a network namespace of its own:\n%s", out)
	if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("the test in its own network namespace: %v", err)
	}
	return false
}

// shell runs a command, failing the test with its output.
func shell(t *testing.T, stdin string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
}

// fwCase is one set of rules and what each neighbour must see.
type fwCase struct {
	name string
	// rules returns the commands that set the rules: an nft script, or
	// iptables-nft argument lists.
	nft      func(a, b lan, port int) string
	iptables func(a, b lan, port int) [][]string
	// readsA, readsB: whether each neighbour reads FlowMeter; wantA, wantB
	// the firewall's decision for each network.
	readsA, readsB bool
	wantA, wantB   firewall.Decision
}

func nftCases() []fwCase {
	return []fwCase{
		{name: "nftables drops the port on both networks", nft: func(a, b lan, port int) string {
			return fmt.Sprintf(`table inet lg20 {
	chain input {
		type filter hook input priority filter; policy accept;
		ct state established,related accept
		iifname "lo" accept
		iifname { "%s", "%s" } tcp dport { 22, %d } drop comment "no FlowMeter from the LANs"
	}
}`, a.iface, b.iface, port)
		}, wantA: firewall.Blocked, wantB: firewall.Blocked},
		{name: "nftables rejects the port on one network only", nft: func(a, b lan, port int) string {
			return fmt.Sprintf(`table ip lg20 {
	chain input {
		type filter hook input priority 0; policy accept;
		iifname "%s" jump lan
	}
	chain lan {
		tcp dport %d-%d reject with tcp reset
	}
}`, a.iface, port, port+1)
		}, readsB: true, wantA: firewall.Blocked, wantB: firewall.Allowed},
		{name: "nftables drops another port only", nft: func(a, b lan, port int) string {
			return fmt.Sprintf("table inet lg20 {\n chain input {\n  type filter hook input priority 0; policy accept;\n  tcp dport %d drop\n }\n}", port+7)
		}, readsA: true, readsB: true, wantA: firewall.Allowed, wantB: firewall.Allowed},
		{name: "nftables drops by default and accepts the port explicitly", nft: func(a, b lan, port int) string {
			return fmt.Sprintf(`table inet lg20 {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state vmap { established : accept, related : accept, invalid : drop }
		iif "lo" accept
		tcp dport %d accept
	}
}`, port)
		}, readsA: true, readsB: true, wantA: firewall.Allowed, wantB: firewall.Allowed},
		{name: "nftables drops only some neighbours (by address): unknown, so exposed", nft: func(a, b lan, port int) string {
			return fmt.Sprintf("table ip lg20 {\n chain input {\n  type filter hook input priority 0;\n  ip saddr 192.0.2.0/24 tcp dport %d drop\n }\n}", port)
		}, readsA: true, readsB: true, wantA: firewall.Unknown, wantB: firewall.Unknown},
	}
}

func iptablesCases() []fwCase {
	return []fwCase{
		{name: "iptables-nft drops the port on both networks", iptables: func(a, b lan, port int) [][]string {
			return [][]string{
				{"-A", "INPUT", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"},
				{"-A", "INPUT", "-p", "tcp", "--dport", fmt.Sprint(port), "-j", "DROP"},
			}
		}, wantA: firewall.Blocked, wantB: firewall.Blocked},
		{name: "iptables-nft drops what is addressed to a local address (addrtype, as ufw's and Docker's rules match)", iptables: func(a, b lan, port int) [][]string {
			return [][]string{{"-A", "INPUT", "-m", "addrtype", "--dst-type", "LOCAL", "-p", "tcp", "--dport", fmt.Sprint(port), "-j", "DROP"}}
		}, wantA: firewall.Blocked, wantB: firewall.Blocked},
		{name: "iptables-nft rejects the port on one network only", iptables: func(a, b lan, port int) [][]string {
			return [][]string{{"-A", "INPUT", "-i", b.iface, "-p", "tcp", "--dport", fmt.Sprint(port), "-j", "REJECT", "--reject-with", "tcp-reset"}}
		}, readsA: true, wantA: firewall.Allowed, wantB: firewall.Blocked},
		{name: "iptables-nft drops another port only", iptables: func(a, b lan, port int) [][]string {
			return [][]string{{"-A", "INPUT", "-p", "tcp", "--dport", fmt.Sprint(port + 7), "-j", "DROP"}}
		}, readsA: true, readsB: true, wantA: firewall.Allowed, wantB: firewall.Allowed},
		{name: "iptables-nft's policy drops, the port accepted explicitly", iptables: func(a, b lan, port int) [][]string {
			return [][]string{
				{"-A", "INPUT", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"},
				{"-A", "INPUT", "-i", "lo", "-j", "ACCEPT"},
				{"-A", "INPUT", "-p", "tcp", "--dport", fmt.Sprint(port), "-j", "ACCEPT"},
				{"-P", "INPUT", "DROP"},
			}
		}, readsA: true, readsB: true, wantA: firewall.Allowed, wantB: firewall.Allowed},
		{name: "iptables-nft drops through a match Localguard does not evaluate: unknown, so exposed", iptables: func(a, b lan, port int) [][]string {
			return [][]string{{"-A", "INPUT", "-p", "tcp", "--dport", fmt.Sprint(port), "-m", "recent", "--rcheck", "--name", "lg20", "-j", "DROP"}}
		}, readsA: true, readsB: true, wantA: firewall.Unknown, wantB: firewall.Unknown},
	}
}

func TestFirewallNeighbourSide(t *testing.T) {
	needUvicorn(t)
	if !inOwnNetns(t) {
		return
	}
	for _, tool := range []string{"nft", "iptables-nft"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing(t, "%s is not installed (Debian's nftables and iptables)", tool)
		}
	}
	a, b := newLAN(t), newLANn(t, 1)
	port := freePort(t)
	backend := checkout(t, fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\n", port))
	c := start(t, backend, python, childEnv(), "python3", "-m", "app.main")
	c.waitFlowMeter(t, lo4, port)
	t.Cleanup(func() { exec.Command("nft", "flush", "ruleset").Run() })
	envPath := backend + "/.env"
	for _, tc := range append(nftCases(), iptablesCases()...) {
		t.Run(tc.name, func(t *testing.T) {
			shell(t, "", "nft", "flush", "ruleset")
			if tc.nft != nil {
				shell(t, tc.nft(a, b, port), "nft", "-f", "-")
			}
			if tc.iptables != nil {
				for _, args := range tc.iptables(a, b, port) {
					shell(t, "", "iptables-nft", args...)
				}
			}
			checkFirewallCase(t, tc, a, b, port, envPath, int32(c.cmd.Process.Pid))
		})
	}
}

// checkFirewallCase asserts what each neighbour reads, the firewall's
// decision for each network, and the verdict.
func checkFirewallCase(t *testing.T, tc fwCase, a, b lan, port int, envPath string, pid int32) {
	t.Helper()
	neighbourReads(t, a, port, tc.readsA)
	neighbourReads(t, b, port, tc.readsB)
	v := judgeAsUser(t, envPath)
	t.Logf("%s: %s", v.Status, v.Message)
	if v.Status == StatusSafe {
		t.Fatalf("a firewall made the verdict safe: %s", v.Message)
	}
	l := byPID(t, v, pid)
	wantDecision(t, l, a, tc.wantA)
	wantDecision(t, l, b, tc.wantB)
	switch {
	case tc.readsA || tc.readsB:
		if v.Status != StatusExposed {
			t.Fatalf("a neighbour reads FlowMeter, yet the verdict is %s", v.Status)
		}
		reached := strings.SplitN(v.Message, ". ", 2)[0]
		for _, n := range []struct {
			l     lan
			reads bool
		}{{a, tc.readsA}, {b, tc.readsB}} {
			if strings.Contains(reached, n.l.iface+" ") != n.reads {
				t.Errorf("the message names %s as reachable: %v, want %v: %q", n.l.iface, !n.reads, n.reads, reached)
			}
		}
	default:
		if v.Status != StatusAtRisk || !strings.Contains(v.Message, "keeps others out") || !strings.Contains(v.Message, "Make it local-only") {
			t.Fatalf("every network kept out: want at-risk saying so, got %s: %s", v.Status, v.Message)
		}
		if v.Fix == "" {
			t.Error("at-risk behind the firewall, and no fix offered")
		}
	}
}

// wantDecision asserts the firewall's decision on the network of n.
func wantDecision(t *testing.T, l Listener, n lan, want firewall.Decision) {
	t.Helper()
	for _, e := range l.ExposedOn {
		if e.Interface != n.iface || e.Address != n.v4.String() {
			continue
		}
		if e.Firewall == nil || e.Firewall.Decision != want {
			t.Errorf("on %s: firewall %+v, want %s", n.iface, e.Firewall, want)
		}
		if want == firewall.Blocked && e.Firewall != nil && (e.Firewall.By != "nftables" && e.Firewall.By != "firewalld" || e.Firewall.Rule == "") {
			t.Errorf("on %s: blocked, but by %q rule %q", n.iface, e.Firewall.By, e.Firewall.Rule)
		}
		return
	}
	t.Errorf("no exposure on %s (%v): %+v", n.iface, n.v4, l.ExposedOn)
}

// neighbourReads asserts whether the neighbour on n reads FlowMeter's
// /api/info; one that must not is given a connect of 2 s (a drop makes it
// wait), as a patient neighbour's read would fail the same way.
func neighbourReads(t *testing.T, n lan, port int, want bool) {
	t.Helper()
	got := false
	if want {
		got = n.reads(t, n.v4, port)
	} else {
		got = n.connectFromPeer(t, n.v4, port)
	}
	if got != want {
		t.Fatalf("the neighbour on %s reaches FlowMeter: %v, want %v", n.iface, got, want)
	}
}

// TestFirewallReadOnChange: the rules are read once while nothing
// changes, and again when the ruleset (its generation) or the networks
// change; in a network namespace of the test's own.
func TestFirewallReadOnChange(t *testing.T) {
	if !inOwnNetns(t) {
		return
	}
	if _, err := exec.LookPath("nft"); err != nil {
		missing(t, "nft is not installed (Debian's nftables)")
	}
	var r firewall.Reader
	names := []string{"lo"}
	for range 5 {
		r.Snapshot(names)
	}
	if r.Reads != 1 {
		t.Fatalf("%d reads while nothing changed, want 1", r.Reads)
	}
	shell(t, "table inet lg20 {\n chain input {\n  type filter hook input priority 0;\n  tcp dport 1 drop\n }\n}\n", "nft", "-f", "-")
	r.Snapshot(names)
	r.Snapshot(names)
	if r.Reads != 2 {
		t.Fatalf("%d reads after one change of the rules, want 2", r.Reads)
	}
	r.Snapshot(append(names, "lgh0"))
	if r.Reads != 3 {
		t.Fatalf("%d reads after the networks changed, want 3", r.Reads)
	}
	shell(t, "", "nft", "flush", "ruleset")
}

// TestNftablesRuleKinds reads rulesets of every kind Localguard evaluates
// from the kernel (in a network namespace of the test's own) and asks about
// a neighbour's connection to port 8000 on "lgq0": IPv4 and IPv6, jumps,
// gotos and returns, interval sets, verdict maps, policies, a queue.
func TestNftablesRuleKinds(t *testing.T) {
	if !inOwnNetns(t) {
		return
	}
	if _, err := exec.LookPath("nft"); err != nil {
		missing(t, "nft is not installed (Debian's nftables)")
	}
	v4 := firewall.Query{Interface: "lgq0", Local: netip.MustParseAddr("10.9.0.1"), Port: 8000}
	v6 := firewall.Query{Interface: "lgq0", Local: netip.MustParseAddr("fd09::1"), Port: 8000}
	for _, tc := range []struct {
		name, rules string
		q           firewall.Query
		want        firewall.Decision
	}{
		{"an ip table does not filter IPv6", "table ip t {\n chain c {\n  type filter hook input priority 0;\n  tcp dport 8000 drop\n }\n}", v6, firewall.Allowed},
		{"an ip6 table drops IPv6", "table ip6 t {\n chain c {\n  type filter hook input priority 0;\n  tcp dport 8000 drop\n }\n}", v6, firewall.Blocked},
		{"the destination address", "table inet t {\n chain c {\n  type filter hook input priority 0;\n  ip6 daddr fd09::/64 tcp dport 8000 drop\n }\n}", v6, firewall.Blocked},
		{"another destination address", "table inet t {\n chain c {\n  type filter hook input priority 0;\n  ip daddr 10.8.0.1 drop\n }\n}", v4, firewall.Allowed},
		{"a jump to a chain that returns, then a drop", "table inet t {\n chain c {\n  type filter hook input priority 0;\n  jump d\n  tcp dport 8000 drop\n }\n chain d {\n  tcp dport 8000 return\n  accept\n }\n}", v4, firewall.Blocked},
		{"a jump to a chain that accepts", "table inet t {\n chain c {\n  type filter hook input priority 0;\n  jump d\n  drop\n }\n chain d {\n  tcp dport 7000-9000 accept\n }\n}", v4, firewall.Allowed},
		{"a goto whose chain falls off its end takes the policy", "table inet t {\n chain c {\n  type filter hook input priority 0; policy drop;\n  goto d\n  accept\n }\n chain d {\n  tcp dport 22 accept\n }\n}", v4, firewall.Blocked},
		{"an interval set of ports", "table inet t {\n set s {\n  type inet_service; flags interval;\n  elements = { 1-1023, 7990-8010 }\n }\n chain c {\n  type filter hook input priority 0;\n  tcp dport @s drop\n }\n}", v4, firewall.Blocked},
		{"an interval set without the port", "table inet t {\n set s {\n  type inet_service; flags interval;\n  elements = { 1-1023, 8001-8010 }\n }\n chain c {\n  type filter hook input priority 0;\n  tcp dport @s drop\n }\n}", v4, firewall.Allowed},
		{"a verdict map on the interface (firewalld's way)", "table inet t {\n chain c {\n  type filter hook input priority 0;\n  iifname vmap { \"lgq0\" : jump zone, \"other\" : accept }\n }\n chain zone {\n  tcp dport 22 accept\n  reject\n }\n}", v4, firewall.Blocked},
		{"a prerouting drop", "table ip t {\n chain c {\n  type filter hook prerouting priority -150;\n  iifname \"lgq0\" drop\n }\n}", v4, firewall.Blocked},
		{"an expression Localguard does not evaluate (numgen): unknown", "table inet t {\n chain c {\n  type filter hook input priority 0; policy drop;\n  tcp dport 8000 numgen random mod 2 vmap { 0 : accept, 1 : drop }\n }\n}", v4, firewall.Unknown},
		{"ct state's verdict map: a new connection is not established", "table inet t {\n chain c {\n  type filter hook input priority 0; policy drop;\n  ct state vmap { established : accept, related : accept, invalid : drop }\n }\n}", v4, firewall.Blocked},
		{"a rule on the source port: may drop", "table inet t {\n chain c {\n  type filter hook input priority 0;\n  tcp sport 1024-65535 drop\n }\n}", v4, firewall.Unknown},
		{"an output chain changes nothing inbound", "table inet t {\n chain c {\n  type filter hook output priority 0;\n  drop\n }\n}", v4, firewall.Allowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shell(t, "", "nft", "flush", "ruleset")
			shell(t, tc.rules, "nft", "-f", "-")
			var r firewall.Reader
			got := firewall.Decide(r.Snapshot([]string{"lgq0"}), tc.q)
			if got.Decision != tc.want || got.By == "" || got.Rule == "" {
				t.Fatalf("%+v, want %s", got, tc.want)
			}
			if got.Decision == firewall.Blocked && tc.q.Published {
				t.Fatal("a published port blocked")
			}
		})
	}
	// The rule that decides is named as nft -a lists it, with its comment.
	shell(t, "", "nft", "flush", "ruleset")
	shell(t, "table inet t {\n chain c {\n  type filter hook input priority 0;\n  tcp dport 8000 drop comment \"lg20 says no\"\n }\n}\n", "nft", "-f", "-")
	var r firewall.Reader
	if got := firewall.Decide(r.Snapshot([]string{"lgq0"}), v4); !strings.Contains(got.Rule, `table inet t, chain c, rule handle`) || !strings.Contains(got.Rule, `"lg20 says no"`) {
		t.Errorf("the rule named: %q", got.Rule)
	}
	shell(t, "", "nft", "flush", "ruleset")
}

// TestFirewallRelay: FlowMeter on 127.0.0.1, socat passing it on from
// every interface; nftables drops socat's port on one network, then on
// both. The relay's own port is what the firewall is asked about.
func TestFirewallRelay(t *testing.T) {
	needUvicorn(t)
	if !inOwnNetns(t) {
		return
	}
	socat := needProgram(t, "socat", "socat")
	a, b := newLAN(t), newLANn(t, 1)
	env, port := flowMeterOnLoopback(t)
	rp := freePort(t)
	s := start(t, "/", socat, childEnv(), "socat", fmt.Sprintf("TCP-LISTEN:%d,fork,reuseaddr", rp), fmt.Sprintf("TCP:127.0.0.1:%d", port))
	s.waitListening(t, rp, any4)
	t.Cleanup(func() { exec.Command("nft", "flush", "ruleset").Run() })
	rule := func(ifaces string) string {
		return fmt.Sprintf("table inet lg20 {\n chain input {\n  type filter hook input priority 0;\n  iifname { %s } tcp dport %d drop\n }\n}\n", ifaces, rp)
	}
	for _, tc := range []struct {
		name           string
		ifaces         string
		readsA, readsB bool
		want           Status
	}{
		{"socat's port dropped on one network", fmt.Sprintf("%q", a.iface), false, true, StatusExposed},
		{"socat's port dropped on both", fmt.Sprintf("%q, %q", a.iface, b.iface), false, false, StatusAtRisk},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shell(t, "", "nft", "flush", "ruleset")
			shell(t, rule(tc.ifaces), "nft", "-f", "-")
			neighbourReads(t, a, rp, tc.readsA)
			neighbourReads(t, b, rp, tc.readsB)
			v := judgeAsUser(t, env)
			t.Logf("%s: %s", v.Status, v.Message)
			if v.Status != tc.want {
				t.Fatalf("status %s, want %s\n%s", v.Status, tc.want, relaysOf(v))
			}
			r := relayOn(v, rp)
			if r == nil {
				t.Fatalf("socat not found: %s", relaysOf(v))
			}
			for _, e := range r.ExposedOn {
				blocked := e.Interface == a.iface || e.Interface == b.iface && !tc.readsB
				if e.Blocked() != blocked {
					t.Errorf("%s: firewall %+v, blocked want %v", e.Interface, e.Firewall, blocked)
				}
			}
		})
	}
}
