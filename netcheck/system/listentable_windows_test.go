package system

import (
	"context"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"

	gnet "github.com/shirou/gopsutil/v4/net"
	"golang.org/x/sys/windows"
)

// underWine reports whether the tests run under Wine, which names pid 0 as
// the owner of every socket (wineserver holds them).
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

// TestListenTable: the owner-pid listener tables list this process's own
// listening sockets, IPv4 and IPv6, wildcard and loopback, with its pid
// (Wine: pid 0), and not a connected socket.
func TestListenTable(t *testing.T) {
	var want []string
	for _, addr := range []string{"127.0.0.1:0", "0.0.0.0:0", "[::1]:0", "[::]:0"} {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			if strings.HasPrefix(addr, "[") {
				t.Logf("no IPv6 here: %v", err)
				continue
			}
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		want = append(want, netip.MustParseAddrPort(l.Addr().String()).String())
	}
	// A connection: in the full table, never in the listener one.
	c, err := net.Dial("tcp", want[0])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	table, err := listenTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range table {
		ap := netip.AddrPortFrom(l.addr, l.port).String()
		if slices.Contains(want, ap) {
			got = append(got, ap)
			if l.pid != int32(os.Getpid()) && !(underWine() && l.pid == 0) {
				t.Errorf("%s: owner pid %d, want %d", ap, l.pid, os.Getpid())
			}
		}
		if ap == c.LocalAddr().String() {
			t.Errorf("a connected socket is listed as listening: %s", ap)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("listed %v, want %v", got, want)
	}
}

func TestParseTCPTableRefusesTruncated(t *testing.T) {
	b := make([]byte, 4+tcp4RowSize)
	b[0] = 2 // two rows said, one held
	if _, err := parseTCPTable(nil, b, windows.AF_INET); err == nil {
		t.Error("a truncated table was read")
	}
	if _, err := parseTCPTable(nil, b[:2], windows.AF_INET6); err == nil {
		t.Error("a table shorter than its header was read")
	}
}

// BenchmarkListenTable compares one read of the listener table: the direct
// owner-pid listener tables against gopsutil's full connection list.
func BenchmarkListenTable(b *testing.B) {
	for range 20 { // a few listeners and connections, as on a desktop
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		defer l.Close()
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
	}
	ctx := context.Background()
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			if _, err := listenTable(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gopsutil", func(b *testing.B) {
		for b.Loop() {
			conns, err := gnet.ConnectionsWithContext(ctx, "tcp")
			if err != nil {
				b.Fatal(err)
			}
			fromGopsutil(conns)
		}
	})
}
