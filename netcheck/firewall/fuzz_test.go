package firewall

import (
	"net/netip"
	"strings"
	"testing"
)

// FuzzRichRule: any rich rule text is read without a panic, and one that
// only rejects or drops never lets a neighbour in.
func FuzzRichRule(f *testing.F) {
	for _, s := range []string{
		`rule family="ipv4" source address="10.0.0.0/8" port port="8000" protocol="tcp" accept`,
		`rule family="ipv6" icmp-type name="neighbour-advertisement" accept`,
		`rule service name="ssh" log prefix="ssh" level="info" limit value="1/m" accept`,
		`rule family="ipv4" source address="192.0.2.0/24" reject type="icmp-host-prohibited"`,
		`rule protocol value="tcp" accept`, `rule forward-port port="8000" protocol="tcp" to-port="80"`, ``,
	} {
		f.Add(s, 8000)
	}
	f.Fuzz(func(t *testing.T, rule string, port int) {
		s := &FirewalldState{Services: map[string][]FirewalldPort{"ssh": {{"22", "tcp"}}}}
		m := richRuleOpens(s, rule, port)
		if m == yes && !strings.Contains(rule, "accept") {
			t.Fatalf("%q lets port %d in without accept", rule, port)
		}
	})
}

// FuzzWindowsLists: any port or address list of a Windows rule is read
// without a panic, and "*" always matches.
func FuzzWindowsLists(f *testing.F) {
	for _, s := range []string{"*", "8000", "443,7990-8010", "RPC", "10.0.0.0/255.0.0.0,LocalSubnet", "192.168.1.1-192.168.1.254", "fe80::/64", "", "-", ",,", "1-"} {
		f.Add(s, 8000, "192.168.1.23")
	}
	f.Fuzz(func(t *testing.T, list string, port int, addr string) {
		a, err := netip.ParseAddr(addr)
		if err != nil {
			a = netip.MustParseAddr("192.168.1.23")
		}
		portsMatch(list, port)
		localMatch(list, a)
		remoteMatch(list, true)
		if portsMatch("*", port) != yes || localMatch("*", a) != yes {
			t.Fatal("* does not match")
		}
	})
}
