package system

import (
	"fmt"
	"net"
	"net/netip"
)

// Interface is a network interface that is up, as the system shows it.
type Interface struct {
	Name  string
	Index int
	Flags net.Flags
	// Prefixes are its addresses, each with its subnet's length.
	Prefixes []netip.Prefix
	// Gateway is the IPv4 default gateway through this interface, nil when
	// there is none or the system does not show it (Linux and Windows do).
	Gateway *Gateway
	// Profile names the network for people (Wi-Fi "Costa-Guest"), where
	// the system does.
	Profile NetworkProfile
	// Link is what the interface is made of (a bridge and its members, an
	// adapter's description), where the system says.
	Link Link
}

// Gateway is a default gateway: its address and, when the neighbour table
// knows it, its hardware address, which tells one network from another that
// uses the same subnet.
type Gateway struct {
	Addr netip.Addr
	// HardwareAddr is nil when the neighbour table has no entry for it.
	HardwareAddr net.HardwareAddr
}

// Interfaces lists the network interfaces that are up, each with its
// addresses, its IPv4 default gateway and its network's profile where the
// system shows them.
func Interfaces() ([]Interface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("listing network interfaces: %w", err)
	}
	gws := Gateways()
	profiles := NetworkProfiles()
	links := Links()
	var out []Interface
	for _, ni := range ifs {
		if ni.Flags&net.FlagUp == 0 {
			continue
		}
		addrs, err := ni.Addrs()
		if err != nil {
			continue // the interface went away
		}
		profile, ok := profiles[ni.Name]
		if !ok {
			profile = linkProfile(ni.Name)
		}
		it := Interface{Name: ni.Name, Index: ni.Index, Flags: ni.Flags, Gateway: gws[ni.Name], Profile: profile, Link: links[ni.Name]}
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok {
				continue
			}
			ip, ok := netip.AddrFromSlice(ipn.IP)
			if !ok {
				continue
			}
			ip = ip.Unmap()
			ones, _ := ipn.Mask.Size()
			it.Prefixes = append(it.Prefixes, netip.PrefixFrom(ip, ones))
		}
		out = append(out, it)
	}
	return out, nil
}
