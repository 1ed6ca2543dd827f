package netcheck

import (
	"net"
	"net/netip"
	"strings"

	"localguard/netcheck/system"
)

// AddrKind is the kind of network an interface address is on, which decides
// who can reach a listener there.
type AddrKind string

// The kinds of network.
const (
	// KindLoopback: this computer only.
	KindLoopback AddrKind = "loopback"
	// KindLinkLocal: 169.254.0.0/16, fe80::/10: whoever shares the link.
	KindLinkLocal AddrKind = "link-local"
	// KindVPN: a tunnel (WireGuard, Tailscale, OpenVPN, ZeroTier, PPP, any
	// point-to-point interface) or CGNAT 100.64.0.0/10: the VPN's peers.
	KindVPN AddrKind = "vpn"
	// KindVirtual: a network only this computer's own containers and
	// virtual machines are on (a bridge of virtual members only: Docker's
	// docker0 and br-..., libvirt's virbr0, Podman's; WSL's and Hyper-V's
	// vEthernet), decided by GuestsOnly from what the interface is made
	// of. Trusted unless the user untrusts it.
	KindVirtual AddrKind = "virtual"
	// KindLAN: a private address (RFC 1918, fc00::/7): the local network.
	KindLAN AddrKind = "lan"
	// KindPublic: any other address: possibly the whole internet.
	KindPublic AddrKind = "public"
)

// kindWords says each kind of network for people: its name in a
// sentence, and who shares such a network.
var kindWords = map[AddrKind]struct{ name, who string }{
	KindLAN:       {"local network", "anyone on it"},
	KindPublic:    {"public address", "possibly the whole internet"},
	KindVPN:       {"VPN", "everyone on the VPN"},
	KindVirtual:   {"containers and virtual machines on this computer", "nothing beyond this computer"},
	KindLinkLocal: {"link-local", "anyone on the same cable or Wi-Fi"},
	KindLoopback:  {"loopback", "this computer only"},
}

// Words says a kind of network for people: name is how a sentence names
// it ("local network"), who says who shares it ("anyone on it"; "" for a
// kind Localguard does not know, whose name is the kind itself).
func (k AddrKind) Words() (name, who string) {
	w, ok := kindWords[k]
	if !ok {
		return string(k), ""
	}
	return w.name, w.who
}

// Interface is a network interface that is up, with its addresses.
type Interface struct {
	Name  string
	Index int
	Flags net.Flags
	Addrs []InterfaceAddr
	// Gateway is the IPv4 default gateway through this interface, nil when
	// there is none or the system does not show it (Linux and Windows do).
	Gateway *system.Gateway
	// Profile names the network for people (Wi-Fi "Costa-Guest"), where
	// the system does.
	Profile system.NetworkProfile
}

// InterfaceAddr is one address of an interface and the kind of network it
// is on.
type InterfaceAddr struct {
	Prefix netip.Prefix
	Kind   AddrKind
}

// Interfaces lists the interfaces that are up, their addresses classified.
func Interfaces() ([]Interface, error) {
	ifs, err := system.Interfaces()
	if err != nil {
		return nil, err
	}
	out := make([]Interface, 0, len(ifs))
	for _, si := range ifs {
		it := Interface{Name: si.Name, Index: si.Index, Flags: si.Flags, Gateway: si.Gateway, Profile: si.Profile}
		for _, p := range si.Prefixes {
			it.Addrs = append(it.Addrs, InterfaceAddr{Prefix: p, Kind: classify(si, p.Addr())})
		}
		out = append(out, it)
	}
	return out, nil
}

var (
	cgnat    = netip.MustParsePrefix("100.64.0.0/10")
	ula      = netip.MustParsePrefix("fc00::/7")
	vpnNames = []string{"wg", "tun", "tap", "tailscale", "utun", "ppp", "zt", "ipsec", "nordlynx", "wireguard"}
)

