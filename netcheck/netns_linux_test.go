package netcheck

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"

	"localguard/testdata/netns"
)

// lan is a second host on a LAN: a network namespace joined to this
// machine by a veth pair, with IPv4 and IPv6 addresses on both ends.
type lan struct {
	ns     string
	iface  string     // this machine's end
	v4, v6 netip.Addr // this machine's addresses on it
}

// newLAN creates the namespace and the veth pair, and removes them when the
// test ends. Only these addresses are ever connected to.
func newLAN(t *testing.T) lan { t.Helper(); return newLANn(t, 0) }

// newLANn is the i-th of several LANs at once, each with a namespace, a
// veth pair and addresses of its own.
func newLANn(t *testing.T, i int) lan {
	t.Helper()
	needRoot(t)
	ip, err := exec.LookPath("ip")
	if err != nil {
		missing(t, "ip (iproute2) is not installed: no network namespace")
	}
	n := os.Getpid()%200 + 20
	suffix, net := "", 213+i
	if i > 0 {
		suffix = fmt.Sprint("n", i)
	}
	l := lan{
		ns:    fmt.Sprintf("lgtest%d%s", os.Getpid(), suffix),
		iface: fmt.Sprintf("lgh%d%s", os.Getpid(), suffix),
		v4:    netip.MustParseAddr(fmt.Sprintf("10.%d.%d.1", net, n)),
		v6:    netip.MustParseAddr(fmt.Sprintf("fd13:%d:%x::1", net, n)),
	}
	peer := fmt.Sprintf("lgp%d%s", os.Getpid(), suffix)
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(ip, args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	run("netns", "add", l.ns)
	t.Cleanup(func() {
		exec.Command(ip, "netns", "del", l.ns).Run()
		exec.Command(ip, "link", "del", l.iface).Run() // gone with the namespace, normally
	})
	run("link", "add", l.iface, "type", "veth", "peer", "name", peer, "netns", l.ns)
	run("addr", "add", l.v4.String()+"/24", "dev", l.iface)
	run("-6", "addr", "add", l.v6.String()+"/64", "dev", l.iface, "nodad")
	run("link", "set", l.iface, "up")
	run("-n", l.ns, "addr", "add", fmt.Sprintf("10.%d.%d.2/24", net, n), "dev", peer)
	run("-n", l.ns, "-6", "addr", "add", fmt.Sprintf("fd13:%d:%x::2/64", net, n), "dev", peer, "nodad")
	run("-n", l.ns, "link", "set", peer, "up")
	run("-n", l.ns, "link", "set", "lo", "up")
	return l
}

// probeFor is the address a FlowMeter started with HOST=host answers on
// from this machine: loopback, or the LAN's own address it is bound to.
func (l lan) probeFor(host string) netip.Addr {
	switch host {
	case "::":
		return lo6
	case l.v4.String(), l.v6.String():
		return netip.MustParseAddr(host)
	}
	return lo4
}

// connectFromPeer reports whether a TCP connect from inside the namespace
// to addr:port succeeds.
func (l lan) connectFromPeer(t *testing.T, addr netip.Addr, port int) bool {
	t.Helper()
	cmd := exec.Command("ip", "netns", "exec", l.ns, python, "-c",
		"import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()",
		addr.String(), fmt.Sprint(port))
	out, err := cmd.CombinedOutput()
	if err != nil && !strings.Contains(string(out), "Connection refused") && !strings.Contains(string(out), "timed out") && !strings.Contains(string(out), "No route to host") {
		t.Fatalf("connecting from the namespace: %v: %s", err, out)
	}
	return err == nil
}

// TestSecondHostOnLAN runs FlowMeter on each kind of address and checks,
// from a second host on a veth LAN, that a connect to this machine's
// address on that LAN succeeds exactly when the scan says the listener is
// reachable there, and that the scan names the veth interface and address.
func TestSecondHostOnLAN(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	l := newLAN(t)
	py := []string{"python3", "-m", "app.main"}
	for _, tc := range []struct {
		name     string
		argv     []string
		host     string // HOST in .env
		want4    bool   // reachable on the LAN's IPv4 address
		want6    bool
		wantKind AddrKind
	}{
		{"0.0.0.0", py, "0.0.0.0", true, false, KindLAN},
		{"127.0.0.1", py, "127.0.0.1", false, false, ""},
		{"the LAN address", py, l.v4.String(), true, false, KindLAN},
		{"::", py, "::", false, true, KindLAN},
		{"the LAN's IPv6 address", py, l.v6.String(), false, true, KindLAN},
		{"HOST empty: both families", py, "", true, true, KindLAN},
		{":: with uvicorn --reload: dual-stack", []string{"python3", "-m", "uvicorn", "--reload", "--host", "::", "--port", "{port}", "app.main:app"}, "", true, true, KindLAN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := freePort(t)
			backend := checkout(t, fmt.Sprintf("HOST=%s\nPORT=%d\n", tc.host, port))
			c := start(t, backend, python, childEnv(), sub(tc.argv, port, backend)...)
			c.waitFlowMeter(t, l.probeFor(tc.host), port)

			found, err := FindFlowMeter(context.Background(), backend, port)
			if err != nil {
				t.Fatal(err)
			}
			if len(found) == 0 {
				t.Fatal("FlowMeter not found")
			}
			ifs, err := Interfaces()
			if err != nil {
				t.Fatal(err)
			}
			listed := map[netip.Addr]AddrKind{}
			for _, f := range found {
				for _, r := range ReachableAddrs(f.Socket, ifs) {
					if r.Interface == l.iface {
						listed[r.Addr] = r.Kind
					}
				}
			}
			for _, a := range []struct {
				addr netip.Addr
				want bool
			}{{l.v4, tc.want4}, {l.v6, tc.want6}} {
				kind, ok := listed[a.addr]
				if ok != a.want {
					t.Errorf("listed as reachable on %s %v: %v, want %v (found %+v)", l.iface, a.addr, ok, a.want, found)
				}
				if ok && kind != tc.wantKind {
					t.Errorf("%s %v is %s, want %s", l.iface, a.addr, kind, tc.wantKind)
				}
				if got := l.connectFromPeer(t, a.addr, port); got != a.want {
					t.Errorf("a connect from the second host to %v succeeds: %v, want %v", a.addr, got, a.want)
				}
			}
		})
	}
}
