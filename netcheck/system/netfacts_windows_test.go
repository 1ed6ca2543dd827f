package system

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/hex"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDefaultGatewaysWindows: the default gateway per interface, with its
// hardware address when the neighbour table has it. Under Wine the answer
// is checked against the Linux tables Wine reads (/proc/net/route and
// /proc/net/arp, seen through drive Z:).
func TestDefaultGatewaysWindows(t *testing.T) {
	gws := defaultGateways()
	for name, gw := range gws {
		t.Logf("%s: gateway %s (%s)", name, gw.Addr, gw.HardwareAddr)
		if _, err := net.InterfaceByName(name); err != nil || !gw.Addr.Is4() {
			t.Errorf("%s: gateway %v on an interface Go does not know (%v)", name, gw.Addr, err)
		}
	}
	if !underWine() {
		return
	}
	want := linuxGateways(t)
	if len(want) == 0 {
		t.Skip("this machine has no IPv4 default route")
	}
	for name, w := range want {
		gw := gws[name]
		if gw == nil || gw.Addr != w.Addr {
			t.Errorf("%s: gateway %+v, want %s", name, gw, w.Addr)
			continue
		}
		if w.HardwareAddr != nil && gw.HardwareAddr.String() != w.HardwareAddr.String() {
			t.Errorf("%s: gateway hardware address %s, want %s", name, gw.HardwareAddr, w.HardwareAddr)
		}
	}
}

// linuxGateways reads Z:\proc\net\route and Z:\proc\net\arp (Linux's
// tables, under Wine).
func linuxGateways(t *testing.T) map[string]*Gateway {
	out := map[string]*Gateway{}
	read := func(path string, fn func([]string)) {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Scan()
		for sc.Scan() {
			fn(strings.Fields(sc.Text()))
		}
	}
	read(`Z:\proc\net\route`, func(f []string) {
		flags, _ := strconv.ParseUint(f[3], 16, 32)
		raw, err := hex.DecodeString(f[2])
		if f[1] != "00000000" || f[7] != "00000000" || flags&2 == 0 || err != nil || len(raw) != 4 || out[f[0]] != nil {
			return
		}
		var a [4]byte
		binary.BigEndian.PutUint32(a[:], binary.LittleEndian.Uint32(raw))
		out[f[0]] = &Gateway{Addr: netip.AddrFrom4(a)}
	})
	read(`Z:\proc\net\arp`, func(f []string) {
		flags, _ := strconv.ParseUint(strings.TrimPrefix(f[2], "0x"), 16, 32)
		if gw := out[f[5]]; gw != nil && gw.Addr.String() == f[0] && flags&2 != 0 {
			gw.HardwareAddr, _ = net.ParseMAC(f[3])
		}
	})
	return out
}

// TestWatchInterfacesWindows: registering for interface and address
// changes gets Windows's initial notification, a resync comes even when
// Windows announces nothing (Wine 8 never does after the initial one), and
// stopping cancels it all.
func TestWatchInterfacesWindows(t *testing.T) {
	old := linkResync
	linkResync = 200 * time.Millisecond
	t.Cleanup(func() { linkResync = old })
	ctx, cancel := context.WithCancel(context.Background())
	changes := watchInterfaces(ctx)
	if changes == nil {
		t.Fatal("no change notification: registration failed or no initial notification")
	}
	select {
	case <-changes:
	case <-time.After(5 * time.Second):
		t.Error("no resync")
	}
	cancel()
	time.Sleep(100 * time.Millisecond)
	linkMu.Lock()
	n := len(linkWatchers)
	linkMu.Unlock()
	if n != 0 {
		t.Errorf("%d watchers left after the context ended", n)
	}
}

// TestNetworkProfilesWindows: the profiles, when WMI gives them, name
// interfaces Go knows and a category Windows has. Wine's WMI has no
// root\StandardCimv2: there the answer is empty, never an error or a hang.
func TestNetworkProfilesWindows(t *testing.T) {
	start := time.Now()
	profiles := NetworkProfiles()
	t.Logf("%d profiles in %v: %+v", len(profiles), time.Since(start), profiles)
	for name, p := range profiles {
		if _, err := net.InterfaceByName(name); err != nil {
			t.Errorf("profile %+v for an interface Go does not know: %q", p, name)
		}
		if p.Category != "Public" && p.Category != "Private" && p.Category != "Domain" {
			t.Errorf("%s: category %q", name, p.Category)
		}
	}
}
