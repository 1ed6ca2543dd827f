package system

import (
	"net"
	"net/netip"
	"os/exec"
	"sync"
	"testing"

	"localguard/testdata/netns"
)

// TestLocalAddr asks the kernel about loopback, an address of this
// namespace (on a veth pair the test makes, as root), and addresses of no
// interface, and compares with the interfaces' addresses.
func TestLocalAddr(t *testing.T) {
	if netns.Own(t) {
		return
	}
	own := netip.MustParseAddr("10.231.0.1")
	if err := exec.Command("sh", "-c", "ip link add lgla0 type veth peer name lgla1 && ip addr add 10.231.0.1/24 dev lgla0 && ip link set lgla0 up").Run(); err != nil {
		t.Logf("no veth pair (%v): only loopback and foreign addresses", err)
		own = netip.Addr{}
	} else {
		defer exec.Command("ip", "link", "del", "lgla0").Run()
	}
	cases := []struct {
		addr  netip.Addr
		local bool
	}{
		{netip.MustParseAddr("127.0.0.1"), true},
		{netip.MustParseAddr("127.0.0.53"), true},
		{own, true},
		{netip.MustParseAddr("10.231.0.2"), false}, // on the link, not this computer's
		{netip.MustParseAddr("192.0.2.77"), false},
		{netip.MustParseAddr("8.8.8.8"), false},
		{netip.MustParseAddr("2001:db8::1"), false},
	}
	for _, tc := range cases {
		if !tc.addr.IsValid() {
			continue
		}
		local, known := LocalAddr(tc.addr)
		if !known || local != tc.local {
			t.Errorf("LocalAddr(%s) = %v, %v; want %v, true", tc.addr, local, known, tc.local)
		}
		if !tc.addr.IsLoopback() && local != inInterfaces(t, tc.addr) {
			t.Errorf("LocalAddr(%s) = %v, but the interfaces say otherwise", tc.addr, local)
		}
	}
	// Asked from many goroutines at once, as a check's probes connect, on
	// the one socket kept: each gets its own address's answer.
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 40 {
				tc := cases[(g+i)%len(cases)]
				if !tc.addr.IsValid() {
					continue
				}
				if local, known := LocalAddr(tc.addr); !known || local != tc.local {
					t.Errorf("at once: LocalAddr(%s) = %v, %v; want %v, true", tc.addr, local, known, tc.local)
				}
			}
		})
	}
	wg.Wait()
}

// inInterfaces reports whether a is an address of one of the interfaces.
func inInterfaces(t *testing.T, a netip.Addr) bool {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, ia := range addrs {
		if ipn, ok := ia.(*net.IPNet); ok {
			if b, ok := netip.AddrFromSlice(ipn.IP); ok && b.Unmap() == a {
				return true
			}
		}
	}
	return false
}
