package system

import "net/netip"

// Socket is a listening TCP socket of this machine's network namespace.
type Socket struct {
	// Addr is the local address: 0.0.0.0 or :: for a wildcard listener.
	Addr netip.Addr
	Port int
	// DualStack is true for an IPv6 socket that accepts IPv4 too
	// (IPV6_V6ONLY off): a dual-stack :: is reached on every IPv4 address
	// as well. uvicorn's own sockets on :: are IPv6 only; the one its
	// --reload/--workers parent binds is dual-stack on Linux.
	DualStack bool
	// Inode identifies the socket: the kernel's socket inode on Linux; a
	// number stable across scans for the same address elsewhere.
	Inode uint64
	// UID is the user the socket belongs to (Linux only; 0 elsewhere).
	UID uint32
	// Cookie is the kernel's socket cookie (Linux sock_diag): never given
	// to another socket until the next boot, so with the boot it names
	// this socket for as long as it lives. 0 where unknown.
	Cookie uint64
	// PID is the process that holds the socket where the system says so
	// with the listing (Windows); 0 on Linux.
	PID int32

	// DualKnown is false when the system did not say whether an IPv6
	// socket is dual-stack: a scan then finds out with a connect.
	DualKnown bool
}

// Wildcard reports whether the socket listens on every address of its
// family (0.0.0.0 or ::).
func (s Socket) Wildcard() bool { return s.Addr.IsUnspecified() }

// Conn is an established TCP connection of this computer.
type Conn struct {
	Local, Remote netip.AddrPort
	// Inode is the socket's inode (Linux), to find the process holding it.
	Inode uint64
	// PID is the process holding it where the system says so directly
	// (not on Linux, where it is found from Inode when needed); 0 unknown.
	PID int32
	// Cookie is the kernel's socket cookie (Linux): a connection that
	// reuses the ports of one closed a moment ago has another. 0 unknown.
	Cookie uint64
	// Closing is true for a connection already closed by one end (TIME_WAIT,
	// FIN_WAIT, CLOSE_WAIT...): it was open a moment ago. Only
	// RecentConnections lists such.
	Closing bool
}
