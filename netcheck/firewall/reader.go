package firewall

import (
	"slices"
	"strings"
	"sync"
)

// Reader reads the firewall, again only when its rules or the networks
// changed: a cheap stamp (on Linux the nftables ruleset's generation) is
// compared on every check, the rules read when it differs. The zero Reader
// is ready to use; it is safe for concurrent use.
type Reader struct {
	mu     sync.Mutex
	snap   Snapshot
	stamp  string
	ifaces string
	// Reads counts the full reads, for tests and benchmarks.
	Reads int
}

// Snapshot is the firewall's state for the interfaces named, read again
// when it changed since the last call.
func (r *Reader) Snapshot(ifaces []string) Snapshot {
	ifaces = slices.Sorted(slices.Values(ifaces))
	key := strings.Join(ifaces, "\x00")
	st := stamp()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.snap == nil || st != r.stamp || key != r.ifaces {
		r.snap, r.stamp, r.ifaces = read(ifaces), st, key
		r.Reads++
	}
	return r.snap
}

// Forget makes the next Snapshot read the firewall again.
func (r *Reader) Forget() {
	r.mu.Lock()
	r.snap = nil
	r.mu.Unlock()
}
