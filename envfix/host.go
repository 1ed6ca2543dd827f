package envfix

import (
	"net/netip"
	"strconv"
	"strings"
)

// HostClass says what uvicorn binds for a HOST value.
type HostClass string

// The host classes.
const (
	// HostLoopback: localhost, 127.x.y.z or ::1; reachable from this
	// machine only.
	HostLoopback HostClass = "loopback"
	// HostAllIPv4: 0.0.0.0 (or "0"): every IPv4 interface.
	HostAllIPv4 HostClass = "all-ipv4"
	// HostAllIPv6: "::": every IPv6 interface.
	HostAllIPv6 HostClass = "all-ipv6"
	// HostAll: the empty string: every IPv4 and IPv6 interface.
	HostAll HostClass = "all"
	// HostAddress: one interface's address.
	HostAddress HostClass = "address"
	// HostName: a name FlowMeter resolves when it starts.
	HostName HostClass = "name"
	// HostInvalid: nothing FlowMeter can bind; it fails to start.
	HostInvalid HostClass = "invalid"
)

// Host is a HOST value as uvicorn would bind it.
type Host struct {
	Class HostClass
	// Addr is the address for HostLoopback (when numeric), HostAllIPv4,
	// HostAllIPv6 and HostAddress.
	Addr netip.Addr
}

// Local reports whether the host keeps FlowMeter on this machine.
func (h Host) Local() bool { return h.Class == HostLoopback }

// ClassifyHost classifies a HOST value the way uvicorn, through asyncio and
// getaddrinfo, binds it: numeric IPv4 in any inet_aton form ("127.1",
// "0x7f.0.0.1", "0"), IPv6 literals with an optional zone, the name
// localhost, other names, and strings no resolver accepts.
func ClassifyHost(s string) Host {
	if s == "" {
		return Host{Class: HostAll}
	}
	if a, ok := parseInetAton(s); ok {
		return classifyAddr(a)
	}
	if strings.Contains(s, ":") {
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is6() {
			return Host{Class: HostInvalid}
		}
		return classifyAddr(a)
	}
	if strings.EqualFold(strings.TrimSuffix(s, "."), "localhost") {
		return Host{Class: HostLoopback}
	}
	if validHostname(s) {
		return Host{Class: HostName}
	}
	return Host{Class: HostInvalid}
}

func classifyAddr(a netip.Addr) Host {
	u := a.Unmap()
	switch {
	case a.Is4() && a.IsUnspecified():
		return Host{Class: HostAllIPv4, Addr: a}
	case a.Is6() && a.IsUnspecified():
		return Host{Class: HostAllIPv6, Addr: a}
	case u.IsLoopback():
		return Host{Class: HostLoopback, Addr: a}
	}
	return Host{Class: HostAddress, Addr: a}
}

// parseInetAton parses IPv4 as glibc's inet_aton (in its exact form, which
// getaddrinfo uses) does: one to four parts, each decimal, octal (leading 0)
// or hexadecimal (leading 0x); the last part fills the remaining bytes.
func parseInetAton(s string) (netip.Addr, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		v, ok := atonPart(p)
		if !ok {
			return netip.Addr{}, false
		}
		vals[i] = v
	}
	last := len(vals) - 1
	for _, v := range vals[:last] {
		if v > 0xff {
			return netip.Addr{}, false
		}
	}
	if vals[last] >= 1<<(8*(4-last)) {
		return netip.Addr{}, false
	}
	n := vals[last]
	for i, v := range vals[:last] {
		n |= v << (8 * (3 - i))
	}
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), true
}

func atonPart(p string) (uint64, bool) {
	if p == "" || p[0] < '0' || p[0] > '9' {
		return 0, false
	}
	base, digits := 10, p
	if p[0] == '0' && len(p) > 1 {
		base, digits = 8, p[1:]
		if digits[0] == 'x' || digits[0] == 'X' {
			base, digits = 16, digits[1:]
			if digits == "" {
				return 0, false
			}
		}
	}
	for _, c := range digits {
		if c == '_' || c == '+' || c == '-' {
			return 0, false // ParseUint would accept what inet_aton does not
		}
	}
	v, err := strconv.ParseUint(digits, base, 64)
	if err != nil || v > 0xffffffff {
		return 0, false
	}
	return v, true
}

// validHostname reports whether s has the form of a DNS name a resolver
// would look up; a name made only of numbers is a mistyped address.
func validHostname(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	numeric := true
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range label {
			switch {
			case c >= '0' && c <= '9':
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-', c == '_':
				numeric = false
			default:
				return false
			}
		}
	}
	return !numeric
}
