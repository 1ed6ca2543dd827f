package system

import (
	"encoding/binary"
	"net"
	"slices"
	"strconv"
	"syscall"
	"testing"

	"localguard/testdata/netns"
)

// TestDiagOneWalk: the one request for both families (struct
// inet_diag_req) is answered by this kernel, and gives the same sockets,
// listening and established, IPv4 and IPv6, as one request per family.
func TestDiagOneWalk(t *testing.T) {
	if netns.Own(t) {
		return
	}
	ls := []testListener{
		listenTest(t, "tcp4", "127.0.0.1:0", false),
		listenTest(t, "tcp6", "[::1]:0", false),
	}
	for _, l := range ls {
		c, err := net.Dial("tcp", net.JoinHostPort(l.addr.String(), strconv.Itoa(l.port)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
	}
	for _, states := range []uint32{1 << tcpListen, 1 << tcpEstablished} {
		one := diagInodes(t, states, func(fd int, buf []byte, fn func([]byte)) error {
			return diagDump(fd, diagOneWalkRequest(states), buf, fn)
		})
		perFamily := diagInodes(t, states, func(fd int, buf []byte, fn func([]byte)) error {
			for _, family := range []uint8{syscall.AF_INET, syscall.AF_INET6} {
				if err := diagDump(fd, diagFamilyRequest(family, states), buf, fn); err != nil {
					return err
				}
			}
			return nil
		})
		if !slices.Equal(one, perFamily) {
			t.Errorf("states %#x: the one request gives the sockets %v, one request per family %v", states, one, perFamily)
		}
		// Each listener, and both ends of each connection.
		if want := 2 * (1 + int(states>>tcpEstablished&1)); len(one) != want {
			t.Errorf("states %#x: %d sockets, want %d: %v", states, len(one), want, one)
		}
	}
	if _, err := Connections(); err != nil {
		t.Fatal(err)
	}
	if diagOneWalkRefused.Load() {
		t.Error("the kernel refused the one request for both families: every dump walks its table twice")
	}
}

// diagInodes dumps with dump on a sock_diag socket of its own and returns
// the sockets' inodes, sorted.
func diagInodes(t *testing.T, states uint32, dump func(fd int, buf []byte, fn func([]byte)) error) []uint32 {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, netlinkSockDiag)
	if err != nil {
		t.Skipf("no sock_diag here: %v", err)
	}
	defer syscall.Close(fd)
	var inodes []uint32
	err = dump(fd, make([]byte, 32<<10), func(m []byte) {
		if len(m) >= inetDiagMsgLen && m[1] == uint8(bitOf(states)) {
			inodes = append(inodes, binary.NativeEndian.Uint32(m[68:]))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(inodes)
	return inodes
}

// bitOf is the state number of a mask of one state.
func bitOf(mask uint32) int {
	for i := 0; i < 32; i++ {
		if mask == 1<<i {
			return i
		}
	}
	return -1
}
