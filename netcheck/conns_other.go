//go:build !linux

package netcheck

import (
	"context"
	"net/netip"

	gnet "github.com/shirou/gopsutil/v4/net"
)

// establishedConns lists the established TCP connections, each with the
// process that holds it (the system says it directly here).
func establishedConns() ([]Conn, error) {
	cs, err := gnet.ConnectionsWithoutUidsWithContext(context.Background(), "tcp")
	if err != nil {
		return nil, err
	}
	var out []Conn
	for _, c := range cs {
		if c.Status != "ESTABLISHED" {
			continue
		}
		la, err1 := netip.ParseAddr(c.Laddr.IP)
		ra, err2 := netip.ParseAddr(c.Raddr.IP)
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, Conn{Local: netip.AddrPortFrom(la.Unmap(), uint16(c.Laddr.Port)), Remote: netip.AddrPortFrom(ra.Unmap(), uint16(c.Raddr.Port)), PID: c.Pid})
	}
	return out, nil
}
