package firewall

import (
	"net/netip"
	"os"
	"testing"
)

// TestReadWindows reads Windows Defender Firewall for real, through its COM
// API, and asks about one Public network. On Windows every answer has a
// decision and names who made it; under Wine, whose hnetcfg.dll implements
// little of INetFwPolicy2, the reader must load and fall back to
// "unknown", saying why, rather than fail or guess.
func TestReadWindows(t *testing.T) {
	snap := read(nil)
	q := Query{Interface: "Ethernet", Category: "Public", Local: netip.MustParseAddr("192.168.1.23"),
		Subnet: netip.MustParsePrefix("192.168.1.23/24"), Port: 8000, Program: os.Args[0]}
	a := Decide(snap, q)
	t.Logf("%T: %+v", snap, a)
	if a.Decision != Blocked && a.Decision != Allowed && a.Decision != Unknown || a.By == "" || a.Rule == "" {
		t.Fatalf("answer %+v", a)
	}
	if p, ok := snap.(*WindowsPolicy); ok {
		t.Logf("profiles %+v, %d rules, third party %q", p.Profiles, len(p.Rules), p.ThirdParty)
		if len(p.Profiles) != 3 {
			t.Errorf("profiles read: %+v", p.Profiles)
		}
	}
	if underWine && a.Decision != Unknown {
		t.Errorf("under Wine the firewall was read as %s: %+v", a.Decision, a)
	}
	if st := stamp(); st == "" {
		t.Error("no stamp")
	}
}
