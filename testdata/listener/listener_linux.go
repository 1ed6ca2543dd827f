package listener

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"testing"
)

// Held is a socket the test holds itself, with its kernel inode.
type Held struct {
	Addr  netip.Addr
	Dual  bool
	Inode uint64
	Port  int
}

// Hold opens a listener on addr (v6only sets IPV6_V6ONLY), closed when the
// test ends, and returns it with its inode, read from the descriptor. The
// test is skipped where addr cannot be listened on (no IPv6 here).
func Hold(t testing.TB, network, addr string, v6only bool) Held {
	t.Helper()
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		if strings.HasPrefix(addr, "[") {
			c.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, map[bool]int{true: 1}[v6only])
			})
		}
		return serr
	}}
	l, err := lc.Listen(context.Background(), network, addr)
	if err != nil {
		t.Skipf("cannot listen on %s here: %v", addr, err)
	}
	t.Cleanup(func() { l.Close() })
	f, err := l.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	ap := l.Addr().(*net.TCPAddr).AddrPort()
	return Held{Addr: ap.Addr().Unmap(), Dual: strings.HasPrefix(addr, "[::]") && !v6only, Inode: st.Ino, Port: int(ap.Port())}
}
