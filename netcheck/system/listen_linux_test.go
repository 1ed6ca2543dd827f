package system

import (
	"encoding/binary"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"localguard/testdata/listener"
	"localguard/testdata/netns"
)

// TestListenSocketsAgree opens listeners on 127.0.0.1, 0.0.0.0, ::1, :: (IPv6
// only) and :: (dual-stack), and checks that sock_diag, the /proc/net
// fallback (with its connect to tell dual-stack) and `ss` all describe them
// alike: address, port, inode, user, dual-stack.
func TestListenSocketsAgree(t *testing.T) {
	if netns.Own(t) {
		return
	}
	ls := []listener.Held{
		listener.Hold(t, "tcp4", "127.0.0.1:0", false),
		listener.Hold(t, "tcp4", "0.0.0.0:0", false),
		listener.Hold(t, "tcp6", "[::1]:0", false),
		listener.Hold(t, "tcp6", "[::]:0", true),
		listener.Hold(t, "tcp6", "[::]:0", false),
	}
	diag, err := listenSockets()
	if err != nil {
		t.Fatal(err)
	}
	proc, err := procNetListeners()
	if err != nil {
		t.Fatal(err)
	}
	uid := uint32(os.Geteuid())
	for name, socks := range map[string][]Socket{"sock_diag": diag, "/proc/net": proc} {
		checkListed(t, name, socks, ls, uid)
	}
	checkSSAgrees(t, ls)
}

// checkListed wants every listener of ls in socks (read by name), with
// its address, port, dual-stack and uid.
func checkListed(t *testing.T, name string, socks []Socket, ls []listener.Held, uid uint32) {
	t.Helper()
	for _, l := range ls {
		i := slices.IndexFunc(socks, func(s Socket) bool { return s.Inode == l.Inode })
		if i < 0 {
			t.Errorf("%s: the listener on %v port %d (inode %d) is missing", name, l.Addr, l.Port, l.Inode)
			continue
		}
		s := socks[i]
		if !s.DualKnown {
			// /proc/net does not show IPV6_V6ONLY: an IPv6 socket
			// leaves it to the scan's connect (see netcheck).
			if name == "sock_diag" || s.Addr.Is4() {
				t.Errorf("%s: %v port %d does not say whether it is dual-stack", name, s.Addr, s.Port)
			}
			s.DualStack = l.Dual
		}
		if s.Addr != l.Addr || s.Port != l.Port || s.DualStack != l.Dual || s.UID != uid {
			t.Errorf("%s: got %v port %d dual=%v uid %d, want %v port %d dual=%v uid %d",
				name, s.Addr, s.Port, s.DualStack, s.UID, l.Addr, l.Port, l.Dual, uid)
		}
	}
}

// checkSSAgrees wants `ss -tlne`, which prints the inode and, for IPv6,
// v6only, to show every listener of ls, dual-stack as the test opened it.
func checkSSAgrees(t *testing.T, ls []listener.Held) {
	t.Helper()
	ss, err := exec.LookPath("ss")
	if err != nil {
		missing(t, "ss (iproute2) is not installed: no cross-check with it")
	}
	out, err := exec.Command(ss, "-Htlne").Output()
	if err != nil {
		t.Fatal(err)
	}
	ino := regexp.MustCompile(`\bino:(\d+)`)
	v6only := regexp.MustCompile(`\bv6only:(\d)`)
	for _, l := range ls {
		var line string
		for _, ln := range strings.Split(string(out), "\n") {
			if m := ino.FindStringSubmatch(ln); m != nil && m[1] == strconv.FormatUint(l.Inode, 10) {
				line = ln
			}
		}
		if line == "" {
			t.Errorf("ss does not show inode %d", l.Inode)
			continue
		}
		if m := v6only.FindStringSubmatch(line); m != nil && (m[1] == "0") != l.Dual {
			t.Errorf("ss shows %s for %v (dual=%v)", m[0], l.Addr, l.Dual)
		}
	}
}

