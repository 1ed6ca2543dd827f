package netcheck

import (
	"fmt"
	"net/netip"
)

// NetworkOf identifies the network an address of an interface is on now:
// the interface, the subnet of the address, and the gateway's hardware
// address where the system shows it.
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
			n := Network{Interface: iface, Subnet: a.Prefix.Masked(), Name: it.Profile.Words()}
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
