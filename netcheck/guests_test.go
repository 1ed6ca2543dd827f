package netcheck

import (
	"net/netip"
	"testing"

	"localguard/netcheck/system"
)

// TestGuestsOnly: a network is this computer's guests' only by what its
// interface is made of, whatever its name.
func TestGuestsOnly(t *testing.T) {
	veth := system.LinkMember{Name: "veth1a2b", Kind: "veth"}
	tap := system.LinkMember{Name: "vnet0", Kind: "tun"}
	nic := system.LinkMember{Name: "eth0", Hardware: true}
	vxlan := system.LinkMember{Name: "vx0", Kind: "vxlan"}
	gw := &system.Gateway{Addr: netip.MustParseAddr("192.168.1.1")}
	for _, tc := range []struct {
		name string
		link system.Link
		gw   *system.Gateway
		want bool
	}{
		{"a bridge of containers' veths (docker0)", system.Link{Known: true, Kind: "bridge", Members: []system.LinkMember{veth, veth}}, nil, true},
		{"a bridge with no members yet", system.Link{Known: true, Kind: "bridge"}, nil, true},
		{"a bridge of virtual machines' taps (virbr0)", system.Link{Known: true, Kind: "bridge", Members: []system.LinkMember{tap}}, nil, true},
		{"a bridge with a network card (br0 with eth0)", system.Link{Known: true, Kind: "bridge", Members: []system.LinkMember{veth, nic}}, gw, false},
		{"a bridge with a vxlan tunnel", system.Link{Known: true, Kind: "bridge", Members: []system.LinkMember{veth, vxlan}}, nil, false},
		{"a bridge with a member of a kind not known", system.Link{Known: true, Kind: "bridge", Members: []system.LinkMember{{Name: "x", Kind: "newkind"}}}, nil, false},
		{"a virtual member a bus device stands behind", system.Link{Known: true, Kind: "bridge", Members: []system.LinkMember{{Name: "x", Kind: "veth", Hardware: true}}}, nil, false},
		{"a veth with an address, no bridge", system.Link{Known: true, Kind: "veth"}, nil, false},
		{"a network card", system.Link{Known: true, Hardware: true}, gw, false},
		{"nothing known", system.Link{}, nil, false},
		{"WSL's vEthernet", system.Link{Known: true, Description: "Hyper-V Virtual Ethernet Adapter"}, nil, true},
		{"Hyper-V's second vEthernet", system.Link{Known: true, Description: "Hyper-V Virtual Ethernet Adapter #2"}, nil, true},
		{"an external Hyper-V switch, with the LAN's gateway", system.Link{Known: true, Description: "Hyper-V Virtual Ethernet Adapter #3"}, gw, false},
		{"VirtualBox host-only", system.Link{Known: true, Description: "VirtualBox Host-Only Ethernet Adapter"}, nil, true},
		{"a Wi-Fi card", system.Link{Known: true, Description: "Intel(R) Wi-Fi 6 AX201 160MHz"}, gw, false},
	} {
		if got := GuestsOnly(tc.link, tc.gw); got != tc.want {
			t.Errorf("%s: GuestsOnly = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestClassifyGuests: an address of a guests' bridge is virtual, its
// link-local address too (only the guests share that link); the same name
// on a bridge with a network card is the network it joins.
func TestClassifyGuests(t *testing.T) {
	guests := system.Interface{Name: "docker0", Link: system.Link{Known: true, Kind: "bridge"}}
	joined := system.Interface{Name: "docker0", Link: system.Link{Known: true, Kind: "bridge", Members: []system.LinkMember{{Name: "eth0", Hardware: true}}}}
	for _, tc := range []struct {
		si   system.Interface
		addr string
		want AddrKind
	}{
		{guests, "172.17.0.1", KindVirtual},
		{guests, "fe80::1", KindVirtual},
		{guests, "81.2.3.4", KindVirtual},
		{joined, "172.17.0.1", KindLAN},
		{joined, "fe80::1", KindLinkLocal},
		{system.Interface{Name: "lo", Link: system.Link{Known: true, Kind: "bridge"}}, "127.0.0.1", KindLoopback},
	} {
		if got := classify(tc.si, netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("classify(%s %+v, %s) = %s, want %s", tc.si.Name, tc.si.Link, tc.addr, got, tc.want)
		}
	}
	if GuestsHint("docker0") != "Docker" || GuestsHint("vEthernet (WSL (Hyper-V firewall))") != "WSL" || GuestsHint("eth0") != "" {
		t.Error("GuestsHint names the wrong maker")
	}
}

// TestGuestsTrust: a guests' network is trusted by default, untrusted when
// the user says so (remembered in Untrusted), trusted again; another
// network stays untrusted until trusted.
func TestGuestsTrust(t *testing.T) {
	sub := netip.MustParsePrefix("172.17.0.1/16")
	virt := Reach{Interface: "docker0", Addr: sub.Addr(), Via: sub, Kind: KindVirtual}
	lan := Reach{Interface: "eth0", Addr: netip.MustParseAddr("192.168.1.5"), Via: netip.MustParsePrefix("192.168.1.5/24"), Kind: KindLAN}
	if !reachTrusted(nil, virt, "") || reachTrusted(nil, lan, "") {
		t.Fatal("without a store: a guests' network must be trusted, a LAN not")
	}
	s := &Store{}
	if !reachTrusted(s, virt, "") {
		t.Fatal("a guests' network is trusted by default")
	}
	n := Network{Interface: "docker0", Subnet: sub.Masked(), Virtual: true}
	if !s.Distrust(n) || s.Distrust(n) || len(s.Untrusted) != 1 || len(s.Trusted) != 0 {
		t.Fatalf("untrusting a guests' network: %+v", s)
	}
	if reachTrusted(s, virt, "") {
		t.Fatal("an untrusted guests' network is still trusted")
	}
	if !s.Trust(n) || s.Trust(n) || len(s.Untrusted) != 0 || !reachTrusted(s, virt, "") {
		t.Fatalf("trusting it again: %+v", s)
	}
}
