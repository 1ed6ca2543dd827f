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
