package system

import (
	"os"
	"testing"
)

// FuzzParseProcNet: any /proc/net/tcp content parses without a panic, to
// listening sockets with valid addresses.
func FuzzParseProcNet(f *testing.F) {
	for _, name := range []string{"testdata/proc/net_tcp", "testdata/proc/net_tcp6"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, s := range parseProcNet(b) {
			if !s.Addr.IsValid() || s.Port < 0 || s.Port > 65535 {
				t.Fatalf("%+v", s)
			}
		}
	})
}

// FuzzParseDiagMsg: any sock_diag message parses without a panic.
func FuzzParseDiagMsg(f *testing.F) {
	msg := make([]byte, inetDiagMsgLen+8)
	msg[0] = 10 // AF_INET6
	msg[inetDiagMsgLen] = 5
	msg[inetDiagMsgLen+2] = inetDiagV6Only
	f.Add(msg)
	f.Add(msg[:inetDiagMsgLen+3])
	f.Fuzz(func(t *testing.T, b []byte) {
		if s, ok := parseDiagMsg(b); ok && !s.Addr.IsValid() {
			t.Fatalf("%+v", s)
		}
	})
}

// FuzzParseStat and FuzzParseGateways: no panic on any input.
func FuzzParseStat(f *testing.F) {
	f.Add([]byte("1 (a) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0"))
	f.Add([]byte(") ("))
	f.Fuzz(func(t *testing.T, b []byte) { parseStat(b) })
}

func FuzzParseGateways(f *testing.F) {
	route, _ := os.ReadFile("testdata/proc/net_route")
	arp, _ := os.ReadFile("testdata/proc/net_arp")
	f.Add(route, arp)
	f.Fuzz(func(t *testing.T, route, arp []byte) { parseGateways(route, arp) })
}

// FuzzParseSocketLink: any descriptor link target parses without a panic,
// to an inode only when it reads "socket:[digits]".
func FuzzParseSocketLink(f *testing.F) {
	f.Add([]byte("socket:[12345]"))
	f.Add([]byte("pipe:[1]"))
	f.Add([]byte("socket:["))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, ok := parseSocketLink(b); ok && (len(b) < 10 || string(b[:8]) != "socket:[" || b[len(b)-1] != ']') {
			t.Fatalf("%q parsed as a socket", b)
		}
	})
}

// FuzzParseRouteReply: any netlink answer to a route question parses
// without a panic.
func FuzzParseRouteReply(f *testing.F) {
	f.Add(make([]byte, 28))
	f.Add([]byte{36, 0, 0, 0, 24, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		parseRouteReply(b)
	})
}

// FuzzSplitNul: any command line or environment splits without a panic.
func FuzzSplitNul(f *testing.F) {
	f.Add([]byte("python3\x00-m\x00app.main\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		splitNul(b)
	})
}