// ClassifyAddr says what kind of network an address of the named interface
// is on. Loopback and link-local go by the address; tunnels by the
// interface; then private or public by the address. A network of this
// computer's own guests (KindVirtual) is never told by a name: GuestsOnly
// decides it from what the interface is made of.
func ClassifyAddr(iface string, flags net.Flags, a netip.Addr) AddrKind {
	a = a.Unmap()
	name := strings.ToLower(iface)
	switch {
	case a.IsLoopback() || flags&net.FlagLoopback != 0:
		return KindLoopback
	case a.IsLinkLocalUnicast():
		return KindLinkLocal
	case cgnat.Contains(a) || flags&net.FlagPointToPoint != 0 || hasAnyPrefix(name, vpnNames):
		return KindVPN
	case a.IsPrivate() || ula.Contains(a):
		return KindLAN
	}
	return KindPublic
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// Reach is an address a listener answers on, and a network from which a
// neighbour can reach it there.
type Reach struct {
	// Interface is the interface of the network the neighbour is on.
	Interface string
	// Addr is the address to connect to; an IPv6 link-local address
	// carries the interface as its zone.
	Addr netip.Addr
	// Via is this computer's own address on that network: Addr itself,
	// except for an address of another interface reached through this one
	// (the weak host model).
	Via netip.Prefix
	// Kind is the kind of the network the neighbour is on.
	Kind AddrKind
}

// ReachableAddrs lists every address on which a listening socket can be
// reached, with each network a neighbour could reach it from: a wildcard
// 0.0.0.0 on every IPv4 address, :: on every IPv6 address (and every IPv4
// one too when dual-stack), a specific address on the interface that has
// it (a 127.x.y.z address on the loopback interface). Linux and Windows
// answer packets for any of their addresses arriving on any interface (the
// weak host model), so a specific non-loopback address is reachable from
// every network of its family this computer is on, through that network:
// it is listed once more for each of them. Loopback addresses are included;
// the caller decides what is exposed.
func ReachableAddrs(s system.Socket, ifaces []Interface) []Reach {
	listen := s.Addr.Unmap()
	var out []Reach
	for _, it := range ifaces {
		for _, ia := range it.Addrs {
			a, ok := answersOn(s, listen, ia)
			if !ok {
				continue
			}
			if a.Is6() && a.IsLinkLocalUnicast() {
				a = a.WithZone(it.Name)
			}
			out = append(out, Reach{Interface: it.Name, Addr: a, Via: ia.Prefix, Kind: ia.Kind})
		}
	}
	if listen.IsUnspecified() || listen.IsLoopback() || listen.IsLinkLocalUnicast() || len(out) == 0 {
		// A link-local address is not routed beyond its own link.
		return out
	}
	return append(out, weakHost(out[0], listen, ifaces)...)
}

// answersOn is the address of an interface a socket listening on listen
// answers on, if any: every address of its family for a wildcard (IPv4
// too for a dual-stack ::), its own, or a loopback address inside the
// loopback interface's prefix (127.x.y.z).
func answersOn(s system.Socket, listen netip.Addr, ia InterfaceAddr) (netip.Addr, bool) {
	a := ia.Prefix.Addr()
	switch {
	case listen == netip.IPv4Unspecified():
		return a, a.Is4()
	case listen == netip.IPv6Unspecified():
		return a, a.Is6() || s.DualStack && a.Is4()
	case a == listen.WithZone(""):
		return a, true
	case ia.Kind == KindLoopback && listen.IsLoopback() && ia.Prefix.Contains(listen):
		return listen, true
	}
	return a, false
}

// weakHost lists a specific address (home, on its own interface) once for
// every other network of its family, through which a neighbour reaches it
// by the weak host model.
func weakHost(home Reach, listen netip.Addr, ifaces []Interface) []Reach {
	var out []Reach
	for _, it := range ifaces {
		if it.Name == home.Interface {
			continue
		}
		for _, ia := range it.Addrs {
			if ia.Kind == KindLoopback || ia.Prefix.Addr().Is4() != listen.Is4() {
				continue
			}
			out = append(out, Reach{Interface: it.Name, Addr: home.Addr, Via: ia.Prefix, Kind: ia.Kind})
			break
		}
	}
	return out
}
