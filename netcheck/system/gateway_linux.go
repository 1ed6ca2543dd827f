package system

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"net"
	"net/netip"
	"os"
	"strconv"
)

// defaultGateways reads the IPv4 default routes (/proc/net/route) and the
// gateways' hardware addresses (/proc/net/arp), by interface name.
func defaultGateways() map[string]*Gateway {
	route, err := os.ReadFile("/proc/net/route")
	if err != nil {
		return nil
	}
	arp, _ := os.ReadFile("/proc/net/arp")
	return parseGateways(route, arp)
}

// parseGateways reads the default routes from /proc/net/route
// ("Iface Destination Gateway Flags RefCnt Use Metric Mask ...", addresses
// as hex 32-bit words in host byte order) and looks each gateway up in
// /proc/net/arp ("IP HWtype Flags HWaddress Mask Device").
func parseGateways(route, arp []byte) map[string]*Gateway {
	const rtfGateway = 0x2
	out := map[string]*Gateway{}
	lines(route, func(f [][]byte) {
		if len(f) < 8 || string(f[1]) != "00000000" || string(f[7]) != "00000000" {
			return
		}
		flags, err := strconv.ParseUint(string(f[3]), 16, 32)
		if err != nil || flags&rtfGateway == 0 {
			return
		}
		var raw [4]byte
		if n, err := hex.Decode(raw[:], f[2]); err != nil || n != 4 {
			return
		}
		binary.BigEndian.PutUint32(raw[:], binary.NativeEndian.Uint32(raw[:]))
		name := string(f[0])
		if _, seen := out[name]; !seen { // the first is the lowest metric the kernel listed
			out[name] = &Gateway{Addr: netip.AddrFrom4(raw)}
		}
	})
	lines(arp, func(f [][]byte) {
		if len(f) < 6 {
			return
		}
		gw := out[string(f[5])]
		ip, err := netip.ParseAddr(string(f[0]))
		if gw == nil || err != nil || ip != gw.Addr {
			return
		}
		flags, _ := strconv.ParseUint(string(bytes.TrimPrefix(f[2], []byte("0x"))), 16, 32)
		if flags&0x2 == 0 { // ATF_COM: the entry is complete
			return
		}
		if hw, err := net.ParseMAC(string(f[3])); err == nil {
			gw.HardwareAddr = hw
		}
	})
	return out
}

// lines calls fn with the fields of every line after the header.
func lines(b []byte, fn func([][]byte)) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Scan()
	for sc.Scan() {
		fn(bytes.Fields(sc.Bytes()))
	}
}
