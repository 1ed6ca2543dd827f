package netcheck

import (
	"fmt"
	"net/netip"
	"slices"
)

// NetworkOf identifies the network an address of an interface is on now:
// the interface, the subnet of the address, and the gateway's hardware
// address where the system shows it; Virtual when only this computer's
// own guests are on it.
func NetworkOf(iface string, addr netip.Addr) (Network, error) {
	ifaces, err := Interfaces()
	if err != nil {
		return Network{}, fmt.Errorf("listing the network interfaces: %w", err)
	}
	addr = addr.WithZone("")
	for _, it := range ifaces {
		if it.Name != iface {
			continue
		}
		for _, a := range it.Addrs {
			if a.Prefix.Addr().WithZone("") != addr {
				continue
			}
			n := Network{Interface: iface, Subnet: a.Prefix.Masked(), Name: it.Profile.Words(), Virtual: a.Kind == KindVirtual}
			if it.Gateway != nil && it.Gateway.HardwareAddr != nil {
				n.Gateway = it.Gateway.HardwareAddr.String()
			}
			return n, nil
		}
	}
	return Network{}, fmt.Errorf("%s is no longer on %s: check again", addr, iface)
}

// SetTrusted trusts or distrusts the network of addr on iface, and saves
// the store.
func (s *Store) SetTrusted(iface string, addr netip.Addr, trusted bool) error {
	n, err := NetworkOf(iface, addr)
	if err != nil {
		return err
	}
	changed := false
	if trusted {
		changed = s.Trust(n)
	} else {
		changed = s.Distrust(n)
	}
	if !changed {
		return nil
	}
	return s.Save()
}

// reachTrusted reports whether the user trusts the network through which
// a neighbour reaches r (gateway is that network's gateway's hardware
// address): a network of this computer's own guests unless the user
// untrusted it (a nil store untrusts none), any other only when the user
// trusted it (a nil store trusts none).
func reachTrusted(s *Store, r Reach, gateway string) bool {
	if r.Kind == KindVirtual {
		return s == nil || !s.untrusts(r.Interface, r.Via)
	}
	return s != nil && s.Trusts(r.Interface, r.Via, gateway)
}

// untrusts reports whether the user untrusted the guests' network of an
// address with the prefix subnet on iface.
func (s *Store) untrusts(iface string, subnet netip.Prefix) bool {
	return slices.ContainsFunc(s.Untrusted, func(n Network) bool { return n.Matches(iface, subnet, n.Gateway) })
}

// TrustedNetworks lists the networks trusted now, for the settings: those
// the user trusted, then the networks of this computer's own guests among
// ifaces (the interfaces up) that are not untrusted (trusted by default,
// each Virtual, named for people).
func (s *Store) TrustedNetworks(ifaces []Interface) []Network {
	out := slices.Clone(s.Trusted)
	for _, it := range ifaces {
		for _, a := range it.Addrs {
			n := Network{Interface: it.Name, Subnet: a.Prefix.Masked(), Name: guestsName(it.Name), Virtual: true}
			if a.Kind != KindVirtual || s.untrusts(it.Name, a.Prefix) || slices.ContainsFunc(out, n.same) {
				continue
			}
			out = append(out, n)
		}
	}
	return out
}

// guestsName names a network of this computer's guests for people, with
// who likely made it when the interface's name hints at it.
func guestsName(iface string) string {
	name, _ := KindVirtual.Words()
	if who := GuestsHint(iface); who != "" {
		return name + " (" + who + "'s " + iface + ")"
	}
	return name + " (" + iface + ")"
}

// Interfaces are the interfaces as the Checker's checks see them: those
// its watch keeps while the system announces no change, else listed now.
// Call it where the checks run (a watch's requests).
func (c *Checker) Interfaces() []Interface {
	ifaces, _ := c.cache.interfaces()
	return ifaces
}
