package netcheck

import (
	"cmp"
	"context"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"testing"

	"localguard/netcheck/system"

	"localguard/testdata/listener"
	"localguard/testdata/netns"
)

// TestInterfacesHere checks the real interface list: only interfaces that
// are up, loopback classified as such, every address of `ip -br addr` there.
func TestInterfacesHere(t *testing.T) {
	ifs, err := Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	sawLoopback := false
	for _, it := range ifs {
		if it.Flags&net.FlagUp == 0 {
			t.Errorf("%s is down but listed", it.Name)
		}
		for _, a := range it.Addrs {
			if a.Prefix.Addr().IsLoopback() {
				sawLoopback = true
				if a.Kind != KindLoopback {
					t.Errorf("%s %v is %s", it.Name, a.Prefix, a.Kind)
				}
			}
		}
	}
	if !sawLoopback {
		t.Error("no loopback address")
	}
}

// countingSystem counts full scans (process listings).
type countingSystem struct {
	system.Reader
	listings int
}

func (c *countingSystem) PIDs() []int32 { c.listings++; return c.Reader.PIDs() }

// checkSteadyScans: ten scans while the sockets stay as they are list no
// process. Other programs may open sockets meanwhile: it tries until ten
// scans saw one unchanged socket list.
func checkSteadyScans(t *testing.T, sys *countingSystem, scan func()) {
	t.Helper()
	for try := 0; ; try++ {
		before, _ := system.New().Listeners(context.Background())
		n := sys.listings
		for range 10 {
			scan()
		}
		after, _ := system.New().Listeners(context.Background())
		if sys.listings == n {
			return
		}
		if try == 5 || len(before) == len(after) && slices.EqualFunc(sortedByInode(before), sortedByInode(after), sameSocket) {
			t.Fatalf("steady scans listed processes %d times", sys.listings-n)
		}
	}
}

// TestScannerSteady checks the steady state: while no listening socket
// appears or goes, a Scan lists no process and answers from memory; a new
// listener anywhere, or FlowMeter restarting, is noticed at the next Scan.
func TestScannerSteady(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	port := freePort(t)
	backend := checkout(t, "HOST=127.0.0.1\nPORT="+strconv.Itoa(port)+"\n")
	fm := start(t, backend, python, childEnv(), "python3", "-m", "app.main")
	fm.waitFlowMeter(t, lo4, port)

	sys := &countingSystem{Reader: system.New()}
	s := &Scanner{sys: sys}
	ctx := context.Background()
	scan := func() []FlowMeterSocket {
		t.Helper()
		found, err := s.Scan(ctx, Hint{BackendDir: backend, Port: port})
		if err != nil {
			t.Fatal(err)
		}
		// Only this test's FlowMeter: another may run on the machine.
		return slices.DeleteFunc(found, func(f FlowMeterSocket) bool { return f.Backend != backend })
	}
	pidOf := func(found []FlowMeterSocket) int32 {
		if len(found) != 1 || found[0].Owner == nil {
			t.Fatalf("found %+v, want FlowMeter's one socket", found)
		}
		return found[0].Owner.PID
	}
	if pid := pidOf(scan()); pid != fm.pid() {
		t.Fatalf("owner %d, want %d", pid, fm.pid())
	}
	checkSteadyScans(t, sys, func() { pidOf(scan()) })

	// A new listener elsewhere: a full scan, same answer.
	n := sys.listings
	other := listener.Hold(t, "tcp4", "127.0.0.1:0", false)
	if pid := pidOf(scan()); pid != fm.pid() || sys.listings == n {
		t.Errorf("after a new listener on %d: owner %d, listings %d→%d", other.Port, pid, n, sys.listings)
	}

	// FlowMeter stops, and starts again as another process.
	fm.stop()
	if found := scan(); len(found) != 0 {
		t.Errorf("FlowMeter stopped but found %+v", found)
	}
	fm2 := start(t, backend, python, childEnv(), "python3", "-m", "app.main")
	fm2.waitFlowMeter(t, lo4, port)
	if pid := pidOf(scan()); pid != fm2.pid() {
		t.Errorf("owner %d after a restart, want %d", pid, fm2.pid())
	}
}

func sortedByInode(s []system.Socket) []system.Socket {
	slices.SortFunc(s, func(a, b system.Socket) int { return cmp.Compare(a.Inode, b.Inode) })
	return s
}

// TestResolveDualStack: an IPv6 wildcard the system did not describe
// (/proc/net, gopsutil) is found dual-stack or IPv6-only with a connect to
// 127.0.0.1 on its port.
func TestResolveDualStack(t *testing.T) {
	if netns.Own(t) {
		return
	}
	for _, v6only := range []bool{true, false} {
		l := listener.Hold(t, "tcp6", "[::]:0", v6only)
		s := system.Socket{Addr: netip.IPv6Unspecified(), Port: l.Port, Inode: l.Inode}
		got := resolveDualStack(context.Background(), []system.Socket{s}, s)
		if !got.DualKnown || got.DualStack != l.Dual {
			t.Errorf("[::]:%d with IPV6_V6ONLY=%v: dual=%v known=%v, want dual=%v", l.Port, v6only, got.DualStack, got.DualKnown, l.Dual)
		}
	}
}
