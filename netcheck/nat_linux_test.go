package netcheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// natHost is a computer of the test's own (a network namespace, so that
// no NAT rule or sysctl of the host's is touched) with FlowMeter on
// 127.0.0.1, and a neighbour (another namespace) on a veth pair to it.
type natHost struct {
	comp, nb string // the namespaces
	iface    string // the computer's end of the veth pair
	addr     string // the computer's address on it
	port     int    // FlowMeter's, on 127.0.0.1
	env      string // FlowMeter's .env
	bin      string // the test binary, where another user may run it
}

// newNATHost creates both namespaces, the veth pair and FlowMeter.
func newNATHost(t *testing.T) *natHost {
	t.Helper()
	needRoot(t)
	needUvicorn(t)
	for _, tool := range []string{"ip", "nft", "iptables-nft", "iptables-legacy", "iptables-legacy-save", "setpriv"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing(t, "%s is not installed (iproute2, nftables, iptables, util-linux)", tool)
		}
	}
	pid := os.Getpid() % 100000
	h := &natHost{comp: fmt.Sprintf("lg18nat%d", pid), nb: fmt.Sprintf("lg18nb%d", pid), iface: fmt.Sprintf("lgnc%d", pid),
		addr: fmt.Sprintf("10.219.%d.1", pid%200+20), port: freePort(t)}
	peer := fmt.Sprintf("lgnn%d", pid)
	for _, ns := range []string{h.comp, h.nb} {
		t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
		ipRun(t, "netns", "add", ns)
		ipRun(t, "-n", ns, "link", "set", "lo", "up")
	}
	ipRun(t, "-n", h.comp, "link", "add", h.iface, "type", "veth", "peer", "name", peer, "netns", h.nb)
	ipRun(t, "-n", h.comp, "addr", "add", h.addr+"/24", "dev", h.iface)
	ipRun(t, "-n", h.nb, "addr", "add", strings.TrimSuffix(h.addr, ".1")+".2/24", "dev", peer)
	ipRun(t, "-n", h.comp, "link", "set", h.iface, "up")
	ipRun(t, "-n", h.nb, "link", "set", peer, "up")
	backend := checkout(t, fmt.Sprintf("HOST=127.0.0.1\nPORT=%d\n", h.port))
	h.env = filepath.Join(backend, ".env")
	ip, _ := exec.LookPath("ip")
	fm := start(t, backend, ip, childEnv(), "ip", "netns", "exec", h.comp, python, "-m", "app.main")
	for deadline := time.Now().Add(15 * time.Second); !h.reads(h.comp, fmt.Sprintf("127.0.0.1:%d", h.port)); {
		if time.Now().After(deadline) {
			t.Fatalf("FlowMeter did not start in %s: %s", h.comp, fm.out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	h.bin = copyTestBinary(t, filepath.Dir(filepath.Dir(backend)))
	return h
}

// in runs a command in the computer's namespace, failing the test when it
// fails.
func (h *natHost) in(t *testing.T, argv ...string) {
	t.Helper()
	if out, err := exec.Command("ip", append([]string{"netns", "exec", h.comp}, argv...)...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v: %s", strings.Join(argv, " "), err, out)
	}
}

// reads reports whether GET /api/info on hostport, from the namespace ns,
// answers as FlowMeter.
func (h *natHost) reads(ns, hostport string) bool {
	out, err := exec.Command("ip", "netns", "exec", ns, python, "-c",
		"import urllib.request, sys; print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode())",
		"http://"+hostport+"/api/info").CombinedOutput()
	return err == nil && bytes.Contains(out, []byte(`"docs"`))
}

// neighbourReads reports whether the neighbour reads FlowMeter through
// the computer's port 9000.
func (h *natHost) neighbourReads() bool { return h.reads(h.nb, h.addr+":9000") }

// check is Localguard's verdict in the computer's namespace, as root or as
// another user.
func (h *natHost) check(t *testing.T, root bool) Verdict {
	t.Helper()
	argv := []string{"netns", "exec", h.comp}
	if !root {
		argv = append(argv, asUser(scannerUID)...)
	}
	cmd := exec.Command("ip", append(argv, h.bin, "-test.run=^TestHelperProcess$", "--", h.env)...)
	cmd.Env = childEnv("NETCHECK_HELPER=check")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the check failed: %v\n%s", err, stderr.Bytes())
	}
	var v Verdict
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	who := "as root"
	if !root {
		who = fmt.Sprintf("as uid %d", scannerUID)
	}
	t.Logf("check %s: exit %d (%s): %s", who, v.Status.ExitCode(), v.Status, v.Message)
	return v
}

// natRelayOf is the verdict's relay of kind nat, if any.
func natRelayOf(v Verdict) (Relay, bool) {
	for _, r := range v.Relays {
		if r.Kind == RelayNAT {
			return r, true
		}
	}
	return Relay{}, false
}

// TestNATRouteLocalnet (root): a DNAT rule passes the neighbour to
// FlowMeter on 127.0.0.1 when route_localnet is on, first written with
// nft, then with iptables-nft, then with legacy iptables. Judged from the neighbour's side: where the
// neighbour reads /api/info through the rule, check is exposed as root,
// at-risk as another user (who may not read the rules), and the command it
// names removes the path; with route_localnet off the neighbour cannot get
// in and check is safe.
func TestNATRouteLocalnet(t *testing.T) {
	h := newNATHost(t)
	h.in(t, "nft", "add table ip lg18; add chain ip lg18 pre { type nat hook prerouting priority dstnat; }")
	h.in(t, "nft", fmt.Sprintf("add rule ip lg18 pre iifname %s tcp dport 9000 dnat to 127.0.0.1:%d", h.iface, h.port))
	if h.neighbourReads() {
		t.Fatal("the neighbour reads FlowMeter through the rule with route_localnet off")
	}
	if v := h.check(t, true); v.Status != StatusSafe {
		t.Errorf("route_localnet off: %s: %s", v.Status, v.Message)
	}
	h.in(t, "sysctl", "-qw", "net.ipv4.conf."+h.iface+".route_localnet=1")
	checkNATExposed(t, h, "sudo nft delete rule ip lg18 pre handle ")
	checkNATUnread(t, h)
	h.in(t, "nft", "delete table ip lg18")
	if h.neighbourReads() {
		t.Fatal("the neighbour still reads FlowMeter with no rule")
	}
	h.in(t, "iptables-nft", "-t", "nat", "-A", "PREROUTING", "-i", h.iface, "-p", "tcp", "--dport", "9000", "-j", "DNAT", "--to-destination", fmt.Sprintf("127.0.0.1:%d", h.port))
	checkNATExposed(t, h, "sudo iptables-nft -t nat -D PREROUTING 1")
	// Legacy iptables (x_tables, read with iptables-legacy-save).
	h.in(t, "iptables-legacy", "-t", "nat", "-A", "PREROUTING", "-i", h.iface, "-p", "tcp", "--dport", "9000", "-j", "DNAT", "--to-destination", fmt.Sprintf("127.0.0.1:%d", h.port))
	checkNATExposed(t, h, "sudo iptables-legacy -t nat -D PREROUTING 1")
}

// checkNATExposed wants the neighbour in, the verdict exposed by a relay
// of kind nat naming the sysctl and the rule, and the fix (which starts
// with fix) to shut the neighbour out; then puts the rule's path back to
// safe.
func checkNATExposed(t *testing.T, h *natHost, fix string) {
	t.Helper()
	if !h.neighbourReads() {
		t.Fatal("the neighbour cannot read FlowMeter through the DNAT rule with route_localnet on")
	}
	v := h.check(t, true)
	r, ok := natRelayOf(v)
	if v.Status != StatusExposed || !ok || !strings.HasPrefix(r.Fix, fix) || !strings.Contains(v.Message, "net.ipv4.conf."+h.iface+".route_localnet=1") || !strings.Contains(v.Message, "port 9000") {
		t.Fatalf("the neighbour reads FlowMeter through NAT, yet: %s: %s\nrelay %+v", v.Status, v.Message, r)
	}
	if len(r.ExposedOn) != 1 || r.ExposedOn[0].Interface != h.iface || r.ExposedOn[0].URL != "http://"+h.addr+":9000" {
		t.Errorf("exposed_on: %+v", r.ExposedOn)
	}
	words := strings.Fields(strings.TrimPrefix(r.Fix, "sudo "))
	if out, err := exec.Command("ip", append([]string{"netns", "exec", h.comp}, words...)...).CombinedOutput(); err != nil {
		t.Fatalf("the fix %q: %v: %s", r.Fix, err, out)
	}
	if h.neighbourReads() {
		t.Errorf("the neighbour still reads FlowMeter after %s", r.Fix)
	}
	if v := h.check(t, true); v.Status != StatusSafe {
		t.Errorf("after %s: %s: %s", r.Fix, v.Status, v.Message)
	}
	// The rule again, for what follows.
	if strings.HasPrefix(fix, "sudo nft ") {
		h.in(t, "nft", fmt.Sprintf("add rule ip lg18 pre iifname %s tcp dport 9000 dnat to 127.0.0.1:%d", h.iface, h.port))
	}
}

// checkNATUnread: as a user who may not read the NAT rules, while the
// neighbour gets in, the verdict is at-risk and says what it could not
// read.
func checkNATUnread(t *testing.T, h *natHost) {
	t.Helper()
	if !h.neighbourReads() {
		t.Fatal("the neighbour cannot read FlowMeter through the rule")
	}
	v := h.check(t, false)
	if v.Status != StatusAtRisk || !strings.Contains(v.Message, "could not read the NAT rules") || !strings.Contains(v.Message, "net.ipv4.conf."+h.iface+".route_localnet=1") {
		t.Errorf("as another user, the neighbour getting in: %s: %s", v.Status, v.Message)
	}
}

// TestNATToLoopbackProxy (root): the DNAT rule sends the neighbour to a
// proxy on 127.0.0.1 (a 10-line Python forwarder, on no list) that passes
// FlowMeter on: the proxy answers as FlowMeter, so check is exposed; a
// rule to another program on loopback (python -m http.server) is not.
func TestNATToLoopbackProxy(t *testing.T) {
	h := newNATHost(t)
	proxyPort, otherPort := freePort(t), freePort(t)
	ip, _ := exec.LookPath("ip")
	start(t, "/", ip, childEnv(), "ip", "netns", "exec", h.comp, python, "-c", pyForwarder("127.0.0.1", proxyPort, h.port))
	start(t, t.TempDir(), ip, childEnv(), "ip", "netns", "exec", h.comp, python, "-m", "http.server", "--bind", "127.0.0.1", fmt.Sprint(otherPort))
	for deadline := time.Now().Add(10 * time.Second); !h.reads(h.comp, fmt.Sprintf("127.0.0.1:%d", proxyPort)); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the proxy on loopback does not pass FlowMeter on")
		}
	}
	h.in(t, "sysctl", "-qw", "net.ipv4.conf."+h.iface+".route_localnet=1")
	h.in(t, "nft", "add table ip lg18; add chain ip lg18 pre { type nat hook prerouting priority dstnat; }")
	h.in(t, "nft", fmt.Sprintf("add rule ip lg18 pre tcp dport 9001 dnat to 127.0.0.1:%d", otherPort))
	time.Sleep(300 * time.Millisecond) // http.server binds
	if v := h.check(t, true); v.Status != StatusSafe {
		t.Errorf("a rule to python -m http.server on loopback: %s: %s", v.Status, v.Message)
	}
	h.in(t, "nft", fmt.Sprintf("add rule ip lg18 pre tcp dport 9000 dnat to 127.0.0.1:%d", proxyPort))
	if !h.neighbourReads() {
		t.Fatal("the neighbour cannot read FlowMeter through the rule and the proxy")
	}
	v := h.check(t, true)
	r, ok := natRelayOf(v)
	if v.Status != StatusExposed || !ok || !strings.Contains(r.Why, "a program there passes FlowMeter on") || !strings.HasPrefix(r.Fix, "sudo nft delete rule ip lg18 pre handle ") {
		t.Errorf("the neighbour reads FlowMeter through the rule and the proxy, yet: %s: %s\nrelay %+v", v.Status, v.Message, r)
	}
}
