package system

import (
	"encoding/binary"
	"net/netip"
	"sync"

	"golang.org/x/sys/unix"
)

// route is the netlink socket the routes are asked on, kept open between
// connects (one socket a connect was two more system calls, and the
// kernel's making of a socket, for each of a check's probes), one request
// at a time; fd is -1 while none is open.
var route = struct {
	sync.Mutex
	fd  int
	seq uint32
	buf [4096]byte
}{fd: -1}

// localAddr asks the kernel how it routes a: one RTM_GETROUTE for the
// address alone, answered from its tables, where net.InterfaceAddrs lists
// every address and every link (two netlink dumps) for each connect. A
// route of type local means a packet to a never leaves this computer.
func localAddr(a netip.Addr) (local, known bool) {
	a = a.Unmap().WithZone("")
	family, bits := uint8(unix.AF_INET), uint8(32)
	if a.Is6() {
		family, bits = unix.AF_INET6, 128
	}
	route.Lock()
	defer route.Unlock()
	if route.fd < 0 {
		fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
		if err != nil {
			return false, false
		}
		route.fd = fd
	}
	route.seq++
	addr := a.AsSlice()
	attrLen := unix.SizeofRtAttr + len(addr)
	req := make([]byte, unix.NLMSG_HDRLEN+unix.SizeofRtMsg+attrLen)
	ne := binary.NativeEndian
	ne.PutUint32(req[0:], uint32(len(req)))
	ne.PutUint16(req[4:], unix.RTM_GETROUTE)
	ne.PutUint16(req[6:], unix.NLM_F_REQUEST)
	ne.PutUint32(req[8:], route.seq)
	rtm := req[unix.NLMSG_HDRLEN:]
	rtm[0], rtm[1] = family, bits // rtm_family, rtm_dst_len
	attr := rtm[unix.SizeofRtMsg:]
	ne.PutUint16(attr[0:], uint16(attrLen))
	ne.PutUint16(attr[2:], unix.RTA_DST)
	copy(attr[unix.SizeofRtAttr:], addr)
	if err := unix.Sendto(route.fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		closeRoute()
		return false, false
	}
	for {
		n, _, err := unix.Recvfrom(route.fd, route.buf[:], 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			closeRoute()
			return false, false
		}
		b := route.buf[:n]
		if len(b) >= unix.NLMSG_HDRLEN && ne.Uint32(b[8:]) != route.seq {
			continue // an answer to an earlier request, given up (none is: one at a time)
		}
		return parseRouteReply(b)
	}
}

// closeRoute closes the route socket after an error: the next connect
// opens another.
func closeRoute() {
	unix.Close(route.fd)
	route.fd = -1
}

// parseRouteReply reads the kernel's answer to one RTM_GETROUTE: a route
// (local when its type is RTN_LOCAL), or an error (no route: not local).
func parseRouteReply(b []byte) (local, known bool) {
	if len(b) < unix.NLMSG_HDRLEN {
		return false, false
	}
	ne := binary.NativeEndian
	switch ne.Uint16(b[4:]) {
	case unix.RTM_NEWROUTE:
		if len(b) < unix.NLMSG_HDRLEN+unix.SizeofRtMsg {
			return false, false
		}
		return b[unix.NLMSG_HDRLEN+7] == unix.RTN_LOCAL, true // rtm_type
	case unix.NLMSG_ERROR:
		if len(b) >= unix.NLMSG_HDRLEN+4 && int32(ne.Uint32(b[unix.NLMSG_HDRLEN:])) < 0 {
			return false, true // no route to it: not this computer's
		}
	}
	return false, false
}
