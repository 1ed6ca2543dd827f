//go:build !linux

package system

import "net/netip"

// localAddr is not known here: the caller lists the interfaces' addresses.
func localAddr(netip.Addr) (local, known bool) { return false, false }
