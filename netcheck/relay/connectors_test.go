package relay

import (
	"net/netip"
	"testing"
	"time"

	"localguard/netcheck/system"
)

// TestOneShotLooksAtOnce: the first poll (a one-shot check) looks for the
// owner of a connection to FlowMeter's port at once; later polls wait for
// the connection to last one poll (clients come and go).
func TestOneShotLooksAtOnce(t *testing.T) {
	conn := system.Conn{Local: netip.MustParseAddrPort("127.0.0.1:40000"), Remote: netip.MustParseAddrPort("127.0.0.1:8000"), Inode: 5}
	targets := map[int]bool{8000: true}
	own := func(a netip.Addr) bool { return a.IsLoopback() }
	r := &Scanner{own: own, pending: map[uint64]bool{}, searched: map[uint64]time.Time{}}
	if want := r.unknownConnectors([]system.Conn{conn}, targets, nil); want[5] != 8000 {
		t.Errorf("first poll: %v, want the connection's owner looked for at once", want)
	}
	r = &Scanner{own: own, pending: map[uint64]bool{}, searched: map[uint64]time.Time{}, polled: true}
	if want := r.unknownConnectors([]system.Conn{conn}, targets, nil); len(want) != 0 {
		t.Errorf("a later poll, a new connection: %v, want it given a poll to last", want)
	}
	if want := r.unknownConnectors([]system.Conn{conn}, targets, nil); want[5] != 8000 {
		t.Errorf("the poll after: %v, want it looked for", want)
	}
}
