// Package system reads the operating system for netcheck: the listening
// sockets and established connections, the processes (command line,
// working folder, environment, start time, the sockets each holds), the
// network interfaces with their addresses, default gateways and network
// profiles, and the kernel's notices that the interfaces changed. One file
// set per OS: procfs and sock_diag on Linux, the IP Helper API, WMI and
// gopsutil on Windows, gopsutil elsewhere.
//
// It only reports what the system says; what it means (which socket is
// FlowMeter's, who can reach it, whether that is safe) is netcheck's.
// Nothing here changes the system, signals a process or sends a packet.
package system

import (
	"context"
	"net/netip"
	"slices"
	"sync/atomic"
)

// Connections lists the established TCP connections of this computer (of
// this network namespace on Linux). On macOS it lists none: gopsutil runs
// lsof for them, far too slow for every poll.
func Connections() ([]Conn, error) { return establishedConns() }

// RecentConnections lists the TCP connections open now or closed a moment
// ago (TIME_WAIT lingers a minute): what passed through this computer
// during a short exchange, even when its connections closed before the
// listing. Closed ones have no inode and no process.
func RecentConnections() ([]Conn, error) { return recentConns() }

// RecentConnectionsOf is RecentConnections of the connections with either
// end on one of ports (none for no port): on Linux the kernel filters
// them, much cheaper than the whole listing where many connections are
// open or lingering.
func RecentConnectionsOf(ports []int) ([]Conn, error) { return recentConnsOf(ports) }

// QuickProcReads makes this process read /proc (Linux) with raw system
// calls, for a one-shot command. Each read is short (procfs is in memory)
// and a check makes some 1500; through the Go scheduler's system-call
// path, its monitor thread wakes every 20 µs while they run, to take the
// processor from a call that seems to block and hand it to another
// thread, which cost a one-shot check more than the calls themselves (a
// tenth of its CPU, make bench). Not for a process that runs on (the tray,
// watch): a read of a process whose memory is locked up (a program stuck
// on a dead network file system) waits until it is freed, and a raw call
// holds the thread for Go code meanwhile, where a watched one lets the
// rest of the program go on. A one-shot command waits for its reads
// either way; but while a probe is in flight (Probing), the reads are the
// usual ones: a raw read held up would keep the probe's goroutine from
// reading an answer that came, until its deadline had passed.
func QuickProcReads() { quickProc.Store(true) }

// Probing marks a probe (a connect to one of this computer's sockets)
// in flight until the function it returns is called.
func Probing() (done func()) {
	probing.Add(1)
	return func() { probing.Add(-1) }
}

var (
	quickProc atomic.Bool
	probing   atomic.Int32
)

// quickReads reports whether /proc is read with raw system calls now.
func quickReads() bool { return quickProc.Load() && probing.Load() == 0 }

// onPorts are the connections of conns with either end on one of ports.
func onPorts(conns []Conn, ports []int) []Conn {
	out := conns[:0:0]
	for _, c := range conns {
		if slices.Contains(ports, int(c.Local.Port())) || slices.Contains(ports, int(c.Remote.Port())) {
			out = append(out, c)
		}
	}
	return out
}

// LocalAddr reports whether a packet to a stays on this computer (Linux:
// the kernel routes it as local); known is false where the system cannot
// tell cheaply, and the caller lists the interfaces' addresses instead.
func LocalAddr(a netip.Addr) (local, known bool) { return localAddr(a) }

// BootID names this boot of the computer ("" where unknown): socket
// cookies are unique within one boot.
func BootID() string { return bootID() }

// Gateways reads the IPv4 default gateways, by interface name, with their
// hardware addresses where the neighbour table knows them; nil where the
// system does not show them (elsewhere than Linux and Windows).
func Gateways() map[string]*Gateway { return defaultGateways() }

// WatchLinks reports changes of the machine's interfaces and addresses (a
// network joined or left, an address added or removed) as the system
// announces them, until ctx ends. It returns nil where the system cannot
// tell: the caller then lists the interfaces on every check.
func WatchLinks(ctx context.Context) <-chan struct{} { return watchInterfaces(ctx) }
