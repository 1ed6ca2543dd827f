package netcheck

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// guestNet is a bridge of this test's own with its address.
type guestNet struct {
	bridge string
	addr   netip.Addr
}

// ipRun runs ip with args, failing the test when it fails.
func ipRun(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// newBridge creates a bridge with an address; removed when the test ends.
func newBridge(t *testing.T, name, cidr string) guestNet {
	t.Helper()
	t.Cleanup(func() { exec.Command("ip", "link", "del", name).Run() })
	ipRun(t, "link", "add", name, "type", "bridge")
	ipRun(t, "addr", "add", cidr, "dev", name)
	ipRun(t, "link", "set", name, "up")
	return guestNet{bridge: name, addr: netip.MustParsePrefix(cidr).Addr()}
}

// addContainer joins a network namespace (a container) to the bridge by
// a veth pair, as Docker does: the host end is a member of the bridge.
func addContainer(t *testing.T, g guestNet, ns, hostEnd, cidr string) {
	t.Helper()
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	ipRun(t, "netns", "add", ns)
	ipRun(t, "link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", ns)
	ipRun(t, "link", "set", hostEnd, "master", g.bridge)
	ipRun(t, "link", "set", hostEnd, "up")
	ipRun(t, "-n", ns, "addr", "add", cidr, "dev", "eth0")
	ipRun(t, "-n", ns, "link", "set", "eth0", "up")
	ipRun(t, "-n", ns, "link", "set", "lo", "up")
}

// kindOn is the kind Interfaces gives the address a on iface.
func kindOn(t *testing.T, iface string, a netip.Addr) AddrKind {
	t.Helper()
	ifs, err := Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range ifs {
		for _, ia := range it.Addrs {
			if it.Name == iface && ia.Prefix.Addr() == a {
				return ia.Kind
			}
		}
	}
	t.Fatalf("%s has no address %s", iface, a)
	return ""
}

// TestGuestBridges (root): real bridges in this test's network namespace,
// told apart by their members. A bridge with a container's veth (the
// container, a namespace of the test's own, reads FlowMeter's /api/info
// through it) and an empty bridge are "containers and virtual machines on
// this computer", trusted; a bridge with a vxlan member — a virtual
// device too (it is under /sys/devices/virtual/net) but one that carries
// the bridge's frames to other hosts — is the network it joins (a LAN
// here). No network card can be made in a namespace, so the vxlan stands
// for a member that leads beyond this computer. Names are chosen to look
// like Docker's, so that they cannot be what decides.
func TestGuestBridges(t *testing.T) {
	needRoot(t)
	needUvicorn(t)
	pid := os.Getpid() % 100000
	n := pid%200 + 20
	docker := newBridge(t, fmt.Sprintf("br-lg%d", pid), fmt.Sprintf("10.216.%d.1/24", n))
	addContainer(t, docker, fmt.Sprintf("lg18c%d", pid), fmt.Sprintf("lgv%d", pid), fmt.Sprintf("10.216.%d.2/24", n))
	empty := newBridge(t, fmt.Sprintf("docker%d", pid), fmt.Sprintf("10.217.%d.1/24", n))
	joined := newBridge(t, fmt.Sprintf("virbr%d", pid), fmt.Sprintf("10.218.%d.1/24", n))
	vx := fmt.Sprintf("lgx%d", pid)
	t.Cleanup(func() { exec.Command("ip", "link", "del", vx).Run() })
	ipRun(t, "link", "add", vx, "type", "vxlan", "id", "42", "dstport", "4789")
	ipRun(t, "link", "set", vx, "master", joined.bridge)

	for _, tc := range []struct {
		g    guestNet
		want AddrKind
	}{{docker, KindVirtual}, {empty, KindVirtual}, {joined, KindLAN}} {
		if got := kindOn(t, tc.g.bridge, tc.g.addr); got != tc.want {
			t.Errorf("%s: kind %s, want %s", tc.g.bridge, got, tc.want)
		}
	}
	checkGuestVerdict(t, docker, joined, fmt.Sprintf("lg18c%d", pid))
}

// checkGuestVerdict runs FlowMeter on every address and judges it: the
// container reads /api/info through its bridge; that bridge is trusted and
// named as this computer's containers; the vxlan bridge is not; untrusting
// the guests' bridge makes it count like any network.
func checkGuestVerdict(t *testing.T, docker, joined guestNet, ns string) {
	t.Helper()
	backend := startGuestsFlowMeter(t, docker, ns)
	store, err := OpenStore(filepath.Join(t.TempDir(), "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	c := &Checker{EnvPath: filepath.Join(backend, ".env"), Environ: childEnv(), Store: store}
	v := c.Check(context.Background())
	t.Logf("check: %s (exit %d): %s", v.Status, v.Status.ExitCode(), v.Message)
	checkGuestsTrusted(t, v, store, docker, joined)
	if err := store.SetTrusted(docker.bridge, docker.addr, false); err != nil {
		t.Fatal(err)
	}
	v = c.Check(context.Background())
	if e, _ := exposureOn(v, docker.bridge); e.Trusted || v.Status != StatusExposed || !strings.Contains(v.Message, docker.bridge) {
		t.Errorf("after untrusting %s: %+v: %s: %s", docker.bridge, e, v.Status, v.Message)
	}
	reopened, err := OpenStore(store.path)
	if err != nil || len(reopened.Untrusted) != 1 || reopened.Untrusted[0].Interface != docker.bridge {
		t.Errorf("the untrusted guests' network is not remembered: %+v, %v", reopened, err)
	}
}

// startGuestsFlowMeter starts FlowMeter on 0.0.0.0 and wants the
// container (namespace ns) to read its /api/info through the bridge; it
// returns the backend.
func startGuestsFlowMeter(t *testing.T, docker guestNet, ns string) string {
	t.Helper()
	port := freePort(t)
	backend := checkout(t, fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\n", port))
	fm := start(t, backend, "", childEnv(), python, "-m", "app.main")
	fm.waitFlowMeter(t, docker.addr, port)
	out, err := exec.Command("ip", "netns", "exec", ns, python, "-c",
		"import urllib.request, sys; print(urllib.request.urlopen(sys.argv[1], timeout=3).read().decode())",
		fmt.Sprintf("http://%s:%d/api/info", docker.addr, port)).CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"docs"`) {
		t.Fatalf("the container cannot read /api/info through %s: %v: %s", docker.bridge, err, out)
	}
	return backend
}

// checkGuestsTrusted wants the guests' bridge trusted, virtual, out of
// the message and in the settings' list, and the vxlan bridge an
// untrusted LAN in the message.
func checkGuestsTrusted(t *testing.T, v Verdict, store *Store, docker, joined guestNet) {
	t.Helper()
	e, ok := exposureOn(v, docker.bridge)
	if !ok || e.Kind != KindVirtual || !e.Trusted {
		t.Fatalf("%s: %+v (found %v), want a trusted virtual network: %s", docker.bridge, e, ok, v.Message)
	}
	if strings.Contains(v.Message, docker.bridge) {
		t.Errorf("the message names the guests' bridge as a network that reaches FlowMeter: %s", v.Message)
	}
	if e, ok := exposureOn(v, joined.bridge); !ok || e.Kind != KindLAN || e.Trusted || !strings.Contains(v.Message, joined.bridge) {
		t.Errorf("%s: %+v (found %v), want an untrusted LAN in the message: %s", joined.bridge, e, ok, v.Message)
	}
	if !strings.Contains(strings.Join(trustedNames(store), "; "), docker.bridge) {
		t.Errorf("the settings' list lacks %s: %v", docker.bridge, trustedNames(store))
	}
}

// exposureOn is the first listener's exposure on iface.
func exposureOn(v Verdict, iface string) (Exposure, bool) {
	for _, l := range v.Listeners {
		for _, e := range l.ExposedOn {
			if e.Interface == iface {
				return e, true
			}
		}
	}
	return Exposure{}, false
}

// trustedNames are the networks the settings list, for people.
func trustedNames(s *Store) []string {
	var out []string
	ifaces, _ := Interfaces()
	for _, n := range s.TrustedNetworks(ifaces) {
		out = append(out, n.Interface+" "+n.Name)
	}
	return out
}
