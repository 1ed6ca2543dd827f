//go:build !linux

package system

import (
	"context"
	"net/netip"
	"runtime"

	gnet "github.com/shirou/gopsutil/v4/net"
)

// establishedConns lists the established TCP connections, each with the
// process that holds it (the system says it directly here). On macOS
// gopsutil runs lsof for it, far too slow for every poll: relays are then
// found by their command lines and configuration only.
func establishedConns() ([]Conn, error) { return conns(false) }

// recentConns lists the connections open now or closed a moment ago.
func recentConns() ([]Conn, error) { return conns(true) }

// recentConnsOf lists those with either end on one of ports.
func recentConnsOf(ports []int) ([]Conn, error) {
	if len(ports) == 0 {
		return nil, nil
	}
	cs, err := conns(true)
	return onPorts(cs, ports), err
}

// bootID is "" here: sockets are named by their owner and its start.
func bootID() string { return "" }

// conns lists the TCP connections: the established ones, and with recent
// those one end already closed as well.
func conns(recent bool) ([]Conn, error) {
	if runtime.GOOS == "darwin" {
		return nil, nil
	}
	// ConnectionsWithContext, not ...WithoutUids, which gopsutil leaves
	// "not implemented yet" on Windows.
	cs, err := gnet.ConnectionsWithContext(context.Background(), "tcp")
	if err != nil {
		return nil, err
	}
	var out []Conn
	for _, c := range cs {
		closing := c.Status != "ESTABLISHED" && c.Status != "SYN_SENT" && c.Status != "SYN_RECV"
		if c.Status == "LISTEN" || c.Status == "" || closing && !recent || !recent && c.Status != "ESTABLISHED" {
			continue
		}
		la, err1 := netip.ParseAddr(c.Laddr.IP)
		ra, err2 := netip.ParseAddr(c.Raddr.IP)
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, Conn{Local: netip.AddrPortFrom(la.Unmap(), uint16(c.Laddr.Port)), Remote: netip.AddrPortFrom(ra.Unmap(), uint16(c.Raddr.Port)), PID: c.Pid, Closing: closing})
	}
	return out, nil
}
