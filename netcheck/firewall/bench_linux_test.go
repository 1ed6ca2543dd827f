package firewall

import (
	"net/netip"
	"testing"
)

// What a check pays for the firewall while its rules do not change: the
// stamp (one netlink question for the ruleset's generation, as root) and
// the evaluation of the snapshot already read, per network asked about;
// and a full read, paid only when the stamp changes. Read-only: the rules
// of whatever namespace it runs in are read, never written.

func BenchmarkStamp(b *testing.B) {
	for b.Loop() {
		stamp()
	}
}

func BenchmarkDecideCached(b *testing.B) {
	var r Reader
	q := Query{Interface: "eth0", Local: netip.MustParseAddr("10.0.0.2"), Port: 8000}
	r.Snapshot([]string{"eth0"})
	for b.Loop() {
		Decide(r.Snapshot([]string{"eth0"}), q)
	}
	if r.Reads != 1 {
		b.Fatalf("%d reads while nothing changed", r.Reads)
	}
}

func BenchmarkRead(b *testing.B) {
	for b.Loop() {
		read([]string{"eth0"})
	}
}
