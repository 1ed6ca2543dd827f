package netcheck

import (
	"net"
	"net/netip"
	"slices"
	"testing"

	"localguard/netcheck/system"
)

func TestClassifyAddr(t *testing.T) {
	for _, tc := range []struct {
		iface string
		flags net.Flags
		addr  string
		want  AddrKind
	}{
		{"lo", net.FlagLoopback, "127.0.0.1", KindLoopback},
		{"lo", net.FlagLoopback, "::1", KindLoopback},
		{"lo", net.FlagLoopback, "10.9.9.9", KindLoopback}, // an address on lo stays local
		{"eth0", 0, "169.254.10.1", KindLinkLocal},
		{"eth0", 0, "fe80::1", KindLinkLocal},
		{"wg0", 0, "fe80::1", KindLinkLocal},
		{"eth0", 0, "192.168.1.23", KindLAN},
		{"wlan0", 0, "10.0.0.5", KindLAN},
		{"enp3s0", 0, "172.20.1.1", KindLAN},
		{"eth0", 0, "fd00::2", KindLAN},
		{"eth0", 0, "100.101.102.103", KindVPN}, // CGNAT, as Tailscale uses
		{"tailscale0", 0, "fd7a:115c:a1e0::1", KindVPN},
		{"wg0", 0, "10.8.0.2", KindVPN},
		{"tun0", 0, "10.8.0.6", KindVPN},
		{"utun3", 0, "10.8.0.6", KindVPN},
		{"ppp0", 0, "81.2.3.4", KindVPN},
		{"ztabcdef", 0, "10.147.17.3", KindVPN},
		{"myvpn", net.FlagPointToPoint, "10.1.1.1", KindVPN},
		// Names are hints, never the decision: a bridge of guests only is
		// told by GuestsOnly from its members (TestGuestsOnly).
		{"docker0", 0, "172.17.0.1", KindLAN},
		{"br-3f2a", 0, "172.18.0.1", KindLAN},
		{"virbr0", 0, "192.168.122.1", KindLAN},
		{"vEthernet (WSL)", 0, "172.29.0.1", KindLAN},
		{"vboxnet0", 0, "192.168.56.1", KindLAN},
		{"eth0", 0, "81.2.3.4", KindPublic},
		{"eth0", 0, "2001:db8::5", KindPublic},
		{"eth0", 0, "::ffff:192.168.1.5", KindLAN},
	} {
		if got := ClassifyAddr(tc.iface, tc.flags, netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("ClassifyAddr(%s, %s) = %s, want %s", tc.iface, tc.addr, got, tc.want)
		}
	}
}

// TestReachableAddrs: a wildcard reaches every address of its family (both
// families when dual-stack); a specific address its interface, and through
// every other network of its family (the weak host model), but a loopback
// or link-local one only its own.
func TestReachableAddrs(t *testing.T) {
	ifs := []Interface{
		{Name: "lo", Flags: net.FlagLoopback, Addrs: []InterfaceAddr{
			{netip.MustParsePrefix("127.0.0.1/8"), KindLoopback}, {netip.MustParsePrefix("::1/128"), KindLoopback}}},
		{Name: "wlan0", Addrs: []InterfaceAddr{
			{netip.MustParsePrefix("192.168.1.23/24"), KindLAN},
			{netip.MustParsePrefix("fd00::23/64"), KindLAN},
			{netip.MustParsePrefix("fe80::23/64"), KindLinkLocal}}},
		{Name: "tailscale0", Addrs: []InterfaceAddr{{netip.MustParsePrefix("100.64.0.7/32"), KindVPN}}},
	}
	for _, tc := range []struct {
		addr string
		dual bool
		want []string // interface/address
	}{
		{"0.0.0.0", false, []string{"lo/127.0.0.1", "wlan0/192.168.1.23", "tailscale0/100.64.0.7"}},
		{"::", false, []string{"lo/::1", "wlan0/fd00::23", "wlan0/fe80::23%wlan0"}},
		{"::", true, []string{"lo/127.0.0.1", "lo/::1", "wlan0/192.168.1.23", "wlan0/fd00::23", "wlan0/fe80::23%wlan0", "tailscale0/100.64.0.7"}},
		{"127.0.0.1", false, []string{"lo/127.0.0.1"}},
		{"127.0.0.2", false, []string{"lo/127.0.0.2"}},
		{"::1", false, []string{"lo/::1"}},
		{"192.168.1.23", false, []string{"wlan0/192.168.1.23", "tailscale0/192.168.1.23"}},
		{"::ffff:192.168.1.23", false, []string{"wlan0/192.168.1.23", "tailscale0/192.168.1.23"}},
		{"100.64.0.7", false, []string{"tailscale0/100.64.0.7", "wlan0/100.64.0.7"}},
		{"fd00::23", false, []string{"wlan0/fd00::23"}}, // no other IPv6 network
		{"fe80::23", false, []string{"wlan0/fe80::23%wlan0"}},
		{"10.0.0.1", false, nil}, // not an address of this machine
	} {
		var got []string
		for _, r := range ReachableAddrs(system.Socket{Addr: netip.MustParseAddr(tc.addr), Port: 8000, DualStack: tc.dual}, ifs) {
			got = append(got, r.Interface+"/"+r.Addr.String())
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("ReachableAddrs(%s dual=%v) = %v, want %v", tc.addr, tc.dual, got, tc.want)
		}
	}
}

func TestURL(t *testing.T) {
	for _, tc := range []struct{ addr, want string }{
		{"192.168.1.23", "http://192.168.1.23:8000"},
		{"fd00::2", "http://[fd00::2]:8000"},
		{"fe80::1%eth0", "http://[fe80::1%25eth0]:8000"},
		{"::ffff:10.0.0.1", "http://10.0.0.1:8000"},
	} {
		if got := URL(netip.MustParseAddr(tc.addr), 8000); got != tc.want {
			t.Errorf("URL(%s) = %s, want %s", tc.addr, got, tc.want)
		}
	}
}
