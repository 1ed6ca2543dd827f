package listener

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
)

// TestHold holds listeners on 127.0.0.1, ::1 and :: (IPv6 only and
// dual-stack) and checks each against the kernel: the inode is the one
// /proc/net lists on its port, and a dual-stack socket answers a connect
// to 127.0.0.1 on its port, an IPv6-only one does not.
func TestHold(t *testing.T) {
	for _, tc := range []struct {
		network, addr string
		v6only        bool
		want          netip.Addr
	}{
		{"tcp4", "127.0.0.1:0", false, netip.MustParseAddr("127.0.0.1")},
		{"tcp6", "[::1]:0", false, netip.IPv6Loopback()},
		{"tcp6", "[::]:0", true, netip.IPv6Unspecified()},
		{"tcp6", "[::]:0", false, netip.IPv6Unspecified()},
	} {
		t.Run(fmt.Sprintf("%s v6only=%v", tc.addr, tc.v6only), func(t *testing.T) {
			h := Hold(t, tc.network, tc.addr, tc.v6only)
			if h.Addr != tc.want || h.Port == 0 || h.Inode == 0 {
				t.Fatalf("%+v, want address %v, a port and an inode", h, tc.want)
			}
			if got := procNetInode(t, h); got != fmt.Sprint(h.Inode) {
				t.Errorf("/proc/net lists inode %q on port %d, Hold says %d", got, h.Port, h.Inode)
			}
			if tc.addr == "[::]:0" {
				c, err := net.Dial("tcp4", fmt.Sprintf("127.0.0.1:%d", h.Port))
				if err == nil {
					c.Close()
				}
				if (err == nil) != h.Dual {
					t.Errorf("Dual %v, yet a connect to 127.0.0.1 gave %v", h.Dual, err)
				}
			}
		})
	}
}

// procNetInode is the inode /proc/net/tcp or tcp6 lists for the listener
// on h's port.
func procNetInode(t *testing.T, h Held) string {
	t.Helper()
	file := "/proc/net/tcp6"
	if h.Addr.Is4() {
		file = "/proc/net/tcp"
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) > 9 && f[3] == "0A" && strings.HasSuffix(f[1], fmt.Sprintf(":%04X", h.Port)) {
			return f[9]
		}
	}
	return ""
}