// TestParseProcNet reads fixtures of /proc/net/tcp and tcp6: LISTEN lines
// only, malformed lines skipped, IPv4-mapped addresses kept as given.
func TestParseProcNet(t *testing.T) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("the fixtures were written on a little-endian machine")
	}
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"testdata/proc/net_tcp", []string{"127.0.0.1:8000 uid 1000 ino 41001", "0.0.0.0:3000 uid 0 ino 41002", "192.168.1.23:8000 uid 1000 ino 41003"}},
		{"testdata/proc/net_tcp6", []string{"[::]:8000 uid 1000 ino 42001", "[::1]:8000 uid 1000 ino 42002", "[fd00::2]:3000 uid 0 ino 42003", "[::ffff:127.0.0.1]:8001 uid 0 ino 42004"}},
	} {
		b, err := os.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range parseProcNet(b) {
			got = append(got, netip.AddrPortFrom(s.Addr, uint16(s.Port)).String()+" uid "+strconv.Itoa(int(s.UID))+" ino "+strconv.FormatUint(s.Inode, 10))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.file, got, tc.want)
		}
	}
}

func TestParseStat(t *testing.T) {
	for _, tc := range []struct {
		stat string
		want ProcStat
		ok   bool
	}{
		{"4242 (python3) S 4000 4242 4000 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 123456 1000 100 18446744073709551615", ProcStat{4000, 123456, "python3"}, true},
		{"7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0", ProcStat{1, 99, "a (b) c"}, true},
		{"7 (x) R 1", ProcStat{}, false},
		{"garbage", ProcStat{}, false},
	} {
		got, err := parseStat([]byte(tc.stat))
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseStat(%q) = %+v, %v; want %+v ok=%v", tc.stat, got, err, tc.want, tc.ok)
		}
	}
	// And this very process, as the kernel writes it.
	st, err := procSystem{}.Stat(int32(os.Getpid()))
	if err != nil || st.PPID != int32(os.Getppid()) || st.Start == 0 {
		t.Errorf("stat of this process: %+v, %v (ppid %d)", st, err, os.Getppid())
	}
}

// TestGateways reads the default gateways: from fixtures, and from this
// machine, checked against `ip route` and `ip neigh`.
func TestGateways(t *testing.T) {
	checkGatewayFixtures(t)
	checkGatewaysMatchIP(t)
}

// checkGatewayFixtures reads the gateways of the /proc/net fixtures: wlan0's
// with its hardware address, eth0's (an incomplete neighbour entry)
// without, and no other.
func checkGatewayFixtures(t *testing.T) {
	t.Helper()
	route, _ := os.ReadFile("testdata/proc/net_route")
	arp, _ := os.ReadFile("testdata/proc/net_arp")
	gws := parseGateways(route, arp)
	if g := gws["wlan0"]; g == nil || g.Addr.String() != "192.168.1.1" || g.HardwareAddr.String() != "a4:2b:b0:12:34:56" {
		t.Errorf("wlan0 gateway %+v", g)
	}
	if g := gws["eth0"]; g == nil || g.Addr.String() != "10.0.0.1" || g.HardwareAddr != nil {
		t.Errorf("eth0 gateway (incomplete neighbour entry) %+v", g)
	}
	if len(gws) != 2 {
		t.Errorf("gateways %v: want wlan0 and eth0 only", gws)
	}
}

// checkGatewaysMatchIP wants this machine's default gateways as `ip route`
// names them, with the hardware address `ip neigh` shows.
func checkGatewaysMatchIP(t *testing.T) {
	t.Helper()
	ip, err := exec.LookPath("ip")
	if err != nil {
		missing(t, "ip (iproute2) is not installed: no cross-check with it")
	}
	out, err := exec.Command(ip, "-4", "route", "show", "default").Output()
	if err != nil {
		t.Fatal(err)
	}
	ifs, err := Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`default via (\S+) dev (\S+)`)
	for _, m := range re.FindAllStringSubmatch(string(out), -1) {
		i := slices.IndexFunc(ifs, func(it Interface) bool { return it.Name == m[2] })
		if i < 0 {
			continue // interface down
		}
		g := ifs[i].Gateway
		if g == nil || g.Addr.String() != m[1] {
			t.Errorf("%s: gateway %+v, ip route says %s", m[2], g, m[1])
			continue
		}
		neigh, _ := exec.Command(ip, "neigh", "show", m[1], "dev", m[2]).Output()
		if mac := regexp.MustCompile(`lladdr (\S+)`).FindSubmatch(neigh); mac != nil && g.HardwareAddr != nil && g.HardwareAddr.String() != string(mac[1]) {
			t.Errorf("%s: gateway hardware address %s, ip neigh says %s", m[2], g.HardwareAddr, mac[1])
		}
	}
}
