package system

import (
	"encoding/binary"
	"net/netip"
	"sync"

	"golang.org/x/sys/unix"
)

// routeBuf is the receive buffer of a route's answer, kept between
// connects: on the stack, its 4 KiB made every asking goroutine's stack
// grow (copied, and fresh pages touched) on its first connect.
var routeBuf = sync.Pool{New: func() any { return new([4096]byte) }}

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
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return false, false
	}
	defer unix.Close(fd)
	addr := a.AsSlice()
	attrLen := unix.SizeofRtAttr + len(addr)
	req := make([]byte, unix.NLMSG_HDRLEN+unix.SizeofRtMsg+attrLen)
	ne := binary.NativeEndian
	ne.PutUint32(req[0:], uint32(len(req)))
	ne.PutUint16(req[4:], unix.RTM_GETROUTE)
	ne.PutUint16(req[6:], unix.NLM_F_REQUEST)
	ne.PutUint32(req[8:], 1) // sequence
	rtm := req[unix.NLMSG_HDRLEN:]
	rtm[0], rtm[1] = family, bits // rtm_family, rtm_dst_len
	attr := rtm[unix.SizeofRtMsg:]
	ne.PutUint16(attr[0:], uint16(attrLen))
	ne.PutUint16(attr[2:], unix.RTA_DST)
	copy(attr[unix.SizeofRtAttr:], addr)
	if err := unix.Sendto(fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return false, false
	}
	buf := routeBuf.Get().(*[4096]byte)
	defer routeBuf.Put(buf)
	for {
		n, _, err := unix.Recvfrom(fd, buf[:], 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return false, false
		}
		return parseRouteReply(buf[:n])
	}
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
