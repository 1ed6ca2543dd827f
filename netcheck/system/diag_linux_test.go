package system

import (
	"encoding/binary"
	"net"
	"slices"
	"syscall"
	"testing"

	"localguard/testdata/netns"
)

// TestDiagDumpOnce checks that the one request for every family
// (TCPDIAG_GETSOCK) lists the same sockets as one SOCK_DIAG_BY_FAMILY
// request per family: listeners and connections, IPv4 and IPv6.
func TestDiagDumpOnce(t *testing.T) {
	if netns.Own(t) {
		return
	}
	for _, nw := range []struct{ net, addr string }{{"tcp4", "127.0.0.1:0"}, {"tcp6", "[::1]:0"}} {
		ln, err := net.Listen(nw.net, nw.addr)
		if err != nil {
			t.Logf("%s: %v", nw.net, err)
			continue
		}
		defer ln.Close()
		c, err := net.Dial(nw.net, ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// Accepted, so that the server's end has its inode (one still in
		// the accept queue lists as inode 0).
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
	}
	for _, states := range []uint32{1 << tcpListen, 1 << tcpEstablished} {
		once := dumpInodes(t, diagRequestAll(states, nil))
		var each []uint64
		for _, family := range []uint8{syscall.AF_INET, syscall.AF_INET6} {
			each = append(each, dumpInodes(t, diagRequest(family, states, nil))...)
		}
		slices.Sort(once)
		slices.Sort(each)
		if len(once) < 2 || !slices.Equal(once, each) {
			t.Errorf("states %#x: one request lists %v, one per family %v", states, once, each)
		}
	}
}

// dumpInodes sends req on a sock_diag socket of its own and returns the
// inodes of the sockets listed.
func dumpInodes(t *testing.T, req []byte) []uint64 {
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, netlinkSockDiag)
	if err != nil {
		t.Skip("no sock_diag:", err)
	}
	defer syscall.Close(fd)
	var out []uint64
	buf := make([]byte, 32<<10)
	err = diagDump(fd, req, buf, func(m []byte) {
		if len(m) >= inetDiagMsgLen {
			out = append(out, uint64(binary.NativeEndian.Uint32(m[68:])))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPortFilter checks the kernel's filter against the same listing
// filtered here: connections (and a listener) on two ports among others,
// either end on the port, IPv4 and IPv6, established and closed.
func TestPortFilter(t *testing.T) {
	if netns.Own(t) {
		return
	}
	ports := portConns(t, 4)
	all, err := recentConns()
	if err != nil {
		t.Skip("no sock_diag:", err)
	}
	// Each port: two connections, one closed (its client's side lingers).
	for _, c := range []struct {
		want []int
		min  int
	}{{ports[:1], 3}, {ports[1:3], 6}, {[]int{ports[3], 1}, 3}, {nil, 0}} {
		got, err := recentConnsOf(c.want)
		if err != nil {
			t.Fatalf("ports %v: %v", c.want, err)
		}
		if bc := portFilter(c.want); bc != nil {
			// The kernel's filter alone, not the filtering here after it.
			if got, err = recentConnsFiltered(bc); err != nil {
				t.Fatalf("ports %v: the kernel refused the filter: %v", c.want, err)
			}
		}
		exp := onPorts(all, c.want)
		if len(exp) < c.min {
			t.Fatalf("ports %v: only %d connections on them listed unfiltered: %v", c.want, len(exp), exp)
		}
		key := func(c Conn) string { return c.Local.String() + ">" + c.Remote.String() }
		if g, e := sortedKeys(got, key), sortedKeys(exp, key); !slices.Equal(g, e) {
			t.Errorf("ports %v: the kernel's filter passes %v, the listing filtered here %v", c.want, g, e)
		}
	}
}

// portConns opens n listeners, on 127.0.0.1 and on ::1 (the same port
// numbers are not asked for), each with two connections, the first closed
// at once; it returns the IPv4 listeners' ports.
func portConns(t *testing.T, n int) []int {
	var ports []int
	for range n {
		for _, nw := range []struct{ net, addr string }{{"tcp4", "127.0.0.1:0"}, {"tcp6", "[::1]:0"}} {
			ln, err := net.Listen(nw.net, nw.addr)
			if err != nil {
				t.Logf("%s: %v", nw.net, err)
				continue
			}
			t.Cleanup(func() { ln.Close() })
			if nw.net == "tcp4" {
				ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
			}
			for i := range 2 {
				c, err := net.Dial(nw.net, ln.Addr().String())
				if err != nil {
					t.Fatal(err)
				}
				s, err := ln.Accept()
				if err != nil {
					t.Fatal(err)
				}
				if i == 0 {
					c.Close() // TIME_WAIT on this side
					s.Close()
				} else {
					t.Cleanup(func() { c.Close(); s.Close() })
				}
			}
		}
	}
	return ports
}

func sortedKeys(cs []Conn, key func(Conn) string) []string {
	var out []string
	for _, c := range cs {
		out = append(out, key(c))
	}
	slices.Sort(out)
	return out
}
