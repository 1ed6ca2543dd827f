package system

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"syscall"
)

// tcpEstablished is TCP_ESTABLISHED in the kernel's state numbering.
const tcpEstablished = 1

// establishedConns lists the established TCP connections of this network
// namespace, with the inode of each socket (the process is found from the
// inode only when needed: reading every process's descriptors is what makes
// `ss -p` slow).
func establishedConns() ([]Conn, error) {
	conns, err := diagConns()
	if err == nil {
		return conns, nil
	}
	conns, perr := procNetConns()
	if perr != nil {
		return nil, fmt.Errorf("listing connections: %w (sock_diag: %v)", perr, err)
	}
	return conns, nil
}

// closingStates are the kernel's TCP states of a connection one end
// already closed: FIN_WAIT1 4, FIN_WAIT2 5, TIME_WAIT 6, CLOSE 7,
// CLOSE_WAIT 8, LAST_ACK 9, CLOSING 11; with SYN_SENT 2 and SYN_RECV 3,
// what RecentConnections lists beside the established ones.
const closingStates = 1<<4 | 1<<5 | 1<<6 | 1<<7 | 1<<8 | 1<<9 | 1<<11

// recentConns lists the connections open now or closed a moment ago.
func recentConns() ([]Conn, error) { return recentConnsFiltered(nil) }

// recentConnsOf lists the connections open now or closed a moment ago
// with either end on one of ports, filtered by the kernel (a busy
// machine's table of connections is long; what a relay watch looks for
// is a few ports'); where the kernel refuses the filter, the whole
// listing filtered here.
func recentConnsOf(ports []int) ([]Conn, error) {
	bc := portFilter(ports)
	if bc == nil {
		return nil, nil
	}
	conns, err := recentConnsFiltered(bc)
	if err != nil {
		if conns, err = recentConns(); err != nil {
			return nil, err
		}
	}
	return onPorts(conns, ports), nil
}

// recentConnsFiltered lists the connections open now or closed a moment
// ago that bc passes (every one for nil).
func recentConnsFiltered(bc []byte) ([]Conn, error) {
	var out []Conn
	err := diagDumpAll(1<<tcpEstablished|1<<2|1<<3|closingStates, bc, func(m []byte) {
		if c, ok := parseDiagConn(m); ok {
			st := m[1]
			c.Closing = st != tcpEstablished && st != 2 && st != 3
			out = append(out, c)
		}
	})
	return out, err
}

// bootID is the kernel's boot_id.
func bootID() string {
	b, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	return string(bytes.TrimSpace(b))
}

func diagConns() ([]Conn, error) {
	var out []Conn
	err := diagDumpAll(1<<tcpEstablished, nil, func(m []byte) {
		if c, ok := parseDiagConn(m); ok {
			out = append(out, c)
		}
	})
	return out, err
}

// parseDiagConn reads one struct inet_diag_msg: both ends and the inode.
func parseDiagConn(b []byte) (Conn, bool) {
	if len(b) < inetDiagMsgLen {
		return Conn{}, false
	}
	ne := binary.NativeEndian
	sport, dport := binary.BigEndian.Uint16(b[4:6]), binary.BigEndian.Uint16(b[6:8])
	var src, dst netip.Addr
	switch b[0] {
	case syscall.AF_INET:
		src, dst = netip.AddrFrom4([4]byte(b[8:12])), netip.AddrFrom4([4]byte(b[24:28]))
	case syscall.AF_INET6:
		src, dst = netip.AddrFrom16([16]byte(b[8:24])).Unmap(), netip.AddrFrom16([16]byte(b[24:40])).Unmap()
	default:
		return Conn{}, false
	}
	return Conn{Local: netip.AddrPortFrom(src, sport), Remote: netip.AddrPortFrom(dst, dport), Inode: uint64(ne.Uint32(b[68:])), Cookie: ne.Uint64(b[44:52])}, true
}

// procNetConns reads the established connections from /proc/net/tcp{,6}.
func procNetConns() ([]Conn, error) {
	var out []Conn
	for _, name := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(name)
		if errors.Is(err, os.ErrNotExist) && name == "/proc/net/tcp6" {
			continue
		}
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(make([]byte, 0, 512), 1<<20)
		sc.Scan() // header
		for sc.Scan() {
			f := bytes.Fields(sc.Bytes())
			if len(f) < 10 || string(f[3]) != "01" {
				continue
			}
			la, lp, ok1 := parseHexAddr(f[1])
			ra, rp, ok2 := parseHexAddr(f[2])
			inode, err := strconv.ParseUint(string(f[9]), 10, 64)
			if !ok1 || !ok2 || err != nil {
				continue
			}
			out = append(out, Conn{Local: netip.AddrPortFrom(la.Unmap(), uint16(lp)), Remote: netip.AddrPortFrom(ra.Unmap(), uint16(rp)), Inode: inode})
		}
	}
	return out, nil
}
